"""`chat-tui config path|check|init`: find, check or start the config file."""

from __future__ import annotations

import argparse
import os
import sys
from importlib import resources

from chat_tui.commands import add_action
from chat_tui.config import load_settings
from chat_tui.paths import AppPaths
from chat_tui.problems import Problem

EXAMPLE_NAME = "config_example.toml"


def configure(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="config_action", metavar="ACTION", required=True)
    add_action(actions, "path", "print the config file's path (it may not exist yet)")
    add_action(
        actions,
        "check",
        "check the config file and your themes; exit 1 if there are errors",
    )
    init = add_action(
        actions, "init", "write a commented example config file, if there is none yet"
    )
    init.add_argument(
        "--print", action="store_true", help="print the example instead of writing it"
    )


def run(args: argparse.Namespace) -> int:
    paths = AppPaths.default(data_dir=getattr(args, "data_dir", None))
    if args.config_action == "path":
        print(paths.config_file)
        return 0
    if args.config_action == "check":
        return check(paths)
    return init(paths, print_only=args.print)


def example_text() -> str:
    return resources.files("chat_tui").joinpath(EXAMPLE_NAME).read_text(encoding="utf-8")


def check(paths: AppPaths) -> int:
    from chat_tui.theming import builtin_themes_dir, known_theme_names, load_themes, pick_theme

    config_file = paths.config_file
    if not config_file.exists() and not config_file.is_symlink():
        print(f"{config_file}: no config file; the defaults are used.")
        print("Run `chat-tui config init` to write a commented example.")
    loaded = load_settings(config_file)
    themes, theme_problems = load_themes(builtin_themes_dir(), paths.user_themes_dir)
    problems = list(loaded.problems) + theme_problems
    if loaded.settings.theme:
        _, picked = pick_theme(
            known_theme_names(themes), None, loaded.settings.theme, config_path=config_file
        )
        problems += picked
    if loaded.settings.keymap:
        from chat_tui.app import ChatApp
        from chat_tui.binding_ids import keymap_problems

        problems += keymap_problems(loaded.settings.keymap, config_file, ChatApp.keymap_screens())
    for problem in problems:
        _print_problem(problem)
    errors = sum(problem.is_error for problem in problems)
    warnings = len(problems) - errors
    if config_file.exists():
        print(f"{config_file}: {_count(errors, 'error')}, {_count(warnings, 'warning')}.")
    return 1 if errors else 0


def _print_problem(problem: Problem) -> None:
    label = "error" if problem.is_error else "warning"
    print(f"{problem.describe(full_path=True)} [{label}]")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def init(paths: AppPaths, print_only: bool = False) -> int:
    text = example_text()
    if print_only:
        sys.stdout.write(text)
        return 0
    target = paths.config_file
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        print(f"{target} already exists; not overwritten.", file=sys.stderr)
        print("`chat-tui config init --print` shows the example.", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"cannot create {target}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    print(f"wrote an example config to {target}")
    return 0
