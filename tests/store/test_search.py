"""Full-text search: what is indexed, ranking, snippets, and input that must not break it."""

from __future__ import annotations

import pytest

from chat_tui.conversation import ConversationSettings
from chat_tui.store import SnippetSpan, TranscriptStore, transcripts
from chat_tui.store.search import MATCH_END, MATCH_START, fts_match_expression, snippet_spans

from .builders import add_exchange, streaming_reply

HOSTILE_QUERIES = [
    '"',
    '""',
    '"unbalanced',
    "*",
    "**",
    "a*b",
    "NEAR",
    "NEAR(alpha beta, 2)",
    "-",
    "--",
    "alpha -beta",
    "AND",
    "OR NOT",
    "alpha OR",
    "(",
    ")",
    "^alpha",
    "text:alpha",
    "{text}: alpha",
    "'; DROP TABLE messages; --",
    "\\",
    "\x00",
    "🎉",
    "日本語",
    "naïve café",
    "   ",
    "",
]


@pytest.fixture
def searchable(store: TranscriptStore) -> TranscriptStore:
    settings = ConversationSettings(system_prompt="secret system prompt about walruses")
    first = store.create_conversation(settings, title="Databases").id
    second = store.create_conversation(title="Animals").id
    assert first is not None and second is not None
    add_exchange(
        store,
        first,
        "How does SQLite full-text search rank results?",
        "It uses bm25: rarer terms weigh more.",
        reasoning="hidden chain of thought about octopuses",
    )
    add_exchange(store, first, "And the alpha and beta tests?", "Alpha alpha alpha, beta.")
    add_exchange(store, second, "Tell me about the Café naïve art", "日本語 text too 🎉")
    add_exchange(store, second, "alphabet soup", "One alpha mention in a much longer reply " * 5)
    return store


def test_finds_user_and_assistant_text_with_highlighted_spans(
    searchable: TranscriptStore,
) -> None:
    hits = searchable.search("bm25")
    assert len(hits) == 1
    hit = hits[0]
    assert (hit.role, hit.conversation_title) == ("assistant", "Databases")
    assert SnippetSpan("bm25", is_match=True) in hit.snippet
    assert hit.snippet_text == "It uses bm25: rarer terms weigh more."
    assert searchable.search("rank")[0].role == "user"


def test_reasoning_and_system_prompts_are_not_indexed(searchable: TranscriptStore) -> None:
    assert searchable.search("octopuses") == []
    assert searchable.search("walruses") == []


def test_streaming_replies_are_indexed_only_when_finished(store: TranscriptStore) -> None:
    conversation_id = store.create_conversation().id
    assert conversation_id is not None
    reply_id = store.add_turn(conversation_id, streaming_reply())
    store.update_reply_progress(reply_id, "quokka in progress")
    assert store.search("quokka") == []


def test_best_match_first_by_bm25_whole_words_before_prefixes(
    searchable: TranscriptStore,
) -> None:
    hits = searchable.search("alpha")
    assert len(hits) == 4
    assert hits[0].snippet_text == "Alpha alpha alpha, beta."
    whole_words = hits[:3]
    assert [hit.rank for hit in whole_words] == sorted(hit.rank for hit in whole_words)
    assert hits[-1].snippet_text == "alphabet soup"  # a prefix match, after whole words


def test_words_are_prefixes_and_all_required(searchable: TranscriptStore) -> None:
    assert {h.snippet_text for h in searchable.search("alph")} >= {"alphabet soup"}
    assert {h.snippet_text for h in searchable.search("alpha beta")} == {
        "Alpha alpha alpha, beta.",
        "And the alpha and beta tests?",
    }


def test_accents_and_case_are_ignored(searchable: TranscriptStore) -> None:
    assert len(searchable.search("CAFE NAIVE")) == 1
    assert len(searchable.search("日本語")) == 1


def test_limit(searchable: TranscriptStore) -> None:
    assert len(searchable.search("alpha", limit=1)) == 1


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_no_input_breaks_the_query(searchable: TranscriptStore, query: str) -> None:
    hits = searchable.search(query)  # must not raise
    assert isinstance(hits, list)


def test_operators_are_searched_as_words(store: TranscriptStore) -> None:
    conversation_id = store.create_conversation().id
    assert conversation_id is not None
    add_exchange(store, conversation_id, "stay NEAR me OR else", "NOT now")
    assert len(store.search("NEAR")) == 1
    assert len(store.search("OR else")) == 1
    assert len(store.search("not")) == 1


def test_match_expression_quotes_every_word() -> None:
    assert fts_match_expression('say "hi" NEAR(x) -y') == '"say"* "hi"* "NEAR"* "x" "y"'
    assert fts_match_expression("*-()\"'") is None
    assert fts_match_expression("a b", prefixes=False) == '"a" "b"'


def test_snippet_markers_become_spans() -> None:
    marked = f"…before {MATCH_START}hit{MATCH_END} after\nline {MATCH_START}two{MATCH_END}"
    assert snippet_spans(marked) == (
        SnippetSpan("…before ", False),
        SnippetSpan("hit", True),
        SnippetSpan(" after line ", False),
        SnippetSpan("two", True),
    )


def test_very_common_words_rank_only_the_newest_matches(
    store: TranscriptStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transcripts, "SEARCH_POOL", 2)
    conversation_id = store.create_conversation().id
    assert conversation_id is not None
    add_exchange(store, conversation_id, "common common common common", "x")
    add_exchange(store, conversation_id, "common once", "common again")
    hits = store.search("common")
    assert {hit.snippet_text for hit in hits} == {"common once", "common again"}
