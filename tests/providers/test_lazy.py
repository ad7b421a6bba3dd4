"""The stand-in that builds an SDK adapter in a thread: the loop never waits for the import."""

from __future__ import annotations

import asyncio
import threading

import pytest

from chat_tui.engine import ReplyRun, RunState
from chat_tui.providers.base import ChatMessage, ChatRequest, FailureKind, ProviderError
from chat_tui.providers.lazy import LazyProvider, warm_up
from tests.app.scripted import ScriptedProvider

REQUEST = ChatRequest(model="m", messages=(ChatMessage("user", "hi"),))


class SlowBuild:
    """A build the test holds until it lets go, recording the thread it ran on."""

    def __init__(self, provider: object) -> None:
        self.provider = provider
        self.release = threading.Event()
        self.started = threading.Event()
        self.threads: list[threading.Thread] = []
        self.loops: list[asyncio.AbstractEventLoop] = []

    def __call__(self, loop: asyncio.AbstractEventLoop) -> object:
        self.threads.append(threading.current_thread())
        self.loops.append(loop)
        self.started.set()
        assert self.release.wait(10)
        if isinstance(self.provider, BaseException):
            raise self.provider
        return self.provider


async def test_the_adapter_is_built_in_a_thread_while_the_loop_runs_on() -> None:
    build = SlowBuild(ScriptedProvider(["a", "b"]))
    lazy = LazyProvider("scripted", "Scripted", build)  # type: ignore[arg-type]
    warm_up(lazy)
    run = ReplyRun(lazy, REQUEST)
    task = asyncio.create_task(run.run())
    await asyncio.to_thread(build.started.wait, 10)
    for _ in range(20):  # the loop keeps turning while the build is held
        await asyncio.sleep(0)
    assert not task.done() and run.state is RunState.WAITING
    build.release.set()
    await task
    assert run.state is RunState.COMPLETE and run.text.text == "ab"
    assert build.threads[0] is not threading.main_thread()
    assert build.loops == [asyncio.get_running_loop()]
    # Built once: the next request uses the adapter directly.
    again = ReplyRun(lazy, REQUEST)
    await again.run()
    assert again.text.text == "ab" and len(build.threads) == 1


async def test_a_failed_build_is_the_request_s_error() -> None:
    build = SlowBuild(ProviderError(FailureKind.CONFIG, "The SDK for X is not installed"))
    build.release.set()
    run = ReplyRun(LazyProvider("x", "X", build), REQUEST)  # type: ignore[arg-type]
    await run.run()
    assert run.state is RunState.FAILED
    assert run.error is not None and run.error.kind is FailureKind.CONFIG


async def test_cancelling_a_request_that_waits_for_the_build_leaves_the_build_running() -> None:
    build = SlowBuild(ScriptedProvider(["ok"]))
    lazy = LazyProvider("scripted", "Scripted", build)  # type: ignore[arg-type]
    task = asyncio.create_task(ReplyRun(lazy, REQUEST).run())
    await asyncio.to_thread(build.started.wait, 10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    build.release.set()
    run = ReplyRun(lazy, REQUEST)
    await run.run()
    assert run.text.text == "ok" and len(build.threads) == 1
