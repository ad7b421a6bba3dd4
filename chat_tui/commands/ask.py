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
import io
import os
import sys
from collections.abc import Mapping
from dataclasses import asdict, replace
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from chat_tui.attachments import Attachment, AttachmentError, load_attachment
from chat_tui.conversation import Conversation, ConversationSettings, MessageStatus, Turn
from chat_tui.message_preview import shown_part
from chat_tui.paths import ensure_private_dir
from chat_tui.providers.base import FailureKind, ProviderError
from chat_tui.providers.request_options import RequestOptions
from chat_tui.reply_record import figures, finish_note
from chat_tui.request_settings import OPTION_KEYS, OptionError, apply_option, apply_preset
from chat_tui.session import ChatSession, PendingReply
from chat_tui.text_safety import terminal_safe_json, visible_text

if TYPE_CHECKING:
    from chat_tui.config import PresetSettings, Settings

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
    parser.add_argument(
        "prompt",
        nargs="?",
        metavar="PROMPT",
        help='the prompt; text piped in comes first, then a blank line and PROMPT; "-" reads '
        "the whole prompt from stdin",
    )
    # Also accepted before `ask`; SUPPRESS keeps a value given there.
    quiet = argparse.SUPPRESS
    parser.add_argument("--provider", metavar="NAME", default=quiet, help="provider or profile")
    parser.add_argument("-m", "--model", metavar="NAME", default=quiet, help="model name")
    parser.add_argument(
        "--no-stream", action="store_true", default=quiet, help="print the reply once, at the end"
    )
    parser.add_argument(
        "--data-dir", type=Path, metavar="DIR", default=quiet, help="where transcripts are kept"
    )
    parser.add_argument(
        "--preset",
        metavar="NAME",
        help="a [presets.NAME] table of the config file: its system prompt, provider, model "
        "and options (the flags given here win)",
    )
    parser.add_argument("-s", "--system", metavar="TEXT", help="a system prompt for this request")
    parser.add_argument(
        "-o",
        "--option",
        nargs=2,
        action="append",
        default=[],
        dest="options",
        metavar=("KEY", "VALUE"),
        help=f"a request option: {', '.join(OPTION_KEYS)} (an effort such as high, or a "
        "token budget); repeatable",
    )
    carry_on = parser.add_mutually_exclusive_group()
    carry_on.add_argument(
        "-c",
        "--continue",
        dest="continue_last",
        action="store_true",
        help="continue the most recent conversation (its history is sent, the turn saved in it)",
    )
    carry_on.add_argument(
        "--cid", type=int, metavar="ID", help="continue conversation ID (see transcripts list)"
    )
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


class UsageError(Exception):
    """Bad arguments or an unusable choice: exit 2 with the message, before any request."""


def run(args: argparse.Namespace, environ: Mapping[str, str] = os.environ) -> int:
    try:
        message, from_stdin = read_message(
            args.prompt, sys.stdin or io.StringIO(), required=not args.attach
        )
    except KeyboardInterrupt:
        return _fail(EXIT_CANCELLED, "cancelled")
    except UsageError as error:
        return _fail(EXIT_USAGE, str(error))
    if not message.strip() and not args.attach:
        return _fail(EXIT_USAGE, "the prompt is empty")
    try:
        attachments = _attachments(args)
    except AttachmentError as error:
        return _fail(EXIT_USAGE, str(error))
    try:
        session = _session(args, environ)
    except ProviderError as error:
        return _fail(EXIT_CODES.get(error.kind, EXIT_REFUSED), error.message)
    except UsageError as error:
        return _fail(EXIT_USAGE, str(error))
    if from_stdin and sys.stderr.isatty():
        _preview(message, saved=session.store is not None)
    try:
        return asyncio.run(Ask(session, args).run(message, attachments))
    finally:
        if session.store is not None:
            session.store.close()


def read_message(prompt: str | None, stdin: IO[str], *, required: bool = True) -> tuple[str, bool]:
    """The message to send, and whether any of it came from stdin.

    `-` reads all of it from stdin. Otherwise text piped in (stdin not a terminal) comes
    first, then a blank line, then PROMPT: `git diff | chat-tui ask "review this"`. With no
    PROMPT, what is piped in is the prompt (none at all is an error when `required`: with
    attachments, the files may be the whole message)."""
    if prompt == "-":
        return stdin.read(), True
    piped = "" if stdin.isatty() else stdin.read()
    if prompt is None:
        if stdin.isatty() and required:
            raise UsageError("give a PROMPT, or pipe text in")
        return piped, True
    if not piped.strip():
        return prompt, False
    return f"{piped.rstrip(chr(10))}\n\n{prompt}", True


