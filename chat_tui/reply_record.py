"""How a finished reply's record reads, in one place: the line under a reply in the chat, the
record in Markdown exports and `chat-tui ask -v` all say the same thing the same way."""

from __future__ import annotations

from chat_tui.conversation import MessageStatus, Turn
from chat_tui.metrics import (
    ReplyMetrics,
    format_cost,
    format_duration,
    format_interval,
    format_rate,
    format_tokens,
)
from chat_tui.providers.base import FinishReason

_STATUS_MARKS = {
    MessageStatus.COMPLETE: "✓",
    MessageStatus.CANCELLED: "⏹ cancelled",
    MessageStatus.INTERRUPTED: "⚠ interrupted",
    MessageStatus.ERROR: "✗ failed",
    MessageStatus.STREAMING: "…",
}


def finish_note(reason: str | None) -> str | None:
    """Plain words for a finish that is not a normal stop."""
    if reason == FinishReason.LENGTH:
        return "stopped at the output token limit"
    if reason == FinishReason.CONTENT_FILTER:
        return "stopped by the provider's safety / content filter"
    if reason == FinishReason.TOOL_CALLS:
        return "the model asked to call a tool (not supported here)"
    return None


def figures(m: ReplyMetrics, *, with_input: bool = False) -> list[str]:
    """TTFT, ITL p50/p95, tokens/s, tokens, total time and the cost (where there is a known
    price), as short cells."""
    if m.streaming:
        cells = [f"TTFT {format_duration(m.ttft_s)}"]
        if m.itl_p50_s is not None:
            p50, p95 = format_interval(m.itl_p50_s), format_interval(m.itl_p95_s)
            cells.append(f"ITL p50 {p50} · p95 {p95}")
    elif m.ttft_s is None:  # cancelled or failed before the whole reply came: no TTFT
        cells = ["non-streaming, nothing arrived"]
    elif m.retries:  # the total below takes in the retries' wait: TTFT is not that
        cells = [f"TTFT {format_duration(m.ttft_s)} (non-streaming: the whole reply)"]
    else:
        cells = [f"TTFT = total {format_duration(m.total_s)} (non-streaming)"]
    cells.append(format_rate(m.tokens_per_s))
    tokens = f"{format_tokens(m.output_tokens, m.tokens_estimated)} tokens"
    if with_input:
        tokens = f"in {format_tokens(m.input_tokens, False)} · out {tokens}"
        if m.reasoning_tokens:
            tokens += f" (reasoning {m.reasoning_tokens})"
    cells.append(tokens)
    cells.append(time_with_wait("total", m.total_s, m))
    if m.cost_usd is not None:
        cells.append(format_cost(m.cost_usd))
    return cells


def time_with_wait(word: str, seconds: float | None, m: ReplyMetrics) -> str:
    """'total 1.04 s'; after retries the time the user waited, the retries' included, and
    how much of it they took: 'total 4.08 s (3.04 s waiting, 2 retries)'. `seconds` is the
    answered request's (its TTFT and ITL are too); the reply's footer and the status bar
    both word it here."""
    if not m.retries or m.waited_s is None:
        return f"{word} {format_duration(seconds)}"
    whole = None if seconds is None else seconds + m.waited_s
    retries = f"{m.retries} {'retry' if m.retries == 1 else 'retries'}"
    return f"{word} {format_duration(whole)} ({format_duration(m.waited_s)} waiting, {retries})"


def reply_label(turn: Turn) -> str:
    return f"◆ {turn.model or 'assistant'}" + (f"  ({turn.provider})" if turn.provider else "")


def status_text(turn: Turn, *, marks: bool = True) -> str:
    """'✓' / 'complete', '⏹ cancelled', '⚠ interrupted: connection lost ...'."""
    if turn.status is MessageStatus.COMPLETE:
        return _STATUS_MARKS[turn.status] if marks else "complete"
    word = _STATUS_MARKS[turn.status] if marks else str(turn.status)
    detail = turn.error_message or turn.error_kind
    return f"{word}: {detail}" if detail else word


def reply_footer(turn: Turn) -> str:
    """The one line under a reply in the chat: status, a finish note, then its figures."""
    return _record_line([status_text(turn)], turn, with_input=False)


def mode_name(streaming: bool) -> str:
    return "streaming" if streaming else "non-streaming"


def reply_record_line(turn: Turn) -> str:
    """Mode, status and figures of a reply on one line (Markdown exports)."""
    parts = [mode_name(turn.streaming), status_text(turn, marks=False)]
    return _record_line(parts, turn, with_input=True)


def _record_line(parts: list[str], turn: Turn, *, with_input: bool) -> str:
    if note := finish_note(turn.finish_reason):
        parts.append(note)
    if turn.metrics is not None:
        parts += figures(turn.metrics, with_input=with_input)
    return " · ".join(parts)
