"""The chat screen: message log, prompt, status bar. It wires keys to the session and renders
the reply in flight on a fixed cadence; the engine and the session do the rest.
"""

from __future__ import annotations

import asyncio
import gc
import re
from functools import partial
from itertools import pairwise

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Static

from chat_tui.conversation import Conversation, MessageStatus, Turn
from chat_tui.engine import ReplyRun, RunState
from chat_tui.providers.base import Provider, ProviderError
from chat_tui.providers.catalog import ProviderCatalog, Target
from chat_tui.providers.lazy import warm_up
from chat_tui.reply_record import mode_name, reply_label
from chat_tui.screens.chat_commands import ChatCommands
from chat_tui.session import ChatSession, PendingReply
from chat_tui.text_safety import visible_text
from chat_tui.widgets.message_log import MessageLog
from chat_tui.widgets.messages import AssistantMessage, turn_widget
from chat_tui.widgets.prompt import PromptInput
from chat_tui.widgets.status_bar import StatusBar, StatusView

WELCOME = """\
Welcome to chat-tui. Type a message and press Enter.

You are talking to the offline SIMULATED model: no API key is set, so replies are generated \
locally to show streaming, Esc-to-cancel and the timing figures. To use a real model, set \
OPENAI_API_KEY, ANTHROPIC_API_KEY or GEMINI_API_KEY (or run Ollama locally) and restart, or \
start with --provider NAME. ctrl+t toggles non-streaming mode; F1 lists every key."""

SPARKLINE_POINTS = 48
# The messages of a send appear once its request is out; this long at most if no word comes.
SHOW_REPLY_AT_THE_LATEST_S = 0.05
_RETRY_AFTER_SENTENCE = re.compile(r"\s*Retry after [^.]*(\.\d+[^.]*)?\.?", re.IGNORECASE)


def _waiting(run: ReplyRun) -> str:
    if run.streaming:
        return "waiting for the first token"
    return "waiting for the whole reply (non-streaming)"


