"""Where chat-tui keeps its files: the one place that knows, via platformdirs."""

from __future__ import annotations

import contextlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from platformdirs import PlatformDirs

APP_NAME = "chat-tui"


@dataclass(frozen=True, slots=True)
class AppPaths:
    data_dir: Path
    config_dir: Path
    log_dir: Path

    @property
    def database(self) -> Path:
        return self.data_dir / "transcripts.sqlite3"

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"

    @property
    def user_themes_dir(self) -> Path:
        return self.config_dir / "themes"

    @property
    def state_file(self) -> Path:
        """Small UI state the app remembers across restarts (chosen theme, last model)."""
        return self.data_dir / "state.json"

    @property
    def prompt_history(self) -> Path:
        """The messages sent, recalled in the prompt with up / down (prompt_history.py)."""
        return self.data_dir / "prompt_history.jsonl"

    @property
    def ask_warnings_file(self) -> Path:
        """A hash of the config warnings `ask` last printed (it prints them once)."""
        return self.data_dir / "ask-warnings.sha256"

    @property
    def event_log(self) -> Path:
        return self.log_dir / "requests.jsonl"

    @classmethod
    def default(cls, data_dir: Path | None = None, config_dir: Path | None = None) -> AppPaths:
        dirs = PlatformDirs(APP_NAME, appauthor=False)
        env_config = os.environ.get("CHAT_TUI_CONFIG_DIR")
        return cls(
            data_dir=Path(data_dir) if data_dir else Path(dirs.user_data_dir),
            config_dir=Path(config_dir or env_config or dirs.user_config_dir),
            log_dir=(Path(data_dir) / "logs") if data_dir else Path(dirs.user_log_dir),
        )


def ensure_private_dir(path: Path) -> Path:
    """Create a directory only its owner can enter (0700): it holds user data."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    with contextlib.suppress(OSError):
        os.chmod(path, 0o700)
    return path


def write_private_file(path: Path, text: str, *, durable: bool = False) -> None:
    """Replace `path` with `text` atomically (a temporary file, then a rename), readable by its
    owner only; `durable`: on disk before the rename (fsync). Raises OSError."""
    ensure_private_dir(path.parent)
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(temp_name, 0o600)
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
