"""One saved conversation, rendered as in the chat, with what can be done to it: continue,
rename, delete, export. Renames and deletes go through the session (its store policy holds);
continuing and what changed are posted up as `ContinueConversation` and `ConversationChanged`,
for the app to handle.

A long conversation opens on its last FIRST_TURNS turns (enough to fill a screen, so its end
shows at once), then fills up to TAIL_TURNS just after the first paint; earlier ones are
fetched a page at a time when the user scrolls to the top (or presses Home). Each of these
steps also stops at a number of characters (long replies cost their rendering, about 4 ms
per 1,000 characters here), so opening costs the same whatever the conversation's length
and however long its replies.
"""

from __future__ import annotations

import gc
import time
from dataclasses import dataclass
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widget import AwaitMount, Widget
from textual.widgets import Static

from chat_tui.collector import collect_closed_widgets_soon
from chat_tui.conversation import Conversation, Turn
from chat_tui.screens.dialogs import ConfirmDialog, TextPromptDialog
from chat_tui.screens.history.export import ExportDialog
from chat_tui.session import ChatSession
from chat_tui.store import StoreError
from chat_tui.store.export import models_used, render, write_private_file
from chat_tui.store.titles import UNTITLED
from chat_tui.text_safety import visible_text
from chat_tui.widgets.key_footer import FooterPlan, KeyFooter
from chat_tui.widgets.message_log import EARLIER_TEXT, SHOWN_TEXT, MessageLog, newest_within
from chat_tui.widgets.messages import AssistantMessage, UserMessage, turn_widget

FIRST_TURNS = 12  # turns rendered before the first paint
TAIL_TURNS = 40  # turns shown once a conversation has opened
EARLIER_PAGE = 40  # turns fetched each time the user reaches the top
FIRST_TEXT = 8_000  # characters rendered before the first paint (about two screens)
TAIL_TEXT = SHOWN_TEXT  # characters shown once it has opened


@dataclass
class ContinueConversation(Message):
    """The user wants to go on with this saved conversation in the chat."""

    conversation_id: int
    through: int | None = None  # the leaf of the branch to go on from (None: the current one)


@dataclass
class ConversationChanged(Message):
    """A saved conversation was renamed or deleted (the chat may be showing it)."""

    conversation_id: int
    deleted: bool = False


# At 80 columns "home Earlier" and Quit give way (Esc goes back; F1 lists every key).
CONVERSATION_FOOTER = FooterPlan(
    keep=(
        "app.help",
        "history.view.back",
        "history.continue",
        "history.export",
        "history.rename",
        "history.delete",
        "history.earlier",
        "app.quit",
    )
)


