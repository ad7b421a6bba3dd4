"""The UI state file: round trip, private mode, and corrupt files kept aside."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from chat_tui.state import UiState, load_state, save_state


def test_round_trip_and_mode(tmp_path: Path) -> None:
    path = tmp_path / "data" / "state.json"
    state = UiState(theme="chat-tui-paper", provider="ollama", model="llama3.2")
    save_state(path, state)
    assert load_state(path) == (state, [])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text())["version"] == 1
    save_state(path, state.with_changes(theme="nord"))
    assert load_state(path)[0].theme == "nord"
    assert [p.name for p in path.parent.iterdir()] == ["state.json"]  # no temp files left


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    assert load_state(tmp_path / "state.json") == (UiState(), [])


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", '{"theme": 3}', "\x00\x01"])
def test_corrupt_file_is_kept_as_bak_and_reported(tmp_path: Path, content: str) -> None:
    path = tmp_path / "state.json"
    path.write_text(content)
    state, [problem] = load_state(path)
    assert state == UiState()
    assert "state.json.bak" in problem.message
    assert (tmp_path / "state.json.bak").read_text() == content
    assert not path.exists()
    save_state(path, UiState(theme="nord"))
    assert load_state(path) == (UiState(theme="nord"), [])


def test_unknown_keys_are_ignored(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text('{"version": 2, "theme": "nord", "future": [1]}')
    assert load_state(path) == (UiState(theme="nord"), [])


def test_a_failed_save_leaves_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "state.json"
    save_state(path, UiState(theme="nord"))

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("chat_tui.state.os.replace", broken_replace)
    with pytest.raises(OSError):
        save_state(path, UiState(theme="gruvbox"))
    monkeypatch.undo()
    assert load_state(path)[0].theme == "nord"
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]
