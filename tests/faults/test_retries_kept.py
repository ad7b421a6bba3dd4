"""A reply that waited through retries says so for good: live, after a restart in the history
(ctrl+r), in the chat it continues, in the request log and in `chat-tui stats`; its TTFT stays
the answered request's."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from textual.widgets import Static

from chat_tui.cli import main
from chat_tui.conversation import MessageStatus
from chat_tui.engine import RetryPolicy
from chat_tui.event_log import read_records
from chat_tui.metrics import format_duration
from chat_tui.screens.chat.screen import ChatScreen
from chat_tui.screens.history.conversation_view import HistoryConversationScreen
from chat_tui.widgets.messages import AssistantMessage
from tests.fakeserver import FakeProviderServer, Scenario
from tests.screens.history.conftest import open_highlighted, open_history

from .harness import build_app, reply_finished, send, stored_turns, wait_until

RETRY_AFTER_S = 0.3  # the server's Retry-After on each 429: two of them, 0.6 s waited at least
RETRIES = RetryPolicy(max_retries=3)
WAIT = re.compile(r"total (\S+ m?s) \((\S+ m?s) waiting, 2 retries\)")


def two_rate_limits(server: FakeProviderServer) -> None:
    server.script(*[Scenario.http_error(429, retry_after=RETRY_AFTER_S)] * 2)


def footers(app) -> list[str]:
    """The lines under the replies of the screen on top (the chat, or the history's view), as
    their widgets hold them: the screen wraps them wherever the figures' widths fall."""
    return [
        str(footer.content)
        for message in app.screen.query(AssistantMessage)
        for footer in message.query(".footer").results(Static)
    ]


async def test_the_wait_through_retries_is_kept_and_shown_after_a_restart(
    fake_server: FakeProviderServer, tmp_path: Path
) -> None:
    two_rate_limits(fake_server)
    first = build_app(fake_server, "openai-chat", tmp_path, retry_policy=RETRIES)
    async with first.run_test(size=(120, 40)) as pilot:
        await send(pilot, first, "are you busy?")
        reply = await reply_finished(pilot, first, 1, timeout_s=10)
        assert reply.status is MessageStatus.COMPLETE
        metrics = reply.metrics
        assert metrics is not None and metrics.retries == 2
        assert metrics.waited_s is not None and metrics.waited_s >= 2 * RETRY_AFTER_S
        # TTFT is the answered request's: well under the wait.
        assert metrics.ttft_s is not None and metrics.ttft_s < RETRY_AFTER_S
        live = footers(first)[-1]
        assert WAIT.search(live), live
        assert stored_turns(first)[-1].metrics == metrics
    first.session.store.close()

    second = build_app(fake_server, "openai-chat", tmp_path, retry_policy=RETRIES)
    async with second.run_test(size=(120, 40)) as pilot:
        await open_history(pilot)
        view = await open_highlighted(pilot)
        assert isinstance(view, HistoryConversationScreen)
        reopened = view.loaded_turns[-1].metrics
        assert reopened is not None and reopened.retries == 2
        assert reopened.waited_s == metrics.waited_s
        whole = format_duration(metrics.total_s + metrics.waited_s)
        expected = f"total {whole} ({format_duration(metrics.waited_s)} waiting, 2 retries)"
        # The same words as live, in the history's view and in the chat it continues.
        assert expected in live and expected in footers(second)[-1]
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(second.screen, ChatScreen))
        await pilot.pause()
        assert expected in footers(second)[-1]


async def test_the_log_and_stats_count_the_retries_and_the_time_they_took(
    fake_server: FakeProviderServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    two_rate_limits(fake_server)
    app = build_app(fake_server, "openai-chat", tmp_path, retry_policy=RETRIES)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, app, "are you busy?")
        retried = await reply_finished(pilot, app, 1, timeout_s=10)
        await send(pilot, app, "and now?")
        await reply_finished(pilot, app, 2, timeout_s=10)
    app.session.store.close()
    assert retried.metrics is not None and retried.metrics.waited_s is not None
    waited = retried.metrics.waited_s

    records, _ = read_records(tmp_path / "logs" / "requests.jsonl")
    replies = [r for r in records if r.get("purpose", "reply") == "reply"]
    assert [(r["retries"], r["waited_s"]) for r in replies] == [(2, round(waited, 4)), (0, None)]

    assert main(["stats", "--json", "--data-dir", str(tmp_path)]) == 0
    (row,) = json.loads(capsys.readouterr().out)["models"]
    assert (row["requests"], row["retries"], row["retried_requests"]) == (2, 2, 1)
    assert row["waited_s"] == pytest.approx(waited, abs=1e-4)
    # The TTFT percentiles are the answered requests': the wait is apart from them.
    assert row["ttft_p95_s"] < RETRY_AFTER_S

    assert main(["stats", "--data-dir", str(tmp_path)]) == 0
    table = capsys.readouterr().out
    assert "retries (time lost)" in table
    assert f"2 in 1 request ({format_duration(round(waited, 4))})" in table
