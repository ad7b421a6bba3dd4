"""Start-up through `startup.prepare` with a temporary config dir: config problems, the theme
chosen in the palette surviving a restart, and a keymap from the config file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.command import CommandPalette

from chat_tui.app import ChatApp
from chat_tui.cli import build_parser
from chat_tui.startup import Startup, prepare
from tests.app.conftest import type_and_send, wait_until

from .conftest import notes

QUICK = "[simulated]\nttft_ms = 0\ntokens_per_s = 5000\n"


def start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, config: str) -> Startup:
    config_dir = tmp_path / "config"
    config_dir.mkdir(exist_ok=True)
    (config_dir / "config.toml").write_text(config, encoding="utf-8")
    monkeypatch.setenv("CHAT_TUI_CONFIG_DIR", str(config_dir))
    args = build_parser().parse_args(["--data-dir", str(tmp_path / "data")])
    return prepare(args, environ={})


def app_from(startup: Startup) -> ChatApp:
    """The app as `run_app` builds it."""
    app = ChatApp(
        startup.session,
        settings=startup.settings,
        paths=startup.paths,
        state=startup.state,
        notices=startup.notices,
        errors=startup.errors,
    )
    app.use_themes(startup.themes, startup.theme)
    if startup.settings.keymap:
        app.set_keymap(startup.settings.keymap)
    app.animation_level = "none"
    return app


async def test_a_config_error_is_shown_and_the_app_runs_with_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = 'flush_interval_ms = "fast"\n' + QUICK + '[keymap]\n"chat.toggle_streaming" = "f10"\n'
    startup = start(tmp_path, monkeypatch, config)
    app = app_from(startup)
    async with app.run_test() as pilot:
        await pilot.pause()
        messages = notes(app)
        assert any("config.toml:1" in m and "flush_interval_ms" in m for m in messages)
        assert any("runs with defaults" in m for m in messages)
        await type_and_send(pilot, "still works")
        await wait_until(
            pilot,
            lambda: app.chat.pending is None and len(app.session.conversation.turns) == 2,
        )
        assert app.session.conversation.turns[-1].text
        await pilot.press("f10")  # the config's keymap is applied
        await pilot.pause()
        assert not app.session.streaming
    startup.session.store.close()


async def test_theme_picked_in_the_palette_survives_a_restart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = start(tmp_path, monkeypatch, QUICK)
    app = app_from(first)
    async with app.run_test() as pilot:
        assert {"chat-tui-ember", "chat-tui-paper"} <= set(app.available_themes)
        assert app.theme != "chat-tui-ember"
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"theme")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_until(
            pilot,
            lambda: (
                isinstance(app.screen, CommandPalette)
                and not app.screen.query("Input").first().value
            ),
        )
        await pilot.press(*"chat-tui-ember")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.theme == "chat-tui-ember")
    first.session.store.close()
    saved = json.loads(first.paths.state_file.read_text(encoding="utf-8"))
    assert saved["theme"] == "chat-tui-ember"

    second = start(tmp_path, monkeypatch, QUICK)
    assert second.theme == "chat-tui-ember"
    app = app_from(second)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert app.theme == "chat-tui-ember"
    second.session.store.close()
