"""Escapes from a model never reach the terminal through the command line.

A reply with an OSC title change, a clear-screen, a bell and a C1 CSI is saved through a real
`chat-tui ask` against the fake server, then every command that prints stored text runs in a
pseudo-terminal: none of those bytes may arrive there. On a pipe, `ask` and every `--json`
keep the text exact."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from chat_tui.conversation import MessageStatus
from chat_tui.store import TranscriptStore
from tests.cli.console import PtyRun, environment, isolated_home, run_on_pty, run_piped
from tests.fakeserver import FakeProviderServer, Scenario

pytestmark = pytest.mark.slow  # runs the console script in a subprocess

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pty")

TOKENS = ("a ", "\x1b]0;PWNED\x07", " \x1b[2J b", " \x9b31m c\x7f")
REPLY = "".join(TOKENS)
REASONING = "think \x1b]52;c;Y2xpcA==\x07 hard"
PROMPT = "hi \x1b[5m there PWNED"
ERROR_MESSAGE = "bad \x1b]0;ERRORED\x07 input"
MODEL = "gpt-4o"
HOSTILE_MODEL = "gpt-4o\x1b[8m"  # a model name is stored and logged too
# What the model sent that a terminal would act on (ESC, BEL, C1 CSI as UTF-8).
HOSTILE_BYTES = (b"\x1b", b"\x07", "\x9b".encode())
# The only escapes the CLI writes itself: search's bold match on a terminal.
OWN_ESCAPES = (b"\x1b[1m", b"\x1b[0m")


@pytest.fixture(scope="module")
def saved_home(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A home whose store holds the hostile reply (conversation 1), a refused request whose
    error names the hostile text (conversation 2) and a reply from a model with a hostile name
    (3, also in the request log), all saved by `chat-tui ask`."""
    home = isolated_home(tmp_path_factory.mktemp("home"))
    with FakeProviderServer.running() as server:
        server.script(
            Scenario.reasoning_then_text([REASONING], TOKENS),
            Scenario.http_error(400, message=ERROR_MESSAGE),
        )
        env = environment(home, OPENAI_API_KEY="sk-test", OPENAI_BASE_URL=server.openai_base_url)
        piped = run_piped(["ask", "--provider", "openai", "--model", MODEL, PROMPT], env)
        assert piped.returncode == 0, piped.stderr
        assert piped.stdout == REPLY + "\n", "ask on a pipe keeps the text exact"
        refused = run_piped(["ask", "--provider", "openai", "--model", MODEL, "again"], env)
        assert refused.returncode == 8, refused.stderr
        named = run_piped(["ask", "--provider", "openai", "--model", HOSTILE_MODEL, "who"], env)
        assert named.returncode == 0, named.stderr
    return home, env


def saved_reply(home: Path) -> str:
    with TranscriptStore.open(home / "xdg" / "data" / "chat-tui" / "transcripts.sqlite3") as store:
        return store.load_conversation(1).turns[-1].text


def assert_terminal_safe(output: bytes) -> None:
    for own in OWN_ESCAPES:
        output = output.replace(own, b"")
    for hostile in HOSTILE_BYTES:
        assert hostile not in output, f"{hostile!r} reached the terminal: {output[:3000]!r}"


COMMANDS_ON_A_TERMINAL = [
    (["transcripts", "list"], "␛[5m"),
    (["transcripts", "list", "--json"], "\\u001b[5m"),
    (["transcripts", "show", "1"], "a ␛]0;PWNED␇ ␛[2J b �31m c␡"),
    (["transcripts", "show", "1", "--json"], "\\u001b]0;PWNED\\u0007"),
    (["transcripts", "show", "2"], "␛]0;ERRORED␇"),
    (["transcripts", "search", "PWNED"], "␛]0;"),
    (["transcripts", "search", "PWNED", "--json"], "\\u001b]0;"),
    (["transcripts", "show", "3"], "gpt-4o␛[8m"),
    (["stats"], "gpt-4o␛[8m"),
    (["stats", "--json"], "gpt-4o\\u001b[8m"),
]


