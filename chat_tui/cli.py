"""The `chat-tui` command line: starts the app, or runs a subcommand for scripts."""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import os
import sys
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any, TextIO

from chat_tui import __version__

# name -> (module under chat_tui.commands, one-line help). Imported only when used, so
# starting the app does not pay for them.
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "transcripts": ("transcripts", "list, show, search, export and delete saved conversations"),
    "config": ("config", "show where the config file is, check it, or write an example"),
    "bench": (
        "bench",
        "measure a provider's latency: TTFT, ITL, tokens/s, streaming vs non-streaming",
    ),
    "ask": ("ask", "send one prompt and print the reply (for scripts)"),
    "stats": ("stats", "summarise latency and error rates per model from the request log"),
    "completion": ("completion", "print a shell completion script (bash, zsh or fish)"),
    "models": (
        "models",
        "list every provider, whether it can be used, where its key comes from, and its models",
    ),
}


def build_parser(configure: Collection[str] | None = None) -> argparse.ArgumentParser:
    """The command line. `configure` names the subcommands whose own options are added (all
    by default): that imports each one's module, about 15 ms for all of them, which starting
    the app need not pay."""
    parser = argparse.ArgumentParser(
        prog="chat-tui",
        description=(
            "Chat with LLMs in the terminal. With no API key set, a clearly labelled offline "
            "simulated model answers, so everything can be tried at once."
        ),
    )
    parser.add_argument("--version", action="version", version=f"chat-tui {__version__}")
    add_target_options(parser)
    parser.add_argument(
        "--data-dir",
        type=Path,
        metavar="DIR",
        help="where transcripts and logs are kept (default: the platform's user data dir)",
    )
    if SUBCOMMANDS:
        subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
        for name, (module, help_text) in SUBCOMMANDS.items():
            if configure is None or name in configure:
                sub = subparsers.add_parser(name, help=help_text, description=help_text)
                importlib.import_module(f"chat_tui.commands.{module}").configure(sub)
            else:  # named in the list of commands; its options (and --help) left alone
                sub = subparsers.add_parser(name, help=help_text, add_help=False)
            sub.set_defaults(_module=module)
    return parser


def add_target_options(parser: argparse.ArgumentParser) -> None:
    """--provider/--model/--no-stream, shared by the app and the one-shot commands."""
    parser.add_argument(
        "--provider",
        metavar="NAME",
        help="openai, anthropic, gemini, simulated or a profile name from the config file "
        "(default: the first provider with an API key set, else the simulated model)",
    )
    parser.add_argument("--model", metavar="NAME", help="model name (default: the provider's)")
    parser.add_argument(
        "--no-stream",
        action="store_true",
        help="start in non-streaming mode (ctrl+t toggles it in the app)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    # Which subcommand, if any, first: only its module is imported to parse its options.
    parser = build_parser(configure=())
    chosen, _ = parser.parse_known_args(argv)
    command = getattr(chosen, "command", None)
    if command:  # the app itself needs no second parser
        parser = build_parser(configure=[command])
    args = parser.parse_args(argv)
    module = getattr(args, "_module", None)
    if module is not None:
        return run_command(module, args)
    # Starting the app allocates a great deal and frees little: Python's collector ran about
    # 120 times before the first screen (15-25 ms of CPU), finding next to nothing. It stays
    # off until the first screen is up; the app turns it back on (`ChatApp.on_mount`).
    gc.disable()
    try:
        from chat_tui.app import run_app

        return run_app(args)
    finally:
        gc.enable()


def run_command(module: str, args: argparse.Namespace) -> int:
    """Run a subcommand. A reader that goes away (`| head -1`, `| true`) is no failure of
    the command's: its output goes nowhere from then on, it finishes its work (`ask` still
    saves the reply) and exits with the status it would have had."""
    sys.stdout = QuietWhenReaderLeaves(sys.stdout)  # type: ignore[assignment]
    sys.stderr = QuietWhenReaderLeaves(sys.stderr)  # type: ignore[assignment]
    status = int(importlib.import_module(f"chat_tui.commands.{module}").run(args) or 0)
    sys.stdout.flush()  # what is still buffered, while a closed pipe is still handled here
    sys.stderr.flush()
    return status


class QuietWhenReaderLeaves:
    """A text stream that, once its reader has closed the pipe, writes to /dev/null instead
    of raising BrokenPipeError (or failing Python's final flush, exit status 120)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            self._write_nowhere()
            return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            self._write_nowhere()

    def _write_nowhere(self) -> None:
        # Point the descriptor itself at /dev/null: what is still buffered, and anything
        # written to the descriptor directly, goes there without another error.
        with contextlib.suppress(OSError, ValueError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._stream.fileno())
            os.close(devnull)
        with contextlib.suppress(BrokenPipeError, OSError, ValueError):
            self._stream.flush()

    def __getattr__(self, name: str) -> Any:  # isatty, fileno, encoding, buffer...
        return getattr(self._stream, name)


if __name__ == "__main__":
    sys.exit(main())
