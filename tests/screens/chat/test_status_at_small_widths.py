"""The status lines at small widths hold whole figures: the race's half-width panes (at 80
columns each has 38 columns) and the chat's bar. What is read is what reaches the terminal."""

from __future__ import annotations

import re

import pytest
from textual.pilot import Pilot

from chat_tui.app import ChatApp
from chat_tui.metrics import format_cost, format_tokens
from chat_tui.reply_record import mode_name
from chat_tui.screens.chat.race import RaceScreen
from chat_tui.widgets.status_bar import StatusBar, describe_metrics
from tests.app.conftest import screen_lines
from tests.snapshots.screens import (
    QUESTION,
    build_app,
    finished_reply,
    provider,
    settle,
    wait_until,
)

SPARKLINE = re.compile(r"\s+[▁▂▃▄▅▆▇█]+$")


def shown_parts(app: ChatApp, bar: StatusBar) -> tuple[list[str], list[str]]:
    """The words of the bar's first line and the figures of its second, as on screen, each
    checked to be one whole part of what the bar has to say."""
    first, second = (line.strip() for line in screen_lines(app, bar.content_region)[:2])
    view = bar.view
    words = SPARKLINE.sub("", first).split(" │ ")
    names = {view.target, view.model, mode_name(view.streaming), view.state, view.brief_state}
    assert set(words) <= names, first
    whole = {*describe_metrics(view), *describe_metrics(view, with_p95=False)}
    if (m := view.metrics) is not None:
        whole |= {f"out {format_tokens(m.output_tokens, m.tokens_estimated)}"}
        whole |= {format_cost(m.cost_usd)}
    figures = re.split(r" +│ +", second)
    assert set(figures) <= whole, f"a cut figure in {second!r}"
    return words, figures


async def start_a_race(pilot: Pilot) -> RaceScreen:
    app = pilot.app
    assert isinstance(app, ChatApp)
    app.chat.prompt.insert(QUESTION)
    app.chat.action_race()
    await wait_until(pilot, lambda: isinstance(app.screen, RaceScreen))
    screen = app.screen
    assert isinstance(screen, RaceScreen)
    return screen


async def race_to_the_end(pilot: Pilot) -> RaceScreen:
    screen = await start_a_race(pilot)
    await wait_until(pilot, lambda: not screen.running)
    await settle(pilot)
    return screen


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_each_race_pane_keeps_its_state_model_and_main_figures_whole(
    size: tuple[int, int],
) -> None:
    app = build_app(provider())
    async with app.run_test(size=size) as pilot:
        screen = await race_to_the_end(pilot)
        for lane in screen.lanes:
            assert lane.status_bar.content_region.width == size[0] // 2 - 2
            words, figures = shown_parts(app, lane.status_bar)
            assert "done" in words and "claude-sonnet-5-5" in " ".join(words), words
            assert figures[0].startswith("TTFT "), figures
            assert any(f.startswith(("total ", "TTFT = total ")) for f in figures), figures
            assert any("out " in f for f in figures), figures


@pytest.mark.parametrize(
    "size", [(80, 24), (100, 30), (120, 40), (200, 50)], ids=lambda s: f"{s[0]}x{s[1]}"
)
async def test_the_chat_status_bar_keeps_the_state_and_the_token_counts(
    size: tuple[int, int],
) -> None:
    app = build_app(provider())
    async with app.run_test(size=size) as pilot:
        await finished_reply(pilot)
        words, figures = shown_parts(app, app.chat.status_bar)
        assert words == ["Anthropic · claude-sonnet-5-5", "streaming", "done"], words
        assert figures[0] == "TTFT 420 ms" and figures[-1].endswith("in 812 · out 164"), figures


async def test_race_panes_waiting_at_80_columns_say_so_in_whole_words() -> None:
    """Both sides held before their first token: "waiting for the whole reply
    (non-streaming)" does not fit a pane beside the model's name, "waiting" does."""
    app = build_app(provider(hold=True, reasoning=False))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await start_a_race(pilot)
        await settle(pilot, workers=False)
        for lane in screen.lanes:
            words, figures = shown_parts(app, lane.status_bar)
            assert words[0] == "claude-sonnet-5-5" and words[-1].startswith("waiting"), words
            assert figures[0] == "TTFT —", figures
        app.session.provider.hold.set()  # type: ignore[attr-defined]  # let the app end
