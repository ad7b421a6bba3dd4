"""The footer at small widths: every key shown is whole, and nothing shows through at its
right end (Textual's compact footer cut "^o Switch mode▏" and left "palettee" at 80 columns)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from textual.binding import Binding

from chat_tui.app import ChatApp
from chat_tui.binding_ids import binding_infos
from chat_tui.screens.chat.bindings import CHAT_FOOTER
from chat_tui.screens.chat.race import RACE_FOOTER
from chat_tui.screens.history.browser import HISTORY_FOOTER
from chat_tui.screens.history.conversation_view import CONVERSATION_FOOTER
from chat_tui.widgets.key_footer import FooterPlan, ShownKey, fit_keys
from tests.app.conftest import screen_lines
from tests.snapshots.screens import build_app, finished_reply, provider, settle, wait_until

SIZES = [(80, 24), (100, 30), (120, 40), (200, 50)]
PLANS = [CHAT_FOOTER, CONVERSATION_FOOTER, HISTORY_FOOTER, RACE_FOOTER]
SHORT = {binding_id: word for plan in PLANS for binding_id, word in plan.short.items()}


def footer_keys(app: ChatApp) -> list[str]:
    """The keys on the footer's line, each checked to be one of the screen's shown keys with
    its description or its short word, whole; and the palette key whole at the right end."""
    line = screen_lines(app)[-1]
    keys, border, palette = line.rpartition("▏")
    assert border and palette.rstrip() == "^p palette", f"the palette key: {line!r}"
    whole = set()
    for active in app.screen.active_bindings.values():
        binding = active.binding
        if binding.show:
            display = app.get_key_display(binding)
            whole.add(f"{display} {binding.description}")
            whole.add(f"{display} {SHORT.get(binding.id or '', binding.description)}")
    found: list[str] = []
    rest = keys.strip()
    while rest:
        # The longest whole key that the rest starts with ("^n New chat", not "^n New").
        fits = [key for key in whole if rest == key or rest.startswith(key + " ")]
        assert fits, f"a cut or unknown key at {rest!r} in {line!r}"
        found.append(max(fits, key=len))
        rest = rest[len(found[-1]) :].lstrip()
    return found


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_the_chat_footer_shows_whole_keys_and_no_glitch(size: tuple[int, int]) -> None:
    app = build_app(provider())
    async with app.run_test(size=size) as pilot:
        await finished_reply(pilot)
        keys = footer_keys(app)
        if size[0] < 200:  # the keys most needed, in short words
            assert {"f1 Help", "esc Stop", "^o Model", "^r History", "^n New chat"} <= set(keys)
        else:
            assert {"esc Stop reply", "^o Switch model", "f2 Chat settings"} <= set(keys)
        assert keys[-1] == "f1 Help", "Help sits next to the palette key"


async def test_the_footer_fits_again_after_a_resize() -> None:
    app = build_app(provider())
    async with app.run_test(size=(200, 50)) as pilot:
        await finished_reply(pilot)
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert "^o Model" in footer_keys(app)
        await pilot.resize_terminal(120, 40)
        await settle(pilot)
        assert "f5 Retry" in footer_keys(app)


async def test_with_the_message_cursor_its_keys_come_first_at_80_columns() -> None:
    app = build_app(provider())
    async with app.run_test(size=(80, 24)) as pilot:
        await finished_reply(pilot)
        await pilot.press("alt+up")
        await settle(pilot)
        keys = footer_keys(app)
        assert keys[:4] == ["c Copy", "e Edit", "r Regenerate", "d Delete"], keys
        # Esc goes back to the prompt here, and the footer says so (not the stop key's word).
        assert "esc Back" in keys and "esc Stop" not in keys, keys
        await pilot.press("escape")
        await settle(pilot)
        assert app.chat.log_view.selected is None and app.chat.prompt.has_focus
        assert "esc Stop" in footer_keys(app)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_the_other_screens_footers_show_whole_keys(size: tuple[int, int]) -> None:
    with tempfile.TemporaryDirectory() as data_dir:
        app = build_app(provider(), data_dir=Path(data_dir))
        async with app.run_test(size=size) as pilot:
            await finished_reply(pilot)
            await pilot.press("ctrl+r")
            await settle(pilot)
            assert footer_keys(app)[0] == "esc Back to chat"
            await pilot.press("enter")
            await wait_until(pilot, lambda: type(app.screen).__name__ != "HistoryScreen")
            await settle(pilot)
            assert {"esc Back", "c Continue", "f1 Help"} <= set(footer_keys(app))
            await pilot.press("escape", "escape")
            await settle(pilot)
            app.chat.prompt.insert("again")
            app.chat.action_race()
            await wait_until(pilot, lambda: type(app.screen).__name__ == "RaceScreen")
            await wait_until(pilot, lambda: not app.screen.running)  # type: ignore[attr-defined]
            await settle(pilot)
            assert footer_keys(app)[0] == "esc Stop race / close"


def _key(key: str, description: str, short: str, rank: int) -> ShownKey:
    return ShownKey(Binding(key, "a", description), key, description, short, rank)


def test_keys_keep_their_descriptions_then_take_short_words_then_the_least_needed_go() -> None:
    keys = [
        _key("^o", "Switch model", "Model", 1),
        _key("f3", "Copy reply", "Copy", 2),
        _key("f1", "Help", "Help", 0),
    ]

    def labels(width: int) -> list[str]:
        return [f"{key.key_display} {label}" for key, label in fit_keys(keys, width)]

    assert labels(38) == ["^o Switch model", "f3 Copy reply", "f1 Help"]
    assert labels(37) == ["^o Model", "f3 Copy", "f1 Help"]
    assert labels(25) == ["^o Model", "f3 Copy", "f1 Help"]
    assert labels(24) == ["^o Model", "f1 Help"], "the highest rank goes first, order kept"
    assert labels(8) == ["f1 Help"]
    assert labels(7) == []


@pytest.mark.parametrize("plan", PLANS)
def test_a_footer_plan_names_only_keys_that_exist(plan: FooterPlan) -> None:
    ids = {i for screen in ChatApp.keymap_screens() for i, _, _ in binding_infos(screen)}
    assert set(plan.keep) - ids == set() and set(plan.short) - ids == set()
