"""Favourite keys, copy keys, the F1 help screen and keymap remapping, driven by keys."""

from __future__ import annotations

from chat_tui.providers.catalog import next_favourite
from chat_tui.screens.code_blocks import CodeBlockPicker
from chat_tui.screens.help import HelpScreen
from tests.app.conftest import type_and_send, wait_until
from tests.app.scripted import ScriptedProvider

from .conftest import app_with, notes, quick_settings

REPLY = "Two ways:\n\n```python\nprint('one')\n```\n\nor\n\n~~~sh title=run\necho two\nls\n~~~\n"


def test_next_favourite_wraps_and_skips_unusable_entries() -> None:
    favourites = ["a/1", "b/2", "a/3"]
    usable = {"a": True, "b": False}
    assert next_favourite(favourites, "a/1", 1, usable) == ("a/3", ["b/2"])
    assert next_favourite(favourites, "a/3", 1, usable) == ("a/1", [])
    assert next_favourite(favourites, "a/1", -1, usable) == ("a/3", [])
    assert next_favourite(favourites, "x/9", 1, usable) == ("a/1", [])
    assert next_favourite(favourites, "x/9", -1, usable) == ("a/3", [])
    assert next_favourite(["a/1"], "a/1", 1, usable) == (None, [])
    assert next_favourite([], "a/1", 1, usable) == (None, [])


async def test_favourite_keys_cycle_and_skip_providers_without_a_key(no_keys) -> None:
    settings = quick_settings(
        favourites=(
            "simulated/simulated-fast",
            "anthropic/claude-sonnet-5-5",
            "simulated/simulated-hosted",
        )
    )
    app = app_with(settings=settings)
    async with app.run_test() as pilot:
        await pilot.press("f9")
        await wait_until(pilot, lambda: app.session.target.model == "simulated-fast")
        assert any("favourite 1/3" in n for n in notes(app))
        await pilot.press("f9")
        await wait_until(pilot, lambda: app.session.target.model == "simulated-hosted")
        assert any("Skipped anthropic/claude-sonnet-5-5" in n for n in notes(app))
        await pilot.press("f8")
        await wait_until(pilot, lambda: app.session.target.model == "simulated-fast")


async def test_favourite_key_without_favourites_says_so(no_keys) -> None:
    app = app_with()
    async with app.run_test() as pilot:
        await pilot.press("f9")
        await pilot.pause()
        assert any("No favourite models yet" in n for n in notes(app))
        assert app.session.target.model == "simulated-hosted"


async def test_copy_keys_put_the_reply_and_one_code_block_on_the_clipboard() -> None:
    app = app_with(ScriptedProvider([REPLY]))
    async with app.run_test() as pilot:
        await pilot.press("f3")
        await pilot.pause()
        assert "No reply to copy yet." in notes(app)
        await type_and_send(pilot, "hi")
        await wait_until(
            pilot, lambda: app.chat.pending is None and len(app.session.conversation.turns) == 2
        )
        await pilot.press("f3")
        await pilot.pause()
        assert app.clipboard == REPLY
        await wait_until(pilot, lambda: any("the last reply" in n for n in notes(app)))
        assert (
            f"Sent the last reply (12 lines, {len(REPLY)} characters) to the terminal's "
            "clipboard (OSC 52); whether it arrived depends on your terminal." in notes(app)
        )

        await pilot.press("f4")
        await wait_until(pilot, lambda: isinstance(app.screen, CodeBlockPicker))
        await pilot.press("2")
        await wait_until(pilot, lambda: not isinstance(app.screen, CodeBlockPicker))
        assert app.clipboard == "echo two\nls"
        await wait_until(
            pilot, lambda: any("Sent sh code (2 lines, 11 characters)" in n for n in notes(app))
        )
        assert not any("echo" in n for n in notes(app)), "notifications name sizes, not content"

        await pilot.press("f4", "enter")
        await wait_until(pilot, lambda: app.clipboard == "print('one')")


async def test_a_remapped_key_works_and_the_help_screen_shows_it() -> None:
    app = app_with()
    async with app.run_test(size=(110, 50)) as pilot:
        app.set_keymap({"chat.toggle_streaming": "f10", "chat.copy_reply": "ctrl+b"})
        await pilot.pause()
        assert app.session.streaming
        await pilot.press("ctrl+t")  # the old key does nothing now
        await pilot.pause()
        assert app.session.streaming
        await pilot.press("f10")
        await pilot.pause()
        assert not app.session.streaming

        await pilot.press("f1")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        rows = {row.binding_id: row.keys for rows in help_screen.rows.values() for row in rows}
        assert rows["chat.toggle_streaming"] == "f10"
        assert rows["chat.copy_reply"] == "^b"
        assert rows["chat.pick_model"] == "^o"
        body = str(help_screen.body())
        assert "^b" in body and "Copy reply" in body
        assert "OPENAI_API_KEY" in body  # how to connect a provider
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, HelpScreen))


async def test_keymap_problems_are_shown_at_start() -> None:
    settings = quick_settings(keymap={"chat.no_such_thing": "f9", "chat.copy_reply": "ctrl+o"})
    app = app_with(settings=settings)
    async with app.run_test() as pilot:
        await pilot.pause()
        messages = notes(app)
        assert any(
            "keymap.chat.no_such_thing" in m and "no binding has this id" in m for m in messages
        )
        assert any("'ctrl+o' is also bound to chat.pick_model" in m for m in messages)
