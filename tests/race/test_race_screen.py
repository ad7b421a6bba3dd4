"""The race screen driven headless: both sides stream, a verdict, Esc cancels both."""

from __future__ import annotations

import asyncio

from chat_tui.app import ChatApp
from chat_tui.config import Settings
from chat_tui.conversation import MessageStatus
from chat_tui.engine import RetryPolicy
from chat_tui.providers.simulated import SimulatedProvider
from chat_tui.screens.race import RaceEntrant, RaceScreen
from chat_tui.session import ChatSession, Target
from tests.app.conftest import wait_until
from tests.app.scripted import ScriptedProvider


def make_session() -> ChatSession:
    provider = SimulatedProvider(ttft_s=0, tokens_per_s=1000)
    return ChatSession(
        provider,
        Target("simulated", "Simulated (offline)", "home-model"),
        retry_policy=RetryPolicy(max_retries=0),
    )


def entrant(provider, model: str, *, streaming: bool = True) -> RaceEntrant:
    return RaceEntrant(provider, Target("simulated", "Sim", model), streaming)


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
        assert "first token: Sim · fast by" in screen.verdict
        assert "finished first: Sim · fast" in screen.verdict
        assert "tok/s" in screen.verdict
        turns = session.conversation.turns
        assert [t.role for t in turns] == ["user", "assistant", "assistant"]
        assert {t.model for t in turns[1:]} == {"fast", "slow"}
        assert all(t.status is MessageStatus.COMPLETE and t.text for t in turns[1:])
        assert session.target.model == "home-model", "the session's own target is restored"
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is not screen


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
        assert "first token: Sim · m by" in screen.verdict
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
        assert [t.status for t in session.conversation.turns[1:]] == [
            MessageStatus.CANCELLED,
            MessageStatus.CANCELLED,
        ]
        assert all(lane.message.has_class("-cancelled") for lane in screen.lanes)
        assert "neither finished" in screen.verdict
        assert app.screen is screen, "the first Esc stops, it does not close"
