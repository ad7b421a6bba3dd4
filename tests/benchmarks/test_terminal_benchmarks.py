"""The terminal benchmarks at smoke-test sizes: the installed app in a pseudo-terminal, read by
an emulator. They assert what must hold whatever the machine's speed: the app's first screen
and the reply's final token reach the emulated screen, and the figures are consistent."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.terminal import SYNC_REPLY, Terminal, clean_env, frames_in

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.slow, pytest.mark.bench, pytest.mark.terminal]


def run_tiny(name: str) -> dict[str, dict]:
    done = subprocess.run(
        [sys.executable, "-m", f"benchmarks.{name}", "--tiny", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return {f["name"]: f for f in json.loads(done.stdout.strip().splitlines()[-1])}


def test_emulated_terminal_sees_the_output_and_answers_the_sync_query(tmp_path: Path) -> None:
    program = (
        "import os, sys, termios, tty; tty.setraw(0); "
        "os.write(1, b'\\x1b[?2026$p'); reply = os.read(0, 64); "
        "os.write(1, b'\\x1b[?2026hanswer:' + reply[1:] + b'\\x1b[?2026l'); os.read(0, 1)"
    )
    with Terminal.spawn([sys.executable, "-c", program], clean_env(tmp_path), columns=40) as term:
        term.wait_for(lambda text: "answer:" in text, timeout_s=20)
        assert SYNC_REPLY[1:].decode() in term.text()
        assert frames_in(b"".join(read.data for read in term.reads)) == 1
        term.send(b"q")


def test_terminal_startup_reaches_the_first_screen() -> None:
    figures = run_tiny("terminal_startup")
    bare = figures["bare Textual app: to first screen p50"]["value"]
    assert bare > 0
    for label in ("no key (simulated)", "key (--provider openai)"):
        shown = figures[f"{label}: to first screen p50"]["value"]
        assert figures[f"{label}: / bare Textual"]["value"] == pytest.approx(shown / bare)
        # The first screen is the whole screen: far more than the placeholder's bytes.
        assert figures[f"{label}: bytes to first screen"]["value"] > 120 * 40


def test_terminal_keep_up_shows_the_final_token() -> None:
    figures = run_tiny("terminal_keep_up")
    by_start = {name.split(" (")[0]: figure for name, figure in figures.items()}
    # The final token can only be on screen after the server sent it.
    assert by_start["last byte to final token on screen p50"]["value"] > 0
    assert by_start["shown / stream time p50"]["value"] > 1
    assert by_start["frames per reply p50"]["value"] >= 1
    assert by_start["bytes written per reply p50"]["value"] > 0
    assert by_start["app CPU per reply p50"]["value"] > 0
