"""The conversation as the app and the store see it: plain data, no I/O.

A conversation is a tree of messages. Editing and resending a user message adds a sibling of
it; regenerating a reply adds a sibling reply. `Conversation.turns` is always the *current
branch*, root to leaf: what is shown and what is sent. The rest of the tree is reached through
`Conversation`'s tree methods (`children`, `alternatives`, `switch_alternative`...).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from chat_tui.attachments import Attachment
from chat_tui.metrics import ReplyMetrics
from chat_tui.providers.base import ChatMessage, Role


class MessageStatus(enum.StrEnum):
    COMPLETE = "complete"
    STREAMING = "streaming"  # being written; found like this on start = the app died mid-reply
    CANCELLED = "cancelled"  # the user pressed Esc
    INTERRUPTED = "interrupted"  # the connection or the app failed mid-reply; partial kept
    ERROR = "error"  # failed before any text arrived


# The error kind of a reply the app itself stopped (a signal, a closed terminal, a crash).
APP_STOPPED_KIND = "app_stopped"


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
    attachments: tuple[Attachment, ...] = ()  # files attached to a user message
    # The message this one follows (None: a first message). Siblings share a parent: they are
    # alternatives to each other. Kept out of == and repr (they would walk the whole chain).
    parent: Turn | None = field(default=None, compare=False, repr=False)

    @property
    def parent_id(self) -> int | None:
        """The stored id of the parent (None for a first message, or an unsaved parent)."""
        return self.parent.id if self.parent is not None else None

    def as_context(self) -> ChatMessage:
        """What is sent back to a provider: the text and attached files, never the
        reasoning."""
        return ChatMessage(self.role, self.text, self.attachments)


@dataclass(slots=True)
class ConversationSettings:
    """Per-conversation knobs, saved with it."""

    system_prompt: str | None = None
    temperature: float | None = None
    max_output_tokens: int | None = None
    reasoning_effort: str | None = None
    reasoning_budget: int | None = None
    preset: str | None = None  # the name of the config preset these came from, if any


@dataclass(slots=True)
class Conversation:
    """A conversation: its settings, the tree of its messages and the current branch.

    `turns` is the current branch, root to leaf; everything that renders or sends reads it.
    Change the branch with the tree methods below, which keep `turns` and the tree in step.
    Code that appends to (or prepends to) `turns` directly still works: such turns join the
    tree as children of the turn before them the next time the tree is asked.

    Below a switched-to message, the branch follows the most recently created child at each
    level (not the last one viewed): the stored current leaf remembers where the user was.
    """

    id: int | None = None
    title: str | None = None
    created_at: float = 0.0
    updated_at: float = 0.0
    settings: ConversationSettings = field(default_factory=ConversationSettings)
    turns: list[Turn] = field(default_factory=list)
    # The tree: every message of every branch in creation order, each message's children
    # (oldest first) keyed by id() of the parent (None: the first messages), and the id()s of
    # the messages already in it.
    _messages: list[Turn] = field(default_factory=list, init=False, repr=False, compare=False)
    _children: dict[int | None, list[Turn]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _known: set[int] = field(default_factory=set, init=False, repr=False, compare=False)
    _synced_shape: tuple[int, int, int, int] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    # ---- the tree ---------------------------------------------------------------------------

    @property
    def messages(self) -> list[Turn]:
        """Every message of every branch, oldest first."""
        self._sync()
        return list(self._messages)

    @property
    def leaf(self) -> Turn | None:
        """The last message of the current branch."""
        return self.turns[-1] if self.turns else None

    def children(self, turn: Turn | None) -> list[Turn]:
        """The messages that follow `turn` (None: the first messages), oldest first."""
        self._sync()
        return list(self._children.get(_tree_key(turn), ()))

    def alternatives(self, turn: Turn) -> list[Turn]:
        """`turn` and its siblings (the messages sharing its parent), oldest first."""
        self._require_in_tree(turn)
        return self.children(turn.parent)

    def alternative_position(self, turn: Turn) -> tuple[int, int]:
        """Where `turn` stands among its alternatives: (1-based position, count), the
        `‹ 2/3 ›` of the screen; (1, 1) for a message without siblings."""
        siblings = self.alternatives(turn)
        return _index_of(turn, siblings) + 1, len(siblings)

    def alternative_positions(self) -> list[tuple[int, int]]:
        """`alternative_position` for every turn of the current branch, in one pass."""
        self._sync()
        positions = []
        for turn in self.turns:
            siblings = self._children.get(_tree_key(turn.parent), [turn])
            positions.append((_index_of(turn, siblings) + 1, len(siblings)))
        return positions

    @staticmethod
    def path_to(turn: Turn | None) -> list[Turn]:
        """The messages from the first one down to `turn`, inclusive (empty for None)."""
        path: list[Turn] = []
        while turn is not None:
            path.append(turn)
            turn = turn.parent
        path.reverse()
        return path

    # ---- changing the current branch --------------------------------------------------------

    def switch_to(self, turn: Turn) -> Turn:
        """Make the branch through `turn` current: from the first message down to `turn`,
        then the most recently created child at each level below it. Returns the new leaf."""
        self._require_in_tree(turn)
        branch = self.path_to(turn)
        while newer := self._children.get(id(branch[-1])):
            branch.append(newer[-1])
        self._set_branch(branch)
        return branch[-1]

    def switch_alternative(self, turn: Turn, step: int) -> Turn | None:
        """Show the alternative `step` places from `turn` (-1: the previous one, 1: the next)
        and the newest branch below it. Returns that alternative, or None when there is none
        that way (nothing changes; it does not wrap around)."""
        siblings = self.alternatives(turn)
        index = _index_of(turn, siblings) + step
        if step == 0 or not 0 <= index < len(siblings):
            return None
        self.switch_to(siblings[index])
        return siblings[index]

    def truncate_branch(self, at: Turn | None) -> None:
        """End the current branch at `at` (None: before the first message): the point the
        next message is added from. Nothing leaves the tree."""
        if at is not None:
            self._require_in_tree(at)
        else:
            self._sync()
        self._set_branch(self.path_to(at))

    def append(self, turn: Turn) -> Turn:
        """Add `turn` after the current branch's last message; it becomes the leaf."""
        self._sync()
        turn.parent = self.leaf
        self.turns.append(turn)
        self._register(turn)
        self._note_synced()
        return turn

    def add_alternative(self, to: Turn, turn: Turn) -> Turn:
        """Add `turn` as a sibling of `to` (an edited user message, a regenerated reply) and
        make it the leaf of the current branch. What followed `to` stays in the tree."""
        self._require_in_tree(to)
        self.truncate_branch(to.parent)
        return self.append(turn)

    def rewind_to_prompt(self) -> Turn | None:
        """Before a new reply: a branch ending with a reply is cut back to the message that
        reply answers, so the new reply becomes its alternative (a retry after a failure, a
        race's second lane) rather than a reply to a reply. Returns the new leaf."""
        leaf = self.leaf
        if leaf is not None and leaf.role == "assistant":
            self.truncate_branch(leaf.parent)
        return self.leaf

    def remove(self, turn: Turn) -> None:
        """Take `turn` out of the tree; its children move up to its parent (as the store's
        delete does), so the branches below it stay whole."""
        self._require_in_tree(turn)
        children = self._children.pop(id(turn), [])
        siblings = self._children[_tree_key(turn.parent)]
        del siblings[_index_of(turn, siblings)]
        for child in children:
            child.parent = turn.parent
        siblings.extend(children)
        created = {id(message): order for order, message in enumerate(self._messages)}
        siblings.sort(key=lambda sibling: created[id(sibling)])
        del self._messages[created[id(turn)]]
        self._known.discard(id(turn))
        self._set_branch([t for t in self.turns if t is not turn])

    def load_tree(self, messages: list[Turn], current: Turn | None) -> None:
        """Replace the tree with `messages` (oldest first, parents already linked) and make
        the branch through `current` the current one (None: the newest message's)."""
        self.turns.clear()
        self._messages, self._children, self._known = [], {}, set()
        for message in messages:
            self._register(message)
        if current is None and messages:
            current = messages[-1]
        if current is None:
            self._set_branch([])
        else:
            self.switch_to(current)

    @property
    def label(self) -> str:
        """The title, and the preset its settings came from: what the chat's sub-title shows."""
        preset = f"preset: {self.settings.preset}" if self.settings.preset else ""
        return " · ".join(part for part in (self.title or "", preset) if part)

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
            if answer is not None and _has_content(user):
                messages += [user.as_context(), answer.as_context()]
            elif not _left_out(index, exchanges, replies) and _has_content(user):
                messages.append(user.as_context())  # the message being sent now
        return tuple(messages)

    def left_out_turns(self) -> list[Turn]:
        """The user turns `context()` leaves out: unanswered, and not the one being sent."""
        exchanges = _exchanges(self.turns)
        return [
            user
            for index, (user, replies) in enumerate(exchanges)
            if _has_content(user) and _left_out(index, exchanges, replies)
        ]

    # ---- keeping the tree and `turns` in step -------------------------------------------------

    def _sync(self) -> None:
        """Adopt turns that were put on `turns` directly: each one without a parent follows
        the turn before it (a viewer that prepends earlier turns links them up the same way).
        Cheap when nothing changed: the branch's shape is compared first."""
        if self._shape() == self._synced_shape:
            return
        previous: Turn | None = None
        for turn in self.turns:
            if id(turn) not in self._known:
                if turn.parent is None:
                    turn.parent = previous
                self._register(turn)
            elif turn.parent is None and previous is not None:
                self._reparent(turn, previous)
            previous = turn
        self._note_synced()

    def _shape(self) -> tuple[int, int, int, int]:
        turns = self.turns
        return (
            id(turns),
            len(turns),
            id(turns[0]) if turns else 0,
            id(turns[-1]) if turns else 0,
        )

    def _note_synced(self) -> None:
        self._synced_shape = self._shape()

    def _set_branch(self, branch: list[Turn]) -> None:
        self.turns[:] = branch  # in place: holders of the list see the switch
        self._note_synced()

    def _register(self, turn: Turn) -> None:
        self._known.add(id(turn))
        self._messages.append(turn)
        self._children.setdefault(_tree_key(turn.parent), []).append(turn)

    def _reparent(self, turn: Turn, parent: Turn) -> None:
        siblings = self._children[_tree_key(turn.parent)]
        del siblings[_index_of(turn, siblings)]
        turn.parent = parent
        self._children.setdefault(id(parent), []).append(turn)

    def _require_in_tree(self, turn: Turn) -> None:
        self._sync()
        if id(turn) not in self._known:
            raise ValueError("that message is not part of this conversation")


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


def _has_content(user: Turn) -> bool:
    """A user message worth sending: some text, or a file on its own."""
    return bool(user.text.strip() or user.attachments)


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


def _tree_key(turn: Turn | None) -> int | None:
    return None if turn is None else id(turn)


def _index_of(turn: Turn, turns: list[Turn]) -> int:
    """Position by identity (two turns with equal fields are still different messages)."""
    for index, candidate in enumerate(turns):
        if candidate is turn:
            return index
    raise ValueError("that message is not part of this conversation")
