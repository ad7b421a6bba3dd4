"""chat-tui: a terminal chat client that makes streaming feel instant and measurable."""

__version__ = "0.1.0"
