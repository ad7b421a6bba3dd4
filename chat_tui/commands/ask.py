"""`chat-tui ask "prompt"`: send one prompt, print the reply (for scripts).

The reply is streamed to stdout as it arrives (`--no-stream`: printed once at the end), made
terminal-safe when stdout is a terminal and left raw when it is piped. `-` reads the prompt
from stdin. The exchange is saved to the transcripts like a chat in the app (`--no-save` to
skip), through the same `ChatSession` and `TranscriptStore`. Ctrl+C stops the request (the
stream is closed, so the server stops generating), saves the partial reply marked cancelled
and exits 130.

Exit codes (also in docs/ask.md):

    0    the reply arrived complete (a reply cut at the token limit is still 0; see --json)
    2    usage or configuration: bad arguments, empty prompt, unknown provider, no API key,
         no model
    3    authentication: the key was refused (401/403)
    4    rate limited or overloaded, after the retries
    5    connection: could not connect, or the connection was lost mid-reply
    6    timeout: no answer, or the stream stalled
    7    bad response or server error (5xx, malformed or unfinished stream)
    8    the request was refused: unknown model, context too long, bad request; or anything else
    130  cancelled with Ctrl+C
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import os
import sys
from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path
from typing import IO, Any

from chat_tui.attachments import Attachment, AttachmentError, load_attachment
from chat_tui.conversation import MessageStatus, Turn
from chat_tui.paths import ensure_private_dir
from chat_tui.providers.base import FailureKind, ProviderError
from chat_tui.reply_record import figures, finish_note
from chat_tui.session import ChatSession, PendingReply
from chat_tui.text_safety import terminal_safe_json, visible_text

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_AUTH = 3
EXIT_RATE_LIMITED = 4
EXIT_CONNECTION = 5
EXIT_TIMEOUT = 6
EXIT_BAD_RESPONSE = 7
EXIT_REFUSED = 8
EXIT_CANCELLED = 130

EXIT_CODES: dict[FailureKind, int] = {
    FailureKind.CONFIG: EXIT_USAGE,
    FailureKind.AUTH: EXIT_AUTH,
    FailureKind.RATE_LIMITED: EXIT_RATE_LIMITED,
    FailureKind.OVERLOADED: EXIT_RATE_LIMITED,
    FailureKind.CONNECTION_FAILED: EXIT_CONNECTION,
    FailureKind.CONNECTION_LOST: EXIT_CONNECTION,
    FailureKind.TIMEOUT: EXIT_TIMEOUT,
    FailureKind.BAD_RESPONSE: EXIT_BAD_RESPONSE,
    FailureKind.SERVER_ERROR: EXIT_BAD_RESPONSE,
    FailureKind.MODEL_NOT_FOUND: EXIT_REFUSED,
    FailureKind.CONTEXT_TOO_LONG: EXIT_REFUSED,
    FailureKind.BAD_REQUEST: EXIT_REFUSED,
}
PRINT_INTERVAL_S = 0.02  # how often streamed text is written out


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("prompt", metavar="PROMPT", help='the prompt; "-" reads it from stdin')
    # Also accepted before `ask`; SUPPRESS keeps a value given there.
    quiet = argparse.SUPPRESS
    parser.add_argument("--provider", metavar="NAME", default=quiet, help="provider or profile")
    parser.add_argument("--model", metavar="NAME", default=quiet, help="model name")
    parser.add_argument(
        "--no-stream", action="store_true", default=quiet, help="print the reply once, at the end"
    )
    parser.add_argument(
        "--data-dir", type=Path, metavar="DIR", default=quiet, help="where transcripts are kept"
    )
    parser.add_argument("--system", metavar="TEXT", help="a system prompt for this request")
    parser.add_argument(
        "--json", action="store_true", help="print one JSON object (text, metrics, status...)"
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="print TTFT, ITL p50/p95 and tok/s to stderr"
    )
    parser.add_argument("--no-save", action="store_true", help="do not save to the transcripts")
    parser.add_argument(
        "-a",
        "--attach",
        metavar="PATH",
        action="append",
        default=[],
        help="attach a file: an image, a PDF or a text file (repeatable)",
    )


def run(args: argparse.Namespace, environ: Mapping[str, str] = os.environ) -> int:
    try:
        prompt = sys.stdin.read() if args.prompt == "-" else args.prompt
    except KeyboardInterrupt:
        return _fail(EXIT_CANCELLED, "cancelled")
    if not prompt.strip() and not args.attach:
        return _fail(EXIT_USAGE, "the prompt is empty")
    try:
        attachments = _attachments(args)
    except AttachmentError as error:
        return _fail(EXIT_USAGE, str(error))
    try:
        session = _session(args, environ)
    except ProviderError as error:
        return _fail(EXIT_CODES.get(error.kind, EXIT_REFUSED), error.message)
    try:
        return asyncio.run(Ask(session, args).run(prompt, attachments))
    finally:
        if session.store is not None:
            session.store.close()


def _fail(code: int, message: str) -> int:
    print(f"chat-tui ask: {visible_text(message)}", file=sys.stderr)
    return code


def _attachments(args: argparse.Namespace) -> tuple[Attachment, ...]:
    """The files of `-a`, read and checked before anything is sent (the config's size
    limit; its problems are reported once, by `_session`)."""
    if not args.attach:
        return ()
    from chat_tui.config import load_settings
    from chat_tui.paths import AppPaths

    limit = load_settings(AppPaths.default().config_file).settings.max_attachment_bytes
    return tuple(load_attachment(path, max_bytes=limit) for path in args.attach)


def _session(args: argparse.Namespace, environ: Mapping[str, str]) -> ChatSession:
    """The session the app would start on (minus remembered UI state), with its store."""
    from chat_tui.config import load_settings
    from chat_tui.paths import AppPaths
    from chat_tui.session_setup import open_session

    paths = AppPaths.default(data_dir=getattr(args, "data_dir", None))
    loaded = load_settings(paths.config_file)
    errors = [p.describe(full_path=True) for p in loaded.problems if p.is_error]
    warnings = [p.describe(full_path=True) for p in loaded.problems if not p.is_error]
    # Warnings once per change of what they say (or every time with -v): `ask` in a script
    # repeated them on every call. Errors every time.
    if args.verbose or _warnings_are_news(paths.ask_warnings_file, warnings):
        errors += warnings
    for message in errors:
        print(f"chat-tui ask: {message}", file=sys.stderr)
    opened = open_session(
        loaded.settings,
        paths,
        requested_provider=getattr(args, "provider", None),
        requested_model=getattr(args, "model", None),
        streaming=not getattr(args, "no_stream", False),
        save=not args.no_save,
        system_prompt=args.system,
        on_store_error=lambda message: print(f"chat-tui ask: {message}", file=sys.stderr),
        environ=environ,
    )
    if opened.store_error is not None:
        print(f"chat-tui ask: {opened.store_error} The reply is not saved.", file=sys.stderr)
    return opened.session


def _warnings_are_news(seen_file: Path, warnings: list[str]) -> bool:
    """Whether `warnings` differ from those the last call printed (remembered by a hash)."""
    if not warnings:
        with contextlib.suppress(OSError):  # so that the same warning, back later, is news
            seen_file.unlink(missing_ok=True)
        return False
    digest = hashlib.sha256("\n".join(warnings).encode()).hexdigest()
    with contextlib.suppress(OSError, UnicodeDecodeError):
        if seen_file.read_text(encoding="utf-8").strip() == digest:
            return False
    with contextlib.suppress(OSError):  # an unwritable data dir: warn each time, as before
        ensure_private_dir(seen_file.parent)
        seen_file.write_text(digest + "\n", encoding="utf-8")
    return True


class Ask:
    """One prompt, one reply: runs it, prints it, records it."""

    def __init__(
        self,
        session: ChatSession,
        args: argparse.Namespace,
        out: IO[str] | None = None,
        err: IO[str] | None = None,
    ) -> None:
        self.session = session
        self.as_json = bool(args.json)
        self.verbose = bool(args.verbose)
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.safe = self.out.isatty()
        self.printed_any = False
        self.last_char = "\n"

    async def run(self, prompt: str, attachments: tuple[Attachment, ...] = ()) -> int:
        session = self.session
        session.add_user_turn(prompt, attachments)
        pending = session.start_reply()
        task = asyncio.create_task(pending.run.run())
        stream_out = session.streaming and not self.as_json
        try:
            while not task.done():
                await asyncio.wait({task}, timeout=PRINT_INTERVAL_S)
                if stream_out:
                    self._write(pending.run.text.drain())
            await task
        except asyncio.CancelledError:  # Ctrl+C: asyncio.run cancels this task
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        finally:
            turn = session.finish_reply(pending)
            if session.conversation.title is None:
                session.set_title(session.fallback_title())
            with contextlib.suppress(Exception):
                await session.provider.aclose()
        return self._report(pending, turn, stream_out)

    def _write(self, text: str) -> None:
        if not text:
            return
        # A reader that went away (`| head`) is handled once for every command, in cli.py.
        self.out.write(visible_text(text) if self.safe else text)
        self.out.flush()
        self.printed_any = True
        self.last_char = text[-1]

    def _report(self, pending: PendingReply, turn: Turn, streamed: bool) -> int:
        code = exit_code(turn)
        if self.as_json:
            record = reply_json(turn, pending.run.streaming, code, self.session.conversation.id)
            self._write(terminal_safe_json(record) + "\n")
        else:
            if streamed:
                self._write(pending.run.text.drain())
            else:
                self._write(turn.text)
            if self.printed_any and self.last_char != "\n":
                self._write("\n")
        if self.verbose:
            self._note(metrics_line(turn))
        note = finish_note(turn.finish_reason)
        if note and code == EXIT_OK:
            self._note(f"note: {note}")
        if code == EXIT_CANCELLED:
            self._note("cancelled; the partial reply was kept")
        elif code != EXIT_OK:
            self._note(turn.error_message or turn.status.value)
        return code

    def _note(self, message: str) -> None:
        """A line for people on stderr: a server's words in it may hold terminal escapes."""
        print(f"chat-tui ask: {visible_text(message)}", file=self.err)


