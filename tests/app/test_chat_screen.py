"""The chat screen driven by keys, on providers the test controls step by step."""

from __future__ import annotations

import asyncio
import re

from textual import events

from chat_tui.conversation import MessageStatus
from chat_tui.providers.base import ChatMessage, ChatRequest, TextDelta, Usage
from chat_tui.providers.simulated import SimulatedProvider, compose_reply
from chat_tui.widgets.messages import AssistantMessage, TypingIndicator, UserMessage

from .conftest import make_app, screen_text, type_and_send, wait_until
from .scripted import ScriptedProvider


def replies(app) -> list[AssistantMessage]:
    return list(app.chat.query(AssistantMessage))


async def test_typing_indicator_shows_until_the_first_token() -> None:
    first_token = asyncio.Event()
    provider = ScriptedProvider([first_token, "Hello", " world"])
    app = make_app(provider)
    async with app.run_test() as pilot:
        await type_and_send(pilot, "hi")
        await wait_until(pilot, lambda: bool(provider.requests))
        assert app.chat.query(TypingIndicator), "indicator missing before the first token"
        assert replies(app)[-1].text == ""
        first_token.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not app.chat.query(TypingIndicator)
        assert replies(app)[-1].text == "Hello world"


async def test_the_first_token_shows_at_once_not_at_the_next_flush_tick() -> None:
    more = asyncio.Event()
    provider = ScriptedProvider(["Hello", more, " world"])
    app = make_app(provider)
    async with app.run_test() as pilot:
        app.chat.flush_interval_s = 3600  # no tick comes during this test
        await type_and_send(pilot, "hi")
        await wait_until(pilot, lambda: "Hello" in screen_text(app))
        assert not app.chat.query(TypingIndicator)
        assert "TTFT" in screen_text(app) and app.chat.pending is not None
        more.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert replies(app)[-1].text == "Hello world", "the final flush brings the rest"


async def test_the_request_starts_before_the_messages_are_mounted() -> None:
    mounted_at_request: list[int] = []

    class Recording(ScriptedProvider):
        def stream(self, request):  # type: ignore[override]
            mounted_at_request.append(len(app.chat.query(UserMessage)))
            return super().stream(request)

    app = make_app(Recording(["Hi", " there"]))
    async with app.run_test() as pilot:
        await type_and_send(pilot, "hello")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert mounted_at_request == [0], "the request waited for the UI"
        assert len(app.chat.query(UserMessage)) == 1
        assert replies(app)[-1].text == "Hi there"


async def test_messages_show_even_if_the_provider_never_says_its_request_is_out() -> None:
    release = asyncio.Event()

    class Silent(ScriptedProvider):
        async def stream(self, request):  # type: ignore[override]
            self.requests.append(request)
            await release.wait()
            yield TextDelta("late")

    app = make_app(Silent([]))
    async with app.run_test() as pilot:
        await type_and_send(pilot, "anyone there")
        await wait_until(pilot, lambda: "anyone there" in screen_text(app))
        assert app.chat.query(TypingIndicator) and replies(app)[-1].text == ""
        release.set()
        await wait_until(pilot, lambda: replies(app)[-1].text == "late")


async def test_tokens_appear_across_several_flushes_and_the_text_is_complete() -> None:
    more = asyncio.Event()
    provider = ScriptedProvider(["First", " part.", more, "\n\nSecond", " part."])
    app = make_app(provider)
    async with app.run_test() as pilot:
        await type_and_send(pilot, "go")
        await wait_until(pilot, lambda: replies(app) and replies(app)[-1].text == "First part.")
        assert app.chat.pending is not None, "first part shown while the reply is in flight"
        more.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.chat.flush_count >= 2
        assert replies(app)[-1].text == provider.full_text


async def test_simulated_reply_is_shown_whole_and_recorded() -> None:
    provider = SimulatedProvider(ttft_s=0, tokens_per_s=2000)
    app = make_app(provider, model="simulated-hosted")
    async with app.run_test() as pilot:
        await type_and_send(pilot, "explain caching")
        await app.workers.wait_for_complete()
        await pilot.pause()
        expected = compose_reply(
            ChatRequest(model="m", messages=(ChatMessage("user", "explain caching"),))
        )
        assert replies(app)[-1].text == expected
        turn = app.session.conversation.turns[-1]
        assert turn.status is MessageStatus.COMPLETE
        assert turn.text == expected
        assert turn.metrics is not None and turn.metrics.output_tokens == provider.generated_tokens


