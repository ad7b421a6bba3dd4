"""`chat-tui bench` against the offline simulated model (the fast preset), as a user runs it."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.fakeserver import FakeProviderServer, Scenario

pytestmark = pytest.mark.slow  # runs the console script in a subprocess

FAST = ["--model", "simulated-fast", "--runs", "2"]


@pytest.fixture(autouse=True)
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test's own (empty) config directory, never the developer's."""
    directory = tmp_path / "config"
    directory.mkdir()
    monkeypatch.setenv("CHAT_TUI_CONFIG_DIR", str(directory))
    return directory


def bench(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "chat_tui", "bench", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_table_has_both_modes_and_every_figure() -> None:
    done = bench(*FAST)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "simulated · simulated-fast" in lines[0]
    header = lines[1].split()
    for column in ("TTFT", "ITL", "tok/s", "total", "predicted", "diff"):
        assert column in header
    streaming = next(line for line in lines if line.strip().startswith("streaming"))
    non_streaming = next(line for line in lines if line.strip().startswith("non-streaming"))
    assert streaming.split()[1] == "2" and non_streaming.split()[1] == "2"
    assert "—" in non_streaming  # no ITL without streaming
    assert done.stderr == ""  # no progress bar when stderr is not a terminal


def test_json_is_valid_and_consistent() -> None:
    done = bench(*FAST, "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["provider"] == "simulated" and report["model"] == "simulated-fast"
    assert not report["interrupted"]
    streaming, non_streaming = report["results"]
    assert streaming["mode"] == "streaming" and streaming["runs"] == 2
    assert 0 < streaming["ttft_p50_s"] <= streaming["ttft_p95_s"]
    assert 0 < streaming["itl_p50_s"] <= streaming["itl_p95_s"]
    assert streaming["tokens_per_s"] > 0 and streaming["output_tokens"] > 0
    assert abs(streaming["total_mean_s"] - streaming["predicted_mean_s"]) == abs(
        streaming["difference_s"]
    )
    assert non_streaming["itl_p50_s"] is None
    assert non_streaming["runs"] == 2 and non_streaming["ttft_p50_s"] > 0


@pytest.mark.usefixtures("children_get_ctrl_c")
def test_ctrl_c_prints_what_was_measured() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "chat_tui", "bench", "--model", "simulated-fast", "--runs", "50"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(3)  # start-up plus a few runs of about 0.7 s
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=20)
    assert process.returncode == 130, err
    assert "Interrupted" in out
    streaming = next(line for line in out.splitlines() if line.strip().startswith("streaming"))
    assert 0 < int(streaming.split()[1]) < 50
    assert "Traceback" not in err


def test_unknown_provider_is_a_plain_error() -> None:
    done = bench("--provider", "no-such-provider", "--runs", "1")
    assert done.returncode == 2
    assert "Unknown provider" in done.stderr and "Traceback" not in done.stderr


def test_a_profile_from_the_config_file_is_benchmarked(
    config_dir: Path, fake_server: FakeProviderServer
) -> None:
    (config_dir / "config.toml").write_text(
        "[profiles.local]\n"
        'kind = "openai-compatible"\n'
        f'base_url = "{fake_server.url}/v1"\n'
        'default_model = "fake-model"\n'
    )
    fake_server.default_scenario = Scenario(tokens=["one ", "two ", "three"])
    done = bench("--provider", "local", "--runs", "2", "--mode", "streaming", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert (report["provider"], report["model"]) == ("local", "fake-model")
    assert report["results"][0]["runs"] == 2 and report["results"][0]["failed"] == 0
    sent = fake_server.generation_requests
    assert len(sent) == 2 and all(r.body["model"] == "fake-model" for r in sent)


def test_a_bad_config_file_is_reported_and_the_default_still_runs(config_dir: Path) -> None:
    (config_dir / "config.toml").write_text("flush_interval_ms = = 3\n")
    done = bench(*FAST)
    assert done.returncode == 0
    assert "config.toml:1" in done.stderr and "Traceback" not in done.stderr


def test_each_run_is_priced_from_the_usage_reported(
    fake_server: FakeProviderServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("OPENAI_BASE_URL", fake_server.openai_base_url)
    fake_server.default_scenario = Scenario(
        tokens=["one ", "two"], input_tokens=10_000, cached_tokens=4_000, output_tokens=2_000
    )
    args = ("--provider", "openai", "--model", "gpt-4o-mini", "--runs", "2")
    done = bench(*args, "--json")
    assert done.returncode == 0, done.stderr
    for result in json.loads(done.stdout)["results"]:
        # gpt-4o-mini: $0.15 input, $0.075 cache read, $0.60 output per million tokens.
        assert result["cost_mean_usd"] == pytest.approx(0.0024, abs=1e-12)
        assert result["cost_total_usd"] == pytest.approx(0.0048, abs=1e-12)
        assert result["unpriced_runs"] == 0
    table = bench(*args, "--mode", "streaming")
    assert "cost/run" in table.stdout.splitlines()[1] and "$0.0024" in table.stdout


def test_a_run_without_a_known_price_says_so() -> None:
    done = bench(*FAST, "--mode", "streaming")
    assert done.returncode == 0, done.stderr
    assert "cost: no known price for 2 run(s)" in done.stdout