class HistoryConversationScreen(Screen[None]):
    AUTO_FOCUS = "MessageLog"

    BINDINGS = [
        Binding("escape", "back", "Back", id="history.view.back"),
        Binding("c", "continue_conversation", "Continue", id="history.continue"),
        Binding("r", "rename", "Rename", id="history.rename"),
        Binding("d,delete", "delete", "Delete", id="history.delete"),
        Binding("e", "export", "Export", id="history.export"),
        Binding("home", "load_earlier", "Earlier", id="history.earlier", priority=True),
    ]

    DEFAULT_CSS = """
    HistoryConversationScreen { layout: vertical; }
    HistoryConversationScreen #conversation-info {
        height: auto;
        padding: 0 2;
        background: $boost;
        color: $text-muted;
    }
    HistoryConversationScreen #earlier { height: auto; color: $text-muted; text-align: center; }
    HistoryConversationScreen .-hit { background: $accent 15%; }
    """

    def __init__(
        self, session: ChatSession, conversation_id: int, hit_message_id: int | None = None
    ) -> None:
        super().__init__()
        assert session.store is not None, "the history opens only on a store"
        self.session = session
        self.store = session.store  # for reading; changes go through the session
        self.conversation_id = conversation_id
        self.hit_message_id = hit_message_id
        self.conversation: Conversation | None = None
        self.total_turns = 0
        self._ready = False  # set once the initial scroll to the end happened
        self._created = time.perf_counter()
        self.first_paint_s: float | None = None  # creation to the end on screen (tests read it)
        self._mounted: AwaitMount | None = None  # the last turns load_earlier mounted

    def compose(self) -> ComposeResult:
        yield Static("", id="conversation-info")
        yield MessageLog(id="transcript")
        yield KeyFooter(CONVERSATION_FOOTER)

    @property
    def log_view(self) -> MessageLog:
        return self.query_one(MessageLog)

    @property
    def loaded_turns(self) -> list[Turn]:
        return self.conversation.turns if self.conversation else []

    @property
    def shown_leaf_id(self) -> int | None:
        """The last message of the branch shown (the current one, or a search hit's)."""
        return self.loaded_turns[-1].id if self.loaded_turns else None

    @property
    def earlier_count(self) -> int:
        return max(0, self.total_turns - len(self.loaded_turns))

    # ---- loading --------------------------------------------------------------------------

    def on_mount(self) -> None:
        try:
            # The current branch, or a search hit's (which may be on another one).
            self.conversation = self.store.load_conversation(
                self.conversation_id, tail=FIRST_TURNS, through=self.hit_message_id
            )
            turns = self.conversation.turns
            first = newest_within(
                [len(t.text) for t in turns], text=FIRST_TEXT, count=FIRST_TURNS, at_least=2
            )
            del turns[: len(turns) - first]
            self.total_turns = self.store.count_branch_turns(
                self.conversation_id, through=self.hit_message_id
            )
        except StoreError as error:
            self.notify(str(error), title="Transcripts", severity="error", markup=False)
            self.app.pop_screen()
            return
        log = self.log_view
        with self.app.batch_update():
            log.mount(Static("", id="earlier"))
            log.mount_all(turn_widget(turn) for turn in self.conversation.turns)
        self._show_info()
        self._keep_out_of_collections()
        if self.hit_message_id is not None:
            self._reveal_hit(self.hit_message_id)
        else:
            log.scroll_end(animate=False, immediate=True)
            self.call_after_refresh(self._fill_tail)
        self.watch(log, "scroll_y", self._scrolled, init=False)

    def on_unmount(self) -> None:
        # Its widgets were frozen with everything else (see _keep_out_of_collections).
        session = self.session
        collect_closed_widgets_soon(self.app, lambda: session.replying)

    def _keep_out_of_collections(self) -> None:
        """Once the turns just loaded are rendered, leave them out of the garbage collector's
        full collections: with a long conversation open these took 100-700 ms each, a stall in
        the middle of scrolling. As the chat does with a conversation it shows; its next reply
        lets the collector see everything again (ChatScreen._unfreeze_when_idle)."""
        self.call_after_refresh(gc.freeze)

    def _fill_tail(self) -> None:
        """After the first paint: the rest of the tail, above what is shown (the log stays
        anchored to its end meanwhile)."""
        self.first_paint_s = time.perf_counter() - self._created
        shown_text = sum(len(turn.text) for turn in self.loaded_turns)
        if shown_text < TAIL_TEXT:
            self.load_earlier(TAIL_TURNS - len(self.loaded_turns), TAIL_TEXT - shown_text)
        self.call_after_refresh(self._become_ready)

    def _become_ready(self) -> None:
        self._ready = True

    def _scrolled(self, scroll_y: float) -> None:
        if self._ready and scroll_y <= 0 and self.earlier_count:
            self.call_next(self.action_load_earlier)

    def load_earlier(self, limit: int = EARLIER_PAGE, text: int = EARLIER_TEXT) -> list[Widget]:
        """Fetch and show up to `limit` turns before the first one shown, and no more than
        `text` characters of them (but at least one)."""
        if self.conversation is None or not self.earlier_count or limit <= 0:
            return []
        first_id = self.loaded_turns[0].id if self.loaded_turns else None
        if first_id is None:
            return []
        try:
            turns = self.store.load_turns_before(self.conversation_id, first_id, limit)
        except StoreError as error:
            self.notify(str(error), title="Transcripts", severity="error", markup=False)
            return []
        fits = newest_within([len(turn.text) for turn in turns], text=text, count=limit)
        del turns[: len(turns) - fits]
        self.conversation.turns[:0] = turns
        widgets = [turn_widget(turn) for turn in turns]
        log = self.log_view
        with self.app.batch_update():
            self._mounted = log.mount_all(widgets, after=self.query_one("#earlier"))
        self._show_info()
        self._keep_out_of_collections()
        return widgets

    def _reveal_hit(self, message_id: int) -> None:
        """Load back to a search hit, mark it and scroll it into view."""
        while self.earlier_count and not any(t.id == message_id for t in self.loaded_turns):
            if not self.load_earlier():
                break
        for turn, widget in zip(self.loaded_turns, self._turn_widgets(), strict=False):
            if turn.id == message_id:
                widget.add_class("-hit")
                self.call_after_refresh(self._scroll_to_hit, widget)
                return
        self.log_view.scroll_end(animate=False, immediate=True)
        self.call_after_refresh(self._fill_tail)

    def _scroll_to_hit(self, widget: Widget) -> None:
        self.first_paint_s = time.perf_counter() - self._created
        self.log_view.release_anchor()
        self.log_view.scroll_to_widget(widget, animate=False, top=True, immediate=True)
        self.call_after_refresh(self._become_ready)

    def _turn_widgets(self) -> list[Widget]:
        return [w for w in self.log_view.children if isinstance(w, UserMessage | AssistantMessage)]

    def _show_info(self) -> None:
        conversation = self.conversation
        if conversation is None:
            return
        models = ", ".join(models_used(conversation))
        lines = [
            Content.assemble((visible_text(conversation.title or UNTITLED), "bold")),
            Content(
                visible_text(f"{models or 'no reply yet'} · {self.total_turns} messages")
                + "  ·  c continue · r rename · d delete · e export · Esc back"
            ),
        ]
        self.query_one("#conversation-info", Static).update(Content("\n").join(lines))
        earlier = self.earlier_count
        self.query_one("#earlier", Static).update(
            Content(
                f"↑ {earlier} earlier message{'s' if earlier != 1 else ''}: "
                "scroll to the top or press Home"
                if earlier
                else "— start of the conversation —"
            )
        )

    # ---- actions --------------------------------------------------------------------------

    def action_back(self) -> None:
        self.app.pop_screen()

    async def action_load_earlier(self) -> None:
        log = self.log_view
        shown = self._turn_widgets()
        widgets = self.load_earlier()
        if widgets and shown:
            # Keep what was at the top in view: the new turns appear above it, once they are
            # mounted and laid out (before that they have no height).
            assert self._mounted is not None
            await self._mounted
            log.release_anchor()
            self.call_after_refresh(
                log.scroll_to_widget, shown[0], animate=False, top=True, immediate=True
            )
        else:
            log.scroll_home(animate=False)

    def action_continue_conversation(self) -> None:
        # The whole tree, on the branch shown here.
        self.post_message(ContinueConversation(self.conversation_id, through=self.shown_leaf_id))

    def action_rename(self) -> None:
        title = self.conversation.title if self.conversation else None
        self.app.push_screen(
            TextPromptDialog("Rename conversation", value=title or "", submit_label="Rename"),
            self._rename,
        )

    def _rename(self, title: str | None) -> None:
        if not title or self.conversation is None:
            return
        saved = self.session.rename(self.conversation_id, title)
        if saved is None:
            return  # nothing left of it, or the store refused (the session said so)
        self.conversation.title = saved
        self.post_message(ConversationChanged(self.conversation_id))
        self._show_info()
        self.notify(f"Renamed to “{saved}”", timeout=3, markup=False)

    def action_delete(self) -> None:
        if self.session.is_replying_in(self.conversation_id):
            self.notify(
                "A reply is arriving in this conversation. Stop it (Esc in the chat) first.",
                severity="warning",
                markup=False,
            )
            return
        title = (self.conversation.title if self.conversation else None) or UNTITLED
        self.app.push_screen(
            ConfirmDialog(
                "Delete this conversation?",
                f"“{title}” and its {self.total_turns} messages will be deleted from the "
                "transcript database. This cannot be undone.",
                confirm_label="Delete",
                danger=True,
            ),
            self._delete,
        )

    def _delete(self, confirmed: bool | None) -> None:
        if not confirmed or not self.session.delete_conversation(self.conversation_id):
            return
        self.post_message(ConversationChanged(self.conversation_id, deleted=True))
        self.notify("Conversation deleted.", timeout=3, markup=False)
        self.app.pop_screen()

    def action_export(self) -> None:
        if self.conversation is None:
            return
        self.app.push_screen(ExportDialog(self.conversation, self._write_export), self._exported)

    def _write_export(self, export_format: str, path: Path) -> Path:
        """Render the whole conversation (not just what is shown) and write it privately."""
        conversation = self.store.load_conversation(
            self.conversation_id, through=self.shown_leaf_id
        )
        return write_private_file(path, render(conversation, export_format))

    def _exported(self, path: Path | None) -> None:
        if path is not None:
            self.notify(f"Exported to {path}", title="Export", timeout=8, markup=False)
