"""Theme files: the shipped ones load, broken ones are skipped with a reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App
from textual.theme import BUILTIN_THEMES

from chat_tui.problems import Problem
from chat_tui.theming import (
    DARK_CODE_THEME,
    DEFAULT_THEME,
    LIGHT_CODE_THEME,
    builtin_themes_dir,
    code_theme_for,
    known_theme_names,
    load_theme_file,
    load_themes,
    pick_theme,
)

SHIPPED = {"chat-tui-midnight", "chat-tui-paper", "chat-tui-ember"}
REPO_ROOT = Path(__file__).resolve().parents[2]


def test_the_shipped_themes_load_without_problems(tmp_path: Path) -> None:
    themes, problems = load_themes(builtin_themes_dir(), tmp_path / "missing")
    assert problems == []
    by_name = {theme.name: theme for theme in themes}
    assert set(by_name) == SHIPPED
    assert by_name["chat-tui-paper"].dark is False
    assert by_name["chat-tui-midnight"].dark and by_name["chat-tui-ember"].dark
    assert by_name["chat-tui-midnight"].variables["footer-key-foreground"] == "#7AA2F7"
    assert not SHIPPED & set(BUILTIN_THEMES)  # ours add to Textual's, never replace them
    for theme in themes:  # what a start skips for them: Textual's own check of a theme
        theme.to_color_system().generate()
    for path in sorted(builtin_themes_dir().glob("*.toml")):
        checked: list[Problem] = []
        assert load_theme_file(path, checked, check_with_textual=True) is not None
        assert checked == []


def test_top_level_themes_folder_holds_the_same_files() -> None:
    top = REPO_ROOT / "themes"
    if not top.exists():
        pytest.skip("not running from a repository checkout")
    names = sorted(p.name for p in top.glob("*.toml"))
    assert names == sorted(p.name for p in builtin_themes_dir().glob("*.toml"))
    for name in names:
        assert (top / name).read_bytes() == (builtin_themes_dir() / name).read_bytes()


def write_theme(folder: Path, filename: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / filename
    path.write_text(text, encoding="utf-8")
    return path


GOOD = """\
name = "mine"
primary = "#123456"
dark = false
[variables]
"footer-key-foreground" = "red"
"""


def test_user_themes_load_and_broken_ones_are_skipped(tmp_path: Path) -> None:
    user = tmp_path / "themes"
    write_theme(user, "good.toml", GOOD)
    bad_toml = write_theme(user, "bad-toml.toml", 'name = "x"\nprimary = \n')
    write_theme(user, "no-name.toml", 'primary = "#fff"\n')
    bad_colour = write_theme(user, "bad-colour.toml", 'name = "c"\nprimary = "#12"\n')
    write_theme(user, "wrong-type.toml", 'name = "t"\nprimary = "#fff"\ndark = "yes"\n')
    write_theme(user, "notes.txt", "not a theme")
    themes, problems = load_themes(builtin_themes_dir(), user)
    names = {theme.name for theme in themes}
    assert names == SHIPPED | {"mine"}
    paths = {p.path for p in problems if p.is_error}
    assert paths == {bad_toml, user / "no-name.toml", bad_colour, user / "wrong-type.toml"}
    [toml_error] = [p for p in problems if p.path == bad_toml and p.line]
    assert toml_error.line == 2
    [colour_error] = [p for p in problems if p.path == bad_colour and p.key]
    assert str(colour_error) == 'bad-colour.toml:2: primary: not a colour: "#12"'


def test_a_user_theme_replaces_a_shipped_one_of_the_same_name(tmp_path: Path) -> None:
    text = 'name = "chat-tui-ember"\nprimary = "#00ff00"\n'
    write_theme(tmp_path, "ember.toml", text)
    themes, problems = load_themes(builtin_themes_dir(), tmp_path)
    assert problems == []
    [ember] = [t for t in themes if t.name == "chat-tui-ember"]
    assert ember.primary == "#00ff00"


def test_unknown_theme_keys_warn_but_load(tmp_path: Path) -> None:
    write_theme(tmp_path, "w.toml", GOOD + "")
    write_theme(tmp_path, "x.toml", 'name = "x"\nprimary = "#fff"\nauthor = "me"\n')
    themes, problems = load_themes(tmp_path / "none", tmp_path)
    assert {t.name for t in themes} == {"mine", "x"}
    [warning] = problems
    assert warning.severity == "warning" and warning.key == "author"


async def test_the_app_can_register_and_use_loaded_themes(tmp_path: Path) -> None:
    write_theme(tmp_path, "good.toml", GOOD)
    themes, _ = load_themes(builtin_themes_dir(), tmp_path)
    app = App()
    for theme in themes:
        app.register_theme(theme)
    async with app.run_test():
        for theme in themes:
            app.theme = theme.name
            assert app.current_theme.name == theme.name
        app.theme = "nord"  # Textual's own are still there


def test_pick_theme_order() -> None:
    names = known_theme_names([])  # Textual's only
    names |= SHIPPED
    assert pick_theme(names, "nord", "chat-tui-paper") == ("nord", [])
    assert pick_theme(names, None, "chat-tui-paper") == ("chat-tui-paper", [])
    assert pick_theme(names, "gone", None) == (DEFAULT_THEME, [])
    name, [warning] = pick_theme(names, None, "typo", config_path=Path("config.toml"))
    assert name == DEFAULT_THEME
    assert str(warning) == 'config.toml: theme: unknown theme "typo"; using chat-tui-midnight'


def test_code_follows_the_theme_and_a_theme_file_may_name_its_code_theme(tmp_path: Path) -> None:
    themes, _ = load_themes(builtin_themes_dir(), tmp_path / "missing")
    by_name = {theme.name: theme for theme in themes}
    assert code_theme_for(by_name["chat-tui-paper"]) == LIGHT_CODE_THEME
    assert code_theme_for(by_name["chat-tui-midnight"]) == DARK_CODE_THEME
    user = tmp_path / "user"
    user.mkdir()
    (user / "mine.toml").write_text(
        'name = "mine"\nprimary = "#112233"\ncode_theme = "solarized-light"\n'
        '[variables]\n"footer-key-foreground" = "#112233"\n'
    )
    (user / "typo.toml").write_text('name = "typo"\nprimary = "#112233"\ncode_theme = "monokay"\n')
    themes, problems = load_themes(builtin_themes_dir(), user)
    by_name = {theme.name: theme for theme in themes}
    assert code_theme_for(by_name["mine"]) == "solarized-light"
    assert by_name["mine"].variables["footer-key-foreground"] == "#112233"
    assert code_theme_for(by_name["typo"]) == DARK_CODE_THEME  # Textual's default is dark
    assert [p.key for p in problems] == ["code_theme"]
