"""The transcript browser: saved conversations newest first, and full-text search over them.

The list is paged from the store (PAGE_SIZE rows at a time, more as the cursor nears the end),
so a store with many thousands of conversations opens as quickly as a small one. Everything
shown comes from the store as `Content` (never markup) through `visible_text`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from chat_tui.session import ChatSession
from chat_tui.store import ConversationSummary, SearchHit, StoreError, TranscriptStore
from chat_tui.store.titles import UNTITLED
from chat_tui.text_safety import visible_text
from chat_tui.widgets.key_footer import FooterPlan, KeyFooter

PAGE_SIZE = 50  # conversations fetched per page (a screen shows about 15)
LOAD_MORE_WITHIN = 10  # rows from the end of the list at which the next page is fetched
SEARCH_LIMIT = 50
SEARCH_DELAY_S = 0.15  # typing pause before a search runs
MATCH_STYLE = "bold reverse"
NO_STORE_MESSAGE = (
    "Conversations are not being saved in this session: the transcript database could not "
    "be opened (the reason was shown at start-up). There is nothing to browse. "
    "Press Esc to go back to the chat."
)


def short_time(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M")


def conversation_prompt(summary: ConversationSummary) -> Content:
    """Two lines: the title, then models · last active · message count."""
    title = visible_text(summary.title or UNTITLED)
    models = visible_text(", ".join(summary.models)) if summary.models else "no reply yet"
    count = summary.message_count
    details = f"{models} · {short_time(summary.updated_at)} · {count} message" + (
        "" if count == 1 else "s"
    )
    return Content.assemble((title, "bold"), "\n", ("  " + details, "dim"))


def hit_prompt(hit: SearchHit) -> Content:
    """Two lines: conversation title, who said it and when; then the snippet, matches marked."""
    title = visible_text(hit.conversation_title or UNTITLED)
    who = "you" if hit.role == "user" else "reply"
    parts: list[str | tuple[str, str]] = [
        (title, "bold"),
        (f" · {who} · {short_time(hit.created_at)}", "dim"),
        "\n  ",
    ]
    for span in hit.snippet:
        text = visible_text(span.text)
        parts.append((text, MATCH_STYLE) if span.is_match else text)
    return Content.assemble(*parts)


HISTORY_FOOTER = FooterPlan(
    keep=("app.help", "history.back", "app.quit"), short={"history.back": "Back"}
)


class HistoryScreen(Screen[None]):
    """History: type to search, arrows to move, Enter to open, Esc back to the chat."""

    AUTO_FOCUS = "#search"

    BINDINGS = [
        Binding("escape", "back", "Back to chat", id="history.back"),
        Binding("down", "cursor('down')", "Down", show=False),
        Binding("up", "cursor('up')", "Up", show=False),
        Binding("pagedown", "cursor('page_down')", "Page down", show=False),
        Binding("pageup", "cursor('page_up')", "Page up", show=False),
    ]

    DEFAULT_CSS = """
    HistoryScreen { layout: vertical; }
    HistoryScreen #heading { height: 1; padding: 0 1; color: $primary; text-style: bold; }
    HistoryScreen #search { margin: 0 1; }
    HistoryScreen #results { height: 1fr; margin: 0 1; }
    HistoryScreen #results > .option-list--option { padding: 0 1; }
    HistoryScreen #info { height: auto; padding: 0 1; color: $text-muted; }
    HistoryScreen #no-store {
        margin: 1 2;
        padding: 1 2;
        border: round $error 60%;
        height: auto;
    }
    """

    def __init__(self, session: ChatSession) -> None:
        super().__init__()
        self.session = session
        self.store: TranscriptStore | None = session.store  # None: saving is off
        self.query_text = ""
        self.summaries: list[ConversationSummary] = []
        self.hits: list[SearchHit] = []
        self.total = 0
        self._exhausted = False
        self._search_timer: Timer | None = None
        self._created = time.perf_counter()
        self.first_paint_s: float | None = None  # creation to the first page on screen

    # ---- layout ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static("History", id="heading")
        if self.store is None:
            yield Static(Content(NO_STORE_MESSAGE), id="no-store")
        else:
            yield Input(placeholder="Search all conversations…", id="search")
            yield OptionList(id="results")
            yield Static("", id="info")
        yield KeyFooter(HISTORY_FOOTER)

    def on_mount(self) -> None:
        self.refresh_results()
        self.call_after_refresh(self._painted)

    def _painted(self) -> None:
        self.first_paint_s = time.perf_counter() - self._created

    def on_screen_resume(self) -> None:
        # Back from a conversation: it may have been renamed, deleted or continued.
        if self.is_mounted and self.store is not None:
            self.refresh_results(keep_highlight=True)

    @property
    def results(self) -> OptionList:
        return self.query_one("#results", OptionList)

    # ---- loading --------------------------------------------------------------------------

    def refresh_results(self, *, keep_highlight: bool = False) -> None:
        self._search_timer = None
        if self.store is None:
            return
        previous = self.results.highlighted if keep_highlight else None
        if self.query_text.strip():
            self._run_search()
        else:
            self._load_first_page()
        if previous is not None and self.results.option_count:
            self.results.highlighted = min(previous, self.results.option_count - 1)

    def _load_first_page(self) -> None:
        self.summaries = []
        self.hits = []
        self._exhausted = False
        self.results.clear_options()
        if not self._guarded(self._count):
            return
        self._load_next_page()
        if self.results.option_count:
            self.results.highlighted = 0

    def _count(self) -> None:
        assert self.store is not None
        self.total = self.store.count_conversations()

    def _load_next_page(self) -> None:
        if self._exhausted or self.store is None or self.query_text.strip():
            return
        store, offset = self.store, len(self.summaries)
        page: list[ConversationSummary] = []

        def fetch() -> None:
            page.extend(store.list_conversations(limit=PAGE_SIZE, offset=offset))

        if not self._guarded(fetch):
            return
        self._exhausted = len(page) < PAGE_SIZE
        self.summaries += page
        self.results.add_options(
            Option(conversation_prompt(summary), id=f"c{summary.id}") for summary in page
        )
        self._show_info()

    def _run_search(self) -> None:
        assert self.store is not None
        store, query = self.store, self.query_text
        hits: list[SearchHit] = []
        if not self._guarded(lambda: hits.extend(store.search(query, limit=SEARCH_LIMIT))):
            return
        self.hits = hits
        self.results.clear_options()
        self.results.add_options(
            Option(hit_prompt(hit), id=f"m{hit.message_id}") for hit in self.hits
        )
        if self.hits:
            self.results.highlighted = 0
        self._show_info()

    def _show_info(self) -> None:
        info = self.query_one("#info", Static)
        if self.query_text.strip():
            count = len(self.hits)
            if count == 0:
                text = "No message matches. Esc goes back to the chat."
            else:
                more = " (the best ones)" if count >= SEARCH_LIMIT else ""
                text = f"{count} matching message{'s' if count != 1 else ''}{more}"
        elif self.total == 0:
            text = "No saved conversations yet. Chat, and they appear here."
        else:
            text = f"{self.total} conversation{'s' if self.total != 1 else ''}"
        text += "  ·  ↑↓ move · Enter open · Esc back"
        info.update(Content(text))

    def _guarded(self, call: Callable[[], object]) -> bool:
        """Run a store call; show a StoreError instead of crashing. True if it worked."""
        try:
            call()
        except StoreError as error:
            self.notify(str(error), title="Transcripts", severity="error", markup=False)
            return False
        return True

    # ---- events ---------------------------------------------------------------------------

    @on(Input.Changed, "#search")
    def _query_changed(self, event: Input.Changed) -> None:
        self.query_text = event.value
        if self._search_timer is not None:
            self._search_timer.stop()
        self._search_timer = self.set_timer(SEARCH_DELAY_S, self.refresh_results)

    @on(Input.Submitted, "#search")
    def _open_from_search_box(self) -> None:
        if self._search_timer is not None:  # Enter right after typing: search, then open
            self._search_timer.stop()
            self.refresh_results()
        index = self.results.highlighted
        if index is not None:
            self._open_index(index)

    @on(OptionList.OptionSelected, "#results")
    def _open_selected(self, event: OptionList.OptionSelected) -> None:
        self._open_index(event.option_index)

    @on(OptionList.OptionHighlighted, "#results")
    def _maybe_load_more(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_index >= self.results.option_count - LOAD_MORE_WITHIN:
            self._load_next_page()

    def _open_index(self, index: int) -> None:
        from chat_tui.screens.history.conversation_view import HistoryConversationScreen

        assert self.store is not None
        if self.query_text.strip():
            if index >= len(self.hits):
                return
            hit = self.hits[index]
            screen = HistoryConversationScreen(self.session, hit.conversation_id, hit.message_id)
        else:
            if index >= len(self.summaries):
                return
            screen = HistoryConversationScreen(self.session, self.summaries[index].id)
        self.app.push_screen(screen)

    # ---- actions --------------------------------------------------------------------------

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_cursor(self, direction: str) -> None:
        if self.store is None:
            return
        results = self.results
        {
            "down": results.action_cursor_down,
            "up": results.action_cursor_up,
            "page_down": results.action_page_down,
            "page_up": results.action_page_up,
        }[direction]()
