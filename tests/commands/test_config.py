"""`chat-tui config path|check|init` run as a user would, in a subprocess."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # runs the console script in a subprocess

REPO_ROOT = Path(__file__).resolve().parents[2]


def chat_tui(config_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CHAT_TUI_CONFIG_DIR": str(config_dir)}
    return subprocess.run(
        [sys.executable, "-m", "chat_tui", "config", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO_ROOT,
        timeout=60,
    )


def test_path_prints_the_config_file(tmp_path: Path) -> None:
    result = chat_tui(tmp_path, "path")
    assert result.returncode == 0
    assert result.stdout.strip() == str(tmp_path / "config.toml")


def test_check_with_no_file_succeeds(tmp_path: Path) -> None:
    result = chat_tui(tmp_path, "check")
    assert result.returncode == 0
    assert "no config file" in result.stdout


def test_check_exit_codes(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('flush_interval_ms = 500\ncolour = "x"\n')
    warned = chat_tui(tmp_path, "check")
    assert warned.returncode == 0
    assert f"{config}:1: flush_interval_ms: 500 is outside 50..100" in warned.stdout
    assert "0 errors, 2 warnings" in warned.stdout

    config.write_text('default_model = "x"\n[profiles.ollama]\nbase_url = 42\n')
    failed = chat_tui(tmp_path, "check")
    assert failed.returncode == 1
    assert f"{config}:3: profiles.ollama.base_url: expected a string, got 42" in failed.stdout

    config.write_text("[broken\n")
    assert chat_tui(tmp_path, "check").returncode == 1


def test_check_reports_broken_user_themes_and_unknown_theme(tmp_path: Path) -> None:
    (tmp_path / "themes").mkdir()
    (tmp_path / "themes" / "bad.toml").write_text('name = "bad"\n')
    (tmp_path / "config.toml").write_text('theme = "nope"\n')
    result = chat_tui(tmp_path, "check")
    assert result.returncode == 1
    assert "bad.toml" in result.stdout and "missing primary" in result.stdout
    assert 'unknown theme "nope"' in result.stdout


def test_check_reports_keymap_ids_and_clashes(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[keymap]\n"app.quit" = "ctrl+x"\n"no.such.binding" = "f9"\n')
    assert chat_tui(tmp_path, "check").returncode == 0
    config.write_text('[keymap]\n"no.such.binding" = "f9"\n"chat.new" = "ctrl+t"\n')
    result = chat_tui(tmp_path, "check")
    assert f"{config}:2: keymap.no.such.binding" in result.stdout
    assert f"{config}:3: keymap.chat.new" in result.stdout and "[error]" in result.stdout
    assert result.returncode == 1


def test_init_writes_a_private_example_once(tmp_path: Path) -> None:
    config_dir = tmp_path / "new"
    first = chat_tui(config_dir, "init")
    assert first.returncode == 0
    config = config_dir / "config.toml"
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert "[profiles.ollama]" in config.read_text()
    assert chat_tui(config_dir, "check").returncode == 0

    config.write_text('theme = "nord"\n')
    second = chat_tui(config_dir, "init")
    assert second.returncode == 1
    assert "not overwritten" in second.stderr
    assert config.read_text() == 'theme = "nord"\n'


def test_init_print(tmp_path: Path) -> None:
    result = chat_tui(tmp_path, "init", "--print")
    assert result.returncode == 0 and "api_key_command" in result.stdout
    assert not (tmp_path / "config.toml").exists()
