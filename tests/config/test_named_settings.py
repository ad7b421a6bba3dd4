"""Every setting and command that a message or a doc tells the user about exists.

Messages name settings through `config.setting_key`, whose only source is the config schema;
this scans what is written by hand (string literals in the package, the docs, the README and
the example config) for setting and command names and checks each against the schema and
the command line parser."""

from __future__ import annotations

import argparse
import ast
import re
from pathlib import Path

import pytest

from chat_tui.cli import SUBCOMMANDS, build_parser
from chat_tui.config import Settings, known_setting_keys, setting_key

ROOT = Path(__file__).resolve().parents[2]
KNOWN = known_setting_keys()
LAST_PARTS = {key.rpartition(".")[2] for key in KNOWN}

# `[timeouts] idle_s`, `[profiles.NAME] base_url` (the key on the same line; a key shaped
# like a setting: with an underscore, or in backquotes).
TABLE_KEY = re.compile(r"\[(\w+)(?:\.[\w-]+)?\][ `]+(\w*_\w*|(?<=`)\w+)")
# "raise idle_s in the config", "(`max_retries` in the config)", "the config's `theme`"
IN_THE_CONFIG = re.compile(r"`?(\w+_\w+|\w+)`? in the config")
CONFIGS_KEY = re.compile(r"config(?: file)?'s `(\w+)`")
# In messages: 'add favourites = [...] to the config file'
ASSIGNMENT = re.compile(r"\b([a-z][a-z0-9_]*) = [\[\"'\d]")
COMMAND = re.compile(r"chat-tui ([a-z]+)(?: ([a-z]+))?")


def package_strings() -> list[tuple[str, str]]:
    """String literals of the package, docstrings left out (they are for programmers)."""
    found = []
    for path in sorted((ROOT / "chat_tui").rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        for node in ast.walk(tree):
            # Prose only: a string without a space is an identifier, a key or a format.
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and " " in node.value
                and id(node) not in docstrings
            ):
                found.append((str(path.relative_to(ROOT)), node.value))
    return found


def documents() -> list[tuple[str, str]]:
    paths = [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md"]
    paths.append(ROOT / "chat_tui" / "config_example.toml")
    return [(str(p.relative_to(ROOT)), p.read_text("utf-8")) for p in paths if p.exists()]


def table_key_exists(table: str, key: str) -> bool:
    return any(
        candidate in KNOWN for candidate in (f"{table}.{key}", f"{table}.*.{key}", f"{table}.*")
    )


def named_settings(text: str, *, assignments: bool) -> list[tuple[str, bool]]:
    """(what the text names, whether the schema has it)."""
    named = [(f"[{t}] {k}", table_key_exists(t, k)) for t, k in TABLE_KEY.findall(text)]
    for pattern in (IN_THE_CONFIG, CONFIGS_KEY):
        for key in pattern.findall(text):
            if "_" in key or pattern is CONFIGS_KEY:
                named.append((key, key in LAST_PARTS))
    if assignments and "config" in text:  # not SQL, not code
        for key in ASSIGNMENT.findall(text):
            if key in LAST_PARTS or "_" in key:
                named.append((key, key in LAST_PARTS))
    return named


def test_every_setting_named_by_a_message_or_a_doc_exists() -> None:
    unknown = [
        (where, name)
        for where, text in package_strings()
        for name, exists in named_settings(text, assignments=True)
        if not exists
    ]
    unknown += [
        (where, name)
        for where, text in documents()
        for name, exists in named_settings(text, assignments=False)
        if not exists
    ]
    assert unknown == []


def test_the_scan_finds_what_it_looks_for() -> None:
    assert named_settings(
        "Try again, or raise idle_timeout_s in the config.", assignments=False
    ) == [("idle_timeout_s", False)]
    assert ("[timeouts] idle_s", True) in named_settings(
        "raise [timeouts] idle_s in the config", assignments=False
    )
    assert ("favourites", True) in named_settings(
        "add favourites = [1] to the config file", assignments=True
    )
    assert ("[profiles] base_urls", False) in named_settings(
        "[profiles.x] `base_urls`", assignments=False
    )


def test_no_text_calls_a_setting_by_its_attribute_name() -> None:
    """`Settings.idle_timeout_s` is `[timeouts] idle_s` in the file: the attribute's name
    must never reach the user."""
    renamed = [
        name
        for name in Settings.__dataclass_fields__
        if name not in LAST_PARTS and name not in {"profiles", "keymap", "title_models", "presets"}
    ]
    assert "idle_timeout_s" in renamed
    found = [
        (where, name)
        for where, text in [*package_strings(), *documents()]
        for name in renamed
        if re.search(rf"\b{name}\b", text)
    ]
    assert found == []


@pytest.mark.parametrize(
    ("attr", "spelled"),
    [
        ("idle_timeout_s", "[timeouts] idle_s"),
        ("connect_timeout_s", "[timeouts] connect_s"),
        ("simulated_tokens_per_s", "[simulated] tokens_per_s"),
        ("max_retries", "max_retries"),
    ],
)
def test_setting_key_spells_the_file_key(attr: str, spelled: str) -> None:
    assert setting_key(attr) == spelled


def test_setting_key_refuses_an_attribute_the_file_cannot_set() -> None:
    with pytest.raises(KeyError):
        setting_key("idle_timeout")


def commands() -> dict[str, set[str]]:
    """Each subcommand and its nested actions (empty when it has none)."""
    parser = build_parser()
    found: dict[str, set[str]] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found[name] = {
                    nested
                    for sub_action in sub._actions
                    if isinstance(sub_action, argparse._SubParsersAction)
                    for nested in sub_action.choices
                }
    return found


def test_every_command_named_by_a_message_or_a_doc_exists() -> None:
    known = commands()
    assert set(known) == set(SUBCOMMANDS)
    wrong = []
    for where, text in [*package_strings(), *documents()]:
        for command, action in COMMAND.findall(text):
            if command in known and known[command] and action and action not in known[command]:
                wrong.append((where, f"chat-tui {command} {action}"))
        for command in re.findall(r"`chat-tui ([a-z]+)", text):
            if command not in known and command.upper() != command:
                wrong.append((where, f"chat-tui {command}"))
    assert wrong == []
