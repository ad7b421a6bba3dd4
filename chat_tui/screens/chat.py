"""The chat screen: message log, prompt, status bar. It wires keys to the session and renders
the reply in flight on a fixed cadence; the engine and the session do the rest.
"""

from __future__ import annotations

import asyncio
import gc
import re
from functools import cached_property
from itertools import pairwise
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Static

from chat_tui.config import Settings
from chat_tui.conversation import (
    Conversation,
    ConversationSettings,
    MessageStatus,
    Turn,
)
from chat_tui.engine import RunState
from chat_tui.providers.base import FailureKind, Provider, ProviderError
from chat_tui.reply_record import reply_footer, reply_label
from chat_tui.session import ChatSession, PendingReply, Target
from chat_tui.store.errors import StoreError
from chat_tui.text_safety import visible_text
from chat_tui.widgets.message_log import MessageLog
from chat_tui.widgets.messages import AssistantMessage
from chat_tui.widgets.prompt import PromptInput
from chat_tui.widgets.status_bar import StatusBar, StatusView

if TYPE_CHECKING:
    from chat_tui.code_fences import CodeBlock
    from chat_tui.screens.model_picker import ModelLists, PickedModel

WELCOME = """\
Welcome to chat-tui. Type a message and press Enter.

You are talking to the offline SIMULATED model: no API key is set, so replies are generated \
locally to show streaming, Esc-to-cancel and the timing figures. To use a real model, set \
OPENAI_API_KEY, ANTHROPIC_API_KEY or GEMINI_API_KEY (or run Ollama locally) and restart, or \
start with --provider NAME. ctrl+t toggles non-streaming mode; F1 lists every key."""

SPARKLINE_POINTS = 48
_RETRY_AFTER_SENTENCE = re.compile(r"\s*Retry after [^.]*(\.\d+[^.]*)?\.?", re.IGNORECASE)


