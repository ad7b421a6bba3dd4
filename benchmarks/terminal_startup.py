"""Start-up in a terminal: the installed `chat-tui` next to a bare Textual app, both in a
pseudo-terminal (120x40) read by a terminal emulator.

The first screen is the moment the emulated screen shows the prompt's placeholder and the
footer's palette key (for the bare app: its `Static`'s text and the same footer key), i.e.
the first complete screen a user can type into. Starts are interleaved (bare, no key, key) so
that the machine's load falls on all three alike; the medians and their ratios to the bare
app are reported. "No key" starts on the offline simulated model (and probes for a local
Ollama, as a new user's start does); "key" is `--provider openai` with a key and
OPENAI_BASE_URL pointing at the fake server. One unmeasured round first (the first start
creates the database and warms the file cache).

    python -m benchmarks.terminal_startup [--quick | --tiny] [--json]
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from benchmarks.bare_textual_app import LANDMARK
from benchmarks.fake_server_process import FakeServerProcess
from benchmarks.harness import Figure, print_figures, size_of, standard_parser
from benchmarks.terminal import Terminal, clean_env, console_script

NAME = "terminal_startup"
TARGET_RATIO = 1.35
RUNS = {"full": 7, "quick": 3, "tiny": 1}
PLACEHOLDER = "Message (Enter sends"
FOOTER_KEY = "palette"
BARE_APP = Path(__file__).with_name("bare_textual_app.py")


def chat_screen_shown(text: str) -> bool:
    return PLACEHOLDER in text and FOOTER_KEY in text


def bare_screen_shown(text: str) -> bool:
    return LANDMARK in text and FOOTER_KEY in text


@dataclass(frozen=True, slots=True)
class Start:
    seconds: float  # spawn to the read that completed the first screen
    cpu_s: float  # the program's CPU until then (user + system; 10 ms ticks)
    written: int  # bytes written until then


def first_screen(argv: list[str], env: Mapping[str, str], shown: Callable[[str], bool]) -> Start:
    with Terminal.spawn(argv, env) as terminal:
        at = terminal.wait_for(shown, timeout_s=60)
        cpu = terminal.cpu_s()
        return Start(at - terminal.spawned_at, cpu, sum(len(read.data) for read in terminal.reads))


def measure(size: str) -> list[Figure]:
    chat_tui = str(console_script())
    starts: dict[str, list[Start]] = {"bare": [], "no key": [], "key": []}
    load = os.getloadavg()[0]
    with FakeServerProcess.running() as server, tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        keyed = {"OPENAI_API_KEY": "sk-not-a-real-key", "OPENAI_BASE_URL": server.openai_base_url}
        variants: dict[str, tuple[list[str], dict[str, str], Callable[[str], bool]]] = {
            "bare": ([sys.executable, str(BARE_APP)], clean_env(home / "bare"), bare_screen_shown),
            "no key": (
                [chat_tui, "--data-dir", str(home / "nokey-data")],
                clean_env(home / "nokey"),
                chat_screen_shown,
            ),
            "key": (
                [chat_tui, "--provider", "openai", "--data-dir", str(home / "key-data")],
                clean_env(home / "key", keyed),
                chat_screen_shown,
            ),
        }
        for round_ in range(RUNS[size] + 1):
            for name, (argv, env, shown) in variants.items():
                start = first_screen(argv, env, shown)
                if round_:  # the first round only warms up
                    starts[name].append(start)
    bare = statistics.median(s.seconds for s in starts["bare"])
    bare_cpu = statistics.median(s.cpu_s for s in starts["bare"])
    figures = [
        Figure(NAME, "bare Textual app: to first screen p50", bare * 1000, "ms"),
        Figure(NAME, "bare Textual app: CPU to first screen p50", bare_cpu * 1000, "ms"),
    ]
    for name in ("no key", "key"):
        median = statistics.median(s.seconds for s in starts[name])
        cpu = statistics.median(s.cpu_s for s in starts[name])
        label = "no key (simulated)" if name == "no key" else "key (--provider openai)"
        figures += [
            Figure(NAME, f"{label}: to first screen p50", median * 1000, "ms"),
            Figure(
                NAME,
                f"{label}: / bare Textual",
                median / bare,
                "x",
                TARGET_RATIO,
                note=f"load average {load:.1f}",
            ),
            # CPU is far less sensitive to the machine's load than the wall clock.
            Figure(NAME, f"{label}: CPU to first screen / bare", cpu / bare_cpu, "x"),
            Figure(NAME, f"{label}: bytes to first screen", float(starts[name][-1].written), "B"),
        ]
    return figures


def main(argv: list[str] | None = None) -> int:
    args = standard_parser(__doc__ or NAME).parse_args(argv)
    print_figures(measure(size_of(args)), as_json=args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
