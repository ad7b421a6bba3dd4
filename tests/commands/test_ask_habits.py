"""`chat-tui ask` as people used to simonw/llm script it, through the installed console script
with a home of its own: piped text with a prompt, short flags, `-o` request options checked
against what the target takes, and continuing a conversation (one the app started too)."""

from __future__ import annotations

import os
import pty
import subprocess
from pathlib import Path

import pytest

from chat_tui.conversation import Conversation, ConversationSettings, MessageStatus
from chat_tui.message_preview import USER_PREVIEW_LINES
from chat_tui.store import TranscriptStore
from tests.app.scripted import ScriptedProvider
from tests.cli.console import (
    QUICK_SIMULATED,
    PtyRun,
    console_script,
    environment,
    isolated_home,
    run_piped,
)
from tests.fakeserver import FakeProviderServer
from tests.screens.history.conftest import (
    make_store_app,
    open_highlighted,
    open_history,
    screen_text,
    type_and_send,
)


def fake_profile(server: FakeProviderServer) -> str:
    """A config whose `fake` profile is an OpenAI-compatible server (Chat Completions)."""
    return QUICK_SIMULATED + (
        f'\n[profiles.fake]\nbase_url = "{server.openai_base_url}"\nmodels = ["m1", "m2"]\n'
    )


def database(home: Path) -> Path:
    return home / "xdg" / "data" / "chat-tui" / "transcripts.sqlite3"


def conversations(home: Path) -> list[Conversation]:
    with TranscriptStore.open(database(home)) as store:
        return [store.load_conversation(s.id) for s in store.list_conversations()]


def sent_messages(server: FakeProviderServer) -> list[dict]:
    return server.last.body["messages"]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return isolated_home(tmp_path)


def test_piped_text_comes_first_then_a_blank_line_and_the_prompt(
    tmp_path: Path, fake_server: FakeProviderServer
) -> None:
    home = isolated_home(tmp_path, fake_profile(fake_server))
    diff = "--- a/x.py\n+++ b/x.py\n+    indented = True\n"
    done = run_piped(["ask", "--provider", "fake", "review this"], environment(home), stdin=diff)
    assert (done.returncode, done.stdout) == (0, "Hello, world!\n"), done.stderr
    expected = "--- a/x.py\n+++ b/x.py\n+    indented = True\n\nreview this"
    assert sent_messages(fake_server)[-1] == {"role": "user", "content": expected}
    [saved] = conversations(home)
    assert saved.turns[0].text == expected


def test_stdin_alone_dash_and_nothing_at_all(home: Path) -> None:
    env = environment(home)
    alone = run_piped(["ask", "--json", "--no-save"], env, stdin="what is a queue?\n")
    assert alone.returncode == 0, alone.stderr
    dash = run_piped(["ask", "--no-save", "-"], env, stdin="what is a queue?\n")
    assert dash.returncode == 0, dash.stderr
    # An empty pipe with a prompt: the prompt alone, no blank line before it.
    prompt_only = run_piped(["ask", "--json", "hello there"], env, stdin="")
    assert prompt_only.returncode == 0, prompt_only.stderr
    [saved] = conversations(home)
    assert saved.turns[0].text == "hello there"
    nothing = run_piped(["ask"], env, stdin="")
    assert (nothing.returncode, nothing.stdout) == (2, "")
    assert "the prompt is empty" in nothing.stderr


def test_no_prompt_on_a_terminal_is_a_usage_error(home: Path) -> None:
    run = PtyRun.start(["ask", "--no-save"], environment(home))
    assert run.finish() == 2
    assert b"give a PROMPT, or pipe text in" in run.output


def run_reading_a_file(arguments: list[str], env: dict[str, str], source: Path) -> tuple[int, str]:
    """As `chat-tui ARGS < source` typed at a terminal: stdin the file, stdout and stderr
    the terminal."""
    master, slave = pty.openpty()
    with source.open("rb") as stdin:
        process = subprocess.Popen(
            [*console_script(), *arguments], stdin=stdin, stdout=slave, stderr=slave, env=env
        )
    os.close(slave)
    output = bytearray()
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child is gone
            break
        if not chunk:
            break
        output += chunk
    os.close(master)
    return process.wait(timeout=60), output.decode()