async def test_escape_cancels_keeps_the_partial_and_stops_generation() -> None:
    never = asyncio.Event()
    provider = ScriptedProvider(["Partial", " answer", never, " never shown"])
    app = make_app(provider)
    async with app.run_test() as pilot:
        await type_and_send(pilot, "go")
        await wait_until(pilot, lambda: replies(app) and replies(app)[-1].text == "Partial answer")
        await pilot.press("escape")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert provider.closed.is_set(), "the provider stream was not closed"
        assert provider.yielded == 2
        reply = replies(app)[-1]
        assert reply.text == "Partial answer"
        assert reply.has_class("-cancelled")
        assert "cancelled" in str(reply.query_one(".footer").content)
        assert app.session.conversation.turns[-1].status is MessageStatus.CANCELLED
        assert not [w for w in app.workers if not w.is_finished]
        assert app.focused is app.chat.prompt


async def test_escape_with_nothing_in_flight_is_harmless() -> None:
    app = make_app(ScriptedProvider(["x"]))
    async with app.run_test() as pilot:
        await pilot.press("escape", "escape")
        assert app.is_running
        assert app.focused is app.chat.prompt


async def test_enter_while_a_reply_is_in_flight_keeps_the_typed_text() -> None:
    release = asyncio.Event()
    provider = ScriptedProvider(["a", release, "b"])
    app = make_app(provider)
    async with app.run_test() as pilot:
        await type_and_send(pilot, "one")
        await wait_until(pilot, lambda: bool(provider.requests))
        await type_and_send(pilot, "two")
        assert app.chat.prompt.text == "two"
        assert any("still arriving" in n.message for n in app._notifications)
        release.set()
        await app.workers.wait_for_complete()
        assert len(provider.requests) == 1


async def test_non_streaming_shows_nothing_until_the_whole_reply() -> None:
    release = asyncio.Event()
    provider = ScriptedProvider(["Whole", " reply", release], usage=Usage(3, 2))
    app = make_app(provider)
    async with app.run_test() as pilot:
        await pilot.press("ctrl+t")
        assert "non-streaming" in app.chat.status_bar.text
        await type_and_send(pilot, "go")
        await wait_until(pilot, lambda: bool(provider.requests))
        for _ in range(5):  # several flush ticks pass with nothing shown
            await pilot.pause(0.06)
            assert replies(app)[-1].text == ""
            assert app.chat.query(TypingIndicator)
        assert "waiting for the whole reply" in app.chat.status_bar.text
        release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert replies(app)[-1].text == "Whole reply"
        status = app.chat.status_bar.text
        assert "TTFT = total" in status
        turn = app.session.conversation.turns[-1]
        assert turn.streaming is False
        assert turn.metrics is not None and turn.metrics.ttft_s == turn.metrics.total_s


async def test_status_bar_shows_ttft_and_itl_figures() -> None:
    provider = SimulatedProvider(ttft_s=0.01, tokens_per_s=500)
    app = make_app(provider)
    async with app.run_test(size=(120, 30)) as pilot:  # at 80 columns the p95 gives way
        await type_and_send(pilot, "numbers please")
        await app.workers.wait_for_complete()
        await pilot.pause()
        status = app.chat.status_bar.text
        assert re.search(r"TTFT \d+ ms", status), status
        assert re.search(r"ITL p50 \d+\.\d ms · p95 \d+\.\d ms", status), status
        assert re.search(r"\d+\.\d tok/s", status), status
        assert "Simulated (offline)" in status


HOSTILE = (
    "[bold red]not bold[/bold red] [/] [link=x]y[/link] [/unbalanced] <b>tag</b>\n\n"
    "\x1b]0;pwned title\x07 \x1b]52;c;aGVsbG8=\x07 \x1b[31mred\x1b[0m nul:\x00 bell:\x07 \x9b2J"
)


async def test_markup_and_control_characters_render_literally() -> None:
    provider = ScriptedProvider([HOSTILE[:40], HOSTILE[40:]])
    app = make_app(provider)
    async with app.run_test() as pilot:
        await type_and_send(pilot, "[bold]me too[/] \x1b[2J")
        await app.workers.wait_for_complete()
        await pilot.pause()
        reply = replies(app)[-1]
        assert "\x1b" not in reply.text and "\x00" not in reply.text and "\x9b" not in reply.text
        assert "␛]0;pwned title␇" in reply.text
        shown = screen_text(app)
        for literal in ("[bold red]not bold[/bold red]", "[/unbalanced]", "<b>tag</b>", "pwned"):
            assert literal in shown, literal
        user = app.chat.query_one(UserMessage)
        assert "[bold]me too[/]" in str(user.content)


async def test_empty_or_blank_prompt_sends_nothing() -> None:
    provider = ScriptedProvider(["x"])
    app = make_app(provider)
    async with app.run_test() as pilot:
        await pilot.press("enter", "space", "space", "enter")
        await pilot.pause()
        assert not app.chat.query(UserMessage)
        assert provider.requests == []


