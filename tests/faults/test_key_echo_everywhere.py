"""A server that echoes the API key back, in an error body or in a mid-stream error event, on
every path: the key reaches neither the screen, nor the store, nor the request log (even in
debug mode), nor an export. The fake server echoes whatever key the request carried."""

from __future__ import annotations

from pathlib import Path

import pytest

from chat_tui.app import ChatApp
from chat_tui.config import ProfileSettings, Settings
from chat_tui.conversation import MessageStatus
from chat_tui.event_log import EventLog
from chat_tui.providers.catalog import Target
from chat_tui.providers.registry import create_provider, get_entry
from chat_tui.session import ChatSession
from chat_tui.store import TranscriptStore
from chat_tui.store.export import render, write_private_file
from tests.app.conftest import screen_text
from tests.fakeserver import FakeProviderServer, Scenario

from .harness import (
    FAST_RETRIES,
    MODELS,
    PATHS,
    environ_for,
    notices,
    provider_apis,
    provider_name,
    reply_finished,
    send,
)

CANARY = "sk-test-ECHOCANARY-7f3a9"
HIDDEN = "[key hidden]"
# A server error event, whose message the app shows (an overloaded one is said in its own words).
SERVER_ERROR_TYPES = {"anthropic": "api_error", "gemini": "INTERNAL"}


def app_with_key(server: FakeProviderServer, path: str, data_dir: Path) -> ChatApp:
    """The app on `path` sending CANARY as its key (the compatible profile's via api_key_env)."""
    profiles: dict[str, ProfileSettings] = {}
    if path == "compatible":
        profiles["local"] = ProfileSettings(
            name="local",
            base_url=server.openai_base_url,
            api_key_env="LOCAL_API_KEY",
            default_model=MODELS[path],
        )
        environ = {"LOCAL_API_KEY": CANARY}
    else:
        environ = environ_for(server, path, key=CANARY)
    environ["CHAT_TUI_DEBUG_LOG"] = "1"  # the log then holds prompts and replies too
    settings = Settings(
        profiles=profiles,
        provider_apis=provider_apis(path),
        connect_timeout_s=2.0,
        flush_interval_ms=30,
    )
    name = provider_name(path)
    session = ChatSession(
        create_provider(name, settings, environ),
        Target(name, get_entry(name, settings, environ).label, MODELS[path]),
        retry_policy=FAST_RETRIES,
        store=TranscriptStore.open(data_dir / "transcripts.sqlite3"),
        event_log=EventLog(data_dir / "logs" / "requests.jsonl", environ=environ),
    )
    app = ChatApp(session, settings=settings)
    app.animation_level = "none"
    return app


def what_is_shown(app: ChatApp) -> str:
    return "\n".join([screen_text(app), app.chat.status_bar.text, *notices(app)])


@pytest.mark.parametrize("path", PATHS)
async def test_an_echoed_key_is_shown_saved_logged_and_exported_nowhere(
    fake_server: FakeProviderServer, tmp_path: Path, path: str
) -> None:
    data_dir, exports = tmp_path / "data", tmp_path / "exports"
    fake_server.script(
        Scenario.http_error(401, message="Incorrect API key provided", echo_key=True),
        Scenario.error_event(
            after=2,
            error_type=SERVER_ERROR_TYPES.get(path, "server_error"),
            message="Stream failed for key",
            echo_key=True,
        ),
    )
    app = app_with_key(fake_server, path, data_dir)
    shown: list[str] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, app, "first")
        refused = await reply_finished(pilot, app, 1)
        assert refused.status is MessageStatus.ERROR and refused.error_kind == "auth"
        shown.append(what_is_shown(app))
        await send(pilot, app, "second")
        cut = await reply_finished(pilot, app, 2)
        assert cut.status is MessageStatus.INTERRUPTED and cut.text == "Hello,"
        shown.append(what_is_shown(app))
        exports.mkdir()
        for export_format in ("md", "json"):
            text = render(app.session.conversation, export_format)
            write_private_file(exports / f"chat.{export_format}", text)
        assert app.session.store is not None
        app.session.store.close()
    # The server did echo it, and the app hid it: the test is not passing on an empty net.
    for turn in (refused, cut):
        assert HIDDEN in (turn.error_message or ""), turn.error_message
    assert all(CANARY not in text for text in shown)
    assert any(HIDDEN in text for text in shown)
    files = [p for root in (data_dir, exports) for p in root.rglob("*") if p.is_file()]
    assert {"transcripts.sqlite3", "requests.jsonl", "chat.md", "chat.json"} <= {
        p.name for p in files
    }
    for file in files:
        assert CANARY.encode() not in file.read_bytes(), f"the key leaked into {file}"
    assert b"second" in (data_dir / "logs" / "requests.jsonl").read_bytes()  # debug mode on