def exit_code(turn: Turn) -> int:
    if turn.status is MessageStatus.COMPLETE:
        return EXIT_OK
    if turn.status is MessageStatus.CANCELLED:
        return EXIT_CANCELLED
    try:
        return EXIT_CODES.get(FailureKind(turn.error_kind or ""), EXIT_REFUSED)
    except ValueError:
        return EXIT_REFUSED


def metrics_line(turn: Turn) -> str:
    target = f"{turn.provider}/{turn.model}"
    if turn.metrics is None:
        return target
    return " · ".join([target, *figures(turn.metrics)])


def reply_json(
    turn: Turn, streaming: bool, code: int, conversation_id: int | None
) -> dict[str, Any]:
    """The --json record: what was said, by which model, how fast, and how it ended."""
    error = None
    if turn.error_kind:
        error = {"kind": turn.error_kind, "message": turn.error_message}
    return {
        "text": turn.text,
        "reasoning": turn.reasoning,
        "provider": turn.provider,
        "model": turn.model,
        "status": turn.status.value,
        "finish_reason": turn.finish_reason,
        "streaming": streaming,
        "metrics": asdict(turn.metrics) if turn.metrics else None,
        "error": error,
        "exit_code": code,
        "conversation_id": conversation_id,  # None with --no-save
    }
