"""A store that cannot save stays visible for as long as it holds: a line of the status bar,
not only a toast that goes after 15 s. From start-up (an unusable database) or mid-session."""

from __future__ import annotations

from pathlib import Path

import pytest

from chat_tui.app import ChatApp
from chat_tui.cli import build_parser
from chat_tui.providers.simulated import SimulatedProvider
from chat_tui.startup import prepare

from .conftest import make_store_app, type_and_send, wait_until

QUICK = "[simulated]\nttft_ms = 0\ntokens_per_s = 5000\n"


def app_on_an_unusable_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ChatApp:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "config.toml").write_text(QUICK, encoding="utf-8")
    database = tmp_path / "data" / "transcripts.sqlite3"
    database.parent.mkdir()
    database.write_bytes(b"my precious notes\n" * 100)
    monkeypatch.setenv("CHAT_TUI_CONFIG_DIR", str(tmp_path / "config"))
    args = build_parser().parse_args(["--data-dir", str(tmp_path / "data")])
    startup = prepare(args, environ={})
    assert startup.session.store is None
    app = ChatApp(
        startup.session,
        settings=startup.settings,
        paths=startup.paths,
        errors=startup.errors,
        standing=startup.standing,
    )
    app.animation_level = "none"
    return app


async def reply(pilot, app: ChatApp, text: str, replies: int) -> None:
    await type_and_send(pilot, text)
    await wait_until(
        pilot,
        lambda: (
            app.chat.pending is None
            and sum(t.role == "assistant" for t in app.session.conversation.turns) == replies
        ),
    )


async def test_an_unusable_database_stays_on_the_status_bar(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = app_on_an_unusable_database(tmp_path, monkeypatch)
    async with app.run_test(size=(120, 30)) as pilot:
        bar = app.chat.status_bar
        await wait_until(pilot, lambda: "⚠" in bar.text and bar.size.height == 3)
        line = bar.text.splitlines()[-1]
        assert line.startswith("⚠ Conversations are not saved in this session:")
        assert "not a SQLite database" in line
        app.clear_notifications()  # the toast has gone: the line has not
        await reply(pilot, app, "hello", 1)
        await pilot.press("ctrl+n")
        await reply(pilot, app, "again", 1)
        await pilot.pause()
        assert app.chat.status_bar.text.splitlines()[-1] == line


async def test_a_store_that_fails_mid_session_stays_on_the_status_bar(tmp_path: Path) -> None:
    provider = SimulatedProvider(ttft_s=0, tokens_per_s=5000)
    app = make_store_app(provider, tmp_path / "transcripts.sqlite3")
    async with app.run_test(size=(120, 30)) as pilot:
        await reply(pilot, app, "hello", 1)
        assert "⚠" not in app.chat.status_bar.text
        assert app.chat.status_bar.size.height == 2
        store = app.session.store
        assert store is not None
        store._connection.close()  # the file became unusable under the app
        await reply(pilot, app, "again", 2)
        await wait_until(pilot, lambda: "⚠" in app.chat.status_bar.text)
        line = app.chat.status_bar.text.splitlines()[-1]
        assert line.startswith("⚠ Saving is off for this session:")
        app.clear_notifications()
        await reply(pilot, app, "and again", 3)
        assert app.chat.status_bar.text.splitlines()[-1] == line
