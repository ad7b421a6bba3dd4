"""`chat-tui ask` end to end, in a subprocess: the simulated model (fast config) and the fake
provider server; exit codes, --json, -v, stdin, saving and Ctrl+C."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from chat_tui.commands.ask import Ask
from chat_tui.conversation import MessageStatus
from chat_tui.providers.base import ChatMessage, ChatRequest
from chat_tui.providers.catalog import Target
from chat_tui.providers.simulated import compose_reply
from chat_tui.session import ChatSession
from chat_tui.store import TranscriptStore
from tests.app.scripted import ScriptedProvider
from tests.fakeserver import FakeProviderServer, Scenario

QUICK = "[simulated]\nttft_ms = 0\ntokens_per_s = 5000\n"
KEY_VARIABLES = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "ANTHROPIC_API_KEY",
    "GOOGLE_API_KEY",
    "GEMINI_API_KEY",
    "OPENROUTER_API_KEY",
)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "config.toml").write_text(QUICK, encoding="utf-8")
    return tmp_path


def environment(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in KEY_VARIABLES}
    env["CHAT_TUI_CONFIG_DIR"] = str(home / "config")
    env["PYTHONUNBUFFERED"] = "1"
    return env | extra


def command(home: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "chat_tui", "ask", "--data-dir", str(home / "data"), *args]


def ask(home: Path, *args: str, stdin: str = "", **env: str):
    return subprocess.run(
        command(home, *args),
        input=stdin,
        capture_output=True,
        text=True,
        env=environment(home, **env),
        timeout=60,
    )


def simulated_reply(prompt: str) -> str:
    return compose_reply(ChatRequest(model="m", messages=(ChatMessage("user", prompt),)))


def saved(home: Path) -> list:
    with TranscriptStore.open(home / "data" / "transcripts.sqlite3") as store:
        return [store.load_conversation(s.id) for s in store.list_conversations()]


@pytest.mark.slow  # a subprocess
def test_streams_the_reply_saves_it_and_reports_metrics(home: Path) -> None:
    done = ask(home, "-v", "explain caching")
    assert done.returncode == 0, done.stderr
    assert done.stdout == simulated_reply("explain caching") + "\n"
    assert "TTFT" in done.stderr and "ITL p50" in done.stderr and "tok/s" in done.stderr
    [conversation] = saved(home)
    user, reply = conversation.turns
    assert user.text == "explain caching"
    assert (reply.status, reply.model, reply.streaming) == (
        MessageStatus.COMPLETE,
        "simulated-hosted",
        True,
    )
    assert reply.text == simulated_reply("explain caching")
    assert conversation.title


@pytest.mark.slow  # a subprocess
def test_no_stream_json_reads_stdin_and_no_save_saves_nothing(home: Path) -> None:
    done = ask(home, "--no-stream", "--json", "--no-save", "-", stdin="tell me about queues\n")
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)
    assert record["text"] == simulated_reply("tell me about queues\n")
    assert record["status"] == "complete" and record["finish_reason"] == "stop"
    assert (record["provider"], record["model"]) == ("simulated", "simulated-hosted")
    assert record["streaming"] is False and record["exit_code"] == 0
    assert record["metrics"]["ttft_s"] == record["metrics"]["total_s"]
    assert record["conversation_id"] is None
    assert not (home / "data" / "transcripts.sqlite3").exists()


@pytest.mark.slow  # a subprocess
def test_usage_and_configuration_problems_exit_2(home: Path) -> None:
    empty = ask(home, "   ")
    assert (empty.returncode, empty.stdout) == (2, "")
    assert "the prompt is empty" in empty.stderr
    no_key = ask(home, "--provider", "anthropic", "hi")
    assert no_key.returncode == 2
    assert "ANTHROPIC_API_KEY" in no_key.stderr


@pytest.mark.slow  # a subprocess
def test_streaming_and_not_against_the_fake_server(
    home: Path, fake_server: FakeProviderServer
) -> None:
    env = {"OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": fake_server.openai_base_url}
    done = ask(home, "--provider", "openai", "--model", "gpt-4o", "hi", **env)
    assert (done.returncode, done.stdout) == (0, "Hello, world!\n"), done.stderr
    assert fake_server.last is not None
    assert (fake_server.last.model, fake_server.last.streamed) == ("gpt-4o", True)

    done = ask(home, "--no-stream", "--provider", "openai", "--model", "gpt-4o", "hi", **env)
    assert (done.returncode, done.stdout) == (0, "Hello, world!\n"), done.stderr
    assert fake_server.last.streamed is False


@pytest.mark.slow  # a subprocess
def test_a_refused_key_exits_3_naming_the_variable(
    home: Path, fake_server: FakeProviderServer
) -> None:
    fake_server.script(Scenario.http_error(401))
    env = {"OPENAI_API_KEY": "sk-bad", "OPENAI_BASE_URL": fake_server.openai_base_url}
    done = ask(home, "--provider", "openai", "hi", **env)
    assert done.returncode == 3
    assert "OPENAI_API_KEY" in done.stderr
    assert "sk-bad" not in done.stderr + done.stdout
    [conversation] = saved(home)
    assert conversation.turns[-1].status is MessageStatus.ERROR


@pytest.mark.usefixtures("children_get_ctrl_c")
@pytest.mark.slow  # a subprocess
def test_ctrl_c_closes_the_stream_keeps_the_partial_and_exits_130(
    home: Path, fake_server: FakeProviderServer
) -> None:
    fake_server.script(Scenario.text([f" word{i}" for i in range(400)], tokens_per_s=40))
    env = {"OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": fake_server.openai_base_url}
    process = subprocess.Popen(
        command(home, "--provider", "openai", "hi"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment(home, **env),
    )
    assert process.stdout is not None
    # The reply has started arriving. Read the pipe itself: `communicate()` below reads the
    # descriptor, so anything the text wrapper had buffered past these 6 characters would be lost.
    head = b""
    while len(head) < 6:
        head += os.read(process.stdout.fileno(), 6 - len(head))
    first = head.decode()
    assert first == " word0"
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 130, err
    assert "cancelled" in err
    record = fake_server.last
    assert record is not None
    record.wait_finished(10)
    assert record.disconnected and not record.completed
    [conversation] = saved(home)
    reply = conversation.turns[-1]
    assert reply.status is MessageStatus.CANCELLED
    assert reply.text.startswith(" word0") and reply.text == first + out.rstrip("\n")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


async def test_a_terminal_gets_control_characters_neutralised() -> None:
    provider = ScriptedProvider(["safe \x1b]0;pwned\x07 text"])
    session = ChatSession(provider, Target("scripted", "Scripted", "m"))
    out, err = Terminal(), io.StringIO()
    args = type("Args", (), {"json": False, "verbose": False})()
    assert await Ask(session, args, out, err).run("hi") == 0  # type: ignore[arg-type]
    assert "\x1b" not in out.getvalue() and "\x07" not in out.getvalue()
    assert out.getvalue().startswith("safe ␛]0;pwned␇ text")


@pytest.mark.slow  # subprocesses
def test_config_warnings_are_printed_once_per_change(home: Path) -> None:
    config = home / "config" / "config.toml"
    config.write_text(QUICK + "nonsense_setting = 1\n", encoding="utf-8")
    first, second = ask(home, "hi"), ask(home, "hi")
    assert first.returncode == second.returncode == 0
    assert "nonsense_setting" in first.stderr
    assert "nonsense_setting" not in second.stderr, "the same warning on every call"
    assert "nonsense_setting" in ask(home, "-v", "hi").stderr  # -v: always
    config.write_text(QUICK + "other_nonsense = 1\n", encoding="utf-8")
    assert "other_nonsense" in ask(home, "hi").stderr  # a new warning is news


@pytest.mark.slow  # a subprocess
def test_an_unknown_provider_on_the_command_line_is_an_error(home: Path) -> None:
    for cmd in (
        command(home, "--provider", "opneai", "hi"),
        [
            sys.executable,
            "-m",
            "chat_tui",
            "--data-dir",
            str(home / "data"),
            "--provider",
            "opneai",
        ],
    ):
        result = subprocess.run(
            cmd,
            capture_output=True,
            text=True,
            env=environment(home),
            timeout=60,
            stdin=subprocess.DEVNULL,
        )
        assert result.returncode == 2, (cmd, result.stderr)
        assert "Unknown provider 'opneai'" in result.stderr
        assert "openai" in result.stderr and "ollama" in result.stderr
