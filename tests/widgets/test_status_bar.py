from dataclasses import replace

from textual.app import App, ComposeResult

from chat_tui.conversation import MessageStatus, Turn
from chat_tui.metrics import ReplyMetrics
from chat_tui.reply_record import reply_footer
from chat_tui.widgets.status_bar import (
    StatusBar,
    StatusView,
    describe_metrics,
    figures_line,
    sparkline,
)


def test_sparkline_scales_from_the_smallest_to_the_largest_value() -> None:
    assert sparkline([1.0, 2.0, 3.0, 8.0], 4) == "▁▂▃█"
    assert sparkline([5.0, 5.0], 4) == "▁▁"  # all equal: no spike drawn from nothing
    assert sparkline([], 4) == ""


def test_sparkline_keeps_each_bars_peak_when_values_outnumber_bars() -> None:
    values = [1.0, 1.0, 1.0, 9.0, 1.0, 1.0]  # two values per bar; one slow token
    assert sparkline(values, 3) == "▁█▁"
    assert len(sparkline([1.0] * 48, 24)) == 24


def test_figures_name_ttft_and_itl_and_mark_estimated_tokens() -> None:
    metrics = ReplyMetrics(
        streaming=True,
        ttft_s=0.25,
        itl_mean_s=0.02,
        itl_p50_s=0.02,
        itl_p95_s=0.05,
        tokens_per_s=50.0,
        total_s=2.0,
        output_tokens=90,
        tokens_estimated=True,
        input_tokens=None,
    )
    cells = describe_metrics(StatusView(target="t", streaming=True, metrics=metrics))
    text = " | ".join(cells)
    assert text.startswith("TTFT 250 ms | ITL p50 20")
    assert "p95 50" in text
    assert "~90" in text
    assert "total 2.00 s" in text


def test_server_text_in_the_bar_is_made_visible() -> None:
    """A retry reason comes from the server: its control characters must not reach the
    terminal."""
    bar = StatusBar()
    bar.show(StatusView(target="Ollama · llama\x1b]0;x\x07", streaming=True, state="\x1b[2Jretry"))
    assert "\x1b" not in bar.text and "\x07" not in bar.text
    assert "␛[2Jretry" in bar.text


FINISHED = StatusView(
    target="Simulated (offline) · simulated-hosted",
    streaming=True,
    metrics=ReplyMetrics(
        ttft_s=0.401,
        itl_p50_s=0.0203,
        itl_p95_s=0.0205,
        tokens_per_s=50.2,
        total_s=5.22,
        input_tokens=2,
        output_tokens=242,
    ),
    state="done",
    itl_recent_ms=tuple(20.0 + i % 3 for i in range(48)),
)


def test_a_narrow_bar_narrows_its_gaps_then_drops_the_p95_before_the_tokens() -> None:
    wide = figures_line(FINISHED, 200)
    assert "p95 20.5 ms" in wide and "  │  in 2 · out 242" in wide
    narrow = figures_line(FINISHED, 80)
    assert len(narrow) <= 80, narrow
    assert narrow.endswith("in 2 · out 242") and "p95" not in narrow


def test_a_narrower_bar_lets_whole_figures_go_and_never_cuts_one() -> None:
    """At a race pane's 38 columns: the ITL, then tokens/s, then the input tokens give way,
    so that the TTFT, the total and the output tokens stay whole."""
    assert figures_line(FINISHED, 60) == "TTFT 401 ms │ 50.2 tok/s │ total 5.22 s │ in 2 · out 242"
    assert figures_line(FINISHED, 45) == "TTFT 401 ms │ total 5.22 s │ in 2 · out 242"
    assert figures_line(FINISHED, 38) == "TTFT 401 ms │ total 5.22 s │ out 242"
    assert figures_line(FINISHED, 30) == "TTFT 401 ms │ out 242"
    assert figures_line(FINISHED, 12) == "TTFT 401 ms"


