"""Transcript store figures on a large history (prints them; not a pass/fail test).

    .venv/bin/python benchmarks/store_bench.py [CACHE_DIR] [--quick]

Builds (once, cached in CACHE_DIR, default: the system temp dir) a store of 10,000
conversations and 1,000,000 messages (--quick: 200 and 20,000), then measures what the app
does: open it, list the first page, search, load a 1,000-message conversation, and the CPU
cost of saving a 5,000 tok/s reply progressively every 0.5 s.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from itertools import islice
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from chat_tui.conversation import MessageStatus, Turn
from chat_tui.store import TranscriptStore
from chat_tui.store.schema import SCHEMA_VERSION

FULL_SIZE = (10_000, 1_000_000)
QUICK_SIZE = (200, 20_000)
LONG_CONVERSATION_MESSAGES = 1_000  # conversation 1 has this many
VOCABULARY_SIZE = 20_000
BATCH = 50_000
PAGE = 50
REPEATS = 20
REPLY_TOKENS_PER_S = 5_000
REPLY_SECONDS = 20
CHARS_PER_TOKEN = 4
SAVE_INTERVAL_S = 0.5  # the app saves at most this often
TARGET_LIST_MS, TARGET_SEARCH_MS, TARGET_LOAD_MS, TARGET_SAVE_CPU_PERCENT = 150, 50, 300, 5
MESSAGE_COLUMNS = (
    "conversation_id",
    "parent_id",
    "role",
    "provider",
    "model",
    "created_at",
    "finished_at",
    "streaming",
    "status",
    "has_metrics",
    "ttft_s",
    "tokens_per_s",
    "total_s",
    "output_tokens",
    "text",
)


# ---- building the store -------------------------------------------------------------------


def make_vocabulary(rng: random.Random) -> tuple[list[str], list[float]]:
    """Pronounceable made-up words with Zipf-like frequencies, as in real text."""
    syllables = [c + v for c in "bcdfghklmnprstvz" for v in "aeiou"]
    words: set[str] = set()
    while len(words) < VOCABULARY_SIZE:
        words.add("".join(rng.choices(syllables, k=rng.randint(2, 4))))
    vocabulary = sorted(words)
    rng.shuffle(vocabulary)  # position = frequency rank: vocabulary[0] is the commonest
    cumulative, total = [], 0.0
    for rank in range(1, len(vocabulary) + 1):
        total += 1 / rank
        cumulative.append(total)
    return vocabulary, cumulative


def conversation_sizes(conversations: int, messages: int) -> list[int]:
    rest, extra = divmod(messages - LONG_CONVERSATION_MESSAGES, conversations - 1)
    return [LONG_CONVERSATION_MESSAGES] + [
        rest + (1 if index < extra else 0) for index in range(conversations - 1)
    ]


def generate_messages(
    sizes: list[int], vocabulary: list[str], cumulative: list[float], start: float
) -> Iterator[tuple[object, ...]]:
    rng = random.Random(1)
    clock, message_id = start, 0  # ids as SQLite assigns them: 1, 2, ... in insert order
    for conversation_id, size in enumerate(sizes, 1):
        model = ("model-a", "model-b")[conversation_id % 2]
        for index in range(size):
            clock += 3.0
            message_id += 1
            parent_id = message_id - 1 if index else None  # one branch, as most are
            is_user = index % 2 == 0
            words = rng.choices(vocabulary, cum_weights=cumulative, k=15 if is_user else 70)
            text = " ".join(words).capitalize() + "."
            if is_user:
                yield (
                    *(conversation_id, parent_id, "user", None, None, clock, None),
                    *(1, "complete", 0, None, None, None, None, text),
                )
            else:
                yield (
                    *(conversation_id, parent_id, "assistant", "simulated", model),
                    *(clock, clock + 2.5),
                    *(1, "complete", 1, 0.4, 80.0, 2.5, 200, text),
                )


def build_store(path: Path, conversations: int, messages: int) -> None:
    vocabulary, cumulative = make_vocabulary(random.Random(0))
    sizes = conversation_sizes(conversations, messages)
    start = time.time() - 365 * 86400
    TranscriptStore.open(path).close()  # the real schema, FTS triggers included
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode = OFF")  # a throwaway file: build it fast
    connection.execute("PRAGMA synchronous = OFF")
    conversation_rows, clock = [], start
    for conversation_id, size in enumerate(sizes, 1):
        conversation_rows.append(
            (conversation_id, f"Conversation {conversation_id}", clock, clock + 3.0 * size)
        )
        clock += 3.0 * size
    connection.execute("BEGIN")
    connection.executemany(
        "INSERT INTO conversations (id, title, created_at, updated_at) VALUES (?, ?, ?, ?)",
        conversation_rows,
    )
    connection.execute("COMMIT")
    insert = (
        f"INSERT INTO messages ({', '.join(MESSAGE_COLUMNS)}) "
        f"VALUES ({', '.join('?' * len(MESSAGE_COLUMNS))})"
    )
    rows = generate_messages(sizes, vocabulary, cumulative, start)
    while batch := list(islice(rows, BATCH)):
        connection.execute("BEGIN")
        connection.executemany(insert, batch)  # the triggers fill the FTS index
        connection.execute("COMMIT")
    connection.execute(
        "UPDATE conversations SET current_leaf_id = "
        "(SELECT max(id) FROM messages WHERE conversation_id = conversations.id)"
    )
    connection.execute("INSERT INTO messages_fts (messages_fts) VALUES ('optimize')")
    connection.execute("ANALYZE")
    connection.execute("PRAGMA journal_mode = WAL")
    connection.close()


def cached_store(cache_dir: Path, conversations: int, messages: int) -> Path:
    """The generated database, built only when no finished one is cached."""
    name = f"store-bench-v{SCHEMA_VERSION}-{conversations}c-{messages}m"
    path = cache_dir / f"{name}.sqlite3"
    done_marker = cache_dir / f"{name}.done"
    if path.exists() and done_marker.exists():
        print(f"using cached store {path}")
        return path
    for stale in cache_dir.glob(f"{name}.sqlite3*"):
        stale.unlink()
    print(f"building {conversations:,} conversations / {messages:,} messages in {path} ...")
    started = time.perf_counter()
    build_store(path, conversations, messages)
    done_marker.touch()
    print(f"built in {time.perf_counter() - started:.1f} s ({path.stat().st_size / 1e6:.0f} MB)")
    return path


# ---- measuring ----------------------------------------------------------------------------


def timed_ms(action: Callable[[], object], repeats: int = REPEATS) -> tuple[float, float]:
    """(first call, median of the rest) in milliseconds."""
    times = []
    for _ in range(repeats + 1):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return times[0], statistics.median(times[1:])


def report(label: str, first_ms: float, median_ms: float, target_ms: float | None) -> None:
    verdict = ""
    if target_ms is not None:
        verdict = f"  (target ≤{target_ms} ms: {'ok' if median_ms <= target_ms else 'OVER'})"
    print(f"{label:<44} median {median_ms:8.2f} ms   first {first_ms:8.2f} ms{verdict}")


def sample_words() -> dict[str, str]:
    """Words of known frequency in the generated text: the commonest, a middling, a rare,
    and a prefix of the commonest that is not a word itself (so only prefixes match)."""
    vocabulary, _ = make_vocabulary(random.Random(0))
    common, known = vocabulary[0], set(vocabulary)
    prefix = next(
        (common[:n] for n in range(len(common) - 1, 2, -1) if common[:n] not in known), common
    )
    return {
        "common": common,
        "middling": vocabulary[300],
        "rare": vocabulary[15_000],
        "prefix": prefix,
    }


def measure_reads(store: TranscriptStore, conversations: int) -> None:
    report(
        f"list first page ({PAGE} conversations)",
        *timed_ms(lambda: store.list_conversations(limit=PAGE)),
        TARGET_LIST_MS,
    )
    last_page = min(20, conversations // PAGE)
    report(
        f"list page {last_page}",
        *timed_ms(lambda: store.list_conversations(limit=PAGE, offset=(last_page - 1) * PAGE)),
        TARGET_LIST_MS,
    )
    words = sample_words()
    queries = {
        f"rare word '{words['rare']}'": words["rare"],
        f"middling word '{words['middling']}'": words["middling"],
        f"two words '{words['middling']} {words['rare'][:4]}'": (
            f"{words['middling']} {words['rare'][:4]}"
        ),
        f"commonest word '{words['common']}'": words["common"],
        f"prefix only '{words['prefix']}'": words["prefix"],
    }
    for label, query in queries.items():
        hits = len(store.search(query, limit=20))
        report(f"search {label} ({hits} hits)", *timed_ms(lambda q=query: store.search(q)), None)
    print(f"{'':<44} (search target ≤{TARGET_SEARCH_MS} ms for typical, specific queries)")
    # The generated conversation is one branch: loading it must give every message.
    assert len(store.load_conversation(1).turns) == LONG_CONVERSATION_MESSAGES
    report(
        f"load all {LONG_CONVERSATION_MESSAGES} messages of a conversation",
        *timed_ms(lambda: store.load_conversation(1)),
        TARGET_LOAD_MS,
    )
    report(
        "load its last 100 messages",
        *timed_ms(lambda: store.load_conversation(1, tail=100)),
        TARGET_LOAD_MS,
    )


def measure_progressive_saving(store: TranscriptStore) -> None:
    """CPU time of the saves a 5,000 tok/s reply causes, against the reply's duration."""
    conversation_id = store.create_conversation(title="benchmark reply").id
    assert conversation_id is not None
    store.add_turn(conversation_id, Turn("user", "Write a very long answer"))
    reply_id = store.add_turn(
        conversation_id, Turn("assistant", "", model="bench", status=MessageStatus.STREAMING)
    )
    chunk = ("lorem ipsum dolor sit amet " * 20_000)[: REPLY_TOKENS_PER_S * CHARS_PER_TOKEN]
    saves = int(REPLY_SECONDS / SAVE_INTERVAL_S)
    text, cpu = "", 0.0
    for _ in range(saves):
        text += chunk[: int(len(chunk) * SAVE_INTERVAL_S)]
        started = time.process_time()
        store.update_reply_progress(reply_id, text, "")
        cpu += time.process_time() - started
    started = time.process_time()
    store.finish_reply(reply_id, Turn("assistant", text, model="bench"))
    finish_cpu = time.process_time() - started
    store.delete(conversation_id)  # leave the cached store as it was
    percent = 100 * cpu / REPLY_SECONDS
    verdict = "ok" if percent <= TARGET_SAVE_CPU_PERCENT else "OVER"
    print(
        f"progressive save, {REPLY_TOKENS_PER_S} tok/s for {REPLY_SECONDS} s "
        f"({len(text) / 1e6:.1f} MB, {saves} saves every {SAVE_INTERVAL_S} s): "
        f"CPU {cpu * 1000:.0f} ms = {percent:.2f}% of the reply "
        f"(target ≤{TARGET_SAVE_CPU_PERCENT}%: {verdict}); "
        f"finishing (indexing) it: {finish_cpu * 1000:.0f} ms CPU"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("cache_dir", nargs="?", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--quick", action="store_true", help="200 conversations, 20,000 messages")
    args = parser.parse_args(argv)
    args.cache_dir.mkdir(parents=True, exist_ok=True)
    conversations, messages = QUICK_SIZE if args.quick else FULL_SIZE
    path = cached_store(args.cache_dir, conversations, messages)
    started = time.perf_counter()
    store = TranscriptStore.open(path)
    open_ms = 1000 * (time.perf_counter() - started)
    print(f"{'open the store (incl. unfinished-reply check)':<44} {open_ms:8.2f} ms")
    try:
        measure_reads(store, conversations)
        measure_progressive_saving(store)
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
