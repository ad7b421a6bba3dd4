"""`chat-tui completion bash|zsh|fish`: print a shell completion script.

The script is generated from the argparse parser itself by shtab, so it knows every
subcommand, action and option as they are now, and it is static: completing costs the shell
no Python start-up, and running chat-tui costs nothing extra (shtab is imported here only).
"""

from __future__ import annotations

import argparse

SHELLS = ("bash", "zsh", "fish")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("shell", choices=SHELLS, help="the shell to complete in")
    parser.epilog = (
        "install: bash: chat-tui completion bash > ~/.local/share/bash-completion/completions/"
        "chat-tui; zsh: chat-tui completion zsh > ~/.zfunc/_chat-tui (with ~/.zfunc on fpath); "
        "fish: chat-tui completion fish > ~/.config/fish/completions/chat-tui.fish"
    )


def run(args: argparse.Namespace) -> int:
    import shtab

    from chat_tui.cli import build_parser

    parser = build_parser()
    _mark_paths(parser)
    print(shtab.complete(parser, shell=args.shell), end="")
    return 0


def _mark_paths(parser: argparse.ArgumentParser) -> None:
    """Options that take a file or directory complete as one (shtab reads `.complete`)."""
    import shtab

    for action in parser._actions:
        if action.metavar == "DIR":
            action.complete = shtab.DIRECTORY  # type: ignore[attr-defined]
        elif action.metavar in ("FILE", "PATH"):
            action.complete = shtab.FILE  # type: ignore[attr-defined]
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                _mark_paths(sub)
