"""After the retries, the message says when another try is worth it, as a time of day, on
every path: never a relative "retry after N s" that has passed by the time it is read."""

from __future__ import annotations

import re
import time
from datetime import datetime

import pytest

from chat_tui.conversation import MessageStatus
from chat_tui.engine import RetryPolicy
from chat_tui.session import ChatSession, Target
from tests.fakeserver import FakeProviderServer, Scenario
from tests.providers.conftest import MODELS, PATHS, build

CLOCK = re.compile(r"Try again after ((?:\d{4}-\d\d-\d\d )?\d\d:\d\d:\d\d), as the server asked\.")


async def give_up(server: FakeProviderServer, path: str, max_retries: int) -> str:
    provider = build(server, path)
    session = ChatSession(
        provider,
        Target(path, path, MODELS[path]),
        retry_policy=RetryPolicy(max_retries=max_retries, base_delay_s=0.01, max_delay_s=0.02),
    )
    session.add_user_turn("hi")
    pending = session.start_reply()
    await pending.run.run()
    turn = session.finish_reply(pending)
    await provider.aclose()
    assert turn.status is MessageStatus.ERROR and turn.error_kind == "rate_limited"
    return turn.error_message or ""


def seconds_from_now(clock: str) -> float:
    """`12:00:05` (today) or `2026-01-02 00:00:05` as seconds from now."""
    if len(clock) > 8:
        return datetime.strptime(clock, "%Y-%m-%d %H:%M:%S").timestamp() - time.time()
    moment = datetime.combine(datetime.now().date(), datetime.strptime(clock, "%H:%M:%S").time())
    return moment.timestamp() - time.time()


@pytest.mark.parametrize("path", PATHS)
async def test_a_server_wait_becomes_a_time_of_day(fake_server: FakeProviderServer, path: str):
    fake_server.script(Scenario.http_error(429, retry_after=90))
    message = await give_up(fake_server, path, max_retries=0)
    assert "Retry after" not in message
    found = CLOCK.search(message)
    assert found, message
    assert 85 < seconds_from_now(found.group(1)) <= 91


@pytest.mark.parametrize("path", PATHS)
async def test_after_the_retries_the_count_and_the_time(fake_server: FakeProviderServer, path):
    fake_server.script(*[Scenario.http_error(429, retry_after=0.05)] * 3)
    message = await give_up(fake_server, path, max_retries=2)
    assert "rate limit reached (429). Gave up after 2 retries. Try again after" in message
    assert "Retry after" not in message and CLOCK.search(message)


async def test_no_server_wait_points_at_the_rate_limit_window(fake_server: FakeProviderServer):
    fake_server.script(Scenario.http_error(429))
    message = await give_up(fake_server, "openai", max_retries=0)
    assert message.endswith(
        "rate limit reached (429). Rate limits are counted per minute: try again in a minute."
    )
