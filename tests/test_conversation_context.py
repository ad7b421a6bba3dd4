"""What a conversation sends back as context: a user turn whose replies all came back without
text is left out (never glued to the next message) unless it is retried."""

from __future__ import annotations

from chat_tui.conversation import Conversation, MessageStatus, Turn

COMPLETE, CANCELLED, ERROR, INTERRUPTED, STREAMING = (
    MessageStatus.COMPLETE,
    MessageStatus.CANCELLED,
    MessageStatus.ERROR,
    MessageStatus.INTERRUPTED,
    MessageStatus.STREAMING,
)


def user(text: str) -> Turn:
    return Turn("user", text)


def reply(text: str, status: MessageStatus = COMPLETE) -> Turn:
    return Turn("assistant", text, status=status)


def sent(conversation: Conversation, *, retrying: bool = False) -> list[tuple[str, str]]:
    return [(m.role, m.text) for m in conversation.context(retrying=retrying)]


def test_a_failed_or_cancelled_turn_without_text_is_left_out() -> None:
    for status in (ERROR, CANCELLED, INTERRUPTED, COMPLETE):
        turns = [user("hi"), reply("hello"), user("X" * 50), reply("", status), user("ok")]
        conversation = Conversation(turns=turns)
        assert sent(conversation) == [("user", "hi"), ("assistant", "hello"), ("user", "ok")]
        assert conversation.left_out_turns() == [turns[2]]


def test_a_retry_sends_the_last_user_turn_again_without_its_earlier_replies() -> None:
    turns = [user("q"), reply("", ERROR), reply("", CANCELLED)]
    conversation = Conversation(turns=turns)
    assert sent(conversation) == []
    assert conversation.left_out_turns() == [turns[0]]
    assert sent(conversation, retrying=True) == [("user", "q")]
    partial = Conversation(turns=[user("q"), reply("Partial", CANCELLED)])
    assert sent(partial, retrying=True) == [("user", "q")], "the partial is being replaced"


def test_a_partial_reply_stays_in_the_context_with_its_question() -> None:
    for status in (CANCELLED, INTERRUPTED):
        conversation = Conversation(turns=[user("q"), reply("Part", status), user("go on")])
        assert sent(conversation) == [("user", "q"), ("assistant", "Part"), ("user", "go on")]
        assert conversation.left_out_turns() == []


def test_the_newest_reply_with_text_answers_a_retried_or_raced_turn() -> None:
    turns = [user("q"), reply("first"), reply("second"), reply("", ERROR), user("next")]
    assert sent(Conversation(turns=turns)) == [
        ("user", "q"),
        ("assistant", "second"),
        ("user", "next"),
    ]


def test_the_turn_being_sent_is_in_the_context_while_its_reply_is_in_flight() -> None:
    # A race starts its second request after the first one's reply turn was added.
    conversation = Conversation(turns=[user("race me"), reply("", STREAMING)])
    assert sent(conversation) == [("user", "race me")]
    assert conversation.left_out_turns() == []
    # A reply in flight is not context yet, even with text.
    conversation = Conversation(turns=[user("race me"), reply("so far", STREAMING)])
    assert sent(conversation) == [("user", "race me")]


def test_an_unanswered_turn_followed_by_another_is_left_out() -> None:
    turns = [user("lost"), user("ok")]
    conversation = Conversation(turns=turns)
    assert sent(conversation) == [("user", "ok")]
    assert conversation.left_out_turns() == [turns[0]]


def test_replies_before_the_first_user_turn_are_not_sent() -> None:
    conversation = Conversation(turns=[reply("orphan"), user("q")])
    assert sent(conversation) == [("user", "q")]