class ChatScreen(Screen[None]):
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
    ChatScreen #welcome {
        margin: 1 2;
        padding: 1 2;
        border: round $accent 60%;
        color: $text-muted;
        height: auto;
    }
    """

    def __init__(self, session: ChatSession, *, flush_interval_s: float = 0.1) -> None:
        super().__init__()
        self.session = session
        self.flush_interval_s = flush_interval_s
        self.pending: PendingReply | None = None
        self._pending_widget: AssistantMessage | None = None
        self._flush_timer: Timer | None = None
        self.flush_count = 0  # renders of a reply in flight (tests and benchmarks read it)

    # ---- layout ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield MessageLog(id="log")
        yield PromptInput(id="prompt")
        yield StatusBar()
        yield Footer()

    def on_mount(self) -> None:
        self.show_conversation()
        self._show_idle_status()

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
            log.mount(Static(Content(welcome), id="welcome", markup=False))
        with self.app.batch_update():
            for turn in turns:
                if turn.role == "user":
                    log.add_user(turn.text)
                else:
                    log.add_assistant(self._finished_reply_widget(turn))
        log.scroll_end(animate=False, immediate=True)
        self.sub_title = self.session.conversation.title or ""
        gc.freeze()  # as while streaming (see _start_reply), until the next reply ends

    def _finished_reply_widget(self, turn: Turn) -> AssistantMessage:
        message = AssistantMessage(
            reply_label(turn),
            text=turn.text,
            reasoning=turn.reasoning,
            footer=reply_footer(turn),
        )
        if turn.status in (MessageStatus.CANCELLED,):
            message.add_class("-cancelled")
        elif turn.status in (MessageStatus.INTERRUPTED, MessageStatus.ERROR):
            message.add_class("-failed")
        return message

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
        for welcome in self.query("#welcome"):
            welcome.remove()
        self.session.add_user_turn(text)
        self.log_view.add_user(text)
        self._start_reply()

    def _start_reply(self) -> None:
        # Full garbage collections over everything the app holds took 60-120 ms, stalling
        # the loop mid-stream; frozen objects are skipped until the reply ends (unfreeze).
        gc.freeze()
        pending = self.session.start_reply()
        waiting = (
            "waiting for the first token"
            if pending.run.streaming
            else ("waiting for the whole reply (non-streaming)")
        )
        widget = AssistantMessage(reply_label(pending.turn), waiting_label=waiting)
        self.log_view.add_assistant(widget)
        self.log_view.follow()
        self.pending = pending
        self._pending_widget = widget
        self.flush_count = 0
        self._flush_timer = self.set_interval(self.flush_interval_s, self._flush)
        self._show_status(pending)
        self._run_reply(pending)

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

    def _finish_reply(self, pending: PendingReply) -> None:
        """The run ended: flush the rest, record the turn, show the final figures."""
        if self.pending is not pending:
            return
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
        css_class = {
            MessageStatus.CANCELLED: "-cancelled",
            MessageStatus.INTERRUPTED: "-failed",
            MessageStatus.ERROR: "-failed",
        }.get(turn.status)
        widget.finish(reply_footer(turn), css_class)
        self.pending = None
        self._pending_widget = None
        self._show_status(pending)
        if turn.status in (MessageStatus.INTERRUPTED, MessageStatus.ERROR):
            self.notify(
                turn.error_message or "The reply failed.",
                title="Reply interrupted" if turn.text else "Reply failed",
                severity="error",
                markup=False,
                timeout=8,
            )
        if self.is_attached:
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
        arrivals = run.arrivals[-SPARKLINE_POINTS - 1 :]
        state = {
            RunState.WAITING: "waiting for the first token",
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
        self.status_bar.show(
            StatusView(
                target=self.session.target.description,
                streaming=run.streaming,
                metrics=run.snapshot(),
                elapsed_s=run.elapsed(),
                running=not run.state.finished,
                state=state,
                itl_recent_ms=tuple((b - a) * 1000 for a, b in pairwise(arrivals)),
            )
        )

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

    def _switch_to_model_of(self, conversation: Conversation) -> None:
        """A continued conversation goes on with the model of its last reply, when usable."""
        from chat_tui.providers import registry

        last = next((t for t in reversed(conversation.turns) if t.role == "assistant"), None)
        if last is None or not last.provider or not last.model:
            return
        current = self.session.target
        if (last.provider, last.model) == (current.provider, current.model):
            return
        settings = getattr(self.app, "settings", None)
        if settings is None:
            return
        try:
            target = registry.get_target(last.provider, settings)
            if not target.key_available:
                raise ProviderError(FailureKind.AUTH, f"{target.key_description} is not set")
            provider = registry.create_provider(last.provider, settings)
        except ProviderError as error:
            self.notify(
                f"Continuing with {current.description}: this conversation's model "
                f"({last.provider} · {last.model}) is not available ({error.message}).",
                severity="warning",
                markup=False,
            )
            return
        self.session.switch(provider, Target(last.provider, target.label, last.model))

    def switch_target(self, provider: Provider, target: Target) -> None:
        """Send the next request to another provider / model (from the model picker)."""
        self.session.switch(provider, target)
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
        mode = "streaming" if self.session.streaming else "non-streaming"
        if self.pending is None:
            self._show_idle_status()
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
        # The failed reply stays in the record; the new one supersedes it as context.
        self._start_reply()

    def action_toggle_reasoning(self) -> None:
        last = self.log_view.last_assistant()
        if last is None or not last.toggle_reasoning():
            self.notify("The last reply has no reasoning to show.", timeout=2)

    def action_open_transcripts(self) -> None:
        from chat_tui.screens.transcripts import TranscriptsScreen

        self.app.push_screen(TranscriptsScreen(self.session.store))

    # ---- model, favourites, conversation settings, copy ----------------------------------

    @cached_property
    def model_lists(self) -> ModelLists:
        """Models each provider listed, fetched once per app run (the picker fills it)."""
        from chat_tui.screens.model_picker import ModelLists

        return ModelLists()

    @property
    def app_settings(self) -> Settings:
        settings = getattr(self.app, "settings", None)
        return settings if isinstance(settings, Settings) else Settings()

    def action_pick_model(self) -> None:
        from chat_tui.screens.model_picker import ModelPicker

        target = self.session.target
        picker = ModelPicker(
            self.app_settings, self.model_lists, current=(target.provider, target.model)
        )
        self.app.push_screen(picker, self._picked_model)

    def _picked_model(self, picked: PickedModel | None) -> None:
        if picked is not None:
            self._switch_model(picked.provider, picked.model)

    @work(exclusive=True, group="switch-model", exit_on_error=False)
    async def _switch_model(self, name: str, model: str, note: str = "") -> None:
        """Build the provider (in a thread: a key command may run) and send the next
        request there."""
        from chat_tui.model_choice import build_choice

        try:
            choice = await asyncio.to_thread(build_choice, name, model, self.app_settings)
        except ProviderError as error:
            self.notify(error.message, title="Cannot switch", severity="error", markup=False)
            return
        self.switch_target(choice.provider, choice.target)
        remember = getattr(self.app, "remember", None)
        if callable(remember):
            remember(provider=choice.target.provider, model=choice.target.model)
        self.notify(f"Next request: {choice.target.description}{note}", timeout=3, markup=False)

    def action_next_favourite(self) -> None:
        self._cycle_favourite(1)

    def action_previous_favourite(self) -> None:
        self._cycle_favourite(-1)

    def _cycle_favourite(self, step: int) -> None:
        from chat_tui.model_choice import next_favourite, split_spec
        from chat_tui.providers.registry import list_targets

        favourites = self.app_settings.favourites
        if not favourites:
            self.notify(
                'No favourite models yet. Add e.g. favourites = ["openai/gpt-4o-mini", '
                '"anthropic/claude-sonnet-4-6"] to the config file (chat-tui config path).',
                title="Favourites",
                timeout=6,
                markup=False,
            )
            return
        usable = {t.name: t.key_available for t in list_targets(self.app_settings)}
        current = f"{self.session.target.provider}/{self.session.target.model}"
        chosen, skipped = next_favourite(favourites, current, step, usable)
        if skipped:
            self.notify(
                f"Skipped {', '.join(skipped)}: no key set, or no such provider.",
                title="Favourites",
                severity="warning",
                markup=False,
            )
        if chosen is None:
            self.notify("No other favourite to switch to.", title="Favourites", markup=False)
            return
        position = f" (favourite {favourites.index(chosen) + 1}/{len(favourites)})"
        self._switch_model(*split_spec(chosen), note=position)

    def action_race(self) -> None:
        """Send the prompt being typed (or the last one) to two targets at once: the current
        model against the next favourite, or, with no other favourite, streaming against
        non-streaming on the current model."""
        from chat_tui.model_choice import build_choice, next_favourite, split_spec
        from chat_tui.providers.registry import list_targets
        from chat_tui.screens.race import RaceEntrant, RaceScreen

        if self.pending is not None:
            self.notify("Wait for the reply to finish (or press Esc) before racing.")
            return
        users = [t.text for t in self.session.conversation.turns if t.role == "user"]
        prompt = self.prompt.text if self.prompt.text.strip() else (users[-1] if users else "")
        if not prompt.strip():
            self.notify("Type a prompt, then press ctrl+b to race it on two targets.")
            return
        session = self.session
        left = RaceEntrant(session.provider, session.target, streaming=True)
        right = RaceEntrant(session.provider, session.target, streaming=False)
        usable = {t.name: t.key_available for t in list_targets(self.app_settings)}
        current = f"{session.target.provider}/{session.target.model}"
        other, _ = next_favourite(self.app_settings.favourites, current, 1, usable)
        if other is not None and other != current:
            try:
                choice = build_choice(*split_spec(other), self.app_settings)
                right = RaceEntrant(choice.provider, choice.target, streaming=True)
            except ProviderError as error:
                self.notify(f"Racing streaming vs non-streaming: {error.message}", markup=False)
        self.prompt.clear()
        for welcome in self.query("#welcome"):
            welcome.remove()
        race = RaceScreen(session, prompt, left, right, flush_interval_s=self.flush_interval_s)
        self.app.push_screen(race, callback=lambda _: self.show_conversation())

    def action_conversation_settings(self) -> None:
        from chat_tui.providers.registry import get_target
        from chat_tui.screens.conversation_settings import (
            ConversationSettingsScreen,
            ReasoningSupport,
        )

        try:
            kind: str | None = get_target(self.session.target.provider, self.app_settings).kind
        except ProviderError:
            kind = None
        screen = ConversationSettingsScreen(
            self.session.conversation.settings,
            ReasoningSupport.for_kind(kind),
            self.session.target.description,
        )
        self.app.push_screen(screen, self._save_conversation_settings)

    def _save_conversation_settings(self, settings: ConversationSettings | None) -> None:
        if settings is None:
            return
        conversation = self.session.conversation
        conversation.settings = settings
        store = self.session.store
        if conversation.id is not None and store is not None:
            try:
                store.update_settings(conversation.id, settings)
            except StoreError as error:
                self.notify(
                    f"{error} The settings apply to this session only.",
                    title="Transcripts",
                    severity="error",
                    markup=False,
                )
                return
        self.notify("Saved: the next request uses these settings.", timeout=3, markup=False)

    def last_reply_text(self) -> str | None:
        """The raw text of the newest reply that has any (the one in flight included)."""
        if self.pending is not None and self.pending.run.text.text:
            return self.pending.run.text.text
        for turn in reversed(self.session.conversation.turns):
            if turn.role == "assistant" and turn.text:
                return turn.text
        return None

    def action_copy_reply(self) -> None:
        from chat_tui.screens.code_blocks import describe_size

        text = self.last_reply_text()
        if not text:
            self.notify("No reply to copy yet.", timeout=3, markup=False)
            return
        self.app.copy_to_clipboard(text)
        self.notify(f"Copied the last reply ({describe_size(text)}).", timeout=3, markup=False)

    def action_copy_code(self) -> None:
        from chat_tui.code_fences import code_blocks
        from chat_tui.screens.code_blocks import CodeBlockPicker

        blocks = code_blocks(self.last_reply_text() or "")
        if not blocks:
            self.notify("The last reply has no code blocks.", timeout=3, markup=False)
            return
        self.app.push_screen(CodeBlockPicker(blocks), self._copy_code_block)

    def _copy_code_block(self, block: CodeBlock | None) -> None:
        from chat_tui.screens.code_blocks import describe_size

        if block is None:
            return
        self.app.copy_to_clipboard(block.code)
        what = f"{block.language} code" if block.language else "code"
        self.notify(f"Copied {what} ({describe_size(block.code)}).", timeout=3, markup=False)
