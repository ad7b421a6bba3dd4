"""A recognisable fake key must never reach a file: transcripts, the request log (even in
debug mode), exports, config or state; and what chat-tui creates is private (0600 / 0700).
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from chat_tui.conversation import MessageStatus
from chat_tui.store.export import render, write_private_file
from tests.fakeserver import FakeProviderServer, Scenario

from .harness import build_app, environ_for, reply_finished, send

pytestmark = pytest.mark.slow  # runs the console script in a subprocess

CANARY = "sk-test-LEAKCANARY-123"


def files_under(*roots: Path) -> list[Path]:
    return [p for root in roots if root.exists() for p in root.rglob("*") if p.is_file()]


async def run_app_session(server: FakeProviderServer, data_dir: Path, exports: Path) -> None:
    environ = environ_for(server, "openai", key=CANARY) | {"CHAT_TUI_DEBUG_LOG": "1"}
    app = build_app(server, "openai", data_dir, key=CANARY, environ=environ)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, app, "hello")
        assert (await reply_finished(pilot, app, 1)).status is MessageStatus.COMPLETE
        await app.workers.wait_for_complete()  # the title request, so it takes no scenario
        server.script(Scenario.http_error(401))
        await send(pilot, app, "again")
        failed = await reply_finished(pilot, app, 2)
        assert failed.error_kind == "auth" and "OPENAI_API_KEY" in (failed.error_message or "")
        assert all(CANARY not in n.message for n in app._notifications)
        exports.mkdir(mode=0o700)
        for export_format in ("md", "json"):
            text = render(app.session.conversation, export_format)
            write_private_file(exports / f"chat.{export_format}", text)
        assert app.session.store is not None
        app.session.store.close()


def run_ask(server: FakeProviderServer, home: Path, data_dir: Path, *extra: str):
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "share"),
        "XDG_STATE_HOME": str(home / "state"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "CHAT_TUI_DEBUG_LOG": "1",
        **environ_for(server, "openai", key=CANARY),
    }
    command = [sys.executable, "-m", "chat_tui", "--data-dir", str(data_dir), "ask"]
    return subprocess.run(
        [*command, "--provider", "openai", "--model", "gpt-4o-mini", *extra, "hi"],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=30,
    )


async def test_the_key_is_in_no_file_and_files_are_private(
    fake_server: FakeProviderServer, tmp_path: Path
) -> None:
    home, data_dir, exports = tmp_path / "home", tmp_path / "data", tmp_path / "exports"
    home.mkdir()
    await run_app_session(fake_server, data_dir, exports)

    done = run_ask(fake_server, home, data_dir)
    assert done.returncode == 0, done.stderr
    fake_server.script(Scenario.http_error(401))
    refused = run_ask(fake_server, home, data_dir)
    assert refused.returncode == 3, refused.stderr
    assert CANARY not in done.stdout + done.stderr + refused.stdout + refused.stderr

    files = files_under(data_dir, exports, home)
    names = {p.name for p in files}
    assert {"transcripts.sqlite3", "requests.jsonl", "chat.md", "chat.json"} <= names, names
    for file in files:
        assert CANARY.encode() not in file.read_bytes(), f"the key leaked into {file}"
    # The request log did get the prompt in debug mode (so the search would have seen a leak).
    assert b"again" in (data_dir / "logs" / "requests.jsonl").read_bytes()
    for file in files_under(data_dir, exports):
        assert stat.S_IMODE(file.stat().st_mode) & 0o077 == 0, f"{file} is readable by others"
    for directory in [data_dir, data_dir / "logs", exports]:
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700, directory
