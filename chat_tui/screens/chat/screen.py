"""The chat screen: message log, prompt, status bar. It wires keys to the session, shows the
reply in flight through a `ReplyPresenter` (shared with the race), and opens the model
picker, the settings, the race and the history; the engine, session and catalog do the rest.
"""

from __future__ import annotations

import asyncio
import gc
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from chat_tui.attachments import Attachment
from chat_tui.collector import collect_closed_widgets_soon
from chat_tui.config import PresetSettings
from chat_tui.conversation import Conversation, ConversationSettings, MessageStatus, Turn
from chat_tui.prompt_history import PromptHistory
from chat_tui.providers.base import Provider, ProviderError
from chat_tui.providers.catalog import ProviderCatalog, Target
from chat_tui.providers.lazy import warm_up
from chat_tui.reply_record import mode_name, reply_label
from chat_tui.request_settings import apply_preset
from chat_tui.screens.chat.bindings import CHAT_BINDINGS, CHAT_FOOTER
from chat_tui.screens.chat.message_actions import MessageActions
from chat_tui.screens.chat.reply_presenter import ReplyPresenter
from chat_tui.session import ChatSession, PendingReply
from chat_tui.text_safety import visible_text
from chat_tui.widgets.attachment_chips import AttachmentChip, AttachmentChips
from chat_tui.widgets.key_footer import KeyFooter
from chat_tui.widgets.message_log import MessageLog
from chat_tui.widgets.messages import turn_widget
from chat_tui.widgets.prompt import PromptInput
from chat_tui.widgets.reply_body import preload_markdown
from chat_tui.widgets.status_bar import StatusBar, StatusView

if TYPE_CHECKING:
    from chat_tui.code_fences import CodeBlock

WELCOME = """\
Welcome to chat-tui. Type a message and press Enter.

You are talking to the offline SIMULATED model: no API key is set, so replies are generated \
locally to show streaming, Esc-to-cancel and the timing figures. To use a real model, set \
OPENAI_API_KEY, ANTHROPIC_API_KEY or GEMINI_API_KEY (or run Ollama locally) and restart, or \
start with --provider NAME. ctrl+t toggles non-streaming mode; F1 lists every key."""

# The messages of a send appear once its request is out; this long at most if no word comes.
SHOW_REPLY_AT_THE_LATEST_S = 0.05
# Background imports start this long after the chat screen mounts (see on_mount).
WARM_UP_AFTER_S = 0.3
PRELOAD_MARKDOWN_AFTER_S = 0.5


