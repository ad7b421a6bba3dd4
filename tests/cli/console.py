"""The installed `chat-tui` console script run as a user runs it: in a pseudo-terminal or on
pipes, with HOME and the XDG directories of its own so nobody's real state is touched."""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import select
import shutil
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

KEY_VARIABLES = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_BASE_URL",
    "GOOGLE_API_KEY",
    "GEMINI_API_KEY",
    "GOOGLE_GEMINI_BASE_URL",
    "OPENROUTER_API_KEY",
)
QUICK_SIMULATED = "[simulated]\nttft_ms = 0\ntokens_per_s = 5000\n"
# Run in the child, in its new session: take the pty on stdin as the controlling terminal (as
# a login shell does; only then does closing the terminal send SIGHUP), then become the
# command itself, keeping the pid the test signals.
_TAKE_TERMINAL_AND_EXEC = (
    "import fcntl, os, sys, termios; fcntl.ioctl(0, termios.TIOCSCTTY, 0); "
    "os.execv(sys.argv[1], sys.argv[1:])"
)


def console_script() -> list[str]:
    """The `chat-tui` entry point installed next to this interpreter (`-m chat_tui` without)."""
    installed = Path(sys.executable).parent / "chat-tui"
    if installed.exists():
        return [str(installed)]
    found = shutil.which("chat-tui")
    return [found] if found else [sys.executable, "-m", "chat_tui"]


def isolated_home(root: Path, config: str = QUICK_SIMULATED) -> Path:
    """`root` laid out as a home directory with a config file of `config`."""
    for name in ("config", "data", "state", "cache"):
        (root / "xdg" / name).mkdir(parents=True, exist_ok=True)
    config_dir = root / "xdg" / "config" / "chat-tui"
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "config.toml").write_text(config, encoding="utf-8")
    return root


def environment(home: Path, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in KEY_VARIABLES and not key.startswith(("TEXTUAL", "CHAT_TUI", "XDG_"))
    }
    env |= {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "xdg" / "config"),
        "XDG_DATA_HOME": str(home / "xdg" / "data"),
        "XDG_STATE_HOME": str(home / "xdg" / "state"),
        "XDG_CACHE_HOME": str(home / "xdg" / "cache"),
        "CHAT_TUI_CONFIG_DIR": str(home / "xdg" / "config" / "chat-tui"),
        "TERM": "xterm-256color",
        "PYTHONUNBUFFERED": "1",
    }
    return env | extra


def run_piped(
    arguments: Sequence[str], env: Mapping[str, str], *, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    """Run with stdin an (empty) pipe: never the test runner's, which `ask` would read."""
    return subprocess.run(
        [*console_script(), *arguments],
        input=stdin,
        capture_output=True,
        text=True,
        env=dict(env),
        timeout=60,
    )


@dataclass
class PtyRun:
    """A child whose stdin, stdout and stderr are one pseudo-terminal; `output` is every byte
    it wrote there, read continuously so the child never blocks on a full terminal."""

    process: subprocess.Popen[bytes]
    master: int
    output: bytearray
    reader: threading.Thread
    stop_reading: threading.Event

    @classmethod
    def start(
        cls, arguments: Sequence[str], env: Mapping[str, str], *, rows: int = 40, cols: int = 120
    ) -> PtyRun:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        command = [*console_script(), *arguments]
        process = subprocess.Popen(
            [sys.executable, "-c", _TAKE_TERMINAL_AND_EXEC, *command],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=dict(env),
            start_new_session=True,  # the pty becomes its controlling terminal
            close_fds=True,
        )
        os.close(slave)
        output, stop_reading = bytearray(), threading.Event()
        reader = threading.Thread(target=_drain, args=(master, output, stop_reading), daemon=True)
        reader.start()
        return cls(process, master, output, reader, stop_reading)

    def type(self, text: str) -> None:
        os.write(self.master, text.encode())

    def wait_for(self, needle: bytes, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while needle not in self.output:
            if time.monotonic() > deadline:
                raise AssertionError(f"{needle!r} never appeared: {bytes(self.output[-1500:])!r}")
            if self.process.poll() is not None and needle not in self.output:
                self.reader.join(timeout=2)
                if needle in self.output:
                    return
                raise AssertionError(f"exited before {needle!r}: {bytes(self.output[-1500:])!r}")
            time.sleep(0.02)

    def hang_up(self) -> None:
        """Close the terminal as a terminal emulator does when its window closes: the kernel
        sends SIGHUP to the child, which leads the terminal's session."""
        self.stop_reading.set()
        self.reader.join(timeout=5)
        os.close(self.master)
        self.master = -1

    def finish(self, timeout: float = 30.0) -> int:
        """Wait for the child to exit; its exit status (negative: killed by that signal)."""
        try:
            code = self.process.wait(timeout=timeout)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait(timeout=5)
            self.reader.join(timeout=5)  # it reads to the end: EIO once the child is gone
            self.stop_reading.set()
            self.reader.join(timeout=1)
            if self.master >= 0:
                with contextlib.suppress(OSError):
                    os.close(self.master)
        return code


def run_on_pty(arguments: Sequence[str], env: Mapping[str, str]) -> tuple[int, bytes]:
    run = PtyRun.start(arguments, env)
    code = run.finish()
    return code, bytes(run.output)


def _drain(master: int, output: bytearray, stop: threading.Event) -> None:
    while not stop.is_set():
        if not select.select([master], [], [], 0.05)[0]:
            continue
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: every process holding the terminal is gone
            return
        if not chunk:
            return
        output += chunk
