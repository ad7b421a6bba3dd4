"""The conversation as the app and the store see it: plain data, no I/O."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from chat_tui.metrics import ReplyMetrics
from chat_tui.providers.base import ChatMessage, Role


class MessageStatus(enum.StrEnum):
    COMPLETE = "complete"
    STREAMING = "streaming"  # being written; found like this on start = the app died mid-reply
    CANCELLED = "cancelled"  # the user pressed Esc
    INTERRUPTED = "interrupted"  # the connection or the app failed mid-reply; partial kept
    ERROR = "error"  # failed before any text arrived


@dataclass(slots=True)
class Turn:
    """One message of a conversation. Assistant turns carry their reply's record."""

    role: Role
    text: str
    id: int | None = None
    reasoning: str = ""
    provider: str | None = None
    model: str | None = None
    created_at: float = 0.0  # unix time
    finished_at: float | None = None
    streaming: bool = True  # the mode the reply was requested in
    status: MessageStatus = MessageStatus.COMPLETE
    error_kind: str | None = None
    error_message: str | None = None
    finish_reason: str | None = None
    metrics: ReplyMetrics | None = None

    def as_context(self) -> ChatMessage:
        """What is sent back to a provider: the text only, never the reasoning."""
        return ChatMessage(self.role, self.text)


@dataclass(slots=True)
class ConversationSettings:
    """Per-conversation knobs, saved with it."""

    system_prompt: str | None = None
    temperature: float | None = None
    max_output_tokens: int | None = None
    reasoning_effort: str | None = None
    reasoning_budget: int | None = None


@dataclass(slots=True)
class Conversation:
    id: int | None = None
    title: str | None = None
    created_at: float = 0.0
    updated_at: float = 0.0
    settings: ConversationSettings = field(default_factory=ConversationSettings)
    turns: list[Turn] = field(default_factory=list)

    def context(self, *, retrying: bool = False) -> tuple[ChatMessage, ...]:
        """The turns to send, in the strict user/assistant alternation providers expect.

        Each user turn goes with its newest finished reply that has text: a reply followed by
        another reply was regenerated (or raced), so the newer one counts, and a partial reply
        (interrupted, or cancelled after text arrived) stays, as it stays on screen. A user
        turn none of whose replies has text (failed, cancelled before the first token) is left
        out, never resent glued to the next message; `retrying` re-sends the last user turn,
        and its earlier replies are not sent (the new one replaces them).
        """
        messages: list[ChatMessage] = []
        exchanges = _exchanges(self.turns)
        for index, (user, replies) in enumerate(exchanges):
            if retrying and index == len(exchanges) - 1:
                replies = []
            answer = _answer(replies)
            if answer is not None and user.text.strip():
                messages += [user.as_context(), answer.as_context()]
            elif not _left_out(index, exchanges, replies) and user.text.strip():
                messages.append(user.as_context())  # the message being sent now
        return tuple(messages)

    def left_out_turns(self) -> list[Turn]:
        """The user turns `context()` leaves out: unanswered, and not the one being sent."""
        exchanges = _exchanges(self.turns)
        return [
            user
            for index, (user, replies) in enumerate(exchanges)
            if user.text.strip() and _left_out(index, exchanges, replies)
        ]


_Exchange = tuple[Turn, list[Turn]]  # a user turn and the replies that follow it


def _exchanges(turns: list[Turn]) -> list[_Exchange]:
    """Each user turn with its replies; replies before the first user turn are dropped."""
    exchanges: list[_Exchange] = []
    for turn in turns:
        if turn.role == "user":
            exchanges.append((turn, []))
        elif exchanges:
            exchanges[-1][1].append(turn)
    return exchanges


def _answer(replies: list[Turn]) -> Turn | None:
    """The newest finished reply with text (a reply in flight is not context yet)."""
    for reply in reversed(replies):
        if reply.status is not MessageStatus.STREAMING and reply.text.strip():
            return reply
    return None


def _left_out(index: int, exchanges: list[_Exchange], replies: list[Turn]) -> bool:
    """True for a user turn without an answer, unless it is the last one and its reply is
    still to come or in flight (it is being sent: a new message, a retry, a race)."""
    if _answer(replies) is not None:
        return False
    pending = not replies or any(r.status is MessageStatus.STREAMING for r in replies)
    return not (index == len(exchanges) - 1 and pending)
