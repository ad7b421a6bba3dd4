"""A big conversation: a 100,000-token conversation with branches and attachments, saved in a
real SQLite store, opened from History and scrolled page by page with the user's keys.

The conversation: 60 exchanges of LLM-shaped Markdown (paragraphs, headings, lists, code
blocks, tables), a reply regenerated twice (`‹ 3/3 ›`), a user message edited (its first
wording and that wording's reply kept beside it), another reply regenerated once, a PNG image
and a text file attached to two user messages. Built with the store's own calls, as the app
saves a conversation.

Measured, each from the key press to the end of the last screen update (layout + paint) it
causes, once the app is quiet again:

- **open**: ctrl+r (the history list), Enter (the conversation view, showing its end), `c`
  (continue it: the chat showing its end); several rounds, median and worst;
- **chat page**: shift+pageup from the prompt, from the end to the first message; a page on
  which "▲ N earlier messages" brings the next messages in counts that load;
- **history page**: pageup in the conversation view (ctrl+r, Enter), to the first message; a
  page on which the view fetches earlier messages from the store counts that fetch;
- **RSS** after all that.

    python -m benchmarks.big_conversation [--quick | --tiny] [--json]
"""

from __future__ import annotations

import asyncio
import random
import statistics
import struct
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from textual.pilot import Pilot
from textual.screen import Screen

from benchmarks.harness import (
    SCREEN_SIZE,
    Figure,
    llm_like_markdown,
    make_app,
    ms,
    pct,
    print_figures,
    rss_mb,
    scripted_provider,
    size_of,
    standard_parser,
)
from chat_tui.app import ChatApp
from chat_tui.attachments import Attachment
from chat_tui.conversation import MessageStatus, Turn
from chat_tui.metrics import ReplyMetrics
from chat_tui.providers.simulated import tokenize
from chat_tui.screens.history.browser import HistoryScreen
from chat_tui.screens.history.conversation_view import HistoryConversationScreen
from chat_tui.store import TranscriptStore

NAME = "big_conversation"
TARGET_OPEN_MS = 300.0
TARGET_PAGE_MS = 300.0
TARGET_RSS_MB = 200.0
# (tokens on the branch shown, exchanges, rounds of opening it)
CASE = {"full": (100_000, 60, 5), "quick": (100_000, 60, 3), "tiny": (4_000, 8, 1)}
QUIET_S = 0.06  # no screen update for this long: the app is done with the key
MAX_PAGES = 2_000  # a guard: a log that never reaches its top stops the run, not the machine


# ---- the conversation --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BuiltConversation:
    conversation_id: int
    tokens: int  # on the branch shown
    messages: int  # on the branch shown
    stored: int  # every message of every branch
    last_text: str  # the last reply's text, to find its end on screen


