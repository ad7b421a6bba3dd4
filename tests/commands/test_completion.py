"""`chat-tui completion bash|zsh|fish` through the installed console script: each script names
every subcommand and option the parser has, and the bash one completes in a real bash."""

from __future__ import annotations

import argparse
import shutil
import subprocess
from pathlib import Path

import pytest

from chat_tui.cli import build_parser
from tests.cli.console import console_script, environment, isolated_home, run_piped


def every_option(parser: argparse.ArgumentParser) -> tuple[set[str], set[str]]:
    """(subcommand and action names, option strings) of `parser` and everything under it."""
    commands: set[str] = set()
    options: set[str] = set()
    for action in parser._actions:
        options.update(action.option_strings)
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                commands.add(name)
                more_commands, more_options = every_option(sub)
                commands |= more_commands
                options |= more_options
    return commands, options


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_each_script_knows_every_subcommand_and_option(tmp_path: Path, shell: str) -> None:
    done = run_piped(["completion", shell], environment(isolated_home(tmp_path)))
    assert done.returncode == 0, done.stderr
    commands, options = every_option(build_parser())
    assert {"ask", "models", "completion", "transcripts", "list", "check"} <= commands
    assert {"--continue", "--preset", "--option", "--timeout"} <= options
    missing = [
        name for name in sorted(commands | options) if spelled(name, shell) not in done.stdout
    ]
    assert missing == []


def spelled(name: str, shell: str) -> str:
    """How the script names an option: fish writes `--continue` as `-l continue`."""
    if shell != "fish" or not name.startswith("-"):
        return name
    return f"-l {name[2:]}" if name.startswith("--") else f"-s {name[1:]}"


def complete(tmp_path: Path, line: str) -> list[str]:
    """What bash offers for `line` (ending where the cursor is), with the script sourced."""
    script = tmp_path / "chat-tui.bash"
    home = isolated_home(tmp_path / "home")
    generated = run_piped(["completion", "bash"], environment(home))
    script.write_text(generated.stdout, encoding="utf-8")
    words = line.split(" ")
    program = f"""
        source {script}
        COMP_WORDS=({" ".join(repr(w) for w in words)})
        COMP_CWORD={len(words) - 1}
        COMP_LINE={line!r}
        COMP_POINT={len(line)}
        _shtab_chat_tui
        printf '%s\\n' "${{COMPREPLY[@]}}"
    """
    done = subprocess.run(
        ["bash", "--norc", "-c", program], capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stderr
    return sorted(filter(None, done.stdout.splitlines()))


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_bash_completes_subcommands_options_and_directories(tmp_path: Path) -> None:
    assert complete(tmp_path, "chat-tui mo") == ["models"]
    assert complete(tmp_path, "chat-tui ask --c") == ["--cid", "--continue"]
    assert complete(tmp_path, "chat-tui completion f") == ["fish"]
    (tmp_path / "data-here").mkdir()
    (tmp_path / "data-file").write_text("x")
    offered = complete(tmp_path, f"chat-tui ask --data-dir {tmp_path}/data-")
    assert offered == [f"{tmp_path}/data-here"]


def test_completion_needs_a_known_shell(tmp_path: Path) -> None:
    done = subprocess.run(
        [*console_script(), "completion", "tcsh"],
        capture_output=True,
        text=True,
        env=environment(isolated_home(tmp_path)),
        timeout=30,
    )
    assert done.returncode == 2
    assert "invalid choice: 'tcsh'" in done.stderr
