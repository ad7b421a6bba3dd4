"""The message cursor (issue 14): select any message with alt+up, copy it, edit and resend it,
regenerate a reply, switch between alternatives, delete a turn. Real SDK (OpenAI through the
fake server), real SQLite; what the server received is checked for every request sent."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from chat_tui.app import ChatApp
from chat_tui.config import Settings
from chat_tui.conversation import Conversation
from chat_tui.engine import RetryPolicy
from chat_tui.providers.base import Provider
from chat_tui.providers.catalog import Target
from chat_tui.screens.dialogs import ConfirmDialog
from chat_tui.screens.help import HelpScreen
from chat_tui.session import ChatSession
from chat_tui.store import TranscriptStore
from chat_tui.theming import builtin_themes_dir, load_themes
from chat_tui.widgets.message_log import MessageLog
from chat_tui.widgets.messages import AssistantMessage, UserMessage
from chat_tui.widgets.prompt import PromptInput
from tests.fakeserver import FakeProviderServer, Scenario
from tests.providers.conftest import build
from tests.store.test_session_branches import sent_messages

from .conftest import screen_text, type_and_send, wait_until

MODEL = "gpt-4o-mini"
OTHER_MODEL = "gpt-4.1-nano"


@pytest.fixture
async def provider(fake_server: FakeProviderServer) -> AsyncIterator[Provider]:
    built = build(fake_server, "openai")
    yield built
    await built.aclose()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "data" / "transcripts.sqlite3"


def make_app(provider: Provider, db: Path) -> ChatApp:
    session = ChatSession(
        provider,
        Target("openai", "OpenAI", MODEL),
        retry_policy=RetryPolicy(max_retries=0),
        store=TranscriptStore.open(db),
    )
    # Titled: no title request reaches the server between the requests under test.
    session.conversation.title = "cursor test"
    app = ChatApp(session, settings=Settings(flush_interval_ms=50))
    app.animation_level = "none"
    return app


async def exchange(pilot: Pilot, server: FakeProviderServer, prompt: str, reply: str) -> None:
    """Send `prompt`; the server answers `reply`; wait until it is finished on screen."""
    server.script(Scenario.text([reply], ttft_s=0.0, delay_s=0.0))
    await type_and_send(pilot, prompt)
    await settle(pilot)


async def settle(pilot: Pilot) -> None:
    app = pilot.app
    assert isinstance(app, ChatApp)
    await wait_until(pilot, lambda: app.chat.pending is not None or app.chat.presenter is not None)
    await app.workers.wait_for_complete()
    await wait_until(pilot, lambda: app.chat.pending is None)
    await pilot.pause()


def log_of(app: ChatApp) -> MessageLog:
    return app.chat.log_view


def shown(app: ChatApp) -> list[str]:
    """Each message on screen, as (role initial: text)."""
    lines = []
    for message in log_of(app).messages:
        if isinstance(message, UserMessage):
            lines.append(f"U: {message.turn.text if message.turn else ''}")
        elif isinstance(message, AssistantMessage):
            lines.append(f"A: {message.text}")
    return lines


def selected_text(app: ChatApp) -> str | None:
    selected = log_of(app).selected
    turn = getattr(selected, "turn", None)
    return None if turn is None else turn.text


async def select(pilot: Pilot, steps_back: int) -> None:
    """alt+up from the prompt, then `steps_back` more."""
    await pilot.press("alt+up", *["alt+up"] * steps_back)
    await pilot.pause()


def reload(app: ChatApp, db: Path) -> Conversation:
    conversation_id = app.session.conversation.id
    assert conversation_id is not None
    with TranscriptStore.open(db) as store:
        return store.load_conversation(conversation_id)


# ---- moving, highlighting, leaving -----------------------------------------------------------


async def test_alt_up_selects_the_last_message_moves_and_escape_returns_to_the_prompt(
    provider: Provider, fake_server: FakeProviderServer, db: Path
) -> None:
    app = make_app(provider, db)
    async with app.run_test(size=(100, 40)) as pilot:
        await exchange(pilot, fake_server, "first", "one")
        await exchange(pilot, fake_server, "second", "two")
        await select(pilot, 0)
        assert isinstance(app.focused, MessageLog)
        assert selected_text(app) == "two"
        await pilot.press("alt+up", "alt+up")
        assert selected_text(app) == "one"
        await pilot.press("alt+up", "alt+up", "alt+up")  # stops at the first message
        assert selected_text(app) == "first"
        await pilot.press("alt+down")
        assert selected_text(app) == "one"
        selected = log_of(app).selected
        assert selected is not None and selected.has_class("-selected")
        assert sum(m.has_class("-selected") for m in log_of(app).messages) == 1
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.focused, PromptInput)
        assert log_of(app).selected is None
        assert not selected.has_class("-selected")


async def test_the_selected_message_stands_out_in_every_theme_and_is_scrolled_into_view(
    provider: Provider, fake_server: FakeProviderServer, db: Path
) -> None:
    app = make_app(provider, db)
    themes, _ = load_themes(builtin_themes_dir(), db.parent / "no-user-themes")
    for theme in themes:
        app.register_theme(theme)
    async with app.run_test(size=(100, 20)) as pilot:
        for n in range(6):
            await exchange(pilot, fake_server, f"question {n}", f"answer {n}\n\n" + "line\n\n" * 3)
        await select(pilot, 11)  # the very first message, far above the view
        first = log_of(app).messages[0]
        assert log_of(app).selected is first
        await pilot.pause()
        assert log_of(app).scroll_offset.y <= first.virtual_region.y
        assert "question 0" in screen_text(app)
        other = log_of(app).messages[2]
        assert isinstance(first, UserMessage) and isinstance(other, UserMessage)
        for theme in ("chat-tui-midnight", "chat-tui-ember", "chat-tui-paper"):
            app.theme = theme
            await pilot.pause()
            assert first.styles.background != other.styles.background, theme
            assert first.styles.border_left != other.styles.border_left, theme


async def test_escape_with_a_message_selected_while_a_reply_streams_only_leaves_the_cursor(
    provider: Provider, fake_server: FakeProviderServer, db: Path
) -> None:
    """Esc is also "stop the reply": with a message selected it goes back to the prompt and
    the reply goes on; a second Esc (from the prompt) stops it."""
    app = make_app(provider, db)
    async with app.run_test(size=(100, 30)) as pilot:
        await exchange(pilot, fake_server, "first", "one")
        fake_server.script(Scenario.text(["tick "] * 30000, ttft_s=0.0, delay_s=0.01))
        await type_and_send(pilot, "count slowly")
        await wait_until(pilot, lambda: app.chat.pending is not None)
        await select(pilot, 1)
        await pilot.press("escape")
        await pilot.pause(0.1)
        assert isinstance(app.focused, PromptInput)
        assert app.chat.pending is not None  # still arriving
        await pilot.press("escape")
        await app.workers.wait_for_complete()
        await wait_until(pilot, lambda: app.chat.pending is None)
        assert app.session.conversation.turns[-1].status.value == "cancelled"


# ---- copy ------------------------------------------------------------------------------------


async def test_c_copies_the_selected_message_as_its_markdown_source(
    provider: Provider, fake_server: FakeProviderServer, db: Path
) -> None:
    app = make_app(provider, db)
    async with app.run_test(size=(100, 30)) as pilot:
        await exchange(pilot, fake_server, "first", "**bold** and `code`")
        await exchange(pilot, fake_server, "second", "two")
        await select(pilot, 2)
        await pilot.press("c")
        assert app.clipboard == "**bold** and `code`"
        await pilot.press("alt+up", "c")
        assert app.clipboard == "first"
        assert isinstance(app.focused, MessageLog)  # the cursor stays for the next key


async def test_f4_copies_a_code_block_of_the_selected_message(
    provider: Provider, fake_server: FakeProviderServer, db: Path
) -> None:
    app = make_app(provider, db)
    async with app.run_test(size=(100, 30)) as pilot:
        await exchange(pilot, fake_server, "code", "```python\nprint('old')\n```")
        await exchange(pilot, fake_server, "more", "```sh\necho new\n```")
        await select(pilot, 2)
        await pilot.press("f4")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert app.clipboard == "print('old')"


# ---- edit and resend -------------------------------------------------------------------------


async def test_e_then_enter_sends_the_edit_as_a_new_branch_saved_and_reloaded(
    provider: Provider, fake_server: FakeProviderServer, db: Path
) -> None:
    app = make_app(provider, db)
    async with app.run_test(size=(100, 30)) as pilot:
        await exchange(pilot, fake_server, "name a bird", "penguin")
        await exchange(pilot, fake_server, "why that one", "it swims")
        await select(pilot, 3)
        assert selected_text(app) == "name a bird"
        await pilot.press("e")
        await pilot.pause()
        prompt = app.chat.prompt
        assert app.focused is prompt
        assert prompt.text == "name a bird"
        assert prompt.cursor_location == prompt.document.end
        fake_server.script(Scenario.text(["eagle"], ttft_s=0.0, delay_s=0.0))
        await type_and_send(pilot, " of prey")
        await settle(pilot)
        assert sent_messages(fake_server) == [("user", "name a bird of prey")]
        assert shown(app) == ["U: name a bird of prey", "A: eagle"]
        assert "‹ 2/2 ›" in screen_text(app)

        conversation = reload(app, db)
        assert [t.text for t in conversation.turns] == ["name a bird of prey", "eagle"]
        first = conversation.turns[0]
        assert [t.text for t in conversation.alternatives(first)] == [
            "name a bird",
            "name a bird of prey",
        ]
        old = conversation.alternatives(first)[0]
        conversation.switch_to(old)
        assert [t.text for t in conversation.turns] == [
            "name a bird",
            "penguin",
            "why that one",
            "it swims",
        ]


async def test_escape_while_editing_gives_back_the_text_typed_before(
    provider: Provider, fake_server: FakeProviderServer, db: Path
) -> None:
    app = make_app(provider, db)
    async with app.run_test(size=(100, 30)) as pilot:
        await exchange(pilot, fake_server, "hello", "hi")
        await pilot.press("d", "r", "a", "f", "t")
        await select(pilot, 1)
        await pilot.press("e")
        assert app.chat.prompt.text == "hello"
        await pilot.press("escape")
        assert app.chat.prompt.text == "draft"
        fake_server.script(Scenario.text(["ok"], ttft_s=0.0, delay_s=0.0))
        await pilot.press("enter")
        await settle(pilot)
        assert sent_messages(fake_server)[-1] == ("user", "draft")
        assert len(app.session.conversation.turns) == 4  # an ordinary message, no branch


# ---- regenerate and alternatives ---------------------------------------------------------------


async def test_r_regenerates_on_the_model_and_mode_now_selected_each_keeping_its_header(
    provider: Provider, fake_server: FakeProviderServer, db: Path
) -> None:
    app = make_app(provider, db)
    async with app.run_test(size=(110, 30)) as pilot:
        await exchange(pilot, fake_server, "name a bird", "penguin")
        await exchange(pilot, fake_server, "why that one", "it swims")
        app.chat.switch_target(provider, Target("openai", "OpenAI", OTHER_MODEL))
        await pilot.press("ctrl+t")  # non-streaming from now on
        await select(pilot, 2)
        assert selected_text(app) == "penguin"
        fake_server.script(Scenario.text(["albatross"], ttft_s=0.0, delay_s=0.0))
        await pilot.press("r")
        await settle(pilot)

        assert sent_messages(fake_server) == [("user", "name a bird")]
        assert fake_server.last.body["model"] == OTHER_MODEL
        assert fake_server.last.body.get("stream") in (None, False)
        assert shown(app) == ["U: name a bird", "A: albatross"]
        new_reply = log_of(app).messages[1]
        assert isinstance(new_reply, AssistantMessage)
        text = screen_text(app)
        assert f"◆ {OTHER_MODEL}" in text and "‹ 2/2 ›" in text
        assert "non-streaming" in str(new_reply.query_one(".footer").render())

        # The first alternative keeps its own header (model) and footer (mode, figures).
        await pilot.press("alt+up", "left")
        await pilot.pause()
        assert shown(app) == ["U: name a bird", "A: penguin", "U: why that one", "A: it swims"]
        text = screen_text(app)
        assert f"◆ {MODEL}" in text and "‹ 1/2 ›" in text
        old_reply = log_of(app).messages[1]
        assert isinstance(old_reply, AssistantMessage)
        assert "non-streaming" not in str(old_reply.query_one(".footer").render())
        assert selected_text(app) == "penguin"

        conversation = reload(app, db)  # the branch switched to is the one remembered
        assert [t.text for t in conversation.turns][-1] == "it swims"
        assert [t.model for t in conversation.alternatives(conversation.turns[1])] == [
            MODEL,
            OTHER_MODEL,
        ]


async def test_left_right_swap_only_what_is_below_the_branch_point(
    provider: Provider, fake_server: FakeProviderServer, db: Path
) -> None:
    app = make_app(provider, db)
    async with app.run_test(size=(100, 40)) as pilot:
        await exchange(pilot, fake_server, "q1", "a1")
        await exchange(pilot, fake_server, "q2", "a2")
        await exchange(pilot, fake_server, "q3", "a3")
        await select(pilot, 2)  # a2
        fake_server.script(Scenario.text(["a2 again"], ttft_s=0.0, delay_s=0.0))
        await pilot.press("r")
        await settle(pilot)
        assert shown(app) == ["U: q1", "A: a1", "U: q2", "A: a2 again"]
        above = log_of(app).messages[:3]

        await select(pilot, 0)
        await pilot.press("left")
        await pilot.pause()
        assert shown(app) == ["U: q1", "A: a1", "U: q2", "A: a2", "U: q3", "A: a3"]
        assert log_of(app).messages[:3] == above  # the same widgets: not re-rendered
        await pilot.press("left")  # no earlier alternative: nothing changes
        await pilot.pause()
        assert len(shown(app)) == 6
        await pilot.press("right")
        await pilot.pause()
        assert shown(app) == ["U: q1", "A: a1", "U: q2", "A: a2 again"]
        assert "a3" not in screen_text(app)

        # The next message goes on from the branch shown, and only it is sent.
        await pilot.press("escape")
        await exchange(pilot, fake_server, "q4", "a4")
        assert sent_messages(fake_server) == [
            ("user", "q1"),
            ("assistant", "a1"),
            ("user", "q2"),
            ("assistant", "a2 again"),
            ("user", "q4"),
        ]


async def test_branch_keys_wait_while_a_reply_arrives(
    provider: Provider, fake_server: FakeProviderServer, db: Path
) -> None:
    app = make_app(provider, db)
    async with app.run_test(size=(100, 30)) as pilot:
        await exchange(pilot, fake_server, "first", "one")
        fake_server.script(Scenario.text(["tick "] * 3000, ttft_s=0.0, delay_s=0.01))
        await type_and_send(pilot, "count")
        await wait_until(pilot, lambda: app.chat.pending is not None)
        await select(pilot, 2)  # "one"
        requests = len(fake_server.generation_requests)
        await pilot.press("r", "d")
        await pilot.pause()
        assert len(fake_server.generation_requests) == requests
        assert not isinstance(app.screen, ConfirmDialog)
        await pilot.press("c")
        assert app.clipboard == "one"  # copying is fine meanwhile
        await pilot.press("escape", "escape")
        await app.workers.wait_for_complete()


# ---- delete ----------------------------------------------------------------------------------


async def test_d_deletes_a_turn_after_confirmation_here_and_in_the_store(
    provider: Provider, fake_server: FakeProviderServer, db: Path
) -> None:
    app = make_app(provider, db)
    async with app.run_test(size=(100, 30)) as pilot:
        await exchange(pilot, fake_server, "keep me", "kept")
        await exchange(pilot, fake_server, "drop me", "dropped")
        await select(pilot, 1)  # "drop me"
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("n")  # changed my mind
        await wait_until(pilot, lambda: not isinstance(app.screen, ConfirmDialog))
        assert len(shown(app)) == 4
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_until(pilot, lambda: len(shown(app)) == 2)
        assert shown(app) == ["U: keep me", "A: kept"]
        assert [t.text for t in reload(app, db).turns] == ["keep me", "kept"]
        assert log_of(app).selected is log_of(app).messages[-1]  # the cursor stays near


# ---- keys listed -----------------------------------------------------------------------------

CURSOR_IDS = (
    "chat.select_message",
    "cursor.previous",
    "cursor.next",
    "cursor.copy",
    "cursor.edit",
    "cursor.regenerate",
    "cursor.alternative_back",
    "cursor.alternative_next",
    "cursor.delete",
)


async def test_f1_and_the_palette_list_the_cursor_keys_with_their_ids(
    provider: Provider, db: Path
) -> None:
    app = make_app(provider, db)
    app.settings = Settings(flush_interval_ms=50, keymap={"cursor.copy": "y"})
    app.set_keymap(app.settings.keymap)
    async with app.run_test(size=(120, 60)) as pilot:
        await pilot.press("f1")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        body = str(help_screen.body())
        rows = {row.binding_id: row for group in help_screen.rows.values() for row in group}
        for binding_id in CURSOR_IDS:
            # F1 shows what a user reads (the description), keyed by the binding's id.
            assert binding_id in rows, binding_id
            assert rows[binding_id].description in body, binding_id
        assert rows["cursor.copy"].keys == "y"  # as remapped
        await pilot.press("escape")
        await pilot.pause()
        titles = [command.title for command in app.get_system_commands(app.chat)]
        assert "Copy message (y)" in titles  # as remapped
        assert any(t.startswith("Regenerate reply") for t in titles)
        assert any(t.startswith("Select a message") for t in titles)
