"""Textual's footer, recomposed only when the keys it shows change (`KeyFooter` is one).

`Footer` recomposes (a new widget per key: about 12 ms for the chat's keys) on every
`refresh_bindings` of its screen, and a screen calls that for each focus change, twice when it
first shows (focus, then again after the next refresh) and once when it resumes: the chat's
start paid for three compositions of the same keys.
"""

from __future__ import annotations

from collections.abc import Hashable

from textual.screen import Screen
from textual.widgets import Footer


class SteadyFooter(Footer):
    def __init__(self, *, compact: bool = False) -> None:
        super().__init__(compact=compact)
        self._composed_keys: Hashable = None  # what the last composition showed
        self._recompose_queued = False

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        # Changes that arrive together (before the next refresh) are looked at once. The
        # first keys are composed at once: after a refresh, they came after the frames
        # that lay out the rest of the screen, the last part of the first screen to show.
        if self.is_attached and screen is self.screen and not self._recompose_queued:
            self._recompose_queued = True
            if self._composed_keys is None:
                self.call_later(self._recompose_if_keys_changed)
            else:
                self.call_after_refresh(self._recompose_if_keys_changed)

    async def _recompose_if_keys_changed(self) -> None:
        self._recompose_queued = False
        if not self.is_attached:  # its screen was closed meanwhile
            return
        keys = self.shown_keys()
        if keys == self._composed_keys:
            return
        self._composed_keys = keys
        await self.recompose()

    def shown_keys(self) -> Hashable:
        """Everything of the screen's bindings that `Footer.compose` draws."""
        app = self.app
        palette = self.show_command_palette and app.ENABLE_COMMAND_PALETTE
        return (
            tuple(
                (
                    binding.key,
                    app.get_key_display(binding),
                    binding.description,
                    binding.action,
                    binding.group,
                    enabled,
                    tooltip,
                )
                for _node, binding, enabled, tooltip in self.screen.active_bindings.values()
                if binding.show or (palette and binding.key == app.COMMAND_PALETTE_BINDING)
            ),
            palette,
        )
