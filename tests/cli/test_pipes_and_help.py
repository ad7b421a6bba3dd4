"""What a script notices: a reader that leaves early (`| head -1`, `| true`) ends the command
quietly with its usual status, and every nested action says what it does in `--help`."""

from __future__ import annotations

import argparse
import subprocess
from pathlib import Path

import pytest

from chat_tui.cli import build_parser
from chat_tui.store import TranscriptStore
from tests.cli.console import console_script, environment, isolated_home

MANY = 3000  # conversations: `transcripts list` writes ~200 kB, more than a pipe holds


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = isolated_home(tmp_path_factory.mktemp("home"))
    data = home / "xdg" / "data" / "chat-tui"
    with TranscriptStore.open(data / "transcripts.sqlite3") as store:
        for number in range(MANY):
            store.create_conversation(title=f"conversation number {number}")
    return home


def start(home: Path, arguments: list[str], buffered: bool) -> subprocess.Popen[bytes]:
    env = environment(home)
    if buffered:
        del env["PYTHONUNBUFFERED"]  # Python's own block buffering on a pipe: EPIPE at exit
    return subprocess.Popen(
        [*console_script(), *arguments],
        stdin=subprocess.DEVNULL,  # not the runner's: `ask` reads a stdin that is no terminal
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )


def finish(process: subprocess.Popen[bytes]) -> tuple[int, str]:
    assert process.stderr is not None
    errors = process.stderr.read().decode()
    return process.wait(timeout=60), errors


@pytest.mark.parametrize("buffered", [True, False], ids=["buffered", "unbuffered"])
@pytest.mark.slow  # a subprocess
def test_head_reading_one_line_of_a_long_list(home: Path, buffered: bool) -> None:
    process = start(home, ["transcripts", "list", "--limit", str(MANY)], buffered)
    assert process.stdout is not None
    first = process.stdout.readline()
    process.stdout.close()  # `| head -1`
    status, errors = finish(process)
    assert f"conversation number {MANY - 1}".encode() in first
    assert (status, errors) == (0, "")


@pytest.mark.parametrize("buffered", [True, False], ids=["buffered", "unbuffered"])
@pytest.mark.parametrize(
    "arguments",
    [
        ["stats"],
        ["config", "init", "--print"],
        ["config", "check"],
        ["transcripts", "show", "1"],
        ["transcripts", "search", "conversation", "--json"],
        ["ask", "--provider", "simulated", "a question"],
    ],
)
@pytest.mark.slow  # a subprocess
def test_a_reader_gone_before_the_first_byte(
    home: Path, arguments: list[str], buffered: bool
) -> None:
    process = start(home, arguments, buffered)
    assert process.stdout is not None
    process.stdout.close()  # `| true`: gone before the child has even started Python
    status, errors = finish(process)
    assert (status, errors) == (0, "")


@pytest.mark.slow  # a subprocess
def test_ask_saves_the_whole_reply_when_its_reader_left(tmp_path: Path) -> None:
    home = isolated_home(tmp_path)
    process = start(home, ["ask", "--provider", "simulated", "explain pipes"], buffered=False)
    assert process.stdout is not None
    process.stdout.close()
    assert finish(process) == (0, "")
    with TranscriptStore.open(home / "xdg" / "data" / "chat-tui" / "transcripts.sqlite3") as s:
        [summary] = s.list_conversations()
        reply = s.load_conversation(summary.id).turns[-1]
    assert reply.status == "complete" and reply.text


def nested_actions(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.append(((*path, name), sub))
                found += nested_actions(sub, (*path, name))
    return found


def test_every_command_and_nested_action_describes_itself_in_one_line() -> None:
    actions = nested_actions(build_parser())
    assert ("transcripts", "list") in [path for path, _ in actions]
    for path, parser in actions:
        assert parser.description, f"`chat-tui {' '.join(path)} --help` says nothing"
        assert "\n" not in parser.description


@pytest.mark.parametrize(
    ("arguments", "summary"),
    [
        (["transcripts", "list"], "saved conversations, most recent first"),
        (["config", "check"], "check the config file and your themes"),
    ],
)
@pytest.mark.slow  # a subprocess
def test_a_nested_actions_help_starts_with_its_summary(
    tmp_path: Path, arguments: list[str], summary: str
) -> None:
    done = subprocess.run(
        [*console_script(), *arguments, "--help"],
        capture_output=True,
        text=True,
        env=environment(isolated_home(tmp_path)),
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert summary in done.stdout