def png_image(width: int, height: int, seed: int) -> bytes:
    """A valid PNG of noise (it compresses as badly as a photo)."""
    rng = random.Random(seed)
    rows = b"".join(b"\x00" + rng.randbytes(width * 3) for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def text_file(lines: int) -> bytes:
    return "".join(
        f"19:{i % 60:02d}:{i % 47:02d} worker-{i % 5} handled request {i} in {i % 97} ms\n"
        for i in range(lines)
    ).encode()


def _question(index: int, rng: random.Random) -> str:
    text = f"Question {index}: how should the stream handle a slow reader at this step?"
    if rng.random() < 0.25:
        text += (
            "\n\nThis is what I have:\n\n```python\nasync def read(stream):\n"
            "    async for chunk in stream:\n        buffer.append(chunk)\n```"
        )
    return text


def _metrics(tokens: int) -> ReplyMetrics:
    return ReplyMetrics(
        ttft_s=0.42, tokens_per_s=85.0, output_tokens=tokens, total_s=tokens / 85.0 + 0.42
    )


def build_conversation(store: TranscriptStore, tokens: int, exchanges: int) -> BuiltConversation:
    """Save a conversation of about `tokens` tokens (on its current branch) in `store`."""
    rng = random.Random(18)
    conversation = store.create_conversation(title="A long design discussion")
    cid = conversation.id
    assert cid is not None
    regenerated_twice, edited, regenerated_once = exchanges // 6, exchanges // 2, exchanges * 3 // 4
    attachments = {
        2: (Attachment("diagram.png", "image/png", png_image(160, 120, 1)),),
        max(3, exchanges // 3): (Attachment("server.log", "text/plain", text_file(120)),),
    }
    questions = [_question(i, rng) for i in range(exchanges)]
    question_tokens = sum(len(tokenize(q)) for q in questions)
    reply_budget = max(exchanges * 20, tokens - question_tokens)
    weights = [rng.uniform(0.5, 1.5) for _ in range(exchanges)]
    reply_tokens = [int(reply_budget * w / sum(weights)) for w in weights]
    reply_tokens[-1] += reply_budget - sum(reply_tokens)
    stored = 0
    parent: int | None = None
    last_text = ""

    def reply(user_id: int, count: int, seed: int, model: str = "gpt-4o") -> tuple[int, str]:
        text = llm_like_markdown(count, seed=seed)
        reply_id = store.add_turn(
            cid,
            Turn("assistant", "", provider="openai", model=model, status=MessageStatus.STREAMING),
            parent_id=user_id,
        )
        store.finish_reply(
            reply_id,
            Turn("assistant", text, provider="openai", model=model, metrics=_metrics(count)),
        )
        return reply_id, text

    for index, question in enumerate(questions):
        if index == edited:  # the first wording, and its reply, beside the one sent after
            wording = Turn("user", question + " (first wording)")
            first = store.add_turn(cid, wording, parent_id=parent)
            reply(first, reply_tokens[index] // 2, seed=9000 + index)
            stored += 2
        user_id = store.add_turn(
            cid, Turn("user", question, attachments=attachments.get(index, ())), parent_id=parent
        )
        stored += 1
        alternatives = 2 if index == regenerated_twice else 1 if index == regenerated_once else 0
        for alternative in range(alternatives):
            reply(user_id, reply_tokens[index], seed=5000 + 100 * index + alternative, model="o3")
            stored += 1
        parent, last_text = reply(user_id, reply_tokens[index], seed=index)
        stored += 1
    return BuiltConversation(
        conversation_id=cid,
        tokens=question_tokens + sum(reply_tokens),
        messages=2 * exchanges,
        stored=stored,
        last_text=last_text,
    )


# ---- timing keys ---------------------------------------------------------------------------


_update_ends: list[float] = []


def _stamp_screen_updates() -> None:
    """Stamp the end of every screen update (Textual's layout + paint, for any screen)."""
    update = Screen._on_timer_update

    def stamped(self: Screen) -> None:
        update(self)
        _update_ends.append(time.perf_counter())

    Screen._on_timer_update = stamped  # type: ignore[method-assign]


async def timed_press(pilot: Pilot, key: str) -> float:
    """Press `key`; seconds from the press to the end of the last screen update it caused,
    once no update has come for QUIET_S (NaN: nothing was drawn)."""
    seen = len(_update_ends)
    pressed = time.perf_counter()
    await pilot.press(key)
    while True:
        count = len(_update_ends)
        await asyncio.sleep(QUIET_S)
        if len(_update_ends) == count:
            break
    drawn = _update_ends[seen:]
    return drawn[-1] - pressed if drawn else float("nan")


async def wait_for(pilot: Pilot, condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 30
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"gave up waiting for {what}")
        await pilot.pause(0.02)


# ---- measuring -----------------------------------------------------------------------------


@dataclass(slots=True)
class Pages:
    times_s: list[float] = field(default_factory=list)
    with_load_s: list[float] = field(default_factory=list)  # the pages that brought more in
    unreached: int = 0  # earlier messages the keys never brought in (the log stopped moving)

    def figures(self, where: str) -> list[Figure]:
        all_ms = [ms(t) for t in self.times_s]
        load_ms = [ms(t) for t in self.with_load_s]
        return [
            Figure(NAME, f"{where}: pages to the first message", len(all_ms), "pages"),
            Figure(NAME, f"{where}: page p50", pct(all_ms, 50), "ms"),
            Figure(NAME, f"{where}: page p95", pct(all_ms, 95), "ms", TARGET_PAGE_MS),
            Figure(NAME, f"{where}: worst page", max(all_ms), "ms", TARGET_PAGE_MS),
            Figure(
                NAME,
                f"{where}: worst page with a load ({len(load_ms)} loads)",
                max(load_ms, default=0.0),
                "ms",
                TARGET_PAGE_MS,
            ),
            Figure(NAME, f"{where}: earlier messages never reached", self.unreached, "msgs", 0),
        ]


async def open_rounds(pilot: Pilot, app: ChatApp, built: BuiltConversation, rounds: int):
    """ctrl+r, Enter, c, `rounds` times: the three times of each round."""
    lists: list[float] = []
    views: list[float] = []
    continues: list[float] = []
    for _ in range(rounds):
        lists.append(await timed_press(pilot, "ctrl+r"))
        assert isinstance(app.screen, HistoryScreen)
        views.append(await timed_press(pilot, "enter"))
        view = app.screen
        assert isinstance(view, HistoryConversationScreen)
        assert view.conversation_id == built.conversation_id
        if view.log_view.scroll_y < view.log_view.max_scroll_y:
            raise RuntimeError("the history view did not open at the conversation's end")
        continues.append(await timed_press(pilot, "c"))
        chat = app.chat
        if app.screen is not chat or chat.session.conversation.id != built.conversation_id:
            raise RuntimeError("continuing did not open the conversation in the chat")
        if chat.log_view.scroll_y < chat.log_view.max_scroll_y:
            raise RuntimeError("the chat did not open at the conversation's end")
        if len(chat.session.conversation.turns) != built.messages:
            raise RuntimeError("the chat did not load the whole branch")
    return lists, views, continues


async def chat_pages(pilot: Pilot, app: ChatApp) -> Pages:
    """shift+pageup from the prompt until the first message is on screen."""
    log = app.chat.log_view
    app.chat.prompt.focus()
    pages = Pages()
    stuck = 0
    while (log.scroll_y > 0 or log.hidden_count) and len(pages.times_s) < MAX_PAGES:
        where = (log.scroll_y, log.hidden_count)
        elapsed = await timed_press(pilot, "shift+pageup")
        pages.times_s.append(elapsed)
        if log.hidden_count < where[1]:
            pages.with_load_s.append(elapsed)
        stuck = stuck + 1 if (log.scroll_y, log.hidden_count) == where else 0
        if stuck >= 3:  # the keys no longer move it: the rest cannot be reached
            pages.unreached = log.hidden_count
            break
    return pages


async def history_pages(pilot: Pilot, app: ChatApp) -> Pages:
    """ctrl+r, Enter, then pageup in the conversation view until its first message."""
    await pilot.press("ctrl+r")
    await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen), "the history")
    await pilot.press("enter")
    view = app.screen
    assert isinstance(view, HistoryConversationScreen)
    await wait_for(pilot, lambda: view.first_paint_s is not None, "the view")
    await pilot.pause()
    log = view.log_view
    pages = Pages()
    stuck = 0
    while (log.scroll_y > 0 or view.earlier_count) and len(pages.times_s) < MAX_PAGES:
        where = (log.scroll_y, view.earlier_count)
        elapsed = await timed_press(pilot, "pageup")
        pages.times_s.append(elapsed)
        if view.earlier_count < where[1]:
            pages.with_load_s.append(elapsed)
        stuck = stuck + 1 if (log.scroll_y, view.earlier_count) == where else 0
        if stuck >= 3:
            pages.unreached = view.earlier_count
            break
    return pages


async def measure(size: str) -> list[Figure]:
    tokens, exchanges, rounds = CASE[size]
    _stamp_screen_updates()
    with tempfile.TemporaryDirectory(prefix="chat-tui-bench-") as folder:
        db = Path(folder) / "transcripts.sqlite3"
        with TranscriptStore.open(db) as store:
            built = build_conversation(store, tokens, exchanges)
        app = make_app(scripted_provider("ok", tokens_per_s=1000), store=TranscriptStore.open(db))
        async with app.run_test(size=SCREEN_SIZE) as pilot:
            # The prompt's blinking cursor repaints twice a second: it would be taken for the
            # end of a key's work. The cost of what is measured does not depend on it.
            app.chat.prompt.cursor_blink = False
            await pilot.pause()
            lists, views, continues = await open_rounds(pilot, app, built, rounds)
            rss_opened = rss_mb()
            chat = await chat_pages(pilot, app)
            rss_chat = rss_mb()
            history = await history_pages(pilot, app)
            rss = rss_mb()
    what = f"{built.tokens:,} tokens, {built.messages} messages ({built.stored} stored)"
    return [
        Figure(NAME, "conversation: tokens on the branch shown", built.tokens, "tok", note=what),
        Figure(NAME, "open: ctrl+r, the history list, median", ms(statistics.median(lists)), "ms"),
        Figure(
            NAME, "open: Enter, the view at its end, median", ms(statistics.median(views)), "ms"
        ),
        Figure(
            NAME, "open: Enter, the view at its end, worst", ms(max(views)), "ms", TARGET_OPEN_MS
        ),
        Figure(
            NAME, "open: c, the chat at its end, median", ms(statistics.median(continues)), "ms"
        ),
        Figure(
            NAME, "open: c, the chat at its end, worst", ms(max(continues)), "ms", TARGET_OPEN_MS
        ),
        *chat.figures("chat"),
        *history.figures("history view"),
        Figure(NAME, "RSS after opening it", rss_opened, "MB"),
        Figure(NAME, "RSS after paging the chat to its start", rss_chat, "MB"),
        Figure(NAME, "RSS after paging the history view too", rss, "MB", TARGET_RSS_MB),
    ]


def main(argv: list[str] | None = None) -> int:
    args = standard_parser(__doc__ or NAME).parse_args(argv)
    print_figures(asyncio.run(measure(size_of(args))), as_json=args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