class ChatScreen(ChatCommands, Screen[None]):
    AUTO_FOCUS = "PromptInput"

    BINDINGS = [
        Binding("escape", "cancel_reply", "Stop reply", id="chat.cancel", priority=True),
        Binding("ctrl+t", "toggle_streaming", "Streaming on/off", id="chat.toggle_streaming"),
        Binding("ctrl+n", "new_conversation", "New chat", id="chat.new"),
        Binding("r,f5", "retry", "Retry", id="chat.retry"),
        Binding("ctrl+g", "toggle_reasoning", "Reasoning", id="chat.toggle_reasoning"),
        Binding("ctrl+r", "open_transcripts", "History", id="chat.history"),
        Binding("ctrl+o", "pick_model", "Switch model", id="chat.pick_model"),
        # f6/f7 are the prompt's (TextArea) select line / select all: favourites use f8/f9.
        Binding(
            "f8",
            "previous_favourite",
            "Previous favourite",
            id="chat.previous_favourite",
            show=False,
        ),
        Binding("f9", "next_favourite", "Next favourite", id="chat.next_favourite", show=False),
        Binding("f2", "conversation_settings", "Chat settings", id="chat.settings"),
        Binding("ctrl+b", "race", "Race", id="chat.race", show=False),
        Binding("f3", "copy_reply", "Copy reply", id="chat.copy_reply"),
        Binding("f4", "copy_code", "Copy code block", id="chat.copy_code", show=False),
    ]

    DEFAULT_CSS = """
    ChatScreen { layout: vertical; }
    ChatScreen #prompt-area { height: auto; }
    ChatScreen .welcome {
        margin: 1 2;
        padding: 1 2;
        border: round $accent 60%;
        color: $text-muted;
        height: auto;
    }
    """

    def __init__(
        self, session: ChatSession, catalog: ProviderCatalog, *, flush_interval_s: float = 0.1
    ) -> None:
        super().__init__()
        self.session = session
        self.catalog = catalog
        self.flush_interval_s = flush_interval_s
        self.pending: PendingReply | None = None
        self._pending_widget: AssistantMessage | None = None  # None until _show_reply
        self._unshown_user_turn: Turn | None = None
        # No fixed id: clearing the log removes the old note asynchronously, so a new chat
        # (ctrl+n, even pressed in a burst) mounts its note while the old one still exists.
        self._welcome: Static | None = None
        self._flush_timer: Timer | None = None
        self.flush_count = 0  # renders of a reply in flight (tests and benchmarks read it)

    # ---- layout ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield MessageLog(id="log")
        yield StatusBar()
        # In a container of its own: Textual repaints every direct child of the screen on
        # each frame, whatever changed, and the prompt's repaint is costly (it re-applies its
        # theme). The status bar sits between the log and the prompt so that a flush (the
        # reply's tail and the bar) does not touch the prompt either.
        with Container(id="prompt-area"):
            yield PromptInput(id="prompt")
        yield Footer()

    def on_mount(self) -> None:
        self.show_conversation()
        self._show_idle_status()
        # The provider's SDK imports in the background once the first frame is up.
        self.call_after_refresh(warm_up, self.session.provider)

    @property
    def log_view(self) -> MessageLog:
        return self.query_one(MessageLog)

    @property
    def prompt(self) -> PromptInput:
        return self.query_one(PromptInput)

    @property
    def status_bar(self) -> StatusBar:
        return self.query_one(StatusBar)

    def show_conversation(self) -> None:
        """Render the session's conversation from scratch (new, loaded or continued)."""
        log = self.log_view
        log.clear()
        self._welcome = None
        turns = self.session.conversation.turns
        if not turns:
            welcome = (
                WELCOME
                if self.session.target.provider == "simulated"
                else (
                    f"Talking to {self.session.target.description}. Type a message and press "
                    "Enter; Esc stops a reply; ctrl+t toggles non-streaming mode; "
                    "F1 lists every key."
                )
            )
            self._welcome = Static(Content(welcome), classes="welcome", markup=False)
            log.mount(self._welcome)
        with self.app.batch_update():
            for turn in turns:
                if turn.role == "user":
                    log.add_user(turn.text, turn)
                else:
                    log.add_assistant(turn_widget(turn))
        self._show_left_out()
        log.scroll_end(animate=False, immediate=True)
        self.sub_title = self.session.conversation.title or ""
        gc.freeze()  # as while streaming (see _start_reply), until the next reply ends

    def remove_welcome(self) -> None:
        if self._welcome is not None:
            self._welcome.remove()
            self._welcome = None

    # ---- sending --------------------------------------------------------------------------

    @on(PromptInput.Submitted)
    def submit(self, event: PromptInput.Submitted) -> None:
        text = event.text
        if not text.strip():
            return  # an empty or whitespace-only prompt sends nothing
        if self.pending is not None:
            self.notify(
                "A reply is still arriving. Press Esc to stop it; your message stays in the "
                "prompt until you send it.",
                title="Not sent yet",
                severity="warning",
                markup=False,
            )
            return
        self.prompt.clear()
        self._start_reply(self.session.add_user_turn(text))

    def _start_reply(self, user_turn: Turn | None = None) -> None:
        """Send the request, then show it (`_show_reply`) once it is out: the UI work of a send
        (2-4 ms here) had delayed the request and split its head from its body.
        Without `user_turn`, the reply to the last user turn is regenerated (a retry)."""
        # Full garbage collections over everything the app holds took 60-120 ms, stalling
        # the loop mid-stream; frozen objects are skipped until the reply ends (unfreeze).
        gc.freeze()
        pending = self.session.start_reply(retrying=user_turn is None)
        self.pending = pending
        self._pending_widget = None
        self._unshown_user_turn = user_turn
        self.flush_count = 0
        # Posted, not called: the run calls these from inside its request and its reader,
        # which never wait on the UI.
        pending.run.on_request_sent = partial(self.call_later, self._show_reply, pending)
        pending.run.on_first_content = partial(self.call_later, self._flush_first_content)
        self._run_reply(pending)
        # An adapter that never says its request is out must not keep the messages hidden.
        self.set_timer(SHOW_REPLY_AT_THE_LATEST_S, partial(self._show_reply, pending))

    def _show_reply(self, pending: PendingReply) -> None:
        """The user's message, the reply with its typing indicator, the flush timer and the
        status bar (once per reply: the request is out, its first token came, or it ended)."""
        if self.pending is not pending or self._pending_widget is not None:
            return
        self.remove_welcome()
        if self._unshown_user_turn is not None:
            self.log_view.add_user(self._unshown_user_turn.text, self._unshown_user_turn)
            self._unshown_user_turn = None
        widget = AssistantMessage(reply_label(pending.turn), waiting_label=_waiting(pending.run))
        self.log_view.add_assistant(widget)
        self.log_view.follow()
        self._pending_widget = widget
        self._flush_timer = self.set_interval(self.flush_interval_s, self._flush)
        # A steady cursor while the reply streams: each blink is a frame of its own.
        self.prompt.cursor_blink = False
        self._show_status(pending)
        self._show_left_out()

    @work(exclusive=True, group="reply", exit_on_error=False)
    async def _run_reply(self, pending: PendingReply) -> None:
        try:
            await pending.run.run()
        finally:
            self._finish_reply(pending)

    # ---- rendering ------------------------------------------------------------------------

    def _flush(self) -> None:
        """Move what arrived since the last flush to the screen (one render per tick)."""
        pending, widget = self.pending, self._pending_widget
        if pending is None or widget is None:
            return
        text = pending.run.text.drain()
        reasoning = pending.run.reasoning.drain()
        if text or reasoning:
            self.flush_count += 1
            widget.append(text, reasoning)
        self._show_status(pending)
        if pending.run.streaming:
            self.session.record_progress(pending)

    def _flush_first_content(self) -> None:
        """The first token replaces the typing indicator as soon as it arrives, not at the next
        tick (up to a whole interval later); the cadence restarts from here."""
        if self.pending is not None:
            self._show_reply(self.pending)
        self._flush()
        if self._flush_timer is not None:
            self._flush_timer.reset()

    def _finish_reply(self, pending: PendingReply) -> None:
        """The run ended: flush the rest, record the turn, show the final figures."""
        if self.pending is not pending:
            return
        self._show_reply(pending)
        if self._flush_timer is not None:
            self._flush_timer.stop()
            self._flush_timer = None
        # Not now: a full collection right away would delay this final render.
        self.set_timer(1.0, self._unfreeze_when_idle)
        widget = self._pending_widget
        assert widget is not None
        text, reasoning = pending.run.text.drain(), pending.run.reasoning.drain()
        if text or reasoning:
            self.flush_count += 1
            widget.append(text, reasoning)
        turn = self.session.finish_reply(pending)
        widget.finish(turn)
        self.pending = None
        self._pending_widget = None
        self._show_status(pending)
        self._show_left_out()
        if turn.status in (MessageStatus.INTERRUPTED, MessageStatus.ERROR):
            self.notify(
                turn.error_message or "The reply failed.",
                title="Reply interrupted" if turn.text else "Reply failed",
                severity="error",
                markup=False,
                timeout=8,
            )
        if self.is_attached:
            self.prompt.cursor_blink = True
            self.prompt.focus()
        if self.session.needs_title():
            self._make_title()

    @work(group="title", exit_on_error=False)
    async def _make_title(self) -> None:
        """Name the conversation in the background with a small non-streaming request."""
        session = self.session
        conversation = session.conversation
        title = session.fallback_title()
        if session.target.provider != "simulated":
            request = session.title_request(session.title_model)
            try:
                reply = await asyncio.wait_for(session.provider.complete(request), 30)
                title = reply.text.strip() or title
            except (ProviderError, TimeoutError):
                pass  # the first words of the first message will do
        if session.conversation is conversation:  # the user may have moved on meanwhile
            session.set_title(visible_text(title))
            self.sub_title = session.conversation.title or ""

    def _unfreeze_when_idle(self) -> None:
        """Let the collector see everything again while the user reads (see _start_reply)."""
        if self.pending is None:
            gc.unfreeze()

    def _show_status(self, pending: PendingReply) -> None:
        run = pending.run
        state = {
            RunState.WAITING: _waiting(run),
            RunState.RECEIVING: "receiving",
            RunState.COMPLETE: "done",
            RunState.CANCELLED: "cancelled",
            RunState.FAILED: f"failed: {run.error.kind.value.replace('_', ' ')}"
            if run.error
            else "failed",
        }.get(run.state, "")
        if run.state is RunState.RETRY_WAIT and run.retry is not None:
            seconds = max(0.0, run.retry.resume_at - run.clock())
            # The provider's own "retry after" sentence would repeat the countdown.
            reason = _RETRY_AFTER_SENTENCE.sub("", run.retry.reason.message).rstrip(". ")
            state = (
                f"{reason}. Retrying in {seconds:.0f} s "
                f"(attempt {run.retry.attempt}/{run.retry.max_attempts}) · Esc stops"
            )
        self.status_bar.show(run_status_view(run, self.session.target, state))

    def _show_left_out(self) -> None:
        """Mark the user's messages that later requests leave out (see Conversation.context)."""
        left_out = {id(turn) for turn in self.session.conversation.left_out_turns()}
        retryable = self.session.retryable_reply() is not None
        messages = self.log_view.user_messages()
        for message in messages:
            note = ""
            if message.turn is not None and id(message.turn) in left_out:
                note = "not sent with later messages"
                if retryable and message is messages[-1]:
                    note += f" · {self._retry_key()} retries"
            message.show_left_out(note)

    def _retry_key(self) -> str:
        """The retry key as the footer shows it, keymap applied: one that works from the
        prompt, where the focus is after a failure (a letter would be typed into it)."""
        for key, active in self.active_bindings.items():
            if active.binding.action == "retry" and len(key) > 1:
                return self.app.get_key_display(active.binding)
        return "F5"

    def _show_idle_status(self) -> None:
        self.status_bar.show(
            StatusView(target=self.session.target.description, streaming=self.session.streaming)
        )

    # ---- used by other screens -------------------------------------------------------------

    def load_conversation(self, conversation: Conversation) -> None:
        """Continue a saved conversation (from the transcript browser)."""
        if self.pending is not None:
            self.workers.cancel_group(self, "reply")
        self.session.open_conversation(conversation)
        self._switch_to_model_of(conversation)
        self.show_conversation()
        self._show_idle_status()
        self.prompt.focus()

    def switch_target(self, provider: Provider, target: Target) -> None:
        """Send the next request to another provider / model (from the model picker)."""
        self.session.switch(provider, target)
        warm_up(provider)
        if self.pending is None:
            self._show_idle_status()

    @property
    def busy(self) -> bool:
        return self.pending is not None

    # ---- actions --------------------------------------------------------------------------

    def action_cancel_reply(self) -> None:
        if self.pending is not None:
            self.workers.cancel_group(self, "reply")
        self.prompt.focus()

    def action_toggle_streaming(self) -> None:
        self.session.streaming = not self.session.streaming
        if self.pending is None:
            self._show_idle_status()
        mode = mode_name(self.session.streaming)
        self.notify(f"Next request: {mode}", timeout=2, markup=False)

    def action_new_conversation(self) -> None:
        if self.pending is not None:
            self.workers.cancel_group(self, "reply")
        self.session.new_conversation()
        self.show_conversation()
        self._show_idle_status()
        self.prompt.focus()

    def action_retry(self) -> None:
        if self.pending is not None:
            return
        if self.session.retryable_reply() is None:
            self.notify("Nothing to retry: the last reply did not fail.", timeout=3)
            return
        # The failed reply stays in the record; the new one supersedes it as context, and the
        # user turn it answers is sent again (it was left out while it had no answer).
        self._start_reply()

    def action_toggle_reasoning(self) -> None:
        last = self.log_view.last_assistant()
        if last is None or not last.toggle_reasoning():
            self.notify("The last reply has no reasoning to show.", timeout=2)

    def action_open_transcripts(self) -> None:
        from chat_tui.screens.transcripts import TranscriptsScreen

        self.app.push_screen(TranscriptsScreen(self.session.store))


def run_status_view(run: ReplyRun, target: Target, state: str) -> StatusView:
    """What the status bar shows for a reply in flight or just finished."""
    arrivals = run.arrivals[-SPARKLINE_POINTS - 1 :]
    return StatusView(
        target=target.description,
        streaming=run.streaming,
        metrics=run.snapshot(),
        elapsed_s=run.elapsed(),
        running=not run.state.finished,
        state=state,
        itl_recent_ms=tuple((b - a) * 1000 for a, b in pairwise(arrivals)),
    )