def test_a_finished_non_streaming_reply_first_drops_what_its_ttft_already_says() -> None:
    metrics = replace(FINISHED.metrics, streaming=False, ttft_s=0.42, total_s=0.42)
    view = replace(FINISHED, streaming=False, metrics=metrics)
    assert "ITL n/a" in figures_line(view, 200)
    assert figures_line(view, 60) == "TTFT = total 420 ms │ 50.2 tok/s │ in 2 · out 242"
    assert figures_line(view, 38) == "TTFT = total 420 ms │ in 2 · out 242"


class _Host(App[None]):
    def compose(self) -> ComposeResult:
        yield StatusBar()


async def test_at_80_columns_the_sparkline_gives_room_to_the_state() -> None:
    app = _Host()
    async with app.run_test(size=(80, 5)) as pilot:
        bar = app.query_one(StatusBar)
        bar.show(FINISHED)
        await pilot.pause()
        first = "".join(segment.text for segment in bar.render_line(0))
        assert "│ streaming │ done" in first, first
        assert "…" not in first


def test_after_retries_the_bar_and_the_footer_give_the_total_with_the_wait() -> None:
    """TTFT stays the answered request's; the total is what the user waited, retries included
    (a non-streaming TTFT is then no longer "= total")."""
    waited = "total 4.08 s (3.04 s waiting, 2 retries)"
    for streaming, ttft in ((True, "TTFT 300 ms"), (False, "TTFT 1.04 s")):
        metrics = ReplyMetrics(
            streaming=streaming,
            ttft_s=0.3 if streaming else 1.04,
            total_s=1.04,
            output_tokens=30,
            retries=2,
            waited_s=3.04,
        )
        bar = describe_metrics(StatusView(target="t", streaming=streaming, metrics=metrics))
        footer = reply_footer(
            Turn("assistant", "ok", status=MessageStatus.COMPLETE, metrics=metrics)
        )
        assert bar[0].startswith(ttft) and waited in bar
        assert footer.startswith(f"✓ · {ttft}") and f" · {waited}" in footer
        assert "= total" not in footer + bar[0]
    running = StatusView(target="t", streaming=True, metrics=metrics, running=True, elapsed_s=0.5)
    assert "elapsed 3.54 s (3.04 s waiting, 2 retries)" in describe_metrics(running)


def first_line(bar: StatusBar) -> str:
    return "".join(segment.text for segment in bar.render_line(0)).strip()


async def test_a_narrow_bar_drops_the_sparkline_then_the_provider_then_the_mode() -> None:
    app = _Host()
    async with app.run_test(size=(40, 5)) as pilot:
        bar = app.query_one(StatusBar)
        view = replace(FINISHED, model="simulated-hosted")
        for width, shown in [
            (60, "Simulated (offline) · simulated-hosted │ streaming │ done"),
            (40, "simulated-hosted │ streaming │ done"),
            (30, "simulated-hosted │ done"),
        ]:
            await pilot.resize_terminal(width + 2, 5)  # the bar's padding: a column each side
            bar.show(replace(view, state=f"done{width}"))  # a new view: drawn again
            bar.show(view)
            await pilot.pause()
            assert first_line(bar) == shown, (width, first_line(bar))


async def test_a_state_too_long_for_the_bar_is_cut_after_a_whole_word() -> None:
    app = _Host()
    async with app.run_test(size=(42, 5)) as pilot:
        bar = app.query_one(StatusBar)
        state = "Retrying in 3 s (attempt 1/3) · Esc stops"  # 41 cells: one too many
        bar.show(replace(FINISHED, model="m", state=state, retry_reason="overloaded"))
        await pilot.pause()
        assert first_line(bar) == "Retrying in 3 s (attempt 1/3) · Esc …"


def test_after_retries_a_narrow_bar_keeps_the_total_and_drops_its_detail() -> None:
    metrics = ReplyMetrics(
        streaming=True, ttft_s=0.3, total_s=1.04, output_tokens=30, retries=2, waited_s=3.04
    )
    view = StatusView(target="t", streaming=True, metrics=metrics)
    assert "total 4.08 s (3.04 s waiting, 2 retries)" in figures_line(view, 200)
    assert figures_line(view, 38) == "TTFT 300 ms │ total 4.08 s │ out 30"
