"""The prompt history file: recall order, the draft kept, the cap, 0600, a damaged file."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from chat_tui.prompt_history import HISTORY_LIMIT, PromptHistory, load_prompt_history


def test_older_and_newer_step_through_and_give_the_draft_back() -> None:
    history = PromptHistory(["one", "two"])
    assert history.older("my draft") == "two"
    assert history.older("ignored: already browsing") == "one"
    assert history.older("") is None  # nothing older; stays on "one"
    assert history.newer() == "two"
    assert history.newer() == "my draft"
    assert not history.browsing
    assert history.newer() is None


def test_saved_entries_come_back_after_a_restart_in_a_private_file(tmp_path: Path) -> None:
    path = tmp_path / "state" / "prompt_history.jsonl"
    history, problems = load_prompt_history(path)
    assert (history.entries, problems) == ([], [])
    history.add("first line\nsecond line")
    history.add("again")
    history.add("again")  # a repeat of the newest is not kept twice
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    reloaded, problems = load_prompt_history(path)
    assert problems == []
    assert reloaded.entries == ["first line\nsecond line", "again"]


def test_only_the_last_thousand_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "prompt_history.jsonl"
    history = PromptHistory(path=path)
    for n in range(HISTORY_LIMIT + 5):
        history.add(f"message {n}")
    reloaded, _ = load_prompt_history(path)
    assert len(reloaded.entries) == HISTORY_LIMIT
    assert reloaded.entries[0] == "message 5"
    assert reloaded.entries[-1] == f"message {HISTORY_LIMIT + 4}"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_damaged_file_is_reported_and_its_readable_entries_kept(tmp_path: Path) -> None:
    path = tmp_path / "prompt_history.jsonl"
    path.write_text(
        json.dumps("kept one") + "\n{not json\n" + json.dumps(42) + "\n" + json.dumps("kept two"),
        encoding="utf-8",
    )
    history, problems = load_prompt_history(path)
    assert history.entries == ["kept one", "kept two"]
    assert len(problems) == 1
    note = problems[0].describe(full_path=True)
    assert "2 unreadable lines" in note and "other 2 entries are kept" in note
    assert "prompt_history.jsonl.bak" in note
    assert (tmp_path / "prompt_history.jsonl.bak").exists()  # nothing lost
    history.add("new")
    reloaded, problems = load_prompt_history(path)
    assert (reloaded.entries, problems) == (["kept one", "kept two", "new"], [])
