"""Mapping between the app's dataclasses and table rows: the one place that knows columns."""

from __future__ import annotations

import sqlite3
from typing import Any

from chat_tui.conversation import ConversationSettings, MessageStatus, Turn
from chat_tui.metrics import ReplyMetrics

METRIC_COLUMNS = (
    "ttft_s",
    "itl_mean_s",
    "itl_p50_s",
    "itl_p95_s",
    "tokens_per_s",
    "total_s",
    "input_tokens",
    "output_tokens",
    "reasoning_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "cost_usd",
    "waited_s",
)

# Everything a Turn holds except its id and conversation, in insert order.
TURN_COLUMNS = (
    "role",
    "provider",
    "model",
    "created_at",
    "finished_at",
    "streaming",
    "status",
    "error_kind",
    "error_message",
    "finish_reason",
    "has_metrics",
    *METRIC_COLUMNS,
    "tokens_estimated",
    "retries",
    "text",
    "reasoning",
)

SETTINGS_COLUMNS = (
    "system_prompt",
    "temperature",
    "max_output_tokens",
    "reasoning_effort",
    "reasoning_budget",
    "preset",
)


def turn_values(turn: Turn, *, created_at: float) -> dict[str, Any]:
    """Values for TURN_COLUMNS, by column name."""
    metrics = turn.metrics
    return {
        "role": turn.role,
        "provider": turn.provider,
        "model": turn.model,
        "created_at": created_at,
        "finished_at": turn.finished_at,
        "streaming": int(turn.streaming),
        "status": str(turn.status),
        "error_kind": turn.error_kind,
        "error_message": turn.error_message,
        "finish_reason": turn.finish_reason,
        "has_metrics": int(metrics is not None),
        **{column: getattr(metrics, column) if metrics else None for column in METRIC_COLUMNS},
        "tokens_estimated": int(metrics.tokens_estimated) if metrics else 0,
        "retries": metrics.retries if metrics else 0,
        "text": turn.text,
        "reasoning": turn.reasoning,
    }


def turn_from_row(row: sqlite3.Row) -> Turn:
    streaming = bool(row["streaming"])
    metrics = None
    if row["has_metrics"]:
        metrics = ReplyMetrics(
            **{column: row[column] for column in METRIC_COLUMNS},
            tokens_estimated=bool(row["tokens_estimated"]),
            retries=row["retries"],
            streaming=streaming,
        )
    return Turn(
        role=row["role"],
        text=row["text"],
        id=row["id"],
        reasoning=row["reasoning"],
        provider=row["provider"],
        model=row["model"],
        created_at=row["created_at"],
        finished_at=row["finished_at"],
        streaming=streaming,
        status=MessageStatus(row["status"]),
        error_kind=row["error_kind"],
        error_message=row["error_message"],
        finish_reason=row["finish_reason"],
        metrics=metrics,
    )


def settings_values(settings: ConversationSettings) -> tuple[Any, ...]:
    return tuple(getattr(settings, column) for column in SETTINGS_COLUMNS)


def settings_from_row(row: sqlite3.Row) -> ConversationSettings:
    return ConversationSettings(**{column: row[column] for column in SETTINGS_COLUMNS})
