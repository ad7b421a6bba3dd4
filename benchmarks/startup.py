"""Start-up: process start to an interactive prompt, in a real pseudo-terminal.

The child runs the real entry point (`chat_tui.cli.main`) with a throw-away data directory and
no API keys; a hook on the chat screen writes a marker after its first paint, with the SDK
modules present at that moment. Split: interpreter (spawn to the first line of the child),
Textual import, the rest (chat_tui imports, settings, store, first paint). Then again with
ANTHROPIC_API_KEY set, so the app starts on the provider with the heaviest SDK (about 1 s to
import here), which it imports in the background once its first screen is up.

    python -m benchmarks.startup [--quick | --tiny] [--json]
"""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.harness import Figure, pct, print_figures, size_of, standard_parser

NAME = "startup"
TARGET_MS = 600.0
RUNS = {"full": 7, "quick": 3, "tiny": 1}
SDKS = ("openai", "anthropic", "google.genai")

CHILD = """
import time; t_first_line = time.monotonic()
import json, sys
SDKS = ("openai", "anthropic", "google.genai")
marker = sys.argv[1]
import textual.app
t_textual = time.monotonic()
import chat_tui.screens.chat.screen as chat_screen

original_mount = chat_screen.ChatScreen.on_mount

def on_mount(self):
    original_mount(self)
    def ready():
        loaded = [name for name in SDKS if name in sys.modules]
        with open(marker, "w") as out:
            json.dump({"first_line": t_first_line, "textual": t_textual,
                       "ready": time.monotonic(), "sdks": loaded}, out)
        self.app.exit()
    self.call_after_refresh(ready)

chat_screen.ChatScreen.on_mount = on_mount
from chat_tui.cli import main
sys.exit(main(["--data-dir", sys.argv[2]]))
"""


def one_start(workdir: Path, keys: dict[str, str]) -> dict[str, float | list[str]]:
    marker = workdir / "ready.json"
    marker.unlink(missing_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    env |= {"HOME": str(workdir), "XDG_CONFIG_HOME": str(workdir / "config"), "TERM": "xterm"}
    env |= keys
    env["XDG_DATA_HOME"] = str(workdir / "data")
    leader, follower = pty.openpty()
    started = time.monotonic()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(marker), str(workdir / "data")],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=env,
        close_fds=True,
    )
    os.close(follower)
    deadline = started + 30
    try:
        while child.poll() is None and time.monotonic() < deadline:
            readable, _, _ = select.select([leader], [], [], 0.05)
            if readable:
                try:
                    os.read(leader, 65536)  # drain the screen so the child never blocks
                except OSError:
                    break
    finally:
        if child.poll() is None:
            child.kill()
        child.wait(5)
        os.close(leader)
    if not marker.exists():
        raise RuntimeError("the app never reached its prompt")
    times = json.loads(marker.read_text())
    return times | {"spawned": started}


def measure(size: str) -> list[Figure]:
    totals, interpreter, textual, app = [], [], [], []
    sdks: set[str] = set()
    keyed: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(RUNS[size]):
            t = one_start(Path(tmp), {})
            totals.append(t["ready"] - t["spawned"])
            interpreter.append(t["first_line"] - t["spawned"])
            textual.append(t["textual"] - t["first_line"])
            app.append(t["ready"] - t["textual"])
            sdks.update(t["sdks"])
            t = one_start(Path(tmp), {"ANTHROPIC_API_KEY": "not-a-real-key"})
            keyed.append(t["ready"] - t["spawned"])
    return [
        Figure(NAME, "start to prompt p50", pct(totals, 50) * 1000, "ms", TARGET_MS),
        Figure(NAME, "  interpreter start p50", pct(interpreter, 50) * 1000, "ms"),
        Figure(NAME, "  Textual import p50", pct(textual, 50) * 1000, "ms"),
        Figure(NAME, "  app (imports, store, first paint) p50", pct(app, 50) * 1000, "ms"),
        Figure(
            NAME,
            "SDK modules imported at the prompt",
            float(len(sdks)),
            "count",
            0.0,
            note=", ".join(sorted(sdks)) or "none",
        ),
        Figure(
            NAME,
            "start to prompt p50, on Anthropic (key set)",
            pct(keyed, 50) * 1000,
            "ms",
            TARGET_MS,
            note="its SDK imports once the first screen is up",
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    args = standard_parser(__doc__ or NAME).parse_args(argv)
    print_figures(measure(size_of(args)), as_json=args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
