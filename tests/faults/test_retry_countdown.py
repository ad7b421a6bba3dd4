"""The retry countdown as the status bar draws it, at the widths people use, on every path; and
failure notices that cover neither the countdown nor the reply they are about."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets._toast import Toast

from chat_tui.conversation import MessageStatus
from chat_tui.engine import RetryPolicy, RunState
from tests.fakeserver import FakeProviderServer, Scenario

from .harness import (
    PATHS,
    build_app,
    failures_shown,
    notices,
    reply_finished,
    reply_requests,
    send,
    wait_until,
)

# One retry after 0.6-1.2 s: long enough to read the countdown, short enough for a test.
SLOW_RETRIES = RetryPolicy(max_retries=3, base_delay_s=1.2, max_delay_s=1.2)


def drawn_lines(app) -> list[str]:
    """The status bar's lines as drawn (cut to the bar's width), not its whole text."""
    bar = app.chat.status_bar
    return [bar.render_line(y).text.strip() for y in range(bar.size.height)]


@pytest.mark.parametrize("width", [80, 120, 200])
@pytest.mark.parametrize("path", PATHS)
async def test_countdown_leads_the_status_bar(
    fake_server: FakeProviderServer, tmp_path: Path, path: str, width: int
):
    status = 503 if width == 120 else 500
    fake_server.script(Scenario.http_error(status))  # then the default: a normal reply
    app = build_app(fake_server, path, tmp_path, retry_policy=SLOW_RETRIES)
    async with app.run_test(size=(width, 30)) as pilot:
        await send(pilot, app, "hi")

        def waiting() -> bool:
            pending = app.chat.pending
            return pending is not None and pending.run.state is RunState.RETRY_WAIT

        await wait_until(pilot, waiting)
        await pilot.pause(0.15)  # a flush or two
        first, second = drawn_lines(app)[:2]
        assert first.startswith("Retrying in "), first
        assert "s (attempt 2/4) · Esc stops" in first, first
        # The provider's words follow, on the next line (cut there if they must be).
        reason = app.chat.pending.run.retry.reason.message
        assert second.startswith(reason[: min(len(reason), width - 4)].rstrip()), second

        turn = await reply_finished(pilot, app, 1, timeout_s=5)
        assert turn.status is MessageStatus.COMPLETE and reply_requests(fake_server) == 2
        assert not drawn_lines(app)[0].startswith("Retrying")


async def test_failure_is_told_under_the_reply_not_over_it(
    fake_server: FakeProviderServer, tmp_path: Path
):
    fake_server.script(Scenario.drop(after=2))
    app = build_app(fake_server, "openai", tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await send(pilot, app, "hi")
        turn = await reply_finished(pilot, app, 1)
        assert turn.status is MessageStatus.INTERRUPTED and turn.error_message
        # In sight under the reply, and no toast over the reply's end or the status bar.
        assert any(turn.error_message in shown for shown in failures_shown(app))
        assert notices(app) == []


async def test_notifications_keep_off_the_status_bar_and_prompt(
    fake_server: FakeProviderServer, tmp_path: Path
):
    app = build_app(fake_server, "openai", tmp_path)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        app.notify("a long failure notice " * 8, severity="error", timeout=30)
        app.notify("and another one", timeout=30)
        await pilot.pause()
        toasts = list(app.screen.query(Toast))
        assert toasts
        bottom = app.chat.status_bar.region.union(app.chat.prompt.region)
        for toast in toasts:
            assert not toast.region.overlaps(bottom), (toast.region, bottom)
