"""A reply's pieces land on screen in the order they arrived, even when the first ones come
before its widget is mounted (issue 14: a fast reply was once shown rotated)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from textual import events, on
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll

from chat_tui.conversation import MessageStatus, Turn
from chat_tui.providers.base import ChatRequest, StreamEvent
from chat_tui.widgets.messages import AssistantMessage

from .conftest import make_app, screen_text, type_and_send, wait_until
from .scripted import ScriptedProvider


class AppendsRightAfterMount(AssistantMessage):
    """Another task appends the moment the widget is mounted, before the widget has handled
    anything queued for it: what the chat screen's flush timer can do on a busy loop."""

    def __init__(self, late_text: str) -> None:
        super().__init__("◆ test-model", waiting_label="waiting")
        self.late_text = late_text

    @on(events.Mount)
    def _append_next_turn_of_the_loop(self) -> None:
        asyncio.get_running_loop().call_soon(self.append, self.late_text)


class Host(App[None]):
    def compose(self) -> ComposeResult:
        yield VerticalScroll()


async def test_appends_before_and_after_mount_keep_their_order() -> None:
    app = Host()
    async with app.run_test(size=(80, 20)) as pilot:
        message = AppendsRightAfterMount(" and the end.")
        app.query_one(VerticalScroll).mount(message)  # as the chat does: not awaited
        message.append("", reasoning="Thinking first.")
        message.append("The start")
        await wait_until(pilot, lambda: message.is_mounted)
        await pilot.pause()
        message.append(" Really.")
        message.finish(Turn("assistant", message.text, status=MessageStatus.COMPLETE))
        await pilot.pause()
        assert message.text == "The start and the end. Really."
        assert message.reasoning == "Thinking first."
        assert "The start and the end. Really." in screen_text(app)


class FinishesOnceTheReplyIsMounted(ScriptedProvider):
    """Streams its first piece, then the rest the moment the reply's widget is mounted (the
    widget's own queue still holds the first piece): a whole short reply in one turn of the
    loop, as a fast server on a busy machine delivers it."""

    def __init__(self, first: str, rest: list[str]) -> None:
        super().__init__([first, *rest])
        self.app_under_test: App[None] | None = None

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        events_ = super().stream(request)
        yield await anext(events_)
        assert self.app_under_test is not None
        for _ in range(10_000):  # a bound, not a delay: each pass is one turn of the loop
            if any(m.is_mounted for m in self.app_under_test.screen.query(AssistantMessage)):
                break
            await asyncio.sleep(0)
        else:
            raise AssertionError("the reply's widget was never mounted")
        async for event in events_:
            yield event


async def test_a_reply_that_ends_as_its_widget_mounts_is_shown_in_order() -> None:
    first, rest = "Hello from the fast model.", [" It streams *markdown*", " and code,", " ten."]
    provider = FinishesOnceTheReplyIsMounted(first, rest)
    app = make_app(provider)
    provider.app_under_test = app
    async with app.run_test(size=(100, 30)) as pilot:
        await type_and_send(pilot, "hi")
        await app.workers.wait_for_complete()
        await pilot.pause()
        reply = app.chat.query_one(AssistantMessage)
        assert reply.text == provider.full_text
        assert "Hello from the fast model. It streams markdown and code, ten." in screen_text(app)
