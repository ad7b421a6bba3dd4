"""The Textual App: holds the screens, the app-wide keys, theme and keymap. Little logic of
its own: start-up is gathered by `startup.prepare`, the chat itself lives in ChatScreen."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import signal
from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.dom import DOMNode
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.theme import Theme

from chat_tui.config import Settings
from chat_tui.paths import AppPaths
from chat_tui.prompt_history import PromptHistory
from chat_tui.providers.catalog import ProviderCatalog
from chat_tui.screens.chat.screen import ChatScreen
from chat_tui.session import ChatSession
from chat_tui.state import UiState, save_state

if TYPE_CHECKING:  # the history's messages; the history is imported when it opens
    from chat_tui.screens.history.conversation_view import (
        ContinueConversation,
        ConversationChanged,
    )

# Signals that end the app the way ctrl+q does: the reply in flight is stopped and saved, the
# terminal restored. SIGTERM exits 143 (128 + 15), as a shell reports a process it terminated;
# a hang-up (the terminal was closed) is an ordinary end, 0.
EXIT_STATUS_ON_SIGNAL: dict[int, int] = {signal.SIGTERM: 143}
if hasattr(signal, "SIGHUP"):  # not on Windows
    EXIT_STATUS_ON_SIGNAL[signal.SIGHUP] = 0
# The command line starts the app with the garbage collector off (see `cli.main`); it is
# back on this long after the app mounts, when the first screen has long been drawn.
COLLECT_GARBAGE_AFTER_S = 1.0


class ChatApp(App[None]):
    TITLE = "chat-tui"

    # Notifications at the top right: at the bottom they covered the status bar (a retry's
    # countdown) and the end of the reply they were about.
    CSS = """
    ToastRack { dock: top; align: right top; margin-bottom: 0; }
    """

    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
        Binding("f1", "show_help", "Help", id="app.help"),
    ]

    def __init__(
        self,
        session: ChatSession,
        *,
        settings: Settings | None = None,
        catalog: ProviderCatalog | None = None,
        paths: AppPaths | None = None,
        state: UiState | None = None,
        prompt_history: PromptHistory | None = None,
        notices: list[str] | None = None,
        errors: list[str] | None = None,
        standing: list[str] | None = None,
        detect_local_ollama: bool = False,
        handle_exit_signals: bool = False,
    ) -> None:
        super().__init__()
        self.settings = settings or Settings()
        self.catalog = catalog or ProviderCatalog(self.settings)
        self.paths = paths
        self.session = session
        self.state = state or UiState()
        # The messages sent, shared by every conversation (in memory only when not given).
        self.prompt_history = prompt_history or PromptHistory()
        self._startup_notices = notices or []
        self._startup_errors = errors or []
        self._standing_problems = list(standing or [])
        session.on_store_error = self._report_store_error
        self.detect_local_ollama = detect_local_ollama
        self.handle_exit_signals = handle_exit_signals
        self.exit_signal: int | None = None  # the signal that ended the app, if one did
        self._copy_order = asyncio.Lock()  # copies reach the clipboard tool in order

    def use_themes(self, themes: Iterable[Theme], name: str) -> None:
        """Register `themes` and start with the one called `name`, before the app runs.

        Assigning `theme` runs Textual's watcher, which queues a `refresh_css`: a parse of
        every stylesheet with the new theme's variables, after which the first screen parses
        them all once more (the parse cache does not survive it): 10-20 ms of the start.
        Here the variables are set before the first parse, and the rest of what the watcher
        does is done in place: the theme's classes on the app and the ANSI colour filter."""
        for theme in themes:
            self.register_theme(theme)
        if self.is_running:
            self.theme = name
            return
        self.set_reactive(App.theme, name)
        current = self.current_theme
        classes = {name: False for name in self.classes if name.startswith("-theme-")}
        classes |= {
            f"-theme-{current.name}": True,
            "-dark-mode": current.dark,
            "-light-mode": not current.dark,
        }
        self.update_classes(classes, update=False)
        self._refresh_truecolor_filter(self.ansi_theme)
        self.stylesheet.set_variables(self.get_css_variables())

    def get_default_screen(self) -> Screen:
        """The chat is the screen at the bottom of the stack, composed with the app. Pushed
        over Textual's blank default screen from `on_mount`, it drew its first frame from
        inside the app's start-up batch: the frame was dropped, and the status bar and the
        prompt came two frames (25 ms or more) later."""
        return ChatScreen(
            self.session,
            self.catalog,
            flush_interval_s=self.settings.flush_interval_s,
            prompt_history=self.prompt_history,
            reading_width=self.settings.max_width,
        )

    def on_mount(self) -> None:
        if not gc.isenabled():
            self.set_timer(COLLECT_GARBAGE_AFTER_S, resume_garbage_collection)
        if self.handle_exit_signals:
            self._handle_exit_signals()
        if self._standing_problems:
            self.call_after_refresh(self._show_standing_problems)
        if self.detect_local_ollama and self.session.target.provider == "simulated":
            # After the chat screen's first frame: the first screen does not wait for it.
            self.call_after_refresh(self._detect_ollama)
        self._notify_together(self._startup_errors, "Problem", "error", timeout=15)
        self._check_keymap()
        self._notify_together(self._startup_notices, "Note", "warning", timeout=10)

    def _notify_together(
        self, messages: list[str], title: str, severity: SeverityLevel, *, timeout: float
    ) -> None:
        """Start-up problems in one toast per kind: several toasts stacked down the screen."""
        if not messages:
            return
        if len(messages) > 1:
            title = f"{title}s ({len(messages)})"
        text = messages[0] if len(messages) == 1 else "\n".join(f"• {m}" for m in messages)
        self.notify(text, title=title, severity=severity, timeout=timeout, markup=False)

    def _handle_exit_signals(self) -> None:
        """SIGTERM and SIGHUP go through the event loop into `exit`. Python's default would end
        the process at once: the terminal left in the alternate screen with mouse reporting
        on, and the reply in flight left `streaming` until the next start. The loop removes
        the handlers when it closes."""
        loop = asyncio.get_running_loop()
        for signum in EXIT_STATUS_ON_SIGNAL:
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(signum, self._exit_on_signal, signum)

    def _exit_on_signal(self, signum: int) -> None:
        # Shutting down cancels the reply's worker, whose `finally` saves the text so far.
        if self.exit_signal is None:
            self.exit_signal = signum
            name = signal.Signals(signum).name
            self.session.stopped_by = f"the app was ended ({name}) before the reply finished"
            self.exit(return_code=EXIT_STATUS_ON_SIGNAL[signum])

    def _check_keymap(self) -> None:
        """Tell the user about [keymap] entries that name no binding or steal a key."""
        if not self.settings.keymap:
            return  # nothing to check: the screens it imports to check it are not needed yet
        from chat_tui.binding_ids import keymap_problems

        config = self.paths.config_file if self.paths is not None else None
        problems = keymap_problems(self.settings.keymap, config, self.keymap_screens())
        severity: SeverityLevel = "error" if any(p.is_error for p in problems) else "warning"
        described = [problem.describe(full_path=True) for problem in problems]
        self._notify_together(described, "Keymap problem", severity, timeout=15)

    @classmethod
    def keymap_screens(cls) -> list[tuple[type[DOMNode], ...]]:
        """Every screen and dialog of the app, each with the classes whose bindings are live
        on it (the app's among them): what `[keymap]` ids can name."""
        from chat_tui.screens.chat.race import RaceScreen
        from chat_tui.screens.conversation_settings import ConversationSettingsScreen
        from chat_tui.screens.dialogs import ConfirmDialog, TextPromptDialog
        from chat_tui.screens.history.browser import HistoryScreen
        from chat_tui.screens.history.conversation_view import HistoryConversationScreen
        from chat_tui.screens.history.export import ExportDialog
        from chat_tui.widgets.message_log import MessageLog
        from chat_tui.widgets.prompt import PromptInput

        others: tuple[type[DOMNode], ...] = (
            ConversationSettingsScreen,
            RaceScreen,
            HistoryScreen,
            HistoryConversationScreen,
            ExportDialog,
            ConfirmDialog,
            TextPromptDialog,
        )
        return [(cls, ChatScreen, PromptInput, MessageLog), *((cls, screen) for screen in others)]

    def action_show_help(self) -> None:
        """F1: every key as bound now, and how to connect providers."""
        from chat_tui.screens.help import HelpScreen, live_key_rows

        if isinstance(self.screen, HelpScreen):
            return
        try:
            source: Screen = self.chat
        except LookupError:
            source = self.screen
        self.push_screen(HelpScreen(live_key_rows(source, self.settings.keymap), self.settings))

    @property
    def chat(self) -> ChatScreen:
        for screen in self.screen_stack:
            if isinstance(screen, ChatScreen):
                return screen
        raise LookupError("no chat screen")

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every action with a described binding is in the palette, with its current key."""
        from chat_tui.binding_ids import listed_bindings

        built_in = list(super().get_system_commands(screen))
        yield from built_in
        if isinstance(screen, ChatScreen):  # no key of its own: the palette and F2 offer it
            yield SystemCommand(
                "Use preset",
                "Apply a [presets.NAME] of the config file to this conversation",
                screen.action_use_preset,
            )
        seen = {command.title for command in built_in}  # e.g. Textual's own "Quit"
        for node, binding in listed_bindings(screen, self.settings.keymap):
            # Ours have ids (and can be remapped); the prompt's editing keys stay out.
            if not binding.id or not binding.description or binding.description in seen:
                continue
            seen.add(binding.description)
            shown = self.get_key_display(binding)
            # The help line under the title says more, or nothing: the description again
            # listed every command twice.
            yield SystemCommand(
                f"{binding.description} ({shown})",
                binding.tooltip,
                partial(self._run_palette_action, node, binding.action),
            )

    async def _run_palette_action(self, node: DOMNode, action: str) -> None:
        await self.run_action(action, node)

    @work(group="startup", exit_on_error=False)
    async def _detect_ollama(self) -> None:
        """No key is configured: offer a local Ollama's models if one answers quickly."""
        from chat_tui.providers.registry import detect_ollama

        models = await detect_ollama(timeout=0.3)
        if models:
            self.notify(
                f"Ollama is running here with {len(models)} model(s), e.g. {models[0]}. "
                "Press ctrl+o to pick one.",
                title="Local models found",
                timeout=10,
                markup=False,
            )

    # ---- what the screens post up -----------------------------------------------------------

    def on_continue_conversation(self, message: ContinueConversation) -> None:
        """From the history: go on with a saved conversation in the chat, stopping a reply in
        flight if the user agrees."""
        from chat_tui.screens.dialogs import ConfirmDialog

        if not self.session.replying:
            self._continue(message.conversation_id, message.through)
            return
        self.push_screen(
            ConfirmDialog(
                "Stop the reply in progress?",
                "A reply is still arriving in the chat. Continuing this conversation "
                "stops it (what arrived so far is kept).",
                confirm_label="Stop and continue",
            ),
            lambda go: self._continue(message.conversation_id, message.through) if go else None,
        )

    def _continue(self, conversation_id: int, through: int | None) -> None:
        conversation = self.session.load_conversation(conversation_id, through=through)
        if conversation is None:
            return  # the session said why
        chat = self.chat
        chat.load_conversation(conversation)
        while self.screen is not chat and len(self.screen_stack) > 1:
            self.pop_screen()

    def on_conversation_changed(self, message: ConversationChanged) -> None:
        self.chat.conversation_changed()

    def on_chat_screen_target_chosen(self, message: ChatScreen.TargetChosen) -> None:
        self.remember(provider=message.target.provider, model=message.target.model)

    # ---- copying -------------------------------------------------------------------------

    def copy_to_clipboard(self, text: str, what: str = "the selection") -> None:
        """Every copy comes through here: Textual's (ctrl+c on a mouse selection or in the
        prompt) and ours (`what`: "the last reply"). The text goes to the terminal (OSC 52) and
        to a local clipboard tool if there is one; a notice says which, once the tool answered.
        """
        super().copy_to_clipboard(text)
        self._copy_with_local_tool(text, what)

    @work(group="clipboard", exit_on_error=False)
    async def _copy_with_local_tool(self, text: str, what: str) -> None:
        from chat_tui.clipboard import copy_notice, copy_with_local_tool

        async with self._copy_order:
            outcome = await asyncio.to_thread(copy_with_local_tool, text)
        notice = copy_notice(what, text, outcome)
        self.notify(notice.message, title="Copy", severity=notice.severity, markup=False)

    def action_help_quit(self) -> None:
        """ctrl+c with nothing selected (Textual's fallback): it copies here, and never quits."""
        quit_keys = [
            self.get_key_display(active.binding)
            for active in self.active_bindings.values()
            if active.binding.action in ("quit", "app.quit")
        ]
        quitting = f" To quit, press {quit_keys[0]}." if quit_keys else ""
        self.notify(
            f"Nothing is selected to copy: drag over text with the mouse first.{quitting}",
            title="ctrl+c copies",
            timeout=4,
            markup=False,
        )

    def _report_store_error(self, message: str) -> None:
        self.notify(message, title="Transcripts", severity="error", timeout=15, markup=False)
        self._standing_problems.append(message)  # saving stays off: so does the line
        self._show_standing_problems()

    def _show_standing_problems(self) -> None:
        """Problems that hold until the app ends, on a line of the chat's status bar."""
        try:
            status_bar = self.chat.status_bar
        except (LookupError, NoMatches):  # no chat screen, or not composed yet
            return
        status_bar.show_problem(" · ".join(self._standing_problems))

    def remember(self, **changes: str | None) -> None:
        """Persist a UI choice (theme, provider, model) across restarts."""
        self.state = self.state.with_changes(**changes)
        if self.paths is not None:
            try:
                save_state(self.paths.state_file, self.state)
            except OSError as error:
                self.notify(f"Could not save UI state: {error}", severity="warning", markup=False)

    def watch_theme(self, theme: str) -> None:
        if self.is_mounted and theme != self.state.theme:
            self.remember(theme=theme)


def resume_garbage_collection() -> None:
    """The collector back on after the start. What the start allocated is frozen first (as
    the chat screen does while a reply streams): one collection over all of it would stall
    the app for tens of milliseconds, and what survived the start is there to stay."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def run_app(args: argparse.Namespace) -> int:
    import sys

    from chat_tui.providers.base import ProviderError
    from chat_tui.startup import prepare
    from chat_tui.text_safety import visible_text

    try:
        startup = prepare(args)
    except ProviderError as error:  # an unknown --provider
        print(f"chat-tui: {visible_text(error.message)}", file=sys.stderr)
        return 2
    app = ChatApp(
        startup.session,
        settings=startup.settings,
        catalog=startup.catalog,
        paths=startup.paths,
        state=startup.state,
        prompt_history=startup.prompt_history,
        notices=startup.notices,
        errors=startup.errors,
        standing=startup.standing,
        detect_local_ollama=True,
        handle_exit_signals=True,
    )
    app.use_themes(startup.themes, startup.theme)
    if startup.settings.keymap:
        app.set_keymap(startup.settings.keymap)
    try:
        app.run()
    finally:
        if startup.session.store is not None:
            startup.session.store.close()
    return app.return_code or 0
