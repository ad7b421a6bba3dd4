"""Builders for store tests: turns and exchanges saved the way the app saves them."""

from __future__ import annotations

from chat_tui.conversation import MessageStatus, Turn
from chat_tui.metrics import ReplyMetrics
from chat_tui.store import TranscriptStore


def user_turn(text: str, created_at: float = 0.0) -> Turn:
    return Turn(role="user", text=text, created_at=created_at)


def streaming_reply(model: str = "model-a", provider: str = "simulated") -> Turn:
    return Turn(
        role="assistant",
        text="",
        provider=provider,
        model=model,
        status=MessageStatus.STREAMING,
    )


def finished_reply(
    text: str,
    *,
    model: str = "model-a",
    provider: str = "simulated",
    status: MessageStatus = MessageStatus.COMPLETE,
    reasoning: str = "",
    metrics: ReplyMetrics | None = None,
    **fields: object,
) -> Turn:
    return Turn(
        role="assistant",
        text=text,
        reasoning=reasoning,
        provider=provider,
        model=model,
        status=status,
        metrics=metrics,
        **fields,  # type: ignore[arg-type]
    )


def add_exchange(
    store: TranscriptStore, conversation_id: int, question: str, answer: str, **reply: object
) -> tuple[int, int]:
    """A user message and a finished reply, saved the way the app saves them."""
    user_id = store.add_turn(conversation_id, user_turn(question))
    reply_id = store.add_turn(conversation_id, streaming_reply())
    store.finish_reply(reply_id, finished_reply(answer, **reply))  # type: ignore[arg-type]
    return user_id, reply_id
