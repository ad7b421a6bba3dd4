"""The race screen driven headless: both sides stream, a verdict, Esc cancels both."""

from __future__ import annotations

import asyncio

from textual.containers import VerticalScroll

from chat_tui.app import ChatApp
from chat_tui.config import Settings
from chat_tui.conversation import MessageStatus, Turn
from chat_tui.engine import ReplyRun, RetryPolicy, RunState
from chat_tui.providers.base import ChatMessage, ChatRequest, Usage
from chat_tui.providers.catalog import Target
from chat_tui.providers.simulated import SimulatedProvider
from chat_tui.screens.chat.race import RaceEntrant, RaceScreen, race_verdict
from chat_tui.session import ChatSession
from tests.app.conftest import wait_until
from tests.app.scripted import ScriptedProvider

REQUEST = ChatRequest(model="m", messages=(ChatMessage("user", "hi"),))


def make_session() -> ChatSession:
    provider = SimulatedProvider(ttft_s=0, tokens_per_s=1000)
    return ChatSession(
        provider,
        Target("simulated", "Simulated (offline)", "home-model"),
        retry_policy=RetryPolicy(max_retries=0),
    )


def entrant(provider, model: str, *, streaming: bool = True) -> RaceEntrant:
    return RaceEntrant(Target("simulated", "Sim", model), provider, streaming)


async def test_both_sides_stream_and_the_verdict_names_the_winner() -> None:
    session = make_session()
    fast = SimulatedProvider(ttft_s=0.01, tokens_per_s=2000)
    slow = SimulatedProvider(ttft_s=0.25, tokens_per_s=500)
    app = ChatApp(session, settings=Settings())
    app.animation_level = "none"
    async with app.run_test(size=(140, 40)) as pilot:
        screen = RaceScreen(
            session, "explain caching", entrant(fast, "fast"), entrant(slow, "slow")
        )
        await app.push_screen(screen)
        await wait_until(pilot, lambda: all(lane.message.text for lane in screen.lanes))
        assert screen.running, "both sides show text while they are still streaming"
        await wait_until(pilot, lambda: bool(screen.verdict), limit=800)
        assert screen.verdict.startswith("Sim · fast wins: first token by ")
        assert ", finished by " in screen.verdict and " against " in screen.verdict
        assert screen.verdict.count("tok/s") == 2
        # Both replies answer the prompt: alternatives to each other in the conversation.
        turns = session.conversation.turns
        assert [t.role for t in turns] == ["user", "assistant"]
        lanes = race_replies(session)
        assert {t.model for t in lanes} == {"fast", "slow"}
        assert all(t.status is MessageStatus.COMPLETE and t.text for t in lanes)
        assert session.target.model == "home-model", "the session's own target is restored"
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is not screen


def race_replies(session: ChatSession) -> list[Turn]:
    """The race's replies: the prompt's children, in the order they started."""
    return session.conversation.children(session.conversation.turns[0])


async def test_streaming_against_non_streaming() -> None:
    session = make_session()
    provider = SimulatedProvider(ttft_s=0.02, tokens_per_s=3000)
    app = ChatApp(session, settings=Settings())
    app.animation_level = "none"
    async with app.run_test(size=(140, 40)) as pilot:
        left = entrant(provider, "m")
        right = entrant(provider, "m", streaming=False)
        screen = RaceScreen(session, "compare modes", left, right)
        await app.push_screen(screen)
        await wait_until(pilot, lambda: bool(screen.verdict), limit=800)
        assert screen.verdict.startswith(("first token: Sim · m", "Sim · m")), screen.verdict
        assert session.conversation.turns[-1].streaming is False


async def test_each_side_shows_its_first_token_at_once() -> None:
    session = make_session()
    gate = asyncio.Event()
    left = ScriptedProvider(["left first", gate, " then more"])
    right = ScriptedProvider(["right first", gate, " then more"])
    app = ChatApp(session, settings=Settings())
    app.animation_level = "none"
    async with app.run_test(size=(140, 40)) as pilot:
        screen = RaceScreen(
            session, "go", entrant(left, "l"), entrant(right, "r"), flush_interval_s=3600
        )
        await app.push_screen(screen)
        await wait_until(pilot, lambda: all(lane.message.text for lane in screen.lanes))
        assert [lane.message.text for lane in screen.lanes] == ["left first", "right first"]
        gate.set()
        await wait_until(pilot, lambda: bool(screen.verdict))
        assert [lane.message.text for lane in screen.lanes] == [
            "left first then more",
            "right first then more",
        ]


