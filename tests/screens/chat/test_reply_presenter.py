"""The reply presenter on its own, in a tiny host app: run states in words, one render per
tick that has something new, the rest rendered when the run ends, figures in the status bar."""

from __future__ import annotations

import asyncio

from textual.app import App, ComposeResult

from chat_tui.engine import RetryPolicy
from chat_tui.providers.base import FailureKind, ProviderError
from chat_tui.providers.catalog import Target
from chat_tui.screens.chat.reply_presenter import (
    ReplyPresenter,
    retry_reason,
    run_state_label,
    waiting_label,
)
from chat_tui.session import ChatSession
from chat_tui.widgets.status_bar import StatusBar
from tests.app.scripted import ScriptedProvider

TARGET = Target("scripted", "Scripted", "m1")


class Host(App[None]):
    def compose(self) -> ComposeResult:
        yield StatusBar()


def presenter_for(app: Host, session: ChatSession) -> ReplyPresenter:
    session.add_user_turn("hi")
    pending = session.start_reply()
    # A long interval: the test drives every flush itself.
    return ReplyPresenter(app, pending, TARGET, app.query_one(StatusBar), flush_interval_s=60)


async def test_a_flush_renders_what_arrived_and_the_end_renders_the_rest() -> None:
    gate = asyncio.Event()
    provider = ScriptedProvider(["Hel", "lo", gate, " there"])
    session = ChatSession(provider, TARGET, retry_policy=RetryPolicy(max_retries=0))
    app = Host()
    async with app.run_test() as pilot:
        presenter = presenter_for(app, session)
        widget = presenter.new_widget("Scripted · m1")
        await app.mount(widget)
        presenter.attach(widget)
        assert "waiting for the first token" in app.query_one(StatusBar).text
        run = asyncio.create_task(presenter.run.run())
        while presenter.run.text.text != "Hello":
            await asyncio.sleep(0)
        presenter.flush()
        presenter.flush()  # nothing new: no render
        assert presenter.flush_count == 1 and widget.text == "Hello"
        assert "receiving" in app.query_one(StatusBar).text
        gate.set()
        await run
        assert presenter.stop() is widget
        assert presenter.flush_count == 2 and widget.text == "Hello there"
        presenter.show_status()
        assert "done" in app.query_one(StatusBar).text
        await pilot.pause()


async def test_run_states_are_worded_once() -> None:
    assert waiting_label(True) == "waiting for the first token"
    assert waiting_label(False) == "waiting for the whole reply (non-streaming)"
    refused = ProviderError(FailureKind.RATE_LIMITED, "Too many requests. Retry after 3 s.")
    session = ChatSession(
        ScriptedProvider([refused]),
        TARGET,
        streaming=False,
        retry_policy=RetryPolicy(max_retries=2, base_delay_s=5, max_delay_s=5),
    )
    session.add_user_turn("hi")
    run = session.start_reply().run
    assert run_state_label(run) == "waiting for the whole reply (non-streaming)"
    task = asyncio.create_task(run.run())
    while run.retry is None:
        await asyncio.sleep(0)
    label = run_state_label(run)
    assert label.startswith("Retrying in ")
    assert label.endswith("(attempt 2/3) · Esc stops") and "Too many" not in label
    assert retry_reason(run) == "Too many requests. Retry after 3 s."
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert run_state_label(run) == "cancelled"