@pytest.mark.parametrize(("arguments", "shown"), COMMANDS_ON_A_TERMINAL)
def test_stored_text_reaches_a_terminal_with_its_controls_visible(
    saved_home: tuple[Path, dict[str, str]], arguments: list[str], shown: str
) -> None:
    _, env = saved_home
    code, output = run_on_pty(arguments, env)
    assert code == 0, output
    assert_terminal_safe(output)
    assert shown.encode() in output, "the text is still shown, literally"


def test_delete_asks_with_the_title_made_visible(saved_home: tuple[Path, dict[str, str]]) -> None:
    _, env = saved_home
    run = PtyRun.start(["transcripts", "delete", "1"], env)
    run.wait_for(b"for good? [y/N]")
    run.type("n\r")
    assert run.finish() == 1
    assert_terminal_safe(bytes(run.output))
    assert "␛[5m".encode() in run.output


def test_ask_on_a_terminal_shows_the_reply_and_the_error_safely(
    saved_home: tuple[Path, dict[str, str]],
) -> None:
    _, env = saved_home
    with FakeProviderServer.running() as server:
        server.script(
            Scenario.text(TOKENS),
            Scenario.text(TOKENS),
            Scenario.http_error(400, message=ERROR_MESSAGE),
        )
        env = env | {"OPENAI_BASE_URL": server.openai_base_url}
        base = ["ask", "--no-save", "--provider", "openai", "--model", MODEL]
        code, output = run_on_pty([*base, "-v", "hi"], env)
        assert code == 0, output
        assert_terminal_safe(output)
        assert "␛]0;PWNED␇".encode() in output
        code, output = run_on_pty([*base, "--json", "hi"], env)
        assert code == 0, output
        assert_terminal_safe(output)
        assert json.loads(output.decode().strip())["text"] == REPLY  # exact, once decoded
        code, output = run_on_pty([*base, "hi"], env)
        assert code == 8, output
        assert_terminal_safe(output)
        assert "␛]0;ERRORED␇".encode() in output


def test_json_on_a_pipe_is_the_text_exactly(saved_home: tuple[Path, dict[str, str]]) -> None:
    home, env = saved_home
    shown = run_piped(["transcripts", "show", "1", "--json"], env)
    document = json.loads(shown.stdout)
    assert [m["text"] for m in document["messages"]] == [PROMPT, REPLY]
    assert document["messages"][1]["reasoning"] == REASONING
    assert saved_reply(home) == REPLY
    hits = json.loads(run_piped(["transcripts", "search", "PWNED", "--json"], env).stdout)
    assert any("\x1b" in span["text"] for hit in hits for span in hit["snippet"])
    for output in (shown.stdout, json.dumps(hits)):
        assert not any(hostile.decode() in output for hostile in HOSTILE_BYTES)


def test_exports_markdown_visible_and_json_exact(
    saved_home: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    _, env = saved_home
    markdown, as_json = tmp_path / "c.md", tmp_path / "c.json"
    for target, export_format in ((markdown, "md"), (as_json, "json")):
        done = run_piped(
            ["transcripts", "export", "1", "--format", export_format, "-o", str(target)], env
        )
        assert done.returncode == 0, done.stderr
    written = markdown.read_bytes()
    assert_terminal_safe(written)  # `cat c.md` is safe
    assert "a ␛]0;PWNED␇ ␛[2J b �31m c␡".encode() in written
    assert "think ␛]52;c;Y2xpcA==␇ hard".encode() in written
    assert_terminal_safe(as_json.read_bytes())
    document = json.loads(as_json.read_text(encoding="utf-8"))
    assert document["messages"][1]["text"] == REPLY
    assert document["messages"][1]["status"] == MessageStatus.COMPLETE.value
