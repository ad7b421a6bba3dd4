import math

import pytest

from chat_tui import metrics


def test_ttft_itl_and_total_from_synthetic_timestamps() -> None:
    send = 10.0
    arrivals = [10.4, 10.42, 10.45, 10.46, 10.50]
    m = metrics.compute(send, arrivals, 10.50, output_tokens=5)
    assert m.ttft_s == pytest.approx(0.4)
    gaps = [0.02, 0.03, 0.01, 0.04]
    assert m.itl_mean_s == pytest.approx(sum(gaps) / 4)
    assert m.itl_p50_s == pytest.approx(0.025)
    assert m.itl_p95_s == pytest.approx(0.0385)
    assert m.total_s == pytest.approx(m.ttft_s + sum(gaps))
    assert m.tokens_per_s == pytest.approx(5 / 0.1)


def test_total_is_ttft_plus_itl_times_tokens_for_an_even_stream() -> None:
    arrivals = [1.0 + 0.25 + i * 0.02 for i in range(101)]
    m = metrics.compute(1.0, arrivals, arrivals[-1], output_tokens=101)
    assert m.total_s == pytest.approx(m.ttft_s + m.itl_mean_s * 100)


def test_running_reply_has_no_total_and_single_token_no_itl() -> None:
    m = metrics.compute(0.0, [0.3], None, output_tokens=1)
    assert m.total_s is None
    assert m.itl_mean_s is None and m.itl_p95_s is None
    assert m.tokens_per_s is None
    empty = metrics.compute(0.0, [], None)
    assert empty.ttft_s is None


def test_non_streaming_rate_is_over_the_whole_wait() -> None:
    m = metrics.compute(0.0, [2.0], 2.0, output_tokens=100, streaming=False)
    assert m.ttft_s == m.total_s == 2.0
    assert m.tokens_per_s == pytest.approx(50)


def test_percentile_interpolates() -> None:
    assert metrics.percentile([1.0], 95) == 1.0
    assert metrics.percentile([0.0, 10.0], 50) == 5.0
    with pytest.raises(ValueError):
        metrics.percentile([], 50)


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(None, "—"), (0.0123, "12 ms"), (2.414, "2.41 s"), (65.2, "1m 05s")],
)
def test_format_duration(seconds: float | None, shown: str) -> None:
    assert metrics.format_duration(seconds) == shown


def test_token_estimate_and_format() -> None:
    assert metrics.estimate_tokens("") == 0
    assert metrics.estimate_tokens("abcd" * 10) == 10
    assert metrics.format_tokens(12, True) == "~12"
    assert metrics.format_tokens(12, False) == "12"
    assert not math.isnan(metrics.compute(0, [1, 1], 1, output_tokens=2).itl_mean_s or 0)
