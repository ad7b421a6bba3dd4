"""check_keymap: unknown ids and the clashes a keymap causes."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import App
from textual.binding import Binding, BindingType

from chat_tui.keymap import check_keymap, normalise_keys

BINDINGS = [
    ("app.quit", "ctrl+q", "Quit"),
    ("app.help", "?", "Help"),
    ("prompt.send", "enter", "Send"),
    ("prompt.newline", "shift+enter,ctrl+j", "Newline"),
]


def test_normalise_like_textual() -> None:
    assert normalise_keys("?, ctrl+k,a") == ("question_mark", "ctrl+k", "a")
    assert App._normalize_keymap({"x": "?, ctrl+k,a"}) == {
        "x": ",".join(normalise_keys("?, ctrl+k,a"))
    }


def test_a_valid_keymap_has_no_problems() -> None:
    assert check_keymap({"app.quit": "ctrl+x", "app.help": "f1"}, BINDINGS) == []


def test_swapping_two_keys_is_not_a_clash() -> None:
    assert check_keymap({"app.quit": "question_mark", "app.help": "ctrl+q"}, BINDINGS) == []


def test_unknown_binding_id_warns() -> None:
    [problem] = check_keymap({"app.qiut": "ctrl+x"}, BINDINGS)
    assert problem.severity == "warning" and problem.key == "keymap.app.qiut"
    assert "app.quit" in problem.message


def test_a_clash_with_a_default_key_is_an_error() -> None:
    [problem] = check_keymap({"app.quit": "ctrl+j"}, BINDINGS)
    assert problem.is_error and problem.key == "keymap.app.quit"
    assert "prompt.newline" in problem.message


def test_a_clash_written_differently_is_still_found() -> None:
    [problem] = check_keymap({"app.quit": "?"}, BINDINGS)
    assert "question_mark" in problem.message and "app.help" in problem.message


def test_two_remapped_ids_on_one_key() -> None:
    problems = check_keymap({"app.quit": "f2", "prompt.send": "f2"}, BINDINGS)
    assert len(problems) == 1 and problems[0].is_error


def test_default_clashes_alone_are_not_reported() -> None:
    bindings = [*BINDINGS, ("screen.close", "ctrl+q", "Close")]
    assert check_keymap({}, bindings) == []


def test_problems_point_at_the_config_lines(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('theme = "nord"\n\n[keymap]\n"app.quit" = "ctrl+j"\nnope = "x"\n')
    problems = check_keymap({"app.quit": "ctrl+j", "nope": "x"}, BINDINGS, path)
    assert sorted(str(p).split(": ")[0] for p in problems) == ["config.toml:4", "config.toml:5"]


def test_ids_can_come_from_a_textual_app() -> None:
    class Demo(App[None]):
        BINDINGS: ClassVar[list[BindingType]] = [
            Binding("ctrl+q,ctrl+w", "quit", "Quit", id="app.quit")
        ]

    bindings = [(b.id, b.key, b.description) for b in Binding.make_bindings(Demo.BINDINGS) if b.id]
    [problem] = check_keymap({"app.other": "ctrl+w"}, [*bindings, ("app.other", "f3", "")])
    assert "app.quit" in problem.message


def test_every_screen_of_the_app_is_checked() -> None:
    """history.*, race.* and dialog.* ids are known (they were warned about before), and a
    key taken on one screen is free to take on another."""
    from chat_tui.app import ChatApp
    from chat_tui.binding_ids import keymap_problems

    screens = ChatApp.keymap_screens()
    keymap = {"history.delete": "x", "race.stop": "ctrl+x", "dialog.cancel": "escape,q"}
    assert keymap_problems(keymap, None, screens) == []
    # ctrl+o is the chat's model picker; on the history screen it clashes with nothing.
    assert keymap_problems({"history.export": "ctrl+o"}, None, screens) == []
    [clash] = keymap_problems({"history.export": "r"}, None, screens)
    assert clash.is_error and "history.rename" in clash.message
