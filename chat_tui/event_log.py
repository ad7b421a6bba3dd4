"""The request log: one JSON line per finished reply, for `chat-tui stats` and bug reports.

Each line holds timings, token counts, the finish and the failure kind, never the prompt, the
reply or any key. With `CHAT_TUI_DEBUG_LOG=1` in the environment the prompt and reply text are
added (keys still never are: the log never sees them). The file is rotated by size
(`requests.jsonl` -> `.1` -> `.2` ...), is 0600 in a 0700 directory, and writing it never
breaks the chat: failures are swallowed after the first one is reported.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chat_tui.conversation import Turn
from chat_tui.paths import ensure_private_dir

DEBUG_ENV = "CHAT_TUI_DEBUG_LOG"
MAX_BYTES = 5 * 1024 * 1024
KEEP = 3  # rotated files kept besides the current one


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """What one line of the log says about one request (see `to_json`)."""

    time: float  # wall clock, seconds since the epoch, when the reply ended
    provider: str
    model: str
    mode: str  # "stream" | "complete"
    status: str  # MessageStatus value
    ttft_s: float | None = None
    itl_p50_s: float | None = None
    itl_p95_s: float | None = None
    total_s: float | None = None
    tokens_per_s: float | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    tokens_estimated: bool = False
    cost_usd: float | None = None  # None: no known price (see chat_tui.pricing)
    finish_reason: str | None = None
    error_kind: str | None = None
    retries: int = 0
    # From sending the first request to sending the answered (or last) one: the retries' time,
    # which the timings above leave out (they are the last request's).
    waited_s: float | None = None
    prompt: str | None = None  # only with CHAT_TUI_DEBUG_LOG=1
    reply: str | None = None  # only with CHAT_TUI_DEBUG_LOG=1
    purpose: str = "reply"  # "title": a background title request (stats leaves it out)

    @classmethod
    def from_turn(
        cls, turn: Turn, *, retries: int = 0, prompt: str | None = None, purpose: str = "reply"
    ) -> RequestRecord:
        metrics = turn.metrics
        return cls(
            time=turn.finished_at or time.time(),
            provider=turn.provider or "",
            model=turn.model or "",
            mode="stream" if turn.streaming else "complete",
            status=str(turn.status.value),
            ttft_s=metrics.ttft_s if metrics else None,
            itl_p50_s=metrics.itl_p50_s if metrics else None,
            itl_p95_s=metrics.itl_p95_s if metrics else None,
            total_s=metrics.total_s if metrics else None,
            tokens_per_s=metrics.tokens_per_s if metrics else None,
            input_tokens=metrics.input_tokens if metrics else None,
            output_tokens=metrics.output_tokens if metrics else None,
            tokens_estimated=metrics.tokens_estimated if metrics else False,
            cost_usd=metrics.cost_usd if metrics else None,
            finish_reason=turn.finish_reason,
            error_kind=turn.error_kind,
            retries=retries,
            waited_s=metrics.waited_s if metrics else None,
            prompt=prompt,
            reply=turn.text if prompt is not None else None,
            purpose=purpose,
        )

    def to_json(self) -> str:
        line: dict[str, Any] = {
            "time": _iso(self.time),
            "ts": round(self.time, 3),
            "provider": self.provider,
            "model": self.model,
            "mode": self.mode,
            "status": self.status,
            "ttft_s": _round(self.ttft_s),
            "itl_p50_s": _round(self.itl_p50_s),
            "itl_p95_s": _round(self.itl_p95_s),
            "total_s": _round(self.total_s),
            "tokens_per_s": _round(self.tokens_per_s, 2),
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "tokens_estimated": self.tokens_estimated,
            "cost_usd": self.cost_usd,
            "finish_reason": self.finish_reason,
            "error_kind": self.error_kind,
            "retries": self.retries,
            "waited_s": _round(self.waited_s),
        }
        if self.purpose != "reply":
            line["purpose"] = self.purpose
        if self.prompt is not None:
            line["prompt"] = self.prompt
            line["reply"] = self.reply
        return json.dumps(line, ensure_ascii=False, separators=(",", ":"))


class EventLog:
    """Appends `RequestRecord`s to a size-rotated JSONL file; never raises."""

    def __init__(
        self,
        path: Path,
        *,
        max_bytes: int = MAX_BYTES,
        keep: int = KEEP,
        environ: Mapping[str, str] = os.environ,
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        self.path = Path(path)
        self.max_bytes = max_bytes
        self.keep = keep
        self.debug = environ.get(DEBUG_ENV, "").strip() == "1"
        self.on_error = on_error
        self.failed = False  # the first failure is reported, later ones are silent

    def record_turn(
        self,
        turn: Turn,
        *,
        retries: int = 0,
        prompt: str | None = None,
        purpose: str = "reply",
    ) -> None:
        """Log a finished request; `prompt` is kept only in debug mode."""
        try:
            record = RequestRecord.from_turn(
                turn,
                retries=retries,
                prompt=(prompt or "") if self.debug else None,
                purpose=purpose,
            )
        except Exception as error:  # a logging bug must not break the chat
            self._report(error)
            return
        self.write(record)

    def write(self, record: RequestRecord) -> None:
        try:
            self._append(record.to_json() + "\n")
        except Exception as error:
            self._report(error)

    def _append(self, line: str) -> None:
        ensure_private_dir(self.path.parent)
        data = line.encode("utf-8")
        with contextlib.suppress(FileNotFoundError):
            if self.path.stat().st_size + len(data) > self.max_bytes:
                self._rotate()
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            with contextlib.suppress(OSError):
                os.fchmod(fd, 0o600)
            os.write(fd, data)
        finally:
            os.close(fd)

    def _rotate(self) -> None:
        for index in range(self.keep, 0, -1):
            source = self.path if index == 1 else _rotated(self.path, index - 1)
            if source.exists():
                os.replace(source, _rotated(self.path, index))

    def _report(self, error: Exception) -> None:
        if self.failed:
            return
        self.failed = True
        if self.on_error:
            with contextlib.suppress(Exception):
                self.on_error(f"The request log ({self.path}) could not be written: {error}")

    def files(self) -> list[Path]:
        """The log files, oldest first."""
        return log_files(self.path, self.keep)


def _rotated(path: Path, index: int) -> Path:
    return path.with_name(f"{path.name}.{index}")


def log_files(path: Path, keep: int = KEEP) -> list[Path]:
    """The current log and its rotated copies that exist, oldest first."""
    candidates = [_rotated(path, i) for i in range(keep, 0, -1)] + [path]
    return [p for p in candidates if p.is_file()]


def read_records(path: Path, keep: int = KEEP) -> tuple[list[dict[str, Any]], int]:
    """(records, malformed line count) from the log and its rotated copies, oldest first."""
    records: list[dict[str, Any]] = []
    malformed = 0
    for file in log_files(path, keep):
        for line in _lines(file):
            try:
                record = json.loads(line)
            except ValueError:
                malformed += 1
                continue
            if isinstance(record, dict) and isinstance(record.get("status"), str):
                records.append(record)
            else:
                malformed += 1
    return records, malformed


def _lines(file: Path) -> Iterator[str]:
    with file.open("r", encoding="utf-8", errors="replace") as handle:
        for line in handle:
            if line.strip():
                yield line


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def _iso(timestamp: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(timestamp))