async def test_shift_enter_and_ctrl_j_insert_newlines() -> None:
    provider = ScriptedProvider(["ok"])
    app = make_app(provider)
    async with app.run_test() as pilot:
        await pilot.press("a", "ctrl+j", "b", "enter")
        await app.workers.wait_for_complete()
        assert provider.requests[0].messages[-1].text == "a\nb"


def type_in_one_burst(app, *keys: str) -> None:
    """Hand the keys to the app all at once, as a terminal does for a fast typist or tmux
    (Pilot.press lets the app go idle after each key)."""
    for key in keys:
        event = events.Key(key, key if len(key) == 1 else None)
        event.set_sender(app)
        app._driver.send_message(event)


async def test_newline_keys_queue_behind_the_keys_typed_before_them() -> None:
    provider = ScriptedProvider(["ok"])
    app = make_app(provider)
    async with app.run_test() as pilot:
        for newline in ("ctrl+j", "shift+enter", "alt+enter"):
            type_in_one_burst(app, "a", "a", "a", newline, "b")
            await wait_until(pilot, lambda: "b" in app.chat.prompt.text)
            await pilot.pause()
            assert app.chat.prompt.text == "aaa\nb", newline
            app.chat.prompt.clear()
        type_in_one_burst(app, "x", "ctrl+j", "y", "ctrl+j", "z", "enter")
        await wait_until(pilot, lambda: bool(provider.requests))
        await app.workers.wait_for_complete()
        assert provider.requests[0].messages[-1].text == "x\ny\nz"


async def test_ctrl_l_races_the_typed_prompt_and_saves_both_replies() -> None:
    from chat_tui.screens.chat.race import RaceScreen

    app = make_app(SimulatedProvider(ttft_s=0.01, tokens_per_s=2000))
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press(*"race", "ctrl+l")
        await wait_until(
            pilot, lambda: isinstance(app.screen, RaceScreen) and bool(app.screen.verdict)
        )
        assert "first token" in app.screen.verdict
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, RaceScreen))
        # The two replies are alternatives to each other; the branch goes on from the last.
        conversation = app.session.conversation
        assert [t.role for t in conversation.turns] == ["user", "assistant"]
        lanes = conversation.alternatives(conversation.turns[1])
        assert {t.streaming for t in lanes} == {True, False}
        assert len(replies(app)) == 1  # the chat shows the current branch


async def test_log_follows_unless_scrolled_up_and_resumes_at_the_bottom() -> None:
    gates = [asyncio.Event() for _ in range(3)]
    lines = [f"line {i}\n\n" for i in range(40)]
    provider = ScriptedProvider([*lines, gates[0], *lines, gates[1], *lines, gates[2]])
    app = make_app(provider)
    async with app.run_test(size=(80, 24)) as pilot:
        log = app.chat.log_view
        await type_and_send(pilot, "long one")
        await wait_until(pilot, lambda: replies(app) and replies(app)[-1].text.count("line") == 40)
        await pilot.pause()
        assert log.scroll_y == log.max_scroll_y > 0, "not following the newest text"
        log.focus()
        await pilot.press("pageup", "pageup")
        scrolled_to = log.scroll_y
        assert scrolled_to < log.max_scroll_y and not log.following
        gates[0].set()
        await wait_until(pilot, lambda: replies(app)[-1].text.count("line") == 80)
        await pilot.pause()
        assert log.scroll_y == scrolled_to, "scrolled away from where the user was reading"
        await pilot.press("end")
        await pilot.pause()
        gates[1].set()
        await wait_until(pilot, lambda: replies(app)[-1].text.count("line") == 120)
        await pilot.pause()
        assert log.scroll_y == log.max_scroll_y, "following did not resume at the bottom"
        gates[2].set()
        await app.workers.wait_for_complete()


async def test_palette_lists_every_action_with_its_current_key() -> None:
    app = make_app(ScriptedProvider(["x"]))
    app.set_keymap({"chat.toggle_streaming": "f10"})
    async with app.run_test():
        titles = [command.title for command in app.get_system_commands(app.chat)]
        for expected in ("Streaming on/off (f10)", "Retry (f5)", "Race (^l)", "History (^r)"):
            assert expected in titles, titles
        assert not [t for t in titles if t.startswith("Cursor")], "editing keys leaked in"


async def test_a_reply_cut_at_the_output_limit_says_so() -> None:
    class LengthLimited(ScriptedProvider):
        async def stream(self, request):  # type: ignore[override]
            from chat_tui.providers.base import Finish, FinishReason, TextDelta

            self.requests.append(request)
            yield TextDelta("truncated answ")
            yield Finish(FinishReason.LENGTH, "length")

    app = make_app(LengthLimited([]))
    async with app.run_test() as pilot:
        await type_and_send(pilot, "long please")
        await app.workers.wait_for_complete()
        await pilot.pause()
        footer = str(replies(app)[-1].query_one(".footer").content)
        assert "stopped at the output token limit" in footer
        assert app.session.conversation.turns[-1].finish_reason == "length"


