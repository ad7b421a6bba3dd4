"""Keep-up in a terminal: the installed `chat-tui` streaming a reply from the fake server in a
pseudo-terminal (120x40) read by a terminal emulator, after a long conversation.

Each run starts the app with `--provider openai` (OPENAI_BASE_URL: the fake server, in its own
process), opens a saved conversation of 200 earlier messages from History (ctrl+r, Enter, c),
and sends a prompt. The server streams the reply on a fixed schedule; its final token is a
word found nowhere else. While it streams, this process only reads and stamps what the app
writes (so that emulating does not take the app's CPU); afterwards it feeds the reads to the
emulator one by one to find the first at which the final token is on screen.

- shown / stream time: (final token on screen - first delta sent) / (last delta sent - first
  delta sent), server stamps and reads on the same clock;
- after the last byte: final token on screen - last delta sent;
- bytes per reply and per frame: everything the app wrote from Enter until it went quiet after
  the final token (its final render included); frames are counted by their synchronized-output
  marks (the emulator declares the mode, as most current terminals do);
- app CPU: the app process's user + system time over the same span.

`--api chat` or `--api responses` picks the OpenAI API (`[providers.openai] api` in a
config file of the run's own); by default the provider's default.

    python -m benchmarks.terminal_keep_up [--quick | --tiny] [--json] [--api chat|responses]
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from benchmarks.fake_server_process import FakeServerProcess
from benchmarks.harness import (
    Figure,
    history,
    llm_like_markdown,
    print_figures,
    size_of,
    standard_parser,
)
from benchmarks.terminal import FRAME_START, Terminal, clean_env, console_script, frames_in
from chat_tui.paths import AppPaths
from chat_tui.providers.simulated import tokenize
from chat_tui.store import TranscriptStore

NAME = "terminal_keep_up"
FINAL_TOKEN = "Zyzzyvafinal"
PLACEHOLDER = "Message (Enter sends"
TARGET_RATIO = {5_000.0: 1.03, 450.0: 1.01}
TARGET_LAG_MS = 100.0
TTFT_S = 0.2


@dataclass(frozen=True, slots=True)
class Case:
    tokens: int
    rate: float  # tokens/s
    earlier: int  # messages in the log before the reply
    runs: int


CASES = {
    "full": [Case(20_000, 5_000.0, 200, 5), Case(2_000, 450.0, 200, 5)],
    "quick": [Case(20_000, 5_000.0, 200, 3), Case(2_000, 450.0, 200, 3)],
    "tiny": [Case(300, 2_000.0, 10, 1)],
}


@dataclass(frozen=True, slots=True)
class ReplyRun:
    ratio: float
    lag_s: float
    reply_bytes: int
    frames: int
    largest_frame: int
    cpu_s: float
    rate: float  # the rate the server achieved


def reply_tokens(count: int) -> list[str]:
    """`count` tokens of LLM-like Markdown, the last of them the final token in a paragraph
    of its own."""
    return [*tokenize(llm_like_markdown(count - 1)), f"\n\n{FINAL_TOKEN}"]


def seed_conversation(data_dir: Path, earlier: int) -> None:
    with TranscriptStore.open(AppPaths.default(data_dir=data_dir).database) as store:
        conversation = store.create_conversation(title="terminal benchmark history")
        assert conversation.id is not None
        for turn in history(earlier).turns:
            # Continuing a conversation goes back to the model of its last reply.
            if turn.role == "assistant":
                turn = replace(turn, provider="openai", model="bench-model")
            store.add_turn(conversation.id, turn)


def open_saved_conversation(terminal: Terminal) -> None:
    """History, the newest conversation, continue: the chat with the saved log."""
    terminal.wait_for(lambda text: PLACEHOLDER in text)
    terminal.send(b"\x12")  # ctrl+r
    terminal.wait_for(lambda text: "terminal benchmark history" in text)
    terminal.send(b"\r")
    terminal.wait_for(lambda text: "c continue" in text)
    terminal.send(b"c")
    terminal.wait_for(lambda text: PLACEHOLDER in text and "c continue" not in text)
    terminal.drain(quiet_s=0.3, longest_s=2.0)


def one_reply(
    server: FakeServerProcess, template: Path, home: Path, case: Case, api: str | None
) -> ReplyRun:
    data_dir = home / "data"
    shutil.rmtree(data_dir, ignore_errors=True)
    shutil.copytree(template, data_dir)
    config_dir = home / "config"
    config_dir.mkdir(exist_ok=True)
    config = f'[providers.openai]\napi = "{api}"\n' if api else ""
    (config_dir / "config.toml").write_text(config)
    env = clean_env(
        home,
        {
            "OPENAI_API_KEY": "sk-not-a-real-key",
            "OPENAI_BASE_URL": server.openai_base_url,
            "CHAT_TUI_CONFIG_DIR": str(config_dir),
        },
    )
    argv = [str(console_script()), "--provider", "openai", "--data-dir", str(data_dir)]
    server.clear()
    with Terminal.spawn(argv, env) as terminal:
        open_saved_conversation(terminal)
        terminal.feed_recorded()
        since, cpu_before = len(terminal.reads), terminal.cpu_s()
        terminal.send(b"go\r")
        timeout = 30 + 3 * case.tokens / case.rate
        terminal.record_until(FINAL_TOKEN.encode(), timeout_s=timeout)
        cpu = terminal.cpu_s() - cpu_before
        shown = terminal.first_shown(lambda text: FINAL_TOKEN in text, since)
    (record,) = server.records()
    first_sent, last_sent = record.sent_at[0], record.sent_at[-1]
    stream_s = last_sent - first_sent
    written = b"".join(read.data for read in terminal.reads[since:])
    return ReplyRun(
        ratio=(shown.at - first_sent) / stream_s,
        lag_s=shown.at - last_sent,
        reply_bytes=len(written),
        frames=frames_in(written),
        largest_frame=max(map(len, written.split(FRAME_START)[1:]), default=0),
        cpu_s=cpu,
        rate=(len(record.sent_at) - 1) / stream_s,
    )


def measure_case(server: FakeServerProcess, case: Case, api: str | None) -> list[Figure]:
    tokens = reply_tokens(case.tokens)
    server.set_scenario(tokens, delay_s=1 / case.rate, ttft_s=TTFT_S, paced=True)
    load = os.getloadavg()[0]  # other work on the machine shows in every figure here
    with tempfile.TemporaryDirectory() as tmp:
        template = Path(tmp) / "template"
        seed_conversation(template, case.earlier)
        runs = [one_reply(server, template, Path(tmp), case, api) for _ in range(case.runs)]

    def p50(values: list[float]) -> float:
        return statistics.median(values)

    label = f"{case.tokens} tok @ {case.rate:g} tok/s, {case.earlier} earlier"
    if api:
        label += f", {api} API"
    ratio = p50([r.ratio for r in runs])
    text_bytes = len("".join(tokens).encode())
    reply_bytes = p50([r.reply_bytes for r in runs])
    frames = p50([r.frames for r in runs])
    return [
        Figure(
            NAME,
            f"shown / stream time p50 ({label})",
            ratio,
            "x",
            TARGET_RATIO.get(case.rate),
            note=f"{ratio:.3f}x; server rate {p50([r.rate for r in runs]):.0f} tok/s; "
            f"load average {load:.1f}",
        ),
        Figure(
            NAME,
            f"last byte to final token on screen p50 ({label})",
            p50([r.lag_s for r in runs]) * 1000,
            "ms",
            TARGET_LAG_MS if case.rate >= 5_000 else None,
        ),
        Figure(
            NAME,
            f"  worst of {case.runs}",
            max(r.lag_s for r in runs) * 1000,
            "ms",
        ),
        Figure(
            NAME,
            f"bytes written per reply p50 ({label})",
            reply_bytes,
            "B",
            note=f"{reply_bytes / text_bytes:.1f}x the reply's text",
        ),
        Figure(NAME, f"frames per reply p50 ({label})", frames, "count"),
        Figure(NAME, f"bytes per frame, mean ({label})", reply_bytes / max(frames, 1), "B"),
        Figure(NAME, f"largest frame p50 ({label})", p50([r.largest_frame for r in runs]), "B"),
        Figure(NAME, f"app CPU per reply p50 ({label})", p50([r.cpu_s for r in runs]), "s"),
    ]


def measure(size: str, api: str | None = None) -> list[Figure]:
    figures: list[Figure] = []
    with FakeServerProcess.running() as server:
        for case in CASES[size]:
            figures += measure_case(server, case, api)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = standard_parser(__doc__ or NAME)
    parser.add_argument("--api", choices=("chat", "responses"), help="the OpenAI API to use")
    args = parser.parse_args(argv)
    print_figures(measure(size_of(args), args.api), as_json=args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
