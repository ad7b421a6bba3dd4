"""`chat-tui models` through the installed console script: every provider with its status, the
source of its key (never the key), and its models, listed live where a server answers in time
and the known defaults otherwise; `--json` for scripts; exit 0 whatever is unusable."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.console import QUICK_SIMULATED, environment, isolated_home, run_piped
from tests.fakeserver import FakeProviderServer

CANARY = "sk-canary-models-7f3a"


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A server that takes connections and never answers: its base URL."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/v1"
    finally:
        listener.close()


def config(server: FakeProviderServer, silent: str) -> str:
    return QUICK_SIMULATED + (
        f'\n[profiles.fake]\nbase_url = "{server.openai_base_url}"\napi_key_env = "FAKE_KEY"\n'
        f'models = ["configured-model"]\n'
        f'\n[profiles.silent]\nbase_url = "{silent}"\nmodels = ["s1"]\n'
        f'\n[profiles.locked]\nbase_url = "{server.openai_base_url}"\n'
        'api_key_env = "LOCKED_KEY"\n'
    )


def test_lists_every_provider_live_or_known_within_the_deadline(
    tmp_path: Path, fake_server: FakeProviderServer, silent_server: str
) -> None:
    home = isolated_home(tmp_path, config(fake_server, silent_server))
    env = environment(home, FAKE_KEY=CANARY)
    started = time.monotonic()
    done = run_piped(["models", "--json", "--timeout", "4"], env)  # 4: a loaded CI machine
    elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    assert CANARY not in done.stdout + done.stderr
    providers = {entry["name"]: entry for entry in json.loads(done.stdout)}
    assert {"openai", "anthropic", "gemini", "simulated", "ollama", "openrouter"} <= set(providers)
    assert {"fake", "silent", "locked"} <= set(providers)

    fake = providers["fake"]
    assert (fake["usable"], fake["key_source"], fake["models_source"]) == (
        True,
        "FAKE_KEY",
        "listed",
    )
    # The profile's own models first, then what the server listed.
    assert fake["models"][0] == "configured-model"
    assert sorted(fake["models"][1:]) == sorted(fake_server.model_ids["openai"])
    silent = providers["silent"]
    assert (silent["usable"], silent["models_source"], silent["models"]) == (True, "known", ["s1"])
    assert silent["note"] == "no answer within 4 s"
    locked = providers["locked"]
    assert (locked["usable"], locked["key_source"], locked["note"]) == (
        False,
        "LOCKED_KEY",
        "not asked: no key",
    )
    openai = providers["openai"]
    assert (openai["usable"], openai["key_source"], openai["models_source"]) == (
        False,
        "OPENAI_API_KEY",
        "known",
    )
    assert "gpt-4o-mini" in openai["models"]
    assert providers["simulated"]["usable"] is True
    assert "simulated-hosted" in providers["simulated"]["models"]
    # One deadline for all servers, not one each; start-up and imports on a busy machine aside.
    assert elapsed < 4 + 8


def test_the_text_listing_names_status_key_source_and_models(
    tmp_path: Path, fake_server: FakeProviderServer, silent_server: str
) -> None:
    home = isolated_home(tmp_path, config(fake_server, silent_server))
    done = run_piped(["models", "--timeout", "4"], environment(home, FAKE_KEY=CANARY))
    assert done.returncode == 0, done.stderr
    text = done.stdout
    assert CANARY not in text
    assert "fake · fake · ready · key from FAKE_KEY\n  models: listed by the server\n" in text
    assert "locked · locked · not usable · set LOCKED_KEY\n" in text
    assert "silent · silent · ready · no key needed\n  models: known defaults (no answer" in text
    assert "anthropic · Anthropic · not usable · set ANTHROPIC_API_KEY\n" in text
    assert "    simulated-hosted (default)\n" in text
