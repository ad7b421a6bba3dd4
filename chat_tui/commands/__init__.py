"""Subcommands of the `chat-tui` CLI. Each module defines `configure(parser)` and `run(args)`."""
