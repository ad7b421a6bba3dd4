"""The chat screen's commands that reach beyond the conversation: switching models (picker,
favourites, a continued conversation's model), per-conversation settings, copying, racing.

A mixin of ChatScreen, kept apart so the screen itself stays about sending and rendering.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from textual import work

from chat_tui.conversation import Conversation, ConversationSettings
from chat_tui.providers.base import ProviderError
from chat_tui.providers.catalog import Target
from chat_tui.store.errors import StoreError

if TYPE_CHECKING:
    from chat_tui.code_fences import CodeBlock
    from chat_tui.screens.chat import ChatScreen

    _Base = ChatScreen
else:
    _Base = object


class ChatCommands(_Base):
    def _switch_to_model_of(self, conversation: Conversation) -> None:
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

    # ---- model, favourites, conversation settings, copy ----------------------------------

    def action_pick_model(self) -> None:
        from chat_tui.screens.model_picker import ModelPicker

        picker = ModelPicker(self.catalog, current=self.session.target)
        self.app.push_screen(picker, self._picked_model)

    def _picked_model(self, picked: Target | None) -> None:
        if picked is not None:
            self._switch_model(picked.spec)

    @work(exclusive=True, group="switch-model", exit_on_error=False)
    async def _switch_model(self, spec: str, note: str = "") -> None:
        """Build the provider (in a thread: a key command may run) and send the next
        request there."""
        try:
            target = self.catalog.resolve_spec(spec)
            provider = await asyncio.to_thread(self.catalog.connect, target)
        except ProviderError as error:
            self.notify(error.message, title="Cannot switch", severity="error", markup=False)
            return
        self.switch_target(provider, target)
        remember = getattr(self.app, "remember", None)
        if callable(remember):
            remember(provider=target.provider, model=target.model)
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
        self._switch_model(chosen, note=position)

    def action_race(self) -> None:
        """Send the prompt being typed (or the last one) to two targets at once: the current
        model against the next favourite, or, with no other favourite, streaming against
        non-streaming on the current model."""
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
        left = RaceEntrant(session.target, session.provider, streaming=True)
        right = RaceEntrant(session.target, session.provider, streaming=False)
        other, _ = self.catalog.next_favourite(session.target, 1)
        if other is not None:
            try:
                target = self.catalog.resolve_spec(other)
                right = RaceEntrant(target, self.catalog.connect(target), streaming=True)
            except ProviderError as error:
                self.notify(f"Racing streaming vs non-streaming: {error.message}", markup=False)
        self.prompt.clear()
        self.remove_welcome()
        race = RaceScreen(session, prompt, left, right, flush_interval_s=self.flush_interval_s)
        self.app.push_screen(race, callback=lambda _: self.show_conversation())

    def action_conversation_settings(self) -> None:
        from chat_tui.screens.conversation_settings import ConversationSettingsScreen

        screen = ConversationSettingsScreen(
            self.session.conversation.settings,
            self.catalog.request_options(self.session.target.provider),
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