async def test_escape_cancels_both_sides() -> None:
    session = make_session()
    gate = asyncio.Event()
    left = ScriptedProvider(["left ", "part", gate, " never"])
    right = ScriptedProvider(["right ", "part", gate, " never"])
    app = ChatApp(session, settings=Settings())
    app.animation_level = "none"
    async with app.run_test(size=(140, 40)) as pilot:
        screen = RaceScreen(session, "go", entrant(left, "l"), entrant(right, "r"))
        await app.push_screen(screen)
        await wait_until(pilot, lambda: all(lane.message.text for lane in screen.lanes))
        await pilot.press("escape")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not screen.running
        assert all(w.is_finished for w in screen.workers if w.group == "race")
        assert left.closed.is_set() and right.closed.is_set()
        assert [lane.message.text for lane in screen.lanes] == ["left part", "right part"]
        assert [t.status for t in race_replies(session)] == [
            MessageStatus.CANCELLED,
            MessageStatus.CANCELLED,
        ]
        assert all(lane.message.has_class("-cancelled") for lane in screen.lanes)
        assert "neither finished" in screen.verdict
        assert app.screen is screen, "the first Esc stops, it does not close"


def finished_run(
    first: float, end: float, tokens: int = 10, *, state: RunState = RunState.COMPLETE
) -> ReplyRun:
    run = ReplyRun(ScriptedProvider([]), REQUEST)
    run.t_send, run.arrivals, run.t_end, run.state = 0.0, [first, end], end, state
    run.usage = Usage(output_tokens=tokens)
    return run


def test_a_split_verdict_names_each_win() -> None:
    quick, steady = entrant(None, "quick"), entrant(None, "steady")
    verdict = race_verdict(quick, finished_run(0.1, 3.0, 58), steady, finished_run(0.4, 2.0, 16))
    assert verdict == (
        "first token: Sim · quick by 300 ms · finished first: Sim · steady by 1.00 s · "
        "Sim · quick 20.0 tok/s, Sim · steady 10.0 tok/s"
    )


def test_twins_are_told_apart_by_side() -> None:
    same = entrant(None, "m")
    verdict = race_verdict(same, finished_run(0.1, 1.0), same, finished_run(0.2, 2.0))
    assert verdict.startswith("left wins: first token by 100 ms, finished by 1.00 s")


def test_a_failed_side_does_not_finish() -> None:
    ok, broken = entrant(None, "ok"), entrant(None, "broken")
    failed = finished_run(0.05, 0.1, state=RunState.FAILED)
    verdict = race_verdict(ok, finished_run(0.2, 1.0), broken, failed)
    assert verdict.startswith("first token: Sim · broken by 150 ms · finished first: Sim · ok ·")


async def test_a_lane_s_newest_line_sits_on_its_bottom_row() -> None:
    """The lanes follow their replies like the chat's log: no blank room under the text
    (and a short reply starts at the top)."""
    gates = [asyncio.Event() for _ in range(40)]
    steps: list[str | asyncio.Event] = []
    for number, gate in enumerate(gates):
        paragraph_break = "\n\n" if number else ""
        steps += [f"{paragraph_break}line {number} of the reply", gate]
    provider = ScriptedProvider(steps)
    session = make_session()
    app = ChatApp(session, settings=Settings(flush_interval_ms=20))
    app.animation_level = "none"
    async with app.run_test(size=(100, 30)) as pilot:
        left = entrant(provider, "m")
        screen = RaceScreen(session, "stream", left, entrant(provider, "m", streaming=False))
        await app.push_screen(screen)
        lane = screen.lanes[0]
        scroll = lane.query_one(VerticalScroll)
        checked = 0
        for number, gate in enumerate(gates[:-1]):
            await wait_until(pilot, lambda n=number: f"line {n} of" in lane.message.text)
            await pilot.pause()  # the frame that shows it
            view = scroll.scrollable_content_region
            rows = [s.text for s in app.screen._compositor.render_strips()]
            bottom = rows[view.bottom - 1][view.x : view.right].strip(" ▊▌█")
            if number == 0:  # a short reply starts at the lane's top
                assert "Sim · m" in rows[view.y][view.x : view.right], rows[view.y : view.y + 3]
            if number > 15:  # the reply is taller than the lane by now
                assert bottom == f"line {number} of the reply", (number, bottom)
                checked += 1
            gate.set()
        assert checked
        gates[-1].set()
        await wait_until(pilot, lambda: bool(screen.verdict), limit=800)
