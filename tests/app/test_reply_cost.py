"""A reply's cost in the app: real SDKs over HTTP to the fake server, which reports usage
(with prompt-cache reads); the footer and the status bar show what the table prices it at."""

from __future__ import annotations

from dataclasses import asdict, replace

import pytest
from textual.widgets import Static

from chat_tui.config import ProfileSettings, Settings
from chat_tui.metrics import ReplyMetrics
from chat_tui.providers import registry
from chat_tui.providers.catalog import Target
from chat_tui.session import ChatSession
from chat_tui.widgets.messages import AssistantMessage
from chat_tui.widgets.status_bar import StatusView, figures_line
from tests.fakeserver import FakeProviderServer, Scenario

from .conftest import type_and_send

# 10,000 input tokens (4,000 of them cache reads) and 2,000 output tokens, priced by hand at
# each model's published per-million prices (input, cache read, output):
COSTS = {
    "openai": ("gpt-4o-mini", 6000 * 0.15 + 4000 * 0.075 + 2000 * 0.60, "$0.0024"),
    "anthropic": ("claude-3-5-haiku-latest", 6000 * 0.80 + 4000 * 0.08 + 2000 * 4.0, "$0.0131"),
    "gemini": ("gemini-2.0-flash", 6000 * 0.10 + 4000 * 0.025 + 2000 * 0.40, "$0.0015"),
}


def session_for(path: str, model: str, server: FakeProviderServer) -> ChatSession:
    environ = {
        "OPENAI_API_KEY": "sk-test",
        "OPENAI_BASE_URL": server.openai_base_url,
        "ANTHROPIC_API_KEY": "sk-ant-test",
        "ANTHROPIC_BASE_URL": server.url,
        "GEMINI_API_KEY": "gem-test",
        "GOOGLE_GEMINI_BASE_URL": server.url,
    }
    profiles = {
        "local": ProfileSettings(
            name="local", kind="openai-compatible", base_url=server.openai_base_url
        )
    }
    settings = Settings(profiles=profiles, connect_timeout_s=2, idle_timeout_s=5)
    provider = registry.create_provider(path, settings, environ)
    entry = registry.get_entry(path, settings, environ)
    return ChatSession(provider, Target(path, entry.label, model))


def priced_scenario() -> Scenario:
    return Scenario(
        tokens=["Priced ", "reply."], input_tokens=10_000, cached_tokens=4_000, output_tokens=2_000
    )


async def send_one(session: ChatSession, width: int = 120) -> tuple[str, str]:
    """(the reply's footer, the status bar) once the reply has finished."""
    from chat_tui.app import ChatApp

    app = ChatApp(session, settings=Settings(flush_interval_ms=50))
    app.animation_level = "none"
    async with app.run_test(size=(width, 30)) as pilot:
        await type_and_send(pilot, "what does this cost")
        await app.workers.wait_for_complete()
        await pilot.pause()
        reply = list(app.chat.query(AssistantMessage))[-1]
        return str(reply.query_one(".footer", Static).render()), app.chat.status_bar.text


@pytest.mark.parametrize("path", list(COSTS))
async def test_the_footer_and_status_bar_show_the_reply_cost(
    path: str, fake_server: FakeProviderServer
) -> None:
    model, dollars_per_million, shown = COSTS[path]
    fake_server.script(priced_scenario())
    session = session_for(path, model, fake_server)
    footer, status = await send_one(session)

    turn = session.conversation.turns[-1]
    assert turn.metrics is not None
    assert (turn.metrics.input_tokens, turn.metrics.cache_read_tokens) == (10_000, 4_000)
    assert turn.metrics.cost_usd == pytest.approx(dollars_per_million / 1e6, abs=1e-12)
    assert footer.endswith(f"· {shown}")
    assert status.splitlines()[1].endswith(f"│  {shown}")


async def test_at_80_columns_the_cost_gives_way_to_the_figures(
    fake_server: FakeProviderServer,
) -> None:
    fake_server.script(priced_scenario())
    session = session_for("openai", "gpt-4o-mini", fake_server)
    footer, status = await send_one(session, width=80)
    figures = status.splitlines()[1]
    assert "$" not in figures
    assert figures.startswith("TTFT ") and "out 2000" in figures
    assert footer.endswith("· $0.0024")  # the footer wraps; it keeps the cost


async def test_a_local_compatible_server_and_an_unknown_model_show_no_cost(
    fake_server: FakeProviderServer,
) -> None:
    for path, model in (("local", "gpt-4o-mini"), ("openai", "not-a-priced-model")):
        fake_server.script(priced_scenario())
        session = session_for(path, model, fake_server)
        footer, status = await send_one(session)
        turn = session.conversation.turns[-1]
        assert turn.metrics is not None and turn.metrics.output_tokens == 2_000
        assert turn.metrics.cost_usd is None
        assert "$" not in footer and "$" not in status


def test_a_cost_that_does_not_fit_is_left_out_whole_never_cut() -> None:
    metrics = ReplyMetrics(ttft_s=0.4, total_s=2.0, input_tokens=10, output_tokens=20)
    view = StatusView(target="OpenAI · gpt-4o-mini", streaming=True, metrics=metrics)
    bare = figures_line(view, 1000)
    priced = StatusView(**{**asdict(view), "metrics": replace(metrics, cost_usd=0.0024)})
    assert figures_line(priced, 1000) == f"{bare}  │  $0.0024"
    fits = len(f"{bare}  │  $0.0024")
    assert figures_line(priced, fits) == f"{bare}  │  $0.0024"
    assert figures_line(priced, fits - 1) == bare  # not "$0.002" or an ellipsis
