"""`chat-tui transcripts ...`: list, show, search, export and delete saved conversations.

Stored text comes from models and users, so it may hold terminal escapes. Text for people
(lists, search hits, Markdown) has its control characters made visible, as the app shows them;
`--json` keeps every text exact, its control characters written as JSON escapes.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

from chat_tui.commands import add_action
from chat_tui.paths import AppPaths
from chat_tui.store import (
    SchemaTooOldError,
    SearchHit,
    StoreError,
    TranscriptStore,
)
from chat_tui.store.export import (
    conversation_to_json,
    conversation_to_markdown,
    default_export_name,
    iso_time,
    render,
    unused_path,
    write_private_file,
)
from chat_tui.store.titles import UNTITLED
from chat_tui.text_safety import terminal_safe_json, visible_text

EXIT_ERROR = 1
EXIT_USAGE = 2
_BOLD, _RESET = "\x1b[1m", "\x1b[0m"


def configure(parser: argparse.ArgumentParser) -> None:
    _add_data_dir(parser)
    actions = parser.add_subparsers(dest="transcripts_action", metavar="ACTION", required=True)

    listing = add_action(actions, "list", "saved conversations, most recent first")
    listing.add_argument("--limit", type=int, default=50, metavar="N", help="default: 50")
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    listing.set_defaults(_action=_list)

    show = add_action(actions, "show", "print one conversation")
    show.add_argument("id", type=int, metavar="ID")
    show.add_argument("--json", action="store_true", help="the full JSON export instead")
    show.set_defaults(_action=_show)

    search = add_action(actions, "search", "full-text search of your messages and replies")
    search.add_argument("query", metavar="QUERY", help="words to find (prefixes match)")
    search.add_argument("--limit", type=int, default=20, metavar="N", help="default: 20")
    search.add_argument("--json", action="store_true", help="machine-readable output")
    search.set_defaults(_action=_search)

    export = add_action(actions, "export", "write a conversation to a Markdown or JSON file")
    export.add_argument("id", type=int, metavar="ID")
    export.add_argument("--format", choices=("md", "json"), default="md", help="default: md")
    export.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="FILE",
        help="where to write (default: a name from the title, in the current directory)",
    )
    export.set_defaults(_action=_export)

    delete = add_action(actions, "delete", "delete a conversation for good")
    delete.add_argument("id", type=int, metavar="ID")
    delete.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    delete.set_defaults(_action=_delete)

    for action_parser in (listing, show, search, export, delete):
        _add_data_dir(action_parser)


def _add_data_dir(parser: argparse.ArgumentParser) -> None:
    # SUPPRESS: when not given here, the value from `chat-tui --data-dir DIR transcripts` stays.
    parser.add_argument(
        "--data-dir",
        type=Path,
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="where transcripts are kept (default: the platform's user data dir)",
    )


def run(args: argparse.Namespace) -> int:
    database = AppPaths.default(data_dir=getattr(args, "data_dir", None)).database
    action: Callable[[TranscriptStore, argparse.Namespace], int] = args._action
    writes = action is _delete
    if not database.exists():
        # Nothing saved yet: answer without creating a database as a side effect.
        if action is _list:
            return _print_empty_list(args)
        if action is _search:
            return _print_hits([], args)
        return _fail(f"{database}: no conversation with id {args.id} (no database yet)")
    try:
        with _open(database, writes=writes) as store:
            return action(store, args)
    except StoreError as error:
        return _fail(str(error))


def _open(database: Path, *, writes: bool) -> TranscriptStore:
    if writes:
        return TranscriptStore.open(database)
    try:
        # Read-only, so a running app's live reply is not taken for an abandoned one.
        return TranscriptStore.open(database, read_only=True)
    except SchemaTooOldError:
        return TranscriptStore.open(database)  # upgrading needs a writable open, once


# ---- actions ------------------------------------------------------------------------------


def _list(store: TranscriptStore, args: argparse.Namespace) -> int:
    summaries = store.list_conversations(limit=args.limit)
    if args.json:
        rows = [
            asdict(summary)
            | {
                "models": list(summary.models),
                "created_at": iso_time(summary.created_at),
                "updated_at": iso_time(summary.updated_at),
            }
            for summary in summaries
        ]
        print(terminal_safe_json(rows, indent=2))
        return 0
    if not summaries:
        return _print_empty_list(args)
    for summary in summaries:
        models = ", ".join(summary.models) or "—"
        print(
            f"{summary.id:>6}  {_short_time(summary.updated_at)}  {summary.message_count:>4} msgs"
            f"  {_one_line(summary.title or UNTITLED)}  [{_one_line(models)}]"
        )
    return 0


def _print_empty_list(args: argparse.Namespace) -> int:
    print("[]" if args.json else "No saved conversations.")
    return 0


def _show(store: TranscriptStore, args: argparse.Namespace) -> int:
    conversation = store.load_conversation(args.id)
    render_text = conversation_to_json if args.json else conversation_to_markdown
    sys.stdout.write(render_text(conversation))
    return 0


def _search(store: TranscriptStore, args: argparse.Namespace) -> int:
    return _print_hits(store.search(args.query, limit=args.limit), args)


def _print_hits(hits: list[SearchHit], args: argparse.Namespace) -> int:
    if args.json:
        rows = [
            {
                "conversation_id": hit.conversation_id,
                "conversation_title": hit.conversation_title,
                "message_id": hit.message_id,
                "role": hit.role,
                "created_at": iso_time(hit.created_at),
                "on_current_branch": hit.on_current_branch,
                "snippet": [{"text": s.text, "match": s.is_match} for s in hit.snippet],
            }
            for hit in hits
        ]
        print(terminal_safe_json(rows, indent=2))
        return 0
    if not hits:
        print("No matches.")
        return 0
    emphasise = sys.stdout.isatty()
    for hit in hits:
        snippet = "".join(
            f"{_BOLD}{visible_text(span.text)}{_RESET}"
            if span.is_match and emphasise
            else visible_text(span.text)
            for span in hit.snippet
        )
        title = _one_line(hit.conversation_title or UNTITLED)
        branch = "" if hit.on_current_branch else ", on another branch"
        print(f"{hit.conversation_id:>6}  {title}  ({hit.role}, message {hit.message_id}{branch})")
        print(f"        {snippet}")
    return 0


def _export(store: TranscriptStore, args: argparse.Namespace) -> int:
    conversation = store.load_conversation(args.id)
    target = args.output or unused_path(Path.cwd() / default_export_name(conversation, args.format))
    try:
        written = write_private_file(target, render(conversation, args.format))
    except OSError as error:
        return _fail(f"{target}: cannot write the export: {error.strerror}")
    print(written)
    return 0


def _delete(store: TranscriptStore, args: argparse.Namespace) -> int:
    summary_title, message_count = _describe(store, args.id)
    if not args.yes:
        if not sys.stdin.isatty():
            print(
                "chat-tui: refusing to delete without confirmation: not on a terminal (pass --yes)",
                file=sys.stderr,
            )
            return EXIT_USAGE
        answer = input(f'Delete "{summary_title}" ({message_count} messages) for good? [y/N] ')
        if answer.strip().lower() not in ("y", "yes"):
            print("Not deleted.")
            return EXIT_ERROR
    store.delete(args.id)
    print(f"Deleted conversation {args.id}.")
    return 0


def _describe(store: TranscriptStore, conversation_id: int) -> tuple[str, int]:
    conversation = store.load_conversation(conversation_id, tail=0)  # raises when unknown
    return _one_line(conversation.title or UNTITLED), store.count_turns(conversation_id)


# ---- helpers ------------------------------------------------------------------------------


def _one_line(text: str) -> str:
    """Stored text for a line of its own: control characters visible, line breaks as spaces."""
    return " ".join(visible_text(text).split())


def _short_time(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M")


def _fail(message: str) -> int:
    print(f"chat-tui: {message}", file=sys.stderr)
    return EXIT_ERROR
