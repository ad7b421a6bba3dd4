"""The footer of every screen: Textual's compact footer, made to fit its width.

Textual's `Footer` lays every shown key in a row and lets the row run on under the command
palette's key (docked at the right): at 80 columns a key was cut ("^o Switch mode▏") and, in
the palette key's right margin, a letter of a key underneath showed through ("palettee").
`KeyFooter` shows the keys whole or not at all: first with their descriptions, else with
shorter words, else without the keys that matter least, as its screen's `FooterPlan` says. F1
and the palette list every key. It chooses again only when its width or the keys change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from chat_tui.widgets.steady_footer import SteadyFooter


@dataclass(frozen=True, slots=True)
class FooterPlan:
    """A screen's say in its footer, by binding id: `keep` the keys in the order they are
    needed (first kept longest; keys not named go first), `short` the footer's words for keys
    whose descriptions are long (F1 and the palette keep the descriptions)."""

    keep: tuple[str, ...] = ()
    short: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ShownKey:
    """One key as the footer shows it."""

    binding: Binding
    key_display: str
    description: str
    short: str
    rank: int  # the lower, the longer it stays
    enabled: bool = True
    tooltip: str = ""

    def width(self, label: str) -> int:
        """Cells taken in the compact footer: key, space, label, and the gap after it."""
        if not label:
            return cell_len(self.key_display) + 1
        return cell_len(self.key_display) + 1 + cell_len(label) + 1


def fit_keys(keys: list[ShownKey], width: int) -> list[tuple[ShownKey, str]]:
    """The keys (in their order) and labels that fit `width` cells: all with descriptions; else
    all with short words; else the short words, dropping the highest `rank` first."""
    if sum(key.width(key.description) for key in keys) <= width:
        return [(key, key.description) for key in keys]
    kept = list(keys)
    while kept and sum(key.width(key.short) for key in kept) > width:
        kept.remove(max(kept, key=lambda key: key.rank))
    return [(key, key.short) for key in kept]


# `FooterKey.compact` starts True and its watcher adds this class when the key mounts: a
# restyle of each key (about 1 ms) unless the key has it from the start.
_COMPACT = "-compact"


class KeyFooter(SteadyFooter):
    """Open with `KeyFooter(plan)`; always compact (the widths in `ShownKey.width` are its).
    Recomposed only when its keys change (`SteadyFooter`) or its width fits other keys."""

    DEFAULT_CSS = """
    /* Textual's compact footer gives every key, the docked palette key too, a right margin:
       under the palette key's, the keys' row showed through. The palette key ends the line. */
    KeyFooter.-compact FooterKey.-command-palette {
        margin: 0;
        padding: 0;
    }
    """

    def __init__(self, plan: FooterPlan | None = None) -> None:
        super().__init__(compact=True)
        self.plan = plan or FooterPlan()
        self._shown: tuple[tuple[str, str], ...] = ()  # (key, label) of the keys shown

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        active = self.screen.active_bindings  # asks every binding's check_action: once
        palette = self._palette_key(active)
        fitted = self._fitted(active, palette, self._width())
        self._shown = tuple((key.binding.key, label) for key, label in fitted)
        for key, label in fitted:
            yield FooterKey(
                key.binding.key,
                key.key_display,
                label,
                key.binding.action,
                disabled=not key.enabled,
                # Shortened: the description as the tooltip, as Textual gives a grouped key.
                tooltip=key.tooltip or (key.description if label != key.description else ""),
                classes=_COMPACT,
            ).data_bind(compact=Footer.compact)
        if palette is not None:
            yield FooterKey(
                palette.binding.key,
                palette.key_display,
                palette.description,
                palette.binding.action,
                classes=f"-command-palette {_COMPACT}",
                disabled=not palette.enabled,
                tooltip=palette.tooltip or palette.description,
            )

    def on_resize(self, event: events.Resize) -> None:
        # Recomposed only when the keys that fit change: a resize across no threshold costs
        # the arithmetic alone.
        if not self._bindings_ready or not self.is_attached:
            return
        active = self.screen.active_bindings
        fitted = self._fitted(active, self._palette_key(active), event.size.width)
        if tuple((key.binding.key, label) for key, label in fitted) != self._shown:
            self.call_after_refresh(self.recompose)

    def _width(self) -> int:
        return self.size.width or self.app.size.width

    def _fitted(
        self, active: Mapping[str, ActiveBinding], palette: ShownKey | None, width: int
    ) -> list[tuple[ShownKey, str]]:
        # The palette key: its left border, key, space and word (no margin: it ends the line).
        room = width - (palette.width(palette.description) if palette else 0)
        return fit_keys(self._shown_keys(active), room)

    def _shown_keys(self, active_bindings: Mapping[str, ActiveBinding]) -> list[ShownKey]:
        """The screen's shown keys in Textual's order (the focused widget's, the screen's, the
        app's), one per action, as Textual's footer shows them."""
        rank = {binding_id: index for index, binding_id in enumerate(self.plan.keep)}
        unranked = len(rank)
        keys: list[ShownKey] = []
        actions: set[str] = set()
        for active in active_bindings.values():
            binding = active.binding
            if not binding.show or binding.action in actions:
                continue
            actions.add(binding.action)
            keys.append(
                ShownKey(
                    binding,
                    self.app.get_key_display(binding),
                    binding.description,
                    self.plan.short.get(binding.id or "", binding.description),
                    rank.get(binding.id or "", unranked + len(keys)),
                    enabled=active.enabled,
                    tooltip=active.tooltip,
                )
            )
        return keys

    def _palette_key(self, active_bindings: Mapping[str, ActiveBinding]) -> ShownKey | None:
        app = self.app
        if not (self.show_command_palette and app.ENABLE_COMMAND_PALETTE):
            return None
        active = active_bindings.get(app.COMMAND_PALETTE_BINDING)
        if active is None:
            return None
        binding = active.binding
        display = app.get_key_display(binding)
        return ShownKey(
            binding,
            display,
            binding.description,
            binding.description,
            rank=0,
            enabled=active.enabled,
            tooltip=binding.tooltip,
        )
