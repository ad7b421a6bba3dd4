"""`chat-tui transcripts ...` run as a user would, in a subprocess."""

from __future__ import annotations

import json
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from chat_tui.metrics import ReplyMetrics
from chat_tui.store import TranscriptStore
from chat_tui.store.schema import SCHEMA_VERSION

from .builders import add_exchange

pytestmark = pytest.mark.slow  # runs the console script in a subprocess


def transcripts(
    *arguments: str, cwd: Path | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "chat_tui", "transcripts", *arguments],
        capture_output=True,
        text=True,
        cwd=cwd,
        input=stdin,
        timeout=60,
    )


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A data dir with two conversations: 1 'Sky colour' and 2 'Penguin facts'."""
    directory = tmp_path / "data"
    with TranscriptStore.open(directory / "transcripts.sqlite3") as store:
        sky = store.create_conversation(title="Sky colour").id
        penguins = store.create_conversation(title="Penguin facts").id
        assert sky == 1 and penguins == 2
        add_exchange(store, sky, "Why is the sky blue?", "Rayleigh scattering.", model="gpt-x")
        add_exchange(store, penguins, "Can penguins fly?", "No, they swim.", model="claude-y")
    return directory


def test_list(data_dir: Path) -> None:
    result = transcripts("list", "--data-dir", str(data_dir))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "Penguin facts" in lines[0] and "claude-y" in lines[0]
    assert "Sky colour" in lines[1] and "2 msgs" in lines[1]


def test_list_json_with_the_top_level_data_dir_option(data_dir: Path) -> None:
    command = [sys.executable, "-m", "chat_tui", "--data-dir", str(data_dir), "transcripts"]
    result = subprocess.run(
        [*command, "list", "--json", "--limit", "1"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    (row,) = json.loads(result.stdout)
    assert (row["id"], row["title"], row["message_count"]) == (2, "Penguin facts", 2)
    assert row["models"] == ["claude-y"]


def test_list_with_no_database_yet_creates_nothing(tmp_path: Path) -> None:
    result = transcripts("list", "--data-dir", str(tmp_path / "empty"))
    assert (result.returncode, result.stdout) == (0, "No saved conversations.\n")
    assert not (tmp_path / "empty").exists()


def test_show(data_dir: Path) -> None:
    result = transcripts("show", "1", "--data-dir", str(data_dir))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("# Sky colour\n")
    assert "Rayleigh scattering." in result.stdout
    as_json = json.loads(transcripts("show", "1", "--json", "--data-dir", str(data_dir)).stdout)
    assert as_json["schema_version"] == 2


def test_show_tells_the_wait_through_retries(tmp_path: Path) -> None:
    directory = tmp_path / "data"
    with TranscriptStore.open(directory / "transcripts.sqlite3") as store:
        busy = store.create_conversation(title="Busy").id
        assert busy is not None
        retried = ReplyMetrics(ttft_s=0.3, total_s=1.04, output_tokens=30, retries=2, waited_s=3.04)
        add_exchange(store, busy, "are you busy?", "Not now.", metrics=retried)
    shown = transcripts("show", str(busy), "--data-dir", str(directory))
    assert shown.returncode == 0, shown.stderr
    assert "TTFT 300 ms" in shown.stdout
    assert "total 4.08 s (3.04 s waiting, 2 retries)" in shown.stdout
    as_json = json.loads(
        transcripts("show", str(busy), "--json", "--data-dir", str(directory)).stdout
    )
    metrics = as_json["messages"][1]["metrics"]
    assert (metrics["retries"], metrics["waited_s"], metrics["total_s"]) == (2, 3.04, 1.04)


def test_search(data_dir: Path) -> None:
    result = transcripts("search", "penguin", "--data-dir", str(data_dir))
    assert result.returncode == 0, result.stderr
    assert "Penguin facts" in result.stdout and "Can penguins fly?" in result.stdout
    assert "Sky colour" not in result.stdout
    hits = json.loads(transcripts("search", "sky", "--json", "--data-dir", str(data_dir)).stdout)
    assert {"text": "sky", "match": True} in hits[0]["snippet"]
    hostile = transcripts("search", 'NEAR("-*', "--data-dir", str(data_dir))
    assert (hostile.returncode, hostile.stdout) == (0, "No matches.\n")


@pytest.mark.parametrize("export_format", ["md", "json"])
def test_export_to_a_default_name_in_the_current_directory(
    data_dir: Path, tmp_path: Path, export_format: str
) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    result = transcripts(
        "export", "2", "--format", export_format, "--data-dir", str(data_dir), cwd=out_dir
    )
    assert result.returncode == 0, result.stderr
    written = Path(result.stdout.strip())
    assert written == out_dir / f"penguin-facts.{export_format}"
    assert "No, they swim." in written.read_text()
    assert stat.S_IMODE(written.stat().st_mode) == 0o600


def test_export_to_a_chosen_file(data_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "chosen.json"
    result = transcripts(
        "export", "1", "--format", "json", "-o", str(target), "--data-dir", str(data_dir)
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(target)
    assert json.loads(target.read_text())["title"] == "Sky colour"


def test_delete_with_yes(data_dir: Path) -> None:
    result = transcripts("delete", "1", "--yes", "--data-dir", str(data_dir))
    assert result.returncode == 0, result.stderr
    listed = json.loads(transcripts("list", "--json", "--data-dir", str(data_dir)).stdout)
    assert [row["id"] for row in listed] == [2]
    assert transcripts("search", "Rayleigh", "--data-dir", str(data_dir)).stdout == "No matches.\n"


def test_delete_refuses_without_a_terminal_or_yes(data_dir: Path) -> None:
    result = transcripts("delete", "1", "--data-dir", str(data_dir), stdin="y\n")
    assert result.returncode == 2
    assert "--yes" in result.stderr
    assert transcripts("show", "1", "--data-dir", str(data_dir)).returncode == 0


@pytest.mark.parametrize(
    "arguments",
    [["show", "99"], ["export", "99"], ["delete", "99", "--yes"]],
)
def test_unknown_ids_fail_naming_the_file(data_dir: Path, arguments: list[str]) -> None:
    result = transcripts(*arguments, "--data-dir", str(data_dir))
    assert result.returncode == 1
    assert "no conversation with id 99" in result.stderr
    assert str(data_dir / "transcripts.sqlite3") in result.stderr


@pytest.mark.parametrize("arguments", [["list"], ["show", "1"], ["delete", "1", "--yes"]])
def test_unusable_databases_fail_and_are_left_untouched(
    tmp_path: Path, arguments: list[str]
) -> None:
    not_sqlite = tmp_path / "foreign"
    not_sqlite.mkdir()
    (not_sqlite / "transcripts.sqlite3").write_bytes(b"not a database at all" * 50)
    newer = tmp_path / "newer"
    TranscriptStore.open(newer / "transcripts.sqlite3").close()
    connection = sqlite3.connect(newer / "transcripts.sqlite3")
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    connection.execute("PRAGMA journal_mode = DELETE")
    connection.close()
    for directory, reason in ((not_sqlite, "not a SQLite database"), (newer, "newer chat-tui")):
        database = directory / "transcripts.sqlite3"
        before = database.read_bytes()
        result = transcripts(*arguments, "--data-dir", str(directory))
        assert result.returncode == 1
        assert str(database) in result.stderr and reason in result.stderr
        assert result.stdout == ""
        assert database.read_bytes() == before
