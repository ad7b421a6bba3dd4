"""Every fault, on every provider path, as the user meets it: the whole app against the fake
server. The user's message is kept, a partial reply stays (marked interrupted with the reason,
in the store and on screen), a notice says what happened, the right failures are retried (and
only before any content), `r`/F5 regenerates, and the app keeps working afterwards.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from pathlib import Path

import pytest

from chat_tui.conversation import MessageStatus
from tests.app.conftest import screen_text
from tests.fakeserver import FakeProviderServer, Scenario

from .harness import (
    KEY_HINTS,
    PATHS,
    build_app,
    failures_shown,
    reply_finished,
    reply_requests,
    send,
    stored_turns,
    wait_until,
)

INTERRUPTED, ERROR, COMPLETE = (
    MessageStatus.INTERRUPTED,
    MessageStatus.ERROR,
    MessageStatus.COMPLETE,
)


@dataclass(frozen=True)
class Fault:
    scenarios: tuple[Scenario, ...]  # what the server does with the next requests
    status: MessageStatus
    kind: str | None  # the failure kind recorded with the reply
    requests: int  # generation requests the server should see (retries included)
    partial: str  # the text the reply must keep
    words: tuple[str, ...] = ()  # the notice must contain these (besides the path's key hint)
    streaming: bool = True


def http(status: int, **kw) -> Scenario:
    return Scenario.http_error(status, **kw)


FAULTS: dict[str, Fault] = {
    # Mid-stream: the partial reply stays, nothing is replayed.
    "drop-fin": Fault((Scenario.drop(after=2),), INTERRUPTED, "connection_lost", 1, "Hello,"),
    "drop-rst": Fault(
        (Scenario.drop(after=2, rst=True),), INTERRUPTED, "connection_lost", 1, "Hello,"
    ),
    "no-finish": Fault(
        (Scenario.no_finish(),), INTERRUPTED, "bad_response", 1, "Hello, world!", ("finish",)
    ),
    "error-event": Fault(
        (Scenario.error_event(after=2),), INTERRUPTED, "overloaded", 1, "Hello,", ("overloaded",)
    ),
    "stall": Fault((Scenario.stall(2.0, after=1),), INTERRUPTED, "timeout", 1, "Hello"),
    "malformed": Fault((Scenario.malformed(after=2),), INTERRUPTED, "bad_response", 1, "Hello,"),
    "200kB-delta": Fault(
        (Scenario.big_delta(),), COMPLETE, None, 1, Scenario.big_delta().full_text
    ),
    "split-utf8": Fault(
        (Scenario.emoji_split(),), COMPLETE, None, 1, Scenario.emoji_split().full_text
    ),
    # Before any content: auth and not-found are never retried; 429/5xx/529 are, once.
    "401": Fault((http(401),), ERROR, "auth", 1, "", ("rejected the API key",)),
    "403": Fault((http(403),), ERROR, "auth", 1, "", ("refused access",)),
    "404": Fault((http(404),), ERROR, "model_not_found", 1, ""),
    "429": Fault((http(429, retry_after=0.05),) * 2, ERROR, "rate_limited", 2, "", ("retr",)),
    "500": Fault((http(500),) * 2, ERROR, "server_error", 2, "", ("retr",)),
    "503": Fault((http(503),) * 2, ERROR, "server_error", 2, "", ("retr",)),
    "529": Fault((http(529),) * 2, ERROR, "overloaded", 2, "", ("overloaded", "retr")),
    "429-then-ok": Fault((http(429, retry_after=0.05),), COMPLETE, None, 2, "Hello, world!"),
}
NON_STREAMING: dict[str, Fault] = {
    "drop": Fault((Scenario.drop(after=2),), ERROR, "connection_lost", 1, "", streaming=False),
    "401": Fault((http(401),), ERROR, "auth", 1, "", streaming=False),
    "429": Fault(
        (http(429, retry_after=0.05),) * 2, ERROR, "rate_limited", 2, "", ("retr",), False
    ),
    "500-then-ok": Fault((http(500),), COMPLETE, None, 2, "Hello, world!", streaming=False),
}
# The compatible profile and OpenAI's Chat Completions run the same SDK as openai (through
# Responses): only where their messages or wire format differ.
COMPATIBLE_TOO = {"drop-fin", "no-finish", "malformed", "401", "404", "429"}


def cases() -> list:
    params = []
    for mode, faults in (("stream", FAULTS), ("complete", NON_STREAMING)):
        for index, (name, fault) in enumerate(faults.items()):
            for path in PATHS:
                if path == "compatible" and (mode == "complete" or name not in COMPATIBLE_TOO):
                    continue
                if path == "openai-chat" and name not in COMPATIBLE_TOO:
                    continue
                # The full recovery (F5, then another message) on one path per fault, rotating.
                recover = path == PATHS[index % len(PATHS)] or name == "401"
                params.append(pytest.param(path, fault, recover, id=f"{path}-{mode}-{name}"))
    return params


@pytest.mark.parametrize(("path", "fault", "recover"), cases())
async def test_fault(
    fake_server: FakeProviderServer, tmp_path: Path, path: str, fault: Fault, recover: bool
):
    fake_server.script(*fault.scenarios)
    app = build_app(fake_server, path, tmp_path, streaming=fault.streaming, idle_timeout_s=0.4)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, app, "first question")
        turn = await reply_finished(pilot, app, 1)

        assert turn.status is fault.status, (turn.status, turn.error_message)
        assert turn.error_kind == fault.kind, turn.error_message
        assert turn.text == fault.partial
        assert reply_requests(fake_server) == fault.requests
        user, reply = stored_turns(app)
        assert (user.role, user.text) == ("user", "first question")
        assert (reply.status, reply.text, reply.error_kind) == (
            turn.status,
            turn.text,
            turn.error_kind,
        )
        if fault.status is COMPLETE:
            return
        assert reply.error_message == turn.error_message and turn.error_message
        shown = failures_shown(app)
        assert any(turn.error_message in message for message in shown), shown
        for word in fault.words:
            assert word in turn.error_message, turn.error_message
        if fault.kind == "auth":
            assert KEY_HINTS[path] in turn.error_message
        word = "interrupted" if fault.status is INTERRUPTED else "failed"
        assert word in screen_text(app)
        if not recover:
            return

        # F5 regenerates the failed reply (the server now answers normally).
        await pilot.press("f5")
        again = await reply_finished(pilot, app, 2)
        assert again.status is COMPLETE and again.text == "Hello, world!"
        # ... and the app goes on working.
        await send(pilot, app, "second question")
        after = await reply_finished(pilot, app, 3)
        assert after.status is COMPLETE and after.text == "Hello, world!"
        assert [t.text for t in stored_turns(app) if t.role == "user"] == [
            "first question",
            "second question",
        ]


async def test_retry_countdown_is_shown_while_waiting(
    fake_server: FakeProviderServer, tmp_path: Path
):
    fake_server.script(http(429, retry_after=0.5))
    app = build_app(fake_server, "openai", tmp_path)
    async with app.run_test(size=(160, 40)) as pilot:
        await send(pilot, app, "hi")
        await wait_until(pilot, lambda: "Retrying in" in screen_text(app))
        text = screen_text(app)
        assert "rate limit reached (429)" in text and "(attempt 2/2)" in text
        turn = await reply_finished(pilot, app, 1, timeout_s=5)
        assert turn.status is COMPLETE and reply_requests(fake_server) == 2


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("where", ["refused", "unresolvable"])
async def test_unreachable_server(fake_server: FakeProviderServer, tmp_path: Path, path, where):
    host = (
        f"http://127.0.0.1:{closed_port()}" if where == "refused" else "http://nonexistent.invalid"
    )
    base_url = f"{host}/v1" if path in ("openai", "openai-chat", "compatible") else host
    app = build_app(fake_server, path, tmp_path, base_url=base_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, app, "anyone there?")
        turn = await reply_finished(pilot, app, 1)
        assert turn.status is ERROR and turn.error_kind == "connection_failed"
        assert turn.error_message and any(turn.error_message in n for n in failures_shown(app))
        # Still usable: the next message is sent (and fails the same way, quickly).
        await send(pilot, app, "still there?")
        second = await reply_finished(pilot, app, 2)
        assert second.error_kind == "connection_failed"
        assert [t.text for t in stored_turns(app) if t.role == "user"] == [
            "anyone there?",
            "still there?",
        ]
