"""Keyboard use of the chat: the log scrolled from the prompt, a focused log that shows it
and hands typing back to the prompt, retry only on its function key, the race on a key tmux
lets through, and the F1 help and palette as a user reads them."""

from __future__ import annotations

import re

from chat_tui.providers.base import FailureKind, ProviderError
from chat_tui.screens.chat.race import RaceScreen
from chat_tui.screens.help import HelpScreen
from tests.app.scripted import ScriptedProvider

from .conftest import make_app, type_and_send, wait_until

LONG = [f"line {i}\n\n" for i in range(60)]


async def test_the_log_scrolls_from_the_prompt() -> None:
    app = make_app(ScriptedProvider(LONG))
    async with app.run_test(size=(80, 24)) as pilot:
        await type_and_send(pilot, "long one")
        await app.workers.wait_for_complete()
        await pilot.pause()
        log, prompt = app.chat.log_view, app.chat.prompt
        bottom = log.max_scroll_y
        assert bottom > 0 and log.scroll_y == bottom and prompt.has_focus

        await pilot.press("shift+pageup")
        await pilot.pause()
        assert log.scroll_y < bottom and not log.following and prompt.has_focus
        after_one = log.scroll_y
        await pilot.press("alt+pageup")  # for terminals that keep shift+pageup
        await pilot.pause()
        assert log.scroll_y < after_one
        await pilot.press("shift+pagedown")
        await pilot.pause()
        assert log.scroll_y > after_one - 1
        await pilot.press("ctrl+home")
        await pilot.pause()
        assert log.scroll_y == 0
        await pilot.press("ctrl+end")
        await pilot.pause()
        assert log.scroll_y == log.max_scroll_y and log.following
        assert prompt.has_focus and prompt.text == ""


async def test_a_focused_log_shows_it_and_typing_goes_back_to_the_prompt() -> None:
    app = make_app(ScriptedProvider(["x"]))
    async with app.run_test(size=(80, 24)) as pilot:
        log, prompt = app.chat.log_view, app.chat.prompt
        unfocused = (log.styles.outline_left, log.styles.background_tint)
        await pilot.press("tab")  # from the prompt to the log (tab_behavior="focus")
        await pilot.pause()
        assert log.has_focus
        assert log.styles.outline_left[0] != "" and log.styles.outline_left != unfocused[0]
        await pilot.press("h", "i", "space", "r")
        await pilot.pause()
        assert prompt.has_focus and prompt.text == "hi r"


async def test_r_on_the_log_types_and_only_f5_retries() -> None:
    failure = ProviderError(FailureKind.SERVER_ERROR, "scripted failure")
    provider = ScriptedProvider([failure])
    app = make_app(provider)
    async with app.run_test(size=(80, 24)) as pilot:
        await type_and_send(pilot, "hello")
        await wait_until(pilot, lambda: app.chat.pending is None and len(provider.requests) == 1)
        await pilot.pause()
        app.chat.log_view.focus()
        await pilot.press("r")
        await pilot.pause(0.1)
        assert len(provider.requests) == 1, "r resent the failed request"
        assert app.chat.prompt.text == "r"
        assert "f5 retries" in app.chat.log_view.user_messages()[-1].left_out_note
        provider.steps = ["fine"]
        await pilot.press("f5")
        await wait_until(pilot, lambda: len(provider.requests) == 2)


async def test_the_race_is_on_a_key_tmux_lets_through() -> None:
    from chat_tui.providers.simulated import SimulatedProvider

    app = make_app(SimulatedProvider(ttft_s=0.01, tokens_per_s=2000))
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press(*"go", "ctrl+b")  # tmux's prefix: not the race's any more
        await pilot.pause()
        assert not isinstance(app.screen, RaceScreen)
        await pilot.press("ctrl+l")
        await wait_until(pilot, lambda: isinstance(app.screen, RaceScreen))
        await wait_until(pilot, lambda: bool(app.screen.verdict))
        await pilot.press("escape", "escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, RaceScreen))
        await app.workers.wait_for_complete()


async def test_f1_rows_read_as_keys_then_words() -> None:
    app = make_app(ScriptedProvider(["x"]))
    async with app.run_test(size=(120, 50)) as pilot:
        await pilot.press("f1")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        body = str(help_screen.body())
        lines = body.splitlines()
        groups = [line for line in lines if line and not line.startswith(" ")]
        for group in ("Chat", "History (list)", "History (a conversation)", "Mouse"):
            assert group in groups, groups
        key_rows = [line for line in lines[: lines.index("Connecting providers")] if line]
        key_rows = [line for line in key_rows if line.startswith("  ")]
        # Every row: the keys, at least two spaces, the words; the words start in one column.
        rows = [re.fullmatch(r"  (\S.*?)( {2,})(\S.*)", row) for row in key_rows]
        assert all(rows), [row for row, match in zip(key_rows, rows, strict=True) if not match]
        assert len({match.start(3) for match in rows if match}) == 1, key_rows
        for expected in ("Scroll up", "Scroll to the newest", "Rename", "Export", "Retry"):
            assert any(expected in row for row in key_rows), expected
        # Descriptions, not the internal binding ids.
        assert not any(word in body for word in ("chat.", "history.", "app.help", "prompt."))
        await pilot.press("escape")


async def test_palette_entries_say_each_title_once() -> None:
    app = make_app(ScriptedProvider(["x"]))
    async with app.run_test():
        commands = list(app.get_system_commands(app.chat))
        ours = [c for c in commands if c.title.endswith(")")]
        assert ours
        for command in ours:
            title = command.title.rsplit(" (", 1)[0]
            assert command.help != title, command
        retry = next(c for c in ours if c.title.startswith("Retry"))
        assert retry.help and "failed" in retry.help