class ChatScreen(Screen[None]):
    AUTO_FOCUS = "PromptInput"

    @dataclass
    class TargetChosen(Message):
        """The user picked a model (picker or favourites): the app remembers it."""

        target: Target

    # Keys chosen to reach the app in tmux, GNU screen and the usual terminals (ctrl+b is
    # tmux's prefix, ctrl+a screen's): see docs/keys.md. Each `tooltip` is the palette's and
    # F1's longer word on the action.
    BINDINGS = CHAT_BINDINGS

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
        self,
        session: ChatSession,
        catalog: ProviderCatalog,
        *,
        flush_interval_s: float = 0.1,
        prompt_history: PromptHistory | None = None,
        reading_width: int = 0,
    ) -> None:
        super().__init__()
        self.reading_width = reading_width  # columns of a message at most (0: no cap)
        self.session = session
        self.catalog = catalog
        self.prompt_history = prompt_history or PromptHistory()
        self.message_actions = MessageActions(self)  # what the message cursor's keys do
        self.flush_interval_s = flush_interval_s
        self.pending: PendingReply | None = None
        self.presenter: ReplyPresenter | None = None  # the reply in flight's, or the last one's
        self._unshown_user_turn: Turn | None = None
        # No fixed id: clearing the log removes the old note asynchronously, so a new chat
        # (ctrl+n, even pressed in a burst) mounts its note while the old one still exists.
        self._welcome: Static | None = None
        self._shown: Conversation | None = None  # the conversation the log shows
        # Files for the message being written, shown as chips until it is sent.
        self.attachments: list[Attachment] = []

    # ---- layout ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield MessageLog(id="log", hand_on_typing=True, reading_width=self.reading_width)
        yield StatusBar()
        # In a container of its own: Textual repaints every direct child of the screen on
        # each frame, whatever changed, and the prompt's repaint is costly (it re-applies its
        # theme). The status bar sits between the log and the prompt so that a flush (the
        # reply's tail and the bar) does not touch the prompt either.
        with Container(id="prompt-area"):
            yield AttachmentChips()
            yield PromptInput(id="prompt", history=self.prompt_history)
        # At 80 columns the keys that matter most fit, whole (F1 lists them all).
        yield KeyFooter(CHAT_FOOTER)

    def on_mount(self) -> None:
        self.show_conversation()
        self._show_idle_status()
        # The provider's SDK and the Markdown renderer import in background threads once
        # the first screen is up: not right after the first frame, which comes before all the
        # screen's widgets have mounted; the frames that complete it follow within about
        # 0.1 s, and an import in a thread shares the GIL with them (measured: 20-25 ms more
        # CPU before the first complete screen). A send that comes first imports what it
        # needs at once.
        self.set_timer(WARM_UP_AFTER_S, self._warm_up)
        self.set_timer(PRELOAD_MARKDOWN_AFTER_S, preload_markdown)

    def _warm_up(self) -> None:
        warm_up(self.session.provider)

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
        self._shown = self.session.conversation
        log = self.log_view
        if log.messages:  # the widgets cleared away were frozen (see the end)
            session = self.session
            collect_closed_widgets_soon(self.app, lambda: session.replying)
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
            log.add_all([turn_widget(turn) for turn in turns])
        self.message_actions.show_alternatives()
        self.show_left_out()
        log.scroll_end(animate=False, immediate=True)
        self.show_label()
        gc.freeze()  # as while streaming (see start_reply), until the next reply ends

    def show_label(self) -> None:
        """The conversation's title (the sub-title) and, under the prompt, its preset."""
        conversation = self.session.conversation
        self.sub_title = visible_text(conversation.label)
        preset = conversation.settings.preset
        self.prompt.border_subtitle = visible_text(f"preset: {preset}") if preset else ""

    def remove_welcome(self) -> None:
        if self._welcome is not None:
            self._welcome.remove()
            self._welcome = None

    # ---- sending --------------------------------------------------------------------------

    @on(PromptInput.Submitted)
    def submit(self, event: PromptInput.Submitted) -> None:
        text = event.text
        if not text.strip() and not self.attachments:
            return  # an empty or whitespace-only prompt sends nothing (unless files go)
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
        self._remember_prompt(text)
        attachments = tuple(self.attachments)
        self._set_attachments([])
        edited = self.message_actions.take_edited()
        if edited is not None:
            self.message_actions.send_edited(edited, text, attachments)
            return
        self.start_reply(self.session.add_user_turn(text, attachments))

    def _remember_prompt(self, text: str) -> None:
        try:
            self.prompt_history.add(text)
        except OSError as error:
            self.notify(
                f"Could not save the prompt history: {error}", severity="warning", markup=False
            )

    def start_reply(self, user_turn: Turn | None = None) -> None:
        """Send the request, then show it (`_show_reply`) once it is out: the UI work of a send
        (2-4 ms here) had delayed the request and split its head from its body.
        Without `user_turn`, the reply to the last user turn is regenerated (a retry)."""
        # Full garbage collections over everything the app holds took 60-120 ms, stalling
        # the loop mid-stream; frozen objects are skipped until the reply ends (unfreeze).
        gc.freeze()
        pending = self.session.start_reply(retrying=user_turn is None)
        self.pending = pending
        self._unshown_user_turn = user_turn
        presenter = ReplyPresenter(
            self,
            pending,
            self.session.target,  # a reply is labelled by what serves it, even after a switch
            self.status_bar,
            flush_interval_s=self.flush_interval_s,
            on_flushed=self._save_progress,
        )
        self.presenter = presenter
        presenter.hook(
            on_request_sent=partial(self._show_reply, pending),
            on_first_content=self._flush_first_content,
        )
        self._run_reply(pending)
        # An adapter that never says its request is out must not keep the messages hidden.
        self.set_timer(SHOW_REPLY_AT_THE_LATEST_S, partial(self._show_reply, pending))

    def _show_reply(self, pending: PendingReply) -> None:
        """The user's message, the reply with its typing indicator, the flush timer and the
        status bar (once per reply: the request is out, its first token came, or it ended)."""
        presenter = self.presenter
        if self.pending is not pending or presenter is None or presenter.widget is not None:
            return
        self.remove_welcome()
        if self._unshown_user_turn is not None:
            self.log_view.add_user(self._unshown_user_turn.text, self._unshown_user_turn)
            self._unshown_user_turn = None
        widget = presenter.new_widget(reply_label(pending.turn))
        widget.turn = pending.turn
        self.log_view.add_assistant(widget)
        if self.log_view.selected is None:
            self.log_view.follow()
        presenter.attach(widget, tick=self._flush)
        # A steady cursor while the reply streams: each blink is a frame of its own.
        self.prompt.cursor_blink = False
        self.message_actions.show_alternatives()
        self.show_left_out()

    @work(exclusive=True, group="reply", exit_on_error=False)
    async def _run_reply(self, pending: PendingReply) -> None:
        try:
            await pending.run.run()
        finally:
            self._finish_reply(pending)

    # ---- rendering ------------------------------------------------------------------------

    @property
    def flush_count(self) -> int:
        """Renders of the reply in flight (or the last one): tests and benchmarks read it."""
        return self.presenter.flush_count if self.presenter is not None else 0

    def _flush(self) -> None:
        """One tick of the reply in flight (the presenter's cadence calls it)."""
        if self.pending is not None and self.presenter is not None:
            self.presenter.flush()

    def _save_progress(self, pending: PendingReply) -> None:
        if pending.run.streaming:
            self.session.record_progress(pending)

    def _flush_first_content(self) -> None:
        if self.pending is None or self.presenter is None:
            return
        self._show_reply(self.pending)
        self.presenter.flush_now()

    def _finish_reply(self, pending: PendingReply) -> None:
        """The run ended: flush the rest, record the turn, show the final figures."""
        presenter = self.presenter
        if self.pending is not pending or presenter is None:
            return
        self._show_reply(pending)
        # Not now: a full collection right away would delay this final render.
        self.set_timer(1.0, self._unfreeze_when_idle)
        widget = presenter.stop()
        turn = self.session.finish_reply(pending)
        widget.finish(turn)
        self.pending = None
        presenter.show_status()
        self.show_left_out()
        if turn.status in (MessageStatus.INTERRUPTED, MessageStatus.ERROR) and not (
            self.is_current and self.log_view.following
        ):
            # The failure is written under the reply (its footer) and in the status bar; a
            # toast only where that is out of sight: over the reply's end or the bar it hid
            # the very text it was about, and a retry's countdown.
            self.notify(
                turn.error_message or "The reply failed.",
                title="Reply interrupted" if turn.text else "Reply failed",
                severity="error",
                markup=False,
                timeout=8,
            )
        if self.is_attached:
            self.prompt.cursor_blink = True
            if self.log_view.selected is None:  # the user may be at work on a message
                self.prompt.focus()
        if self.session.needs_title():
            self._make_title()

    @work(group="title", exit_on_error=False)
    async def _make_title(self) -> None:
        """Name the conversation in the background (see ChatSession.make_title)."""
        await self.session.make_title()
        self.show_label()

    def _unfreeze_when_idle(self) -> None:
        """Let the collector see everything again while the user reads (see start_reply)."""
        if self.pending is None:
            gc.unfreeze()

    def show_left_out(self) -> None:
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

    def _binding_of(self, action: str) -> Binding:
        """The binding of `action` as it is now (keymap applied)."""
        for active in self.active_bindings.values():
            if active.binding.action == action:
                return active.binding
        return next(b for b in self.BINDINGS if isinstance(b, Binding) and b.action == action)

    def _show_idle_status(self) -> None:
        self.status_bar.show(
            StatusView(
                target=self.session.target.description,
                streaming=self.session.streaming,
                model=self.session.target.model,
            )
        )

    # ---- used by other screens -------------------------------------------------------------

    def load_conversation(self, conversation: Conversation) -> None:
        """Continue a saved conversation (from the transcript browser)."""
        if self.pending is not None:
            self.workers.cancel_group(self, "reply")
        self.session.open_conversation(conversation)
        self._follow_model_of(conversation)
        self.show_conversation()
        self._show_idle_status()
        self.prompt.focus()

    def conversation_changed(self) -> None:
        """A saved conversation was renamed or deleted: follow the session if it moved on
        (the one shown was deleted), else show its title as it is now."""
        if self.session.conversation is not self._shown:
            self.show_conversation()
            self._show_idle_status()
            self.prompt.focus()
        else:
            self.show_label()

    def switch_target(self, provider: Provider, target: Target) -> None:
        """Send the next request to another provider / model."""
        self.session.switch_target(provider, target, self.catalog.title_model(target.provider))
        warm_up(provider)
        if self.pending is None:
            self._show_idle_status()

    # ---- actions: the conversation ---------------------------------------------------------

    # ---- attachments ------------------------------------------------------------------------

    def action_attach_file(self) -> None:
        from chat_tui.screens.attach_file import AttachFileDialog

        dialog = AttachFileDialog(max_bytes=self.catalog.settings.max_attachment_bytes)
        self.app.push_screen(dialog, self._add_attachment)

    def _add_attachment(self, attachment: Attachment | None) -> None:
        if attachment is not None:
            self._set_attachments([*self.attachments, attachment])
        self.prompt.focus()

    @on(AttachmentChip.Removed)
    def _remove_attachment(self, event: AttachmentChip.Removed) -> None:
        self._set_attachments([a for a in self.attachments if a is not event.attachment])
        self.prompt.focus()

    def _set_attachments(self, attachments: list[Attachment]) -> None:
        self.attachments = attachments
        self.query_one(AttachmentChips).show(attachments)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # With a message selected, Esc is the message cursor's (back to the prompt; a reply
        # arriving goes on, and a second Esc stops it).
        if action != "cancel_reply":
            return True
        log = self.query_one_optional(MessageLog)  # None while the screen composes
        return log is None or log.selected is None

    def action_cancel_reply(self) -> None:
        """Esc: while editing a message, stop editing (the text typed before comes back);
        otherwise stop the reply."""
        if self.message_actions.editing is not None and self.pending is None:
            self.message_actions.stop_editing()
            return
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
        self.start_reply()

    def action_toggle_reasoning(self) -> None:
        last = self.log_view.last_assistant()
        if last is None or not last.toggle_reasoning():
            self.notify("The last reply has no reasoning to show.", timeout=2)

    def action_open_history(self) -> None:
        from chat_tui.screens.history.browser import HistoryScreen

        self.app.push_screen(HistoryScreen(self.session))

    def action_conversation_settings(self) -> None:
        from chat_tui.screens.conversation_settings import ConversationSettingsScreen

        screen = ConversationSettingsScreen(
            self.session.conversation.settings,
            self.catalog.request_options(self.session.target.provider),
            self.session.target.description,
            has_presets=bool(self.catalog.settings.presets),
        )
        self.app.push_screen(screen, self._save_conversation_settings)

    def _save_conversation_settings(self, settings: ConversationSettings | str | None) -> None:
        from chat_tui.screens.conversation_settings import USE_PRESET

        if settings == USE_PRESET:
            self.action_use_preset()
            return
        if not isinstance(settings, ConversationSettings):
            return
        if self.session.update_settings(settings):
            self.notify("Saved: the next request uses these settings.", timeout=3, markup=False)
        # Otherwise the session said why saving failed; the settings apply all the same.

    def action_use_preset(self) -> None:
        from chat_tui.screens.dialogs import ChoiceDialog

        presets = self.catalog.settings.presets
        if not presets:
            self.notify(
                "No presets yet. Add a [presets.NAME] table with a system prompt (and, if you "
                "like, provider, model, temperature, max_tokens, reasoning) to the config "
                "file (chat-tui config path).",
                title="Presets",
                timeout=8,
                markup=False,
            )
            return
        choices = [(name, preset_label(preset)) for name, preset in presets.items()]
        dialog = ChoiceDialog("Use preset", choices, "Applies to this conversation.")
        self.app.push_screen(dialog, self._use_preset)

    def _use_preset(self, name: str | None) -> None:
        if name is not None:
            self._apply_preset(name)

    @work(exclusive=True, group="switch-model", exit_on_error=False)
    async def _apply_preset(self, name: str) -> None:
        """Switch to the preset's provider and model (if it names them), then use its
        settings for this conversation; what the target does not take is left out, said."""
        preset = self.catalog.settings.presets[name]
        target = self.session.target
        if preset.provider or preset.model:
            try:
                target = self.catalog.resolve(preset.provider or target.provider, preset.model)
                if target != self.session.target:
                    provider = await asyncio.to_thread(self.catalog.connect, target)
                    self.switch_target(provider, target)
            except ProviderError as error:
                self.notify(
                    error.message, title="Cannot use preset", severity="error", markup=False
                )
                return
        support = self.catalog.request_options(target.provider)
        settings, left_out = apply_preset(
            self.session.conversation.settings, preset, support, target.description
        )
        self.session.update_settings(settings)  # a store that refuses says so itself
        self.show_label()
        self.notify(f"Preset {name}: {target.description}", timeout=3, markup=False)
        if left_out:
            self.notify("Left out: " + "; ".join(left_out), severity="warning", markup=False)

    # ---- actions: the model ----------------------------------------------------------------

    def _follow_model_of(self, conversation: Conversation) -> None:
        """A continued conversation goes on with the model of its last reply, when usable."""
        last = next((t for t in reversed(conversation.turns) if t.role == "assistant"), None)
        if last is None or not last.provider or not last.model:
            return
        current = self.session.target
        if (last.provider, last.model) == (current.provider, current.model):
            return
        try:
            entry = self.catalog.require_key(last.provider)
            target = Target(entry.name, entry.label, last.model)
            provider = self.catalog.connect(target)
        except ProviderError as error:
            self.notify(
                f"Continuing with {current.description}: this conversation's model "
                f"({last.provider} · {last.model}) is not available ({error.message}).",
                severity="warning",
                markup=False,
            )
            return
        self.switch_target(provider, target)

    def action_pick_model(self) -> None:
        from chat_tui.screens.model_picker import ModelPicker

        picker = ModelPicker(self.catalog, current=self.session.target)
        self.app.push_screen(picker, self._picked_model)

    def _picked_model(self, picked: Target | None) -> None:
        if picked is not None:
            self._choose_model(picked.spec)

    @work(exclusive=True, group="switch-model", exit_on_error=False)
    async def _choose_model(self, spec: str, note: str = "") -> None:
        """Build the provider (in a thread: a key command may run) and send the next
        request there."""
        try:
            target = self.catalog.resolve_spec(spec)
            provider = await asyncio.to_thread(self.catalog.connect, target)
        except ProviderError as error:
            self.notify(error.message, title="Cannot switch", severity="error", markup=False)
            return
        self.switch_target(provider, target)
        self.post_message(self.TargetChosen(target))
        self.notify(f"Next request: {target.description}{note}", timeout=3, markup=False)

    def action_next_favourite(self) -> None:
        self._cycle_favourite(1)

    def action_previous_favourite(self) -> None:
        self._cycle_favourite(-1)

    def _cycle_favourite(self, step: int) -> None:
        favourites = self.catalog.settings.favourites
        if not favourites:
            self.notify(
                'No favourite models yet. Add e.g. favourites = ["openai/gpt-4o-mini", '
                '"anthropic/claude-sonnet-4-6"] to the config file (chat-tui config path).',
                title="Favourites",
                timeout=6,
                markup=False,
            )
            return
        chosen, skipped = self.catalog.next_favourite(self.session.target, step)
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
        self._choose_model(chosen, note=position)

    def action_race(self) -> None:
        """Send the prompt being typed (or the last one) to two targets at once."""
        from chat_tui.screens.chat.race import RaceScreen, race_entrants

        if self.pending is not None:
            self.notify("Wait for the reply to finish (or press Esc) before racing.")
            return
        # The prompt being typed with its attached files, else the last message sent with its own.
        if self.prompt.text.strip() or self.attachments:
            prompt, attachments = self.prompt.text, tuple(self.attachments)
        else:
            users = [t for t in self.session.conversation.turns if t.role == "user"]
            prompt, attachments = (users[-1].text, users[-1].attachments) if users else ("", ())
        if not prompt.strip() and not attachments:
            key = self.app.get_key_display(self._binding_of("race"))
            self.notify(f"Type a prompt, then press {key} to race it on two targets.")
            return
        left, right, problem = race_entrants(self.session, self.catalog)
        if problem is not None:
            self.notify(f"Racing streaming vs non-streaming: {problem}", markup=False)
        self.prompt.clear()
        self._set_attachments([])
        self.remove_welcome()
        race = RaceScreen(
            self.session,
            prompt,
            left,
            right,
            attachments=attachments,
            flush_interval_s=self.flush_interval_s,
        )
        self.app.push_screen(race, callback=lambda _: self.show_conversation())

    # ---- the message cursor ------------------------------------------------------------------

    def action_select_message(self) -> None:
        """alt+up from the prompt: the cursor on the newest message, the keys to the log."""
        if self.log_view.selected is not None:
            # A burst of alt+up: the log takes the focus only once this key is handled, so
            # the next ones may still come here.
            self.log_view.action_move_selection(-1)
            return
        if not self.log_view.select_last():
            self.notify("No messages to select yet.", timeout=2, markup=False)
            return
        self.log_view.focus()

    def leave_message_cursor(self) -> None:
        self.log_view.select(None)
        self.prompt.focus()

    @on(events.DescendantFocus)
    def _drop_cursor_when_focus_moves(self, event: events.DescendantFocus) -> None:
        """A click in the prompt (or anywhere else) ends the message cursor."""
        if event.widget is not self.log_view and self.log_view.selected is not None:
            self.log_view.select(None)

    @on(MessageLog.CursorLeft)
    def _cursor_left(self) -> None:
        self.leave_message_cursor()

    @on(MessageLog.CursorAction)
    def _act_on_selected(self, event: MessageLog.CursorAction) -> None:
        turn = getattr(event.message, "turn", None)
        if isinstance(turn, Turn):
            self.message_actions.act(event.kind, turn, event.step)

    # ---- actions: scrolling ----------------------------------------------------------------

    def action_scroll_log(self, where: str) -> None:
        """Scroll the log from wherever the focus is (the prompt, usually)."""
        log = self.log_view
        if where == "page_up":
            log.scroll_page_up(animate=False)
        elif where == "page_down":
            log.scroll_page_down(animate=False)
        elif where == "top":
            log.show_earlier(log.hidden_count)  # the whole conversation, from its start
            log.scroll_home(animate=False)
        else:
            log.follow()

    @on(MessageLog.Typed)
    def _typed_on_log(self, event: MessageLog.Typed) -> None:
        """A key typed on the focused log goes to the prompt, with the focus."""
        self.prompt.focus()
        self.prompt.insert(event.character)

    # ---- actions: copying ------------------------------------------------------------------

    def last_reply_text(self) -> str | None:
        """The raw text of the newest reply that has any (the one in flight included)."""
        if self.pending is not None and self.pending.run.text.text:
            return self.pending.run.text.text
        for turn in reversed(self.session.conversation.turns):
            if turn.role == "assistant" and turn.text:
                return turn.text
        return None

    def action_copy_reply(self) -> None:
        text = self.last_reply_text()
        if not text:
            self.notify("No reply to copy yet.", timeout=3, markup=False)
            return
        self.app.copy_to_clipboard(text, what="the last reply")  # ChatApp's: it says how

    def action_copy_code(self) -> None:
        from chat_tui.code_fences import code_blocks
        from chat_tui.screens.code_blocks import CodeBlockPicker

        selected = getattr(self.log_view.selected, "turn", None)
        if isinstance(selected, Turn):
            source, which = selected.text, "The selected message"
        else:
            source, which = self.last_reply_text() or "", "The last reply"
        blocks = code_blocks(source)
        if not blocks:
            self.notify(f"{which} has no code blocks.", timeout=3, markup=False)
            return
        self.app.push_screen(CodeBlockPicker(blocks), self._copy_code_block)

    def _copy_code_block(self, block: CodeBlock | None) -> None:
        if block is None:
            return
        what = f"{block.language} code" if block.language else "code"
        self.app.copy_to_clipboard(block.code, what=what)


def preset_label(preset: PresetSettings) -> str:
    """One line for the preset picker: name, where it sends, how its prompt starts."""
    where = "/".join(part for part in (preset.provider, preset.model) if part)
    system = " ".join((preset.system or "").split())
    system = system if len(system) <= 50 else system[:49] + "…"
    return " · ".join(part for part in (preset.name, where, system) if part)
