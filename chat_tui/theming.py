"""Themes as data: TOML files read into Textual `Theme`s.

Textual has no theme-file loader, so this module is one. chat-tui ships its own themes in
`chat_tui/themes/` (the repository's top-level `themes/` points there), and users add theirs
to `AppPaths.user_themes_dir`. A broken file is reported as a `Problem` and skipped; the app
registers what loaded alongside Textual's built-in themes.

A theme file:

    name = "my-theme"        # required; letters, digits, '-', '_'
    dark = true
    primary = "#7AA2F7"      # required; any colour Textual understands
    background = "#0F111A"   # optional: secondary, accent, foreground, background, surface,
                             # panel, success, warning, error, boost
    [variables]              # optional Textual theme variables, e.g.
    "footer-key-foreground" = "#7AA2F7"
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from textual.color import Color, ColorParseError
from textual.theme import BUILTIN_THEMES, Theme

from chat_tui.problems import KeyLines, Problem, Severity, describe_value

_Report = Callable[[Severity, str, str], None]

DEFAULT_THEME = "chat-tui-midnight"
COLOUR_FIELDS = (
    "primary",
    "secondary",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "success",
    "warning",
    "error",
    "boost",
)
_NUMBER_FIELDS = {"luminosity_spread": (0.0, 1.0), "text_alpha": (0.0, 1.0)}
_BOOL_FIELDS = ("dark", "ansi")
# Code in replies is highlighted with a Pygments style that suits the theme: a theme file may
# name one (`code_theme = "..."`), else these by whether the theme is dark.
DARK_CODE_THEME = "monokai"
LIGHT_CODE_THEME = "friendly"
_CODE_THEME_VARIABLE = "code-theme"  # where a Theme keeps it
_THEME_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


def builtin_themes_dir() -> Path:
    """The themes shipped inside the package (also in non-editable installs)."""
    return Path(__file__).parent / "themes"


def load_themes(builtin_dir: Path, user_dir: Path) -> tuple[list[Theme], list[Problem]]:
    """Every loadable theme, shipped ones first; a user theme replaces a shipped one of the
    same name. Missing folders are fine; broken files are reported and skipped."""
    themes: dict[str, Theme] = {}
    problems: list[Problem] = []
    # The shipped themes are known good (tests/config/test_themes.py): Textual's check of a
    # theme, a whole colour system generated, was a third of every start's theme loading.
    for folder, check in ((builtin_dir, False), (user_dir, True)):
        for path in _theme_files(folder, problems):
            theme = load_theme_file(path, problems, check_with_textual=check)
            if theme is not None:
                themes[theme.name] = theme
    return list(themes.values()), problems


def _theme_files(folder: Path, problems: list[Problem]) -> list[Path]:
    try:
        return sorted(p for p in folder.iterdir() if p.suffix == ".toml" and p.is_file())
    except FileNotFoundError:
        return []
    except OSError as exc:
        problems.append(Problem("error", f"cannot read {folder}: {exc.strerror or exc}", folder))
        return []


def load_theme_file(
    path: Path, problems: list[Problem], *, check_with_textual: bool = True
) -> Theme | None:
    """One theme file as a `Theme`, or None with the reasons appended to `problems`."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
        data = tomllib.loads(text)
    except OSError as exc:
        problems.append(Problem("error", f"cannot read {path}: {exc.strerror or exc}", path))
        return None
    except UnicodeDecodeError:
        problems.append(Problem("error", "not valid UTF-8 text; theme skipped", path))
        return None
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"at line (\d+)", str(exc))
        line = int(found.group(1)) if found else None
        problems.append(Problem("error", f"invalid TOML: {exc}; theme skipped", path, line))
        return None
    theme = _theme_from_data(path, data, KeyLines(text), problems)
    if theme is None or not check_with_textual:
        return theme
    return _built(path, theme, problems)


