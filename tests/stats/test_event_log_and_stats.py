"""The request log (one JSON line per reply, rotated, private) and `chat-tui stats` over it."""

from __future__ import annotations

import json
import stat
from dataclasses import replace
from pathlib import Path

import pytest

from chat_tui.cli import main
from chat_tui.conversation import MessageStatus, Turn
from chat_tui.event_log import EventLog, RequestRecord, read_records
from chat_tui.metrics import ReplyMetrics
from chat_tui.providers.catalog import Target
from chat_tui.providers.simulated import SimulatedProvider
from chat_tui.session import ChatSession


def turn(status: MessageStatus = MessageStatus.COMPLETE, **kw) -> Turn:
    metrics = ReplyMetrics(
        ttft_s=kw.pop("ttft", 0.2),
        itl_p50_s=0.01,
        itl_p95_s=0.03,
        total_s=1.0,
        tokens_per_s=50.0,
        input_tokens=10,
        output_tokens=40,
    )
    defaults = dict(
        role="assistant",
        text="secret reply",
        provider="openai",
        model="gpt-4o-mini",
        finished_at=1_700_000_000.0,
        status=status,
        metrics=metrics,
        finish_reason="stop",
    )
    return Turn(**(defaults | kw))


def test_one_line_per_reply_without_text_and_private(tmp_path: Path) -> None:
    log = EventLog(tmp_path / "logs" / "requests.jsonl", environ={})
    log.record_turn(turn(), retries=2, prompt="secret prompt")
    line = json.loads(log.path.read_text())
    assert line["provider"] == "openai" and line["model"] == "gpt-4o-mini"
    assert line["mode"] == "stream" and line["status"] == "complete"
    assert line["ttft_s"] == 0.2 and line["itl_p95_s"] == 0.03 and line["retries"] == 2
    assert line["output_tokens"] == 40 and line["tokens_estimated"] is False
    assert "secret" not in log.path.read_text()
    assert stat.S_IMODE(log.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(log.path.parent.stat().st_mode) == 0o700


def test_debug_mode_adds_prompt_and_reply(tmp_path: Path) -> None:
    log = EventLog(tmp_path / "r.jsonl", environ={"CHAT_TUI_DEBUG_LOG": "1"})
    log.record_turn(turn(), prompt="the question")
    line = json.loads(log.path.read_text())
    assert line["prompt"] == "the question" and line["reply"] == "secret reply"


def test_rotates_by_size_and_keeps_a_few(tmp_path: Path) -> None:
    log = EventLog(tmp_path / "r.jsonl", max_bytes=1000, keep=2, environ={})
    for _ in range(40):
        log.record_turn(turn())
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["r.jsonl", "r.jsonl.1", "r.jsonl.2"]
    assert all(p.stat().st_size <= 1000 for p in tmp_path.iterdir())


def test_a_failing_log_never_raises_and_reports_once(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    reports: list[str] = []
    log = EventLog(blocker / "logs" / "r.jsonl", environ={}, on_error=reports.append)
    log.record_turn(turn())
    log.record_turn(turn())
    assert len(reports) == 1


async def test_the_session_logs_each_finished_reply(tmp_path: Path) -> None:
    log = EventLog(tmp_path / "r.jsonl", environ={})
    session = ChatSession(
        SimulatedProvider(ttft_s=0, tokens_per_s=5000),
        Target("simulated", "Simulated", "simulated-fast"),
        event_log=log,
    )
    session.add_user_turn("private question")
    pending = session.start_reply()
    await pending.run.run()
    session.finish_reply(pending)
    records, malformed = read_records(log.path)
    assert malformed == 0 and len(records) == 1
    assert records[0]["provider"] == "simulated" and records[0]["status"] == "complete"
    assert records[0]["ttft_s"] is not None
    assert "private question" not in log.path.read_text()


def write_log(data_dir: Path) -> None:
    log = EventLog(data_dir / "logs" / "requests.jsonl", environ={})
    for ttft in (0.1, 0.2, 0.3, 0.4):
        log.record_turn(turn(ttft=ttft))
    log.record_turn(turn(MessageStatus.ERROR, error_kind="rate_limit", metrics=None))
    log.record_turn(turn(provider="anthropic", model="claude-x"))
    log.record_turn(turn(ttft=6.0, streaming=False))  # non-streaming: the whole reply's time
    log.write(
        RequestRecord(
            time=0,
            provider="openai",
            model="gpt-4o-mini",
            mode="complete",
            status="interrupted",
            error_kind="connection_lost",
        )
    )
    with log.path.open("a") as handle:
        handle.write('not json\n{"no": "status"}\n')


def test_stats_json_per_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_log(tmp_path)
    assert main(["stats", "--json", "--data-dir", str(tmp_path)]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["malformed_lines"] == 2
    models = {(m["provider"], m["model"], m["mode"]): m for m in document["models"]}
    openai = models[("openai", "gpt-4o-mini", "stream")]
    assert openai["requests"] == 5
    assert openai["ttft_p50_s"] == pytest.approx(0.25)
    assert openai["ttft_p95_s"] == pytest.approx(0.385)
    assert openai["errors"] == {"rate_limit": 1}
    assert openai["error_rate"] == pytest.approx(1 / 5)
    assert openai["tokens_per_s"] == 50.0
    # Non-streaming requests are a row of their own: their TTFT is the whole reply.
    complete = models[("openai", "gpt-4o-mini", "complete")]
    assert complete["requests"] == 2
    assert complete["errors"] == {"connection_lost": 1}
    assert complete["ttft_p50_s"] == pytest.approx(6.0)
    assert models[("anthropic", "claude-x", "stream")]["errors"] == {}


def test_stats_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_log(tmp_path)
    assert main(["--data-dir", str(tmp_path), "stats"]) == 0
    captured = capsys.readouterr()
    assert "gpt-4o-mini" in captured.out and "250 ms" in captured.out
    assert "20% (rate_limit 1)" in captured.out
    assert "non-streaming" in captured.out and "50% (connection_lost 1)" in captured.out
    assert "Skipped 2 malformed" in captured.err


def test_stats_without_a_log(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", "--data-dir", str(tmp_path)]) == 0
    assert "no requests logged yet" in capsys.readouterr().out
    assert not (tmp_path / "logs").exists()


def priced_turn(cost: float | None, **kw) -> Turn:
    reply = turn(**kw)
    assert reply.metrics is not None
    reply.metrics = replace(reply.metrics, cost_usd=cost)
    return reply


def write_priced_log(data_dir: Path) -> None:
    log = EventLog(data_dir / "logs" / "requests.jsonl", environ={})
    log.record_turn(priced_turn(0.0024))
    log.record_turn(priced_turn(0.0016))
    log.record_turn(priced_turn(None))  # say, an estimated count: no price
    log.record_turn(priced_turn(0.01312, provider="anthropic", model="claude-3-5-haiku-latest"))
    log.record_turn(priced_turn(None, provider="local", model="llama3.2"))


def test_the_log_records_each_reply_cost(tmp_path: Path) -> None:
    log = EventLog(tmp_path / "r.jsonl", environ={})
    log.record_turn(priced_turn(0.0024))
    log.record_turn(priced_turn(None))
    assert [json.loads(line)["cost_usd"] for line in log.path.read_text().splitlines()] == [
        0.0024,
        None,
    ]


def test_stats_sum_costs_per_model_and_count_unpriced_replies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_priced_log(tmp_path)
    assert main(["stats", "--json", "--data-dir", str(tmp_path)]) == 0
    models = {m["model"]: m for m in json.loads(capsys.readouterr().out)["models"]}
    assert models["gpt-4o-mini"]["cost_usd"] == pytest.approx(0.004, abs=1e-12)
    assert models["gpt-4o-mini"]["unpriced"] == 1
    assert models["claude-3-5-haiku-latest"]["cost_usd"] == pytest.approx(0.01312, abs=1e-12)
    assert models["claude-3-5-haiku-latest"]["unpriced"] == 0
    assert models["llama3.2"]["cost_usd"] is None  # not free: unknown
    assert models["llama3.2"]["unpriced"] == 1

    assert main(["stats", "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "$0.0040 (1 unpriced)" in out and "$0.0131" in out and "— (1 unpriced)" in out
    assert "Total cost $0.0171; 2 request(s) have no known price" in out


def test_title_requests_cost_is_in_the_total_but_not_in_the_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_priced_log(tmp_path)
    log = EventLog(tmp_path / "logs" / "requests.jsonl", environ={})
    log.record_turn(priced_turn(0.0001, model="gpt-4o-nano", streaming=False), purpose="title")
    log.record_turn(priced_turn(None, streaming=False), purpose="title")
    assert main(["stats", "--json", "--data-dir", str(tmp_path)]) == 0
    document = json.loads(capsys.readouterr().out)
    assert "gpt-4o-nano" not in {m["model"] for m in document["models"]}
    assert document["titles"] == {"requests": 2, "cost_usd": 0.0001, "unpriced": 1}

    assert main(["stats", "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "Titles: 2 request(s), $0.0001, 1 unpriced (in the total below)." in out
    assert "Total cost $0.0172; 3 request(s) have no known price" in out


def test_stats_count_retries_and_the_time_they_took_where_it_was_logged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = EventLog(tmp_path / "logs" / "requests.jsonl", environ={})
    for waited in (1.5, 2.25):
        retried = turn()
        assert retried.metrics is not None
        retried.metrics = replace(retried.metrics, retries=2, waited_s=waited)
        log.record_turn(retried, retries=2)
    log.record_turn(turn())
    with log.path.open("a") as handle:  # a line from before the wait was logged
        handle.write(
            '{"provider":"openai","model":"gpt-4o-mini","status":"complete","retries":1}\n'
        )
    assert main(["stats", "--json", "--data-dir", str(tmp_path)]) == 0
    (row,) = json.loads(capsys.readouterr().out)["models"]
    assert (row["requests"], row["retries"], row["retried_requests"]) == (4, 5, 3)
    assert (row["waited_s"], row["waited_known"]) == (3.75, 2)
    assert main(["stats", "--data-dir", str(tmp_path)]) == 0
    assert "5 in 3 requests (3.75 s in 2)" in capsys.readouterr().out