def _preview(message: str, *, saved: bool) -> None:
    """On a terminal, a long message from stdin is previewed as the app shows a long paste."""
    fate = "the whole message is sent" + (" and saved." if saved else ".")
    shown = shown_part(message, fate)
    if shown != message:
        print(visible_text(shown), file=sys.stderr)


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
    """The session the app would start on (minus remembered UI state), with its store; on
    the conversation to continue (-c, --cid) when one is asked for."""
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
    continuing = args.continue_last or args.cid is not None
    conversation = _conversation_to_continue(paths.database, args) if continuing else None
    preset = _preset(loaded.settings, args.preset)
    requested_provider, requested_model = _requested_target(args, preset, conversation)
    opened = open_session(
        loaded.settings,
        paths,
        requested_provider=requested_provider,
        requested_model=requested_model,
        streaming=not getattr(args, "no_stream", False),
        save=not args.no_save,
        system_prompt=args.system,
        on_store_error=lambda message: print(f"chat-tui ask: {message}", file=sys.stderr),
        environ=environ,
    )
    if opened.store_error is not None:
        print(f"chat-tui ask: {opened.store_error} The reply is not saved.", file=sys.stderr)
    session = opened.session
    if conversation is not None:
        session.open_conversation(conversation)
    target = session.target
    chosen = _with_arguments(
        session.conversation.settings,
        args,
        preset,
        opened.catalog.request_options(target.provider),
        target.description,
    )
    if chosen != session.conversation.settings:
        session.update_settings(chosen)
    return session


def _conversation_to_continue(database: Path, args: argparse.Namespace) -> Conversation:
    """The conversation -c or --cid names, read before the session is built: its last reply
    says which provider and model to go on with."""
    from chat_tui.store import StoreError, TranscriptStore, UnknownConversationError

    unknown = f"no conversation {args.cid} (see chat-tui transcripts list)"
    if not database.exists():
        raise UsageError(unknown if args.cid is not None else "there is no saved conversation")
    try:
        with TranscriptStore.open(database, read_only=True) as store:
            if args.cid is not None:
                return store.load_conversation(args.cid)
            latest = store.list_conversations(limit=1)
            if not latest:
                raise UsageError("there is no saved conversation")
            return store.load_conversation(latest[0].id)
    except UnknownConversationError:
        raise UsageError(unknown) from None
    except (StoreError, OSError) as error:
        raise UsageError(f"{error} There is no conversation to continue.") from None


def _preset(settings: Settings, name: str | None) -> PresetSettings | None:
    if name is None:
        return None
    if name not in settings.presets:
        known = ", ".join(settings.presets) or "none: add a [presets.NAME] table to the config"
        raise UsageError(f"no preset {name!r} (known: {known})")
    return settings.presets[name]


def _requested_target(
    args: argparse.Namespace, preset: PresetSettings | None, conversation: Conversation | None
) -> tuple[str | None, str | None]:
    """--provider and --model; else the preset's; else, continuing a conversation, the
    provider and model of its last reply."""
    provider = getattr(args, "provider", None)
    model = getattr(args, "model", None)
    if preset is not None and preset.provider and provider in (None, preset.provider):
        provider = preset.provider
        model = model or preset.model
    elif preset is not None and preset.model and provider is None:
        model = model or preset.model
    if conversation is not None and provider is None:
        last = next((t for t in reversed(conversation.turns) if t.role == "assistant"), None)
        if last is not None and last.provider:
            provider = last.provider
            model = model or last.model
    return provider, model


def _with_arguments(
    settings: ConversationSettings,
    args: argparse.Namespace,
    preset: PresetSettings | None,
    support: RequestOptions,
    target: str,
) -> ConversationSettings:
    """The conversation's settings with the preset, then -s and each -o, applied. Raises
    UsageError (an option of the preset the target does not take included: a script that
    asked for it would otherwise get an answer made without it)."""
    if preset is not None:
        settings, problems = apply_preset(settings, preset, support, target)
        if problems:
            raise UsageError(f"preset {preset.name!r}: {'; '.join(problems)}")
    if args.system is not None:
        settings = replace(settings, system_prompt=args.system or None)
    for key, value in args.options:
        try:
            settings = apply_option(settings, key, value, support, target)
        except OptionError as error:
            raise UsageError(f"-o {key}: {error}") from None
    return settings


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