def test_a_large_stdin_is_previewed_on_a_terminal_and_sent_whole(
    tmp_path: Path, fake_server: FakeProviderServer
) -> None:
    home = isolated_home(tmp_path, fake_profile(fake_server))
    big = "".join(f"line {n}\n" for n in range(1, 5001))
    source = tmp_path / "big.txt"
    source.write_text(big, encoding="utf-8")
    code, shown = run_reading_a_file(
        ["ask", "--provider", "fake", "sum up"], environment(home), source
    )
    assert code == 0, shown[-2000:]
    assert f"line {USER_PREVIEW_LINES}\r\n" in shown
    assert f"line {USER_PREVIEW_LINES + 1}\r\n" not in shown
    assert "not shown here: the whole message is sent and saved." in shown
    assert "Hello, world!" in shown
    assert sent_messages(fake_server)[-1]["content"] == big.rstrip("\n") + "\n\nsum up"
    [saved] = conversations(home)
    assert saved.turns[0].text == big.rstrip("\n") + "\n\nsum up"


def test_a_short_stdin_is_not_echoed_and_a_pipe_gets_no_preview(
    tmp_path: Path, fake_server: FakeProviderServer
) -> None:
    home = isolated_home(tmp_path, fake_profile(fake_server))
    source = tmp_path / "small.txt"
    source.write_text("a small file\n", encoding="utf-8")
    code, shown = run_reading_a_file(["ask", "--provider", "fake", "hm"], environment(home), source)
    assert (code, shown) == (0, "Hello, world!\r\n")
    big = "x\n" * 10_000
    piped = run_piped(["ask", "--provider", "fake", "hm"], environment(home), stdin=big)
    assert (piped.returncode, piped.stderr) == (0, "")


def test_short_flags_and_options_reach_the_wire(
    tmp_path: Path, fake_server: FakeProviderServer
) -> None:
    home = isolated_home(tmp_path, fake_profile(fake_server))
    arguments = ["ask", "--provider", "fake", "-m", "m2", "-s", "Be terse."]
    options = ["-o", "temperature", "0.2", "-o", "max_tokens", "64", "-o", "reasoning", "high"]
    done = run_piped([*arguments, *options, "hi"], environment(home), stdin="")
    assert done.returncode == 0, done.stderr
    body = fake_server.last.body
    assert body["model"] == "m2"
    assert body["messages"][0] == {"role": "system", "content": "Be terse."}
    assert (body["temperature"], body["max_tokens"], body["reasoning_effort"]) == (
        0.2,
        64,
        "high",
    )
    [saved] = conversations(home)
    assert saved.settings == ConversationSettings(
        system_prompt="Be terse.", temperature=0.2, max_output_tokens=64, reasoning_effort="high"
    )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["-o", "top_p", "1"], "-o top_p: unknown option (known: temperature, max_tokens"),
        (["-o", "temperature", "hot"], "-o temperature: expected a number, got 'hot'"),
        (["-o", "temperature", "3"], "use a number from 0 to 2"),
        (["-o", "max_tokens", "-5"], "-o max_tokens: expected a whole number"),
        (["-o", "reasoning", "extreme"], "takes no effort 'extreme' (levels: low, medium, high"),
        (["-o", "reasoning", "2048"], "takes an effort level, not a token budget"),
    ],
)
def test_bad_options_exit_2_before_any_request(
    tmp_path: Path, fake_server: FakeProviderServer, options: list[str], message: str
) -> None:
    home = isolated_home(tmp_path, fake_profile(fake_server))
    done = run_piped(["ask", "--provider", "fake", *options, "hi"], environment(home), stdin="")
    assert (done.returncode, done.stdout) == (2, ""), done.stderr
    assert message in done.stderr
    assert fake_server.generation_requests == []
    assert not database(home).exists() or conversations(home) == []


def test_options_the_target_does_not_take_are_refused(home: Path) -> None:
    # The simulated model declares no temperature and no reasoning.
    env = environment(home)
    done = run_piped(["ask", "-o", "temperature", "0.5", "hi"], env, stdin="")
    assert done.returncode == 2
    assert "Simulated (offline) · simulated-hosted takes no temperature" in done.stderr
    done = run_piped(["ask", "-o", "reasoning", "low", "hi"], env, stdin="")
    assert (done.returncode, "takes no reasoning" in done.stderr) == (2, True)


