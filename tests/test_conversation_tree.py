"""The conversation tree: branches, alternatives and switching, as plain data."""

from __future__ import annotations

import pytest

from chat_tui.conversation import Conversation, MessageStatus, Turn
from chat_tui.providers.base import ChatMessage


def user(text: str) -> Turn:
    return Turn(role="user", text=text)


def reply(text: str, status: MessageStatus = MessageStatus.COMPLETE) -> Turn:
    return Turn(role="assistant", text=text, status=status)


def texts(turns: list[Turn]) -> list[str]:
    return [turn.text for turn in turns]


def linear(*pairs: tuple[str, str]) -> Conversation:
    conversation = Conversation()
    for question, answer in pairs:
        conversation.append(user(question))
        conversation.append(reply(answer))
    return conversation


def test_appending_builds_a_chain_whose_first_message_has_no_parent() -> None:
    conversation = linear(("q1", "a1"), ("q2", "a2"))
    q1, a1, q2, a2 = conversation.turns
    assert (q1.parent, a1.parent, q2.parent, a2.parent) == (None, q1, a1, q2)
    assert conversation.messages == conversation.turns
    assert conversation.children(None) == [q1]
    assert conversation.alternative_positions() == [(1, 1)] * 4


def test_a_regenerated_reply_is_a_sibling_and_the_branch_ends_with_it() -> None:
    conversation = linear(("q1", "a1"), ("q2", "a2"))
    q1, a1, q2, a2 = conversation.turns
    again = conversation.add_alternative(a1, reply("a1 again"))
    assert again.parent is q1
    assert texts(conversation.turns) == ["q1", "a1 again"]
    assert conversation.alternatives(a1) == [a1, again]
    assert conversation.alternative_position(again) == (2, 2)
    # The old branch is still in the tree, whole.
    assert conversation.children(a1) == [q2]
    assert conversation.children(q2) == [a2]
    assert len(conversation.messages) == 5


def test_an_edited_first_message_is_another_root() -> None:
    conversation = linear(("q1", "a1"))
    q1 = conversation.turns[0]
    edited = conversation.add_alternative(q1, user("q1 edited"))
    assert edited.parent is None
    assert conversation.children(None) == [q1, edited]
    assert texts(conversation.turns) == ["q1 edited"]
    conversation.append(reply("a1'"))
    assert conversation.context() == (
        ChatMessage("user", "q1 edited"),
        ChatMessage("assistant", "a1'"),
    )


def test_switching_alternatives_swaps_everything_below_and_follows_the_newest_child() -> None:
    conversation = linear(("q1", "a1"), ("q2", "a2"))
    a1 = conversation.turns[1]
    b1 = conversation.add_alternative(a1, reply("b1"))
    conversation.append(user("q2 on b"))
    conversation.append(reply("b2"))
    # Two children of b1's follower: the newest is followed on switching back to b1.
    q2b = conversation.turns[2]
    conversation.add_alternative(q2b, user("q2 on b, edited"))
    conversation.append(reply("b2'"))
    assert conversation.switch_alternative(b1, -1) is a1
    assert texts(conversation.turns) == ["q1", "a1", "q2", "a2"]
    assert conversation.switch_alternative(a1, -1) is None  # no wrap-around
    assert texts(conversation.turns) == ["q1", "a1", "q2", "a2"]
    assert conversation.switch_alternative(a1, 1) is b1
    assert texts(conversation.turns) == ["q1", "b1", "q2 on b, edited", "b2'"]
    assert conversation.switch_alternative(b1, 1) is None
    assert conversation.alternative_positions() == [(1, 1), (2, 2), (2, 2), (1, 1)]


def test_context_is_the_current_branch_only() -> None:
    conversation = linear(("q1", "a1"), ("q2", "a2"))
    a1 = conversation.turns[1]
    conversation.add_alternative(a1, reply("b1"))
    conversation.append(user("q2b"))
    assert conversation.context() == (
        ChatMessage("user", "q1"),
        ChatMessage("assistant", "b1"),
        ChatMessage("user", "q2b"),
    )
    conversation.switch_to(a1)
    assert conversation.context()[-1] == ChatMessage("assistant", "a2")


def test_a_new_reply_after_a_reply_is_its_alternative() -> None:
    conversation = Conversation()
    question = conversation.append(user("q"))
    failed = conversation.append(reply("partial", MessageStatus.INTERRUPTED))
    assert conversation.rewind_to_prompt() is question
    # The failed reply's partial text is not history for the new one.
    assert conversation.context() == (ChatMessage("user", "q"),)
    retry = conversation.append(reply("whole"))
    assert conversation.alternatives(failed) == [failed, retry]
    # A branch ending with a user message is left alone.
    conversation.append(user("next"))
    assert conversation.rewind_to_prompt() is conversation.turns[-1]


def test_truncating_keeps_the_tree() -> None:
    conversation = linear(("q1", "a1"), ("q2", "a2"))
    conversation.truncate_branch(conversation.turns[1])
    assert texts(conversation.turns) == ["q1", "a1"]
    conversation.truncate_branch(None)
    assert conversation.turns == [] and len(conversation.messages) == 4


def test_removing_a_message_moves_its_children_up() -> None:
    conversation = Conversation()
    q1 = conversation.append(user("q1"))
    conversation.append(reply("", MessageStatus.ERROR))
    failed = conversation.turns[-1]
    q2 = conversation.append(user("q2"))
    conversation.append(reply("a2"))
    conversation.remove(failed)
    assert q2.parent is q1
    assert texts(conversation.turns) == ["q1", "q2", "a2"]
    assert conversation.children(q1) == [q2]
    assert failed not in [m for m in conversation.messages if m is failed]
    with pytest.raises(ValueError):
        conversation.alternative_position(failed)


def test_turns_appended_directly_join_the_tree() -> None:
    # Older code (and benchmarks) build conversations by appending to `turns`.
    conversation = Conversation(turns=[user("q1"), reply("a1")])
    conversation.turns.append(user("q2"))
    q1, a1, q2 = conversation.turns
    assert conversation.children(a1) == [q2]  # linked when the tree is first asked
    assert q2.parent is a1 and a1.parent is q1 and q1.parent is None
    # A viewer prepends earlier turns it loads later: they link up above the first one.
    earlier = [user("q0"), reply("a0")]
    conversation.turns[:0] = earlier
    assert conversation.children(None) == [earlier[0]]
    assert q1.parent is earlier[1]
    assert conversation.path_to(q2) == conversation.turns


def test_equal_looking_messages_are_told_apart() -> None:
    conversation = Conversation()
    question = conversation.append(user("same"))
    first = conversation.append(reply("same"))
    second = conversation.add_alternative(first, reply("same"))
    assert conversation.alternative_position(first) == (1, 2)
    assert conversation.alternative_position(second) == (2, 2)
    assert conversation.children(question) == [first, second]


def test_loading_a_tree_makes_the_named_branch_current() -> None:
    q = user("q")
    a, b = reply("a"), reply("b")
    a.parent = b.parent = q
    follow = user("after a")
    follow.parent = a
    conversation = Conversation()
    conversation.load_tree([q, a, b, follow], current=a)
    assert texts(conversation.turns) == ["q", "a", "after a"]
    conversation.load_tree([q, a, b, follow], current=None)
    assert texts(conversation.turns) == ["q", "a", "after a"]  # the newest message's branch
    conversation.load_tree([q, a, b, follow], current=b)
    assert texts(conversation.turns) == ["q", "b"]
