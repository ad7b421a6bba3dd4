"""The registry: built-ins, presets and profiles, keys, building providers, Ollama detection."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from dataclasses import astuple

import pytest

from chat_tui.config import ProfileSettings, Settings
from chat_tui.providers.base import FailureKind, ProviderError
from chat_tui.providers.registry import (
    create_provider,
    detect_ollama,
    get_entry,
    list_entries,
    resolve_api_key,
)
from tests.fakeserver import FakeProviderServer


@pytest.mark.parametrize(
    ("name", "variable"),
    [
        ("openai", "OPENAI_API_KEY"),
        ("anthropic", "ANTHROPIC_API_KEY"),
        ("gemini", "GOOGLE_API_KEY or GEMINI_API_KEY"),
        ("openrouter", "OPENROUTER_API_KEY"),
    ],
)
def test_missing_key_names_the_variable(name, variable):
    with pytest.raises(ProviderError) as caught:
        create_provider(name, Settings(), {})
    assert caught.value.kind is FailureKind.CONFIG
    assert f"Set {variable}" in caught.value.message


@pytest.mark.parametrize("name", ["ollama", "vllm", "lmstudio"])
def test_local_presets_need_no_key(name):
    target = get_entry(name, Settings(), {})
    assert target.key_available and target.key_description == "no key needed"
    assert target.base_url is not None and target.base_url.endswith("/v1")
    assert create_provider(name, Settings(), {}).name == name


def test_key_descriptions_never_hold_the_key():
    environ = {"OPENAI_API_KEY": "sk-very-secret", "GEMINI_API_KEY": "gm-very-secret"}
    targets = {t.name: t for t in list_entries(Settings(), environ)}
    assert targets["openai"].key_description == "OPENAI_API_KEY"
    assert targets["gemini"].key_description == "GEMINI_API_KEY"
    assert "secret" not in repr([astuple(t) for t in targets.values()])


def test_profiles_override_presets_and_add_targets():
    profiles = {
        "ollama": ProfileSettings(name="ollama", base_url="http://gpu:11434/v1", models=("qwen3",)),
        "work": ProfileSettings(
            name="work", kind="openai", api_key_command="printf sk-from-command"
        ),
    }
    targets = {t.name: t for t in list_entries(Settings(profiles=profiles), {})}
    ollama = targets["ollama"]
    assert ollama.base_url == "http://gpu:11434/v1"
    assert ollama.label == "Ollama (local)" and not ollama.key_required
    assert ollama.default_model == "qwen3"
    work = targets["work"]
    assert work.kind == "openai" and work.key_description == "command: printf sk-from-command"
    assert resolve_api_key(work, {}) == "sk-from-command"


@pytest.mark.parametrize(
    ("command", "fragment"),
    [("false", "exit status 1"), ("no-such-command-xyz", "not found"), ("true", "printed nothing")],
)
def test_key_command_failures_name_the_profile(command, fragment):
    profile = ProfileSettings(name="vault", api_key_command=command)
    target = get_entry("vault", Settings(profiles={"vault": profile}), {})
    with pytest.raises(ProviderError) as caught:
        resolve_api_key(target, {})
    assert caught.value.kind is FailureKind.CONFIG
    assert "'vault'" in caught.value.message and fragment in caught.value.message


def test_simulated_provider_is_built_from_settings():
    provider = create_provider("simulated", Settings(simulated_ttft_ms=10), {})
    assert provider.name == "simulated"


@pytest.mark.slow  # a subprocess
def test_importing_the_registry_imports_no_sdk():
    code = (
        "import sys, chat_tui.providers.registry; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'openai', 'anthropic', 'google', 'httpx2'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


async def test_detect_ollama_reads_the_models(fake_server: FakeProviderServer):
    names = await detect_ollama(timeout=1.0, base_url=fake_server.url)
    assert names == fake_server.model_ids["openai"]


async def test_detect_ollama_gives_up_quickly_when_nothing_answers():
    with socket.socket() as silent:  # accepts connections (backlog) but never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        start = time.monotonic()
        assert await detect_ollama(timeout=0.3, base_url=_url(silent)) is None
        assert time.monotonic() - start < 1.0
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        url = _url(closed)
    assert await detect_ollama(timeout=0.3, base_url=url) is None


def _url(sock: socket.socket) -> str:
    return f"http://127.0.0.1:{sock.getsockname()[1]}"


def test_detect_ollama_imports_no_http_client_when_nothing_listens():
    # Most starts have no Ollama: the probe must not cost the HTTP client's import.
    code = (
        "import asyncio, socket, sys\n"
        "from chat_tui.providers.registry import detect_ollama\n"
        "closed = socket.socket(); closed.bind(('127.0.0.1', 0))\n"
        "url = f'http://127.0.0.1:{closed.getsockname()[1]}'; closed.close()\n"
        "print(asyncio.run(detect_ollama(base_url=url)), 'httpx2' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "None False"