def test_continue_resends_the_history_and_saves_into_the_same_conversation(
    tmp_path: Path, fake_server: FakeProviderServer
) -> None:
    home = isolated_home(tmp_path, fake_profile(fake_server))
    env = environment(home)
    first = run_piped(["ask", "--provider", "fake", "-m", "m2", "first question"], env, stdin="")
    assert first.returncode == 0, first.stderr
    other = run_piped(["ask", "unrelated"], env, stdin="")  # the simulated model, newer
    assert other.returncode == 0, other.stderr
    [newest, oldest] = conversations(home)

    by_id = run_piped(["ask", "--cid", str(oldest.id), "second question"], env, stdin="")
    assert by_id.returncode == 0, by_id.stderr
    # Same provider and model as the conversation's last reply; the history went along.
    assert fake_server.last.body["model"] == "m2"
    assert [m["content"] for m in sent_messages(fake_server)] == [
        "first question",
        "Hello, world!",
        "second question",
    ]
    # Continued last, it is now the most recent: -c goes on with it.
    again = run_piped(["ask", "-c", "--json", "third"], env, stdin="")
    assert again.returncode == 0, again.stderr
    assert f'"conversation_id": {oldest.id}' in again.stdout
    assert len(sent_messages(fake_server)) == 5
    continued = next(c for c in conversations(home) if c.id == oldest.id)
    assert [t.text for t in continued.turns if t.role == "user"] == [
        "first question",
        "second question",
        "third",
    ]
    assert len(next(c for c in conversations(home) if c.id == newest.id).turns) == 2


def test_continue_problems_exit_2(home: Path) -> None:
    env = environment(home)
    nothing = run_piped(["ask", "-c", "hi"], env, stdin="")
    assert nothing.returncode == 2
    assert "there is no saved conversation" in nothing.stderr
    unknown = run_piped(["ask", "--cid", "99", "hi"], env, stdin="")
    assert unknown.returncode == 2
    assert "no conversation 99" in unknown.stderr
    both = run_piped(["ask", "-c", "--cid", "1", "hi"], env, stdin="")
    assert both.returncode == 2
    assert "not allowed with argument" in both.stderr


def test_continue_with_no_save_sends_the_history_and_saves_nothing(
    tmp_path: Path, fake_server: FakeProviderServer
) -> None:
    home = isolated_home(tmp_path, fake_profile(fake_server))
    env = environment(home)
    assert run_piped(["ask", "--provider", "fake", "one"], env, stdin="").returncode == 0
    done = run_piped(["ask", "-c", "--no-save", "two"], env, stdin="")
    assert done.returncode == 0, done.stderr
    assert len(sent_messages(fake_server)) == 3
    [saved] = conversations(home)
    assert len(saved.turns) == 2


async def test_a_conversation_started_in_the_app_continues_from_the_command_line(
    tmp_path: Path,
) -> None:
    """Started in the app, continued with `ask -c`; the app's history then shows the turns
    added from the command line."""
    data = tmp_path / "data"
    data.mkdir()
    db = data / "transcripts.sqlite3"
    first = make_store_app(ScriptedProvider(["Salut !"]), db, model="simulated-fast")
    async with first.run_test(size=(110, 36)) as pilot:
        await type_and_send(pilot, "bonjour")
        await first.workers.wait_for_complete()
        await pilot.pause()
    first.session.store.close()

    home = isolated_home(tmp_path / "home")
    done = run_piped(
        ["ask", "--data-dir", str(data), "-c", "continued from the shell"],
        environment(home),
        stdin="",
    )
    assert done.returncode == 0, done.stderr

    second = make_store_app(ScriptedProvider([]), db)
    async with second.run_test(size=(110, 36)) as pilot:
        history = await open_history(pilot)
        assert [s.message_count for s in history.summaries] == [4]
        view = await open_highlighted(pilot)
        shown = screen_text(second)
        assert "bonjour" in shown and "Salut !" in shown
        assert "continued from the shell" in shown
        assert [t.text for t in view.loaded_turns][:3] == [
            "bonjour",
            "Salut !",
            "continued from the shell",
        ]
        assert view.loaded_turns[-1].model == "simulated-fast"
        assert view.loaded_turns[-1].status is MessageStatus.COMPLETE
