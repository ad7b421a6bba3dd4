"""Branches in the store: parents saved, the tree loaded, the current branch remembered,
search over every branch."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chat_tui.conversation import Conversation, Turn
from chat_tui.store import TranscriptStore, UnknownConversationError
from chat_tui.store.export import conversation_to_json, conversation_to_markdown
from chat_tui.store.transcripts import branch_ids

from .builders import finished_reply, streaming_reply, user_turn
from .test_transcripts_cli import transcripts


def save(store: TranscriptStore, conversation: Conversation, turn: Turn) -> Turn:
    """Add `turn` to the conversation's tree (already placed by the caller) and save it
    with its parent, as the session does."""
    assert conversation.id is not None
    turn.id = store.add_turn(conversation.id, turn, parent_id=turn.parent_id)
    return turn


def reply(store: TranscriptStore, conversation: Conversation, text: str, model: str) -> Turn:
    turn = conversation.append(streaming_reply(model=model))
    save(store, conversation, turn)
    assert turn.id is not None
    store.finish_reply(turn.id, finished_reply(text, model=model))
    turn.text = text
    return turn


@pytest.fixture
def branched(store: TranscriptStore) -> Conversation:
    """q1 -> (a1 | b1 -> q2 -> b2), edited first message q1' -> c1; current: q1' -> c1."""
    conversation = store.create_conversation(title="branched")
    q1 = save(store, conversation, conversation.append(user_turn("penguins swim")))
    a1 = reply(store, conversation, "penguins are birds", "model-a")
    conversation.add_alternative(a1, streaming_reply(model="model-b"))
    b1 = save(store, conversation, conversation.turns[-1])
    assert b1.id is not None
    store.finish_reply(b1.id, finished_reply("penguins dive deep", model="model-b"))
    b1.text = "penguins dive deep"
    save(store, conversation, conversation.append(user_turn("how deep")))
    reply(store, conversation, "five hundred metres", "model-b")
    save(store, conversation, conversation.add_alternative(q1, user_turn("albatross glide")))
    reply(store, conversation, "albatross wings", "model-c")
    return conversation


def texts(turns: list[Turn]) -> list[str]:
    return [turn.text for turn in turns]


def test_the_whole_tree_loads_with_the_current_branch(
    store: TranscriptStore, branched: Conversation
) -> None:
    assert branched.id is not None
    loaded = store.load_conversation(branched.id)
    assert texts(loaded.turns) == ["albatross glide", "albatross wings"]
    assert len(loaded.messages) == 7 == store.count_turns(branched.id)
    first, edited = loaded.children(None)
    assert texts([first, edited]) == ["penguins swim", "albatross glide"]
    assert texts(loaded.children(first)) == ["penguins are birds", "penguins dive deep"]
    assert [t.id for t in loaded.messages] == [t.id for t in branched.messages]
    assert [t.parent_id for t in loaded.messages] == [t.parent_id for t in branched.messages]
    assert store.count_branch_turns(branched.id) == 2


def test_switching_branches_is_remembered(store: TranscriptStore, branched: Conversation) -> None:
    assert branched.id is not None
    loaded = store.load_conversation(branched.id)
    loaded.switch_alternative(loaded.turns[0], -1)
    assert texts(loaded.turns) == [
        "penguins swim",
        "penguins dive deep",
        "how deep",
        "five hundred metres",
    ]
    leaf = loaded.turns[-1]
    assert leaf.id is not None
    store.set_current_leaf(branched.id, leaf.id)
    assert texts(store.load_conversation(branched.id).turns) == texts(loaded.turns)
    # A new turn continues the current branch by default and becomes the leaf.
    new_id = store.add_turn(branched.id, user_turn("and seals?"))
    again = store.load_conversation(branched.id)
    assert [t.id for t in again.turns][-2:] == [leaf.id, new_id]


def test_the_current_leaf_must_belong_to_the_conversation(
    store: TranscriptStore, branched: Conversation
) -> None:
    other = store.create_conversation()
    assert other.id is not None and branched.id is not None
    with pytest.raises(UnknownConversationError):
        store.set_current_leaf(other.id, branched.turns[-1].id)  # type: ignore[arg-type]


def test_a_tail_and_earlier_turns_follow_the_branch(
    store: TranscriptStore, branched: Conversation
) -> None:
    assert branched.id is not None
    deep = branched.messages[4]  # "five hundred metres"
    assert deep.id is not None
    tail = store.load_conversation(branched.id, tail=2, through=deep.id)
    assert texts(tail.turns) == ["how deep", "five hundred metres"]
    first_shown = tail.turns[0].id
    assert first_shown is not None
    earlier = store.load_turns_before(branched.id, first_shown, 10)
    assert texts(earlier) == ["penguins swim", "penguins dive deep"]
    assert store.count_branch_turns(branched.id, through=deep.id) == 4


def test_search_finds_every_branch_and_says_which(
    store: TranscriptStore, branched: Conversation
) -> None:
    assert branched.id is not None
    (hit,) = store.search("dive")
    assert not hit.on_current_branch
    (current,) = store.search("wings")
    assert current.on_current_branch
    # Opening the hit shows its branch, down to that branch's newest leaf.
    opened = store.load_conversation(branched.id, through=hit.message_id)
    assert texts(opened.turns) == [
        "penguins swim",
        "penguins dive deep",
        "how deep",
        "five hundred metres",
    ]
    # ...without changing the remembered branch.
    assert texts(store.load_conversation(branched.id).turns)[0] == "albatross glide"


def test_branch_ids_follow_the_newest_child_below_the_chosen_message() -> None:
    parents = {1: None, 2: 1, 3: 1, 4: 2, 5: 2, 6: None}
    assert branch_ids(parents, 2) == [1, 2, 5]
    assert branch_ids(parents, 4) == [1, 2, 4]
    assert branch_ids(parents, 1) == [1, 3]
    assert branch_ids(parents, None) == [6]
    assert branch_ids(parents, 99) == [6]
    assert branch_ids({}, None) == []


def test_json_carries_every_branch_and_markdown_the_current_one(
    store: TranscriptStore, branched: Conversation
) -> None:
    assert branched.id is not None
    loaded = store.load_conversation(branched.id)
    document = json.loads(conversation_to_json(loaded))
    assert document["schema_version"] == 2
    by_id = {message["id"]: message for message in document["messages"]}
    assert len(by_id) == 7
    assert [by_id[i]["text"] for i in document["current_branch"]] == [
        "albatross glide",
        "albatross wings",
    ]
    assert [m["parent_id"] for m in document["messages"]] == [
        t.parent_id for t in branched.messages
    ]
    assert document["models"] == ["model-a", "model-b", "model-c"]
    markdown = conversation_to_markdown(loaded)
    assert "albatross wings" in markdown and "penguins" not in markdown
    assert "## You · " in markdown and "alternative 2 of 2" in markdown


def test_cli_show_and_search_know_the_branches(
    store: TranscriptStore, branched: Conversation, database_path: Path
) -> None:
    data_dir = str(database_path.parent)
    shown = transcripts("show", str(branched.id), "--data-dir", data_dir)
    assert "albatross wings" in shown.stdout and "penguins" not in shown.stdout
    as_json = json.loads(
        transcripts("show", str(branched.id), "--json", "--data-dir", data_dir).stdout
    )
    assert len(as_json["messages"]) == 7
    found = transcripts("search", "dive", "--data-dir", data_dir)
    assert "on another branch" in found.stdout
    current = transcripts("search", "wings", "--data-dir", data_dir)
    assert "wings" in current.stdout and "another branch" not in current.stdout
    hits = json.loads(transcripts("search", "penguins", "--json", "--data-dir", data_dir).stdout)
    assert {hit["on_current_branch"] for hit in hits} == {False}
