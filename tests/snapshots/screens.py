"""The app set up for screenshots: a fixed reply on a still clock, a theme, a size; and the
steps that bring each screen to the state a snapshot shows. Shared by the snapshot tests and
anyone who wants to look at a screen (`python -m tests.snapshots.look`)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.pilot import Pilot

from chat_tui.app import ChatApp
from chat_tui.config import Settings
from chat_tui.engine import RetryPolicy
from chat_tui.providers.catalog import ProviderCatalog, Target
from chat_tui.session import ChatSession
from chat_tui.store import TranscriptStore
from chat_tui.theming import builtin_themes_dir, load_themes
from chat_tui.widgets.prompt import PromptInput

from .scripted import ScreenshotProvider, StillClock

QUESTION = "How do I read a large CSV file in Python without running out of memory?"
REASONING = ["The user wants ", "a streaming approach: ", "csv.reader or pandas chunks."]
REPLY = """# Reading a large CSV

Read it **row by row**: `csv.reader` keeps one row in memory at a time.

```python
import csv

with open("big.csv", newline="") as source:
    for row in csv.reader(source):
        handle(row)
```

| Approach | Memory | Speed |
| --- | --- | --- |
| `csv.reader` | one row | fast |
| pandas `chunksize` | one chunk | faster |

> Tip: pass `newline=""` so quoted line breaks stay inside their field.

1. Open the file once.
2. Handle each row as it comes.
"""


def pieces(text: str) -> list[str]:
    """`text` in word-sized pieces, as a provider streams it."""
    words = text.split(" ")
    return [word + " " for word in words[:-1]] + [words[-1]]


def build_app(
    provider: ScreenshotProvider,
    *,
    theme: str = "chat-tui-midnight",
    streaming: bool = True,
    data_dir: Path | None = None,
    max_width: int = 100,
) -> ChatApp:
    store = TranscriptStore.open(data_dir / "transcripts.sqlite3") if data_dir else None
    session = ChatSession(
        provider,
        Target("anthropic", "Anthropic", "claude-sonnet-5-5"),
        streaming=streaming,
        retry_policy=RetryPolicy(max_retries=0),
        store=store,
    )
    session.clock = provider.clock
    settings = Settings(flush_interval_ms=50, max_width=max_width)
    # No key from the environment: the model picker lists the same on every machine.
    app = ChatApp(session, settings=settings, catalog=ProviderCatalog(settings, {}))
    app.animation_level = "none"  # no typing-indicator frames, no smooth scrolling
    themes, _ = load_themes(builtin_themes_dir(), Path("/nonexistent"))
    for each in themes:
        app.register_theme(each)
    app.theme = theme
    return app


def provider(
    *, hold: bool = False, reasoning: bool = True, text: str = REPLY, **kw
) -> ScreenshotProvider:
    return ScreenshotProvider(
        StillClock(),
        pieces(text) if text else (),
        pieces(" ".join(REASONING)) if reasoning else (),
        hold=asyncio.Event() if hold else None,
        **kw,
    )


async def wait_until(pilot: Pilot, condition, *, timeout_s: float = 10.0) -> None:
    for _ in range(int(timeout_s / 0.01)):
        if condition():
            return
        await pilot.pause(0.01)
    raise AssertionError("condition never became true")


async def settle(pilot: Pilot, *, workers: bool = True) -> None:
    """Let every pending message, layout and timer-driven flush land (and every worker end,
    unless one is held on purpose)."""
    if workers:
        await pilot.app.workers.wait_for_complete()
    for _ in range(3):
        await pilot.pause(0.06)  # a flush interval and a bit
    # A blinking cursor is drawn or not depending on the moment: hold it still.
    for widget in pilot.app.screen.query("*"):
        if getattr(widget, "cursor_blink", False):
            widget.cursor_blink = False  # type: ignore[attr-defined]
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()


async def chat_composed(pilot: Pilot) -> None:
    """The auto-pilot of a snapshot starts once the app is ready, which can be before the chat
    screen (the app's first screen) has composed its widgets."""
    app = pilot.app
    assert isinstance(app, ChatApp)
    await wait_until(pilot, lambda: bool(app.chat.query(PromptInput)))


async def send(pilot: Pilot, text: str = QUESTION) -> None:
    app = pilot.app
    assert isinstance(app, ChatApp)
    await chat_composed(pilot)
    app.chat.prompt.focus()
    app.chat.prompt.insert(text)
    await pilot.press("enter")


async def finished_reply(pilot: Pilot) -> None:
    """Ask, and wait until the reply has finished and the screen has settled."""
    app = pilot.app
    assert isinstance(app, ChatApp)
    await send(pilot)
    await wait_until(pilot, lambda: app.chat.pending is None and app.session.conversation.turns)
    await settle(pilot)


async def reply_on_hold(pilot: Pilot, shown: int) -> None:
    """Ask, and wait until `shown` pieces of the reply are on screen (0: none yet)."""
    app = pilot.app
    assert isinstance(app, ChatApp)
    await send(pilot)
    await wait_until(pilot, lambda: app.chat.pending is not None)
    run = app.chat.pending.run  # type: ignore[union-attr]
    await wait_until(pilot, lambda: len(run.text.text) >= len("".join(pieces(REPLY)[:shown])))
    await settle(pilot, workers=False)
