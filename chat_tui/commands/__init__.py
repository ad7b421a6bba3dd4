"""Subcommands of the `chat-tui` CLI. Each module defines `configure(parser)` and `run(args)`."""

from __future__ import annotations

import argparse


def add_action(
    actions: argparse._SubParsersAction[argparse.ArgumentParser], name: str, summary: str
) -> argparse.ArgumentParser:
    """A nested action (`transcripts list`): its one-line summary is listed in the command's
    `--help` and heads its own."""
    return actions.add_parser(name, help=summary, description=summary)
