"""How much of a long user message is shown: the chat screen and `ask` on a terminal show its
start and a note of the rest, while the whole message is sent and saved. Kept apart from the
widgets so `ask` can use it without importing Textual."""

from __future__ import annotations

# A longer user message shows its start only: laying out a 1 MB paste took 4.6 s here, all of
# it with the app frozen. The whole message is still sent, saved and exported.
USER_PREVIEW_LINES = 200
USER_PREVIEW_CHARS = 20_000


SENT_AND_SAVED = "the whole message was sent and is saved."


def shown_part(text: str, fate: str = SENT_AND_SAVED) -> str:
    """`text`, or its first lines and a note of how much is not shown, and what became of the
    whole (`fate`)."""
    shown = "\n".join(text[:USER_PREVIEW_CHARS].split("\n")[:USER_PREVIEW_LINES])
    if len(shown) == len(text):
        return text
    rest = text[len(shown) :].removeprefix("\n")
    lines = rest.count("\n") + (not rest.endswith("\n"))
    extent = f"{len(rest):,} characters" + (f" ({lines:,} lines)" if lines > 1 else "")
    return f"{shown}\n… another {extent} not shown here: {fate}"
