"""The history browser with branched conversations: a search hit on another branch opens
that branch, and continuing keeps the whole tree."""

from __future__ import annotations

from pathlib import Path

from chat_tui.conversation import MessageStatus, Turn
from chat_tui.screens.chat.screen import ChatScreen
from chat_tui.screens.history.conversation_view import HistoryConversationScreen
from chat_tui.store import TranscriptStore
from tests.app.scripted import ScriptedProvider

from .conftest import (
    make_store_app,
    open_highlighted,
    open_history,
    screen_text,
    type_and_send,
    wait_until,
)


def save_branched(db: Path) -> int:
    """'which bird' answered twice: 'Penguins dive deep.' (then a follow-up) and, current,
    'Albatrosses glide far.'."""
    with TranscriptStore.open(db) as store:
        conversation = store.create_conversation(title="Birds")
        assert conversation.id is not None

        def add(turn: Turn) -> Turn:
            turn.id = store.add_turn(conversation.id, turn, parent_id=turn.parent_id)  # type: ignore[arg-type]
            return turn

        question = add(conversation.append(Turn("user", "which bird")))
        penguins = add(conversation.append(Turn("assistant", "Penguins dive deep.", model="m")))
        add(conversation.append(Turn("user", "how deep")))
        add(conversation.append(Turn("assistant", "Five hundred metres.", model="m")))
        add(conversation.add_alternative(penguins, Turn("assistant", "Albatrosses glide far.")))
        assert conversation.turns[0] is question
        assert all(t.status is MessageStatus.COMPLETE for t in conversation.messages)
        return conversation.id


async def test_a_hit_on_another_branch_opens_it_and_continuing_keeps_the_tree(
    tmp_path: Path,
) -> None:
    db = tmp_path / "t.sqlite3"
    conversation_id = save_branched(db)
    provider = ScriptedProvider(["Deeper still."])
    app = make_store_app(provider, db)
    async with app.run_test(size=(110, 36)) as pilot:
        screen = await open_history(pilot)
        await pilot.press(*"dive")
        await wait_until(pilot, lambda: len(screen.hits) == 1)
        assert not screen.hits[0].on_current_branch
        view = await open_highlighted(pilot)
        assert isinstance(view, HistoryConversationScreen)
        assert [t.text for t in view.loaded_turns] == [
            "which bird",
            "Penguins dive deep.",
            "how deep",
            "Five hundred metres.",
        ]
        assert view.earlier_count == 0
        assert "Albatrosses" not in screen_text(app)

        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, ChatScreen))
        await pilot.pause()
        conversation = app.session.conversation
        assert conversation.id == conversation_id
        assert len(conversation.messages) == 5  # the whole tree came along
        assert "Five hundred metres." in screen_text(app)
        assert conversation.alternative_position(conversation.turns[1]) == (1, 2)

        await type_and_send(pilot, "deeper?")
        await app.workers.wait_for_complete()
        await pilot.pause()
        sent = [(m.role, m.text) for m in provider.requests[-1].messages]
        assert sent == [
            ("user", "which bird"),
            ("assistant", "Penguins dive deep."),
            ("user", "how deep"),
            ("assistant", "Five hundred metres."),
            ("user", "deeper?"),
        ]
        store = app.session.store
        assert store is not None
        reloaded = store.load_conversation(conversation_id)
        assert [t.text for t in reloaded.turns][-2:] == ["deeper?", "Deeper still."]
        assert len(reloaded.messages) == 7