async def test_continuing_a_conversation_uses_the_model_of_its_last_reply() -> None:
    from chat_tui.conversation import Conversation, Turn

    saved = Conversation(
        id=7,
        turns=[
            Turn("user", "earlier question"),
            Turn("assistant", "earlier answer", provider="simulated", model="simulated-fast"),
        ],
    )
    app = make_app(ScriptedProvider(["x"]), model="test-model")
    async with app.run_test() as pilot:
        app.chat.load_conversation(saved)
        await pilot.pause()
        assert app.session.target.model == "simulated-fast"
        assert "simulated-fast" in app.chat.status_bar.text
        assert "earlier answer" in replies(app)[-1].text


def welcome_notes(app) -> list:
    """The welcome notes on show (not ones on their way out)."""
    return [w for w in app.chat.query(".welcome") if not w._pruning]


async def test_new_chat_pressed_repeatedly_shows_one_welcome_and_keeps_running() -> None:
    from chat_tui.conversation import Conversation, Turn

    app = make_app(SimulatedProvider(ttft_s=0, tokens_per_s=5000))
    async with app.run_test() as pilot:
        # On an empty chat, once and several times in one burst (the old welcome note is
        # still being removed when the next one is mounted).
        await pilot.press("ctrl+n")
        await pilot.press("ctrl+n", "ctrl+n", "ctrl+n")
        await pilot.pause()
        assert len(welcome_notes(app)) == 1
        # After a reply.
        await type_and_send(pilot, "hi")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not welcome_notes(app)
        await pilot.press("ctrl+n", "ctrl+n")
        await pilot.pause()
        assert len(welcome_notes(app)) == 1
        assert not app.chat.log_view._messages
        # Continuing a conversation from the history, then a new chat at once.
        saved = Conversation(id=3, turns=[Turn("user", "old"), Turn("assistant", "answer")])
        app.chat.load_conversation(saved)
        app.chat.load_conversation(saved)
        await pilot.pause()
        assert not welcome_notes(app)
        await pilot.press("ctrl+n")
        await type_and_send(pilot, "again")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not welcome_notes(app)
        assert app.is_running and app.return_code is None
        assert [type(m).__name__ for m in app.chat.log_view._messages] == [
            "UserMessage",
            "AssistantMessage",
        ]


async def test_a_cancelled_non_streaming_reply_shows_no_ttft() -> None:
    release = asyncio.Event()
    provider = ScriptedProvider([release, "never shown"])
    app = make_app(provider, streaming=False)
    async with app.run_test() as pilot:
        await type_and_send(pilot, "go")
        await wait_until(pilot, lambda: bool(provider.requests))
        await pilot.pause(0.2)
        await pilot.press("escape")
        await app.workers.wait_for_complete()
        await pilot.pause()
        footer = str(replies(app)[-1].query_one(".footer").content)
        status = app.chat.status_bar.text
        assert "cancelled" in footer and "nothing arrived" in footer, footer
        assert "TTFT = total" not in footer and "TTFT = total" not in status, (footer, status)


async def test_status_bar_and_footer_name_the_same_itl_figure() -> None:
    app = make_app(ScriptedProvider([f"w{i} " for i in range(30)]))
    async with app.run_test(size=(160, 30)) as pilot:
        await type_and_send(pilot, "go")
        await app.workers.wait_for_complete()
        await pilot.pause()
        footer = str(replies(app)[-1].query_one(".footer").content)
        status = app.chat.status_bar.text
        itl = re.search(r"ITL p50 [\d.]+ ms · p95 [\d.]+ ms", footer)
        assert itl and itl.group(0) in status, (footer, status)


async def test_start_up_problems_of_a_kind_share_one_toast() -> None:
    """Two config warnings stacked two toasts down the screen; they are one now."""
    app = make_app(ScriptedProvider(["ok"]))
    app._startup_notices = ["first warning (config.toml:3)", "second warning (config.toml:7)"]
    app._startup_errors = ["the only error"]
    async with app.run_test() as pilot:
        await pilot.pause()
        notes = [n for n in app._notifications if n.severity == "warning"]
        assert [n.title for n in notes] == ["Notes (2)"]
        assert notes[0].message == (
            "• first warning (config.toml:3)\n• second warning (config.toml:7)"
        )
        [error] = [n for n in app._notifications if n.severity == "error"]
        assert (error.title, error.message) == ("Problem", "the only error")
