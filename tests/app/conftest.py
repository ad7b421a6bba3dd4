from __future__ import annotations

import html
import re
from collections.abc import Awaitable, Callable

import pytest
from textual.geometry import Region
from textual.pilot import Pilot

from chat_tui.app import ChatApp
from chat_tui.config import Settings
from chat_tui.engine import RetryPolicy
from chat_tui.providers.base import Provider
from chat_tui.providers.catalog import Target
from chat_tui.session import ChatSession


def make_app(provider: Provider, *, streaming: bool = True, model: str = "test-model") -> ChatApp:
    session = ChatSession(
        provider,
        Target("simulated", "Simulated (offline)", model),
        streaming=streaming,
        retry_policy=RetryPolicy(max_retries=0),
    )
    app = ChatApp(session, settings=Settings(flush_interval_ms=50))
    app.animation_level = "none"
    return app


async def wait_until(pilot: Pilot, condition: Callable[[], bool], *, limit: int = 400) -> None:
    """Let the app process events until `condition` holds (fails rather than hangs)."""
    for _ in range(limit):
        if condition():
            return
        await pilot.pause(0.01)
    raise AssertionError("condition never became true")


async def type_and_send(pilot: Pilot, text: str) -> None:
    await pilot.press(*[("space" if c == " " else c) for c in text], "enter")


@pytest.fixture
def app_factory() -> Callable[..., ChatApp]:
    return make_app


AsyncCheck = Callable[[], Awaitable[None]]


def screen_text(app: ChatApp) -> str:
    """The characters on screen, from an SVG screenshot (runs of one line are adjacent)."""
    svg = app.export_screenshot()
    return html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")


def screen_lines(app: ChatApp, region: Region | None = None) -> list[str]:
    """The screen's lines as they reach the terminal (the compositor's, each cell once), or
    the part of them inside `region`."""
    strips = app.screen._compositor.render_strips(app.size)  # what is written to the terminal
    if region is None:
        return [strip.text for strip in strips]
    return [strips[y].crop(region.x, region.right).text for y in range(region.y, region.bottom)]