def _theme_from_data(
    path: Path, data: dict[str, Any], lines: KeyLines, problems: list[Problem]
) -> Theme | None:
    errors: list[Problem] = []

    def report(severity: Severity, key: str, message: str) -> None:
        target = errors if severity == "error" else problems
        target.append(Problem(severity, message, path, lines.line_of(key), key))

    values: dict[str, Any] = {}
    for key, value in data.items():
        if key == "name":
            if not isinstance(value, str) or not _THEME_NAME.match(value):
                report(
                    "error",
                    key,
                    f"expected a name of letters, digits, '-' and '_', got {describe_value(value)}",
                )
            else:
                values[key] = value
        elif key in COLOUR_FIELDS:
            if _check_colour(report, key, value):
                values[key] = value
        elif key in _BOOL_FIELDS:
            if isinstance(value, bool):
                values[key] = value
            else:
                report("error", key, f"expected true or false, got {describe_value(value)}")
        elif key in _NUMBER_FIELDS:
            low, high = _NUMBER_FIELDS[key]
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            if ok and math.isfinite(value) and low <= value <= high:
                values[key] = float(value)
            else:
                report(
                    "error",
                    key,
                    f"expected a number from {low} to {high}, got {describe_value(value)}",
                )
        elif key == "variables":
            values[key] = {**_variables(report, value), **values.get(key, {})}
        elif key == "code_theme":
            if _check_code_theme(report, key, value):
                values.setdefault("variables", {})[_CODE_THEME_VARIABLE] = value
        else:
            report("warning", key, "unknown theme setting, ignored")
    for required in ("name", "primary"):
        if required not in data:
            report("error", required, f"missing {required}")
    if errors:
        problems.extend(errors)
        problems.append(Problem("error", "theme skipped", path))
        return None
    return Theme(**values)


def code_theme_for(theme: Theme) -> str:
    """The Pygments style for code shown under `theme`."""
    named = theme.variables.get(_CODE_THEME_VARIABLE)
    return named or (DARK_CODE_THEME if theme.dark else LIGHT_CODE_THEME)


def _check_code_theme(report: _Report, key: str, value: object) -> bool:
    from pygments.styles import get_all_styles  # only for a theme that names one

    if isinstance(value, str) and value in set(get_all_styles()):
        return True
    report("warning", key, f"expected a Pygments style name, got {describe_value(value)}; ignored")
    return False


def _check_colour(report: _Report, key: str, value: object) -> bool:
    if not isinstance(value, str):
        report("error", key, f'expected a colour such as "#7AA2F7", got {describe_value(value)}')
        return False
    try:
        Color.parse(value)
    except ColorParseError:
        report("error", key, f"not a colour: {describe_value(value)}")
        return False
    return True


def _variables(report: _Report, value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        report("error", "variables", f"expected a table ([variables]), got {describe_value(value)}")
        return {}
    variables: dict[str, str] = {}
    for name, item in value.items():
        if isinstance(item, str):
            variables[name] = item
        else:
            report("error", f"variables.{name}", f"expected a string, got {describe_value(item)}")
    return variables


def _built(path: Path, theme: Theme, problems: list[Problem]) -> Theme | None:
    """The theme if Textual can turn it into a colour system (it checks variables too)."""
    try:
        theme.to_color_system().generate()
    except Exception as exc:  # Textual raises various errors for bad theme values
        problems.append(Problem("error", f"Textual cannot use this theme ({exc}); skipped", path))
        return None
    return theme


def pick_theme(
    available: Iterable[str],
    remembered: str | None,
    configured: str | None,
    default: str = DEFAULT_THEME,
    config_path: Path | None = None,
) -> tuple[str, list[Problem]]:
    """The theme to start with: the one picked in the app last time (state file), else the
    config file's `theme`, else `default`. A name that no longer exists is skipped, and
    reported when it came from the config file."""
    names = set(available)
    problems: list[Problem] = []
    if remembered and remembered in names:
        return remembered, problems
    if configured and configured not in names:
        problems.append(
            Problem(
                "warning",
                f"unknown theme {describe_value(configured)}; using {default}",
                config_path,
                key="theme",
            )
        )
    elif configured:
        return configured, problems
    if default in names:
        return default, problems
    return "textual-dark", problems


def known_theme_names(themes: Iterable[Theme]) -> set[str]:
    """Textual's built-in theme names plus `themes`: what `App.theme` will accept."""
    return set(BUILTIN_THEMES) | {theme.name for theme in themes}
