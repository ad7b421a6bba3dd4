"""Latency metrics, computed purely from arrival timestamps (seconds, monotonic clock).

TTFT is send -> first content delta (text or reasoning); ITL is the list of gaps between
consecutive content deltas; tokens/s is output tokens over first -> last delta; total time is
send -> end. So total = TTFT + sum(ITL) + (end - last delta), and with a prompt finish the last
term is ~0. "Send" and "arrival" are the moments the engine is given: over HTTP, the request's
last byte written and the read that brought each delta's bytes (see providers.base.WireTimes).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ReplyMetrics:
    ttft_s: float | None = None
    itl_mean_s: float | None = None
    itl_p50_s: float | None = None
    itl_p95_s: float | None = None
    tokens_per_s: float | None = None
    total_s: float | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    reasoning_tokens: int | None = None
    tokens_estimated: bool = False  # output_tokens is an estimate, not the provider's count
    streaming: bool = True  # non-streaming: TTFT is the total time
    # Parts of input_tokens, priced differently (reported by some providers only).
    cache_read_tokens: int | None = None
    cache_write_tokens: int | None = None
    # US dollars, from the reported counts and the price table (see chat_tui.pricing); None:
    # no known price (an unknown model, a local server, estimated counts, no reply yet).
    cost_usd: float | None = None
    # Retries before the answered request, and the time they took (sending the first request
    # to sending the answered one): the figures above are the answered request's alone.
    retries: int = 0
    waited_s: float | None = None


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (q in 0..100) of already sorted values."""
    if not sorted_values:
        raise ValueError("percentile of no values")
    if len(sorted_values) == 1:
        return sorted_values[0]
    rank = (len(sorted_values) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (rank - low)


def inter_token_latencies(arrivals: Sequence[float]) -> list[float]:
    return [later - earlier for earlier, later in itertools.pairwise(arrivals)]


def estimate_tokens(text: str) -> int:
    """A provider-independent estimate (about 4 characters a token) for when none is reported."""
    return 0 if not text else max(1, round(len(text) / 4))


def compute(
    t_send: float,
    arrivals: Sequence[float],
    t_end: float | None,
    *,
    output_tokens: int | None = None,
    input_tokens: int | None = None,
    reasoning_tokens: int | None = None,
    cache_read_tokens: int | None = None,
    cache_write_tokens: int | None = None,
    tokens_estimated: bool = False,
    streaming: bool = True,
    sorted_gaps: Sequence[float] | None = None,
) -> ReplyMetrics:
    """Metrics for one reply. `t_end` None means still running (no total yet).

    `sorted_gaps` may pass the inter-token latencies already sorted (a live reply keeps them
    sorted as it grows, rather than sorting them all again for every status update).
    """
    ttft = arrivals[0] - t_send if arrivals else None
    gaps = sorted(inter_token_latencies(arrivals)) if sorted_gaps is None else sorted_gaps
    # The mean gap is the span over the count: no need to add them up.
    itl_mean = (arrivals[-1] - arrivals[0]) / len(gaps) if gaps else None
    rate = None
    if arrivals and output_tokens:
        span = arrivals[-1] - arrivals[0]
        if span > 0:
            rate = output_tokens / span
        elif t_end is not None and t_end > t_send and not streaming:
            # Non-streaming: everything arrived at once; the rate is over the whole wait.
            rate = output_tokens / (t_end - t_send)
    return ReplyMetrics(
        ttft_s=ttft,
        itl_mean_s=itl_mean,
        itl_p50_s=percentile(gaps, 50) if gaps else None,
        itl_p95_s=percentile(gaps, 95) if gaps else None,
        tokens_per_s=rate,
        total_s=(t_end - t_send) if t_end is not None else None,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        reasoning_tokens=reasoning_tokens,
        tokens_estimated=tokens_estimated,
        streaming=streaming,
        cache_read_tokens=cache_read_tokens,
        cache_write_tokens=cache_write_tokens,
    )


def format_duration(seconds: float | None) -> str:
    """The one way durations are shown: '—', '850 ms', '2.41 s', '1m 05s'."""
    if seconds is None:
        return "—"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 60:
        return f"{seconds:.2f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}m {rest:02d}s"


def format_interval(seconds: float | None) -> str:
    """Inter-token gaps, which are mostly a few milliseconds: '1.4 ms', '—'."""
    if seconds is None:
        return "—"
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else format_duration(seconds)


def format_rate(tokens_per_s: float | None) -> str:
    return "—" if tokens_per_s is None else f"{tokens_per_s:.1f} tok/s"


def format_tokens(count: int | None, estimated: bool) -> str:
    if count is None:
        return "—"
    return f"~{count}" if estimated else str(count)


def format_cost(cost_usd: float | None) -> str:
    """'$0.0123', '$1.25', '<$0.0001'; '' when there is no known price."""
    if cost_usd is None:
        return ""
    if cost_usd == 0:
        return "$0"
    if cost_usd < 0.0001:
        return "<$0.0001"
    if cost_usd < 1:
        return f"${cost_usd:.4f}"
    return f"${cost_usd:.2f}"
