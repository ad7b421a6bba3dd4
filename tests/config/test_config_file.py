"""load_settings: a full valid file, and every way a file can be wrong."""

from __future__ import annotations

import os
import re
import stat
import tomllib
from importlib import resources
from pathlib import Path

import pytest

from chat_tui.config import ProfileSettings, Settings, load_settings, parse_settings

FULL = """\
default_provider = "ollama"
default_model = "llama3.2"
favourites = ["openai/gpt-4o-mini", "ollama/llama3.2"]
flush_interval_ms = 80
system_prompt = \"\"\"
Be brief.
key = "not a key"
\"\"\"
max_output_tokens = 2048
theme = "chat-tui-paper"
max_retries = 2

[simulated]
ttft_ms = 100
tokens_per_s = 200

[timeouts]
connect_s = 5
idle_s = 60.5
whole_reply_s = 900

[ui]
max_width = 90

[providers.anthropic]
title_model = "claude-haiku-4-5"

[profiles.ollama]
kind = "openai-compatible"
base_url = "http://localhost:11434/v1"
default_model = "llama3.2"
models = ["llama3.2", "qwen2.5"]
title_model = "llama3.2"

[profiles.openrouter]
base_url = "https://openrouter.ai/api/v1"
api_key_env = "OPENROUTER_API_KEY"

[profiles.vault]
kind = "anthropic"
api_key_command = "pass show anthropic"

[keymap]
"app.quit" = "ctrl+x"
"prompt.send" = "ctrl+s,f5"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_full_valid_file(tmp_path: Path) -> None:
    loaded = load_settings(write(tmp_path, FULL))
    assert loaded.problems == []
    s = loaded.settings
    assert s.default_provider == "ollama" and s.default_model == "llama3.2"
    assert s.favourites == ("openai/gpt-4o-mini", "ollama/llama3.2")
    assert s.flush_interval_ms == 80 and s.flush_interval_s == 0.08
    assert s.system_prompt == 'Be brief.\nkey = "not a key"\n'
    assert s.max_output_tokens == 2048 and s.max_retries == 2
    assert s.theme == "chat-tui-paper"
    assert s.simulated_ttft_ms == 100
    assert s.simulated_tokens_per_s == 200.0 and isinstance(s.simulated_tokens_per_s, float)
    assert s.connect_timeout_s == 5.0 and s.idle_timeout_s == 60.5
    assert s.whole_reply_timeout_s == 900.0
    assert s.max_width == 90
    assert s.title_models == {"anthropic": "claude-haiku-4-5"}
    assert s.profiles["ollama"] == ProfileSettings(
        name="ollama",
        kind="openai-compatible",
        base_url="http://localhost:11434/v1",
        default_model="llama3.2",
        models=("llama3.2", "qwen2.5"),
        title_model="llama3.2",
    )
    assert s.profiles["openrouter"].api_key_env == "OPENROUTER_API_KEY"
    assert s.profiles["vault"].kind == "anthropic"
    assert s.profiles["vault"].api_key_command == "pass show anthropic"
    assert s.keymap == {"app.quit": "ctrl+x", "prompt.send": "ctrl+s,f5"}


def test_missing_and_empty_files_give_defaults(tmp_path: Path) -> None:
    assert load_settings(tmp_path / "nope.toml").settings == Settings()
    assert load_settings(tmp_path / "nope.toml").problems == []
    empty = load_settings(write(tmp_path, ""))
    assert empty.settings == Settings() and empty.problems == []


def test_syntax_error_keeps_defaults_and_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, 'default_model = "x"\n\nflush_interval_ms = = 3\n')
    loaded = load_settings(path)
    assert loaded.settings == Settings()
    [problem] = loaded.errors
    assert problem.line == 3
    assert str(problem).startswith("config.toml:3: invalid TOML")
    assert str(path) in problem.describe(full_path=True)


def test_unterminated_value_points_at_the_end(tmp_path: Path) -> None:
    [problem] = load_settings(write(tmp_path, 'a = 1\nfavourites = ["x",\n')).errors
    assert problem.line is not None and problem.line >= 2


def test_wrong_types_keep_the_default_and_say_where(tmp_path: Path) -> None:
    text = 'theme = "nord"\nflush_interval_ms = "fast"\nmax_retries = true\n\n'
    text += '[profiles.ollama]\nbase_url = 42\n\n[timeouts]\nidle_s = "long"\n'
    loaded = load_settings(write(tmp_path, text))
    messages = [str(p) for p in loaded.errors]
    assert messages == [
        'config.toml:2: flush_interval_ms: expected a whole number, got "fast"',
        "config.toml:3: max_retries: expected a whole number, got true",
        "config.toml:5: profiles.ollama: an openai-compatible profile needs base_url; "
        "profile ignored",
        "config.toml:6: profiles.ollama.base_url: expected a string, got 42",
        'config.toml:9: timeouts.idle_s: expected a number, got "long"',
    ]
    s = loaded.settings
    assert s.theme == "nord"  # the good keys still apply
    assert s.flush_interval_ms == 100 and s.max_retries == 3 and s.idle_timeout_s == 120.0
    assert s.profiles == {}


def test_bad_list_items_and_tables(tmp_path: Path) -> None:
    text = 'favourites = ["openai/gpt-4o", 3, "no-slash"]\nsimulated = 5\n[keymap]\nx = 1\n'
    loaded = load_settings(write(tmp_path, text))
    keys = {p.key for p in loaded.errors}
    assert keys == {"favourites[1]", "favourites[2]", "simulated", "keymap.x"}
    assert loaded.settings.favourites == ("openai/gpt-4o",)
    assert loaded.settings.keymap == {}


def test_unknown_keys_warn_but_load(tmp_path: Path) -> None:
    text = 'colour = "blue"\ndefault_model = "m"\n[timeouts]\nread_s = 3\n'
    text += (
        '[profiles.x]\nbase_url = "http://h"\nmodel = "m"\n[providers.mistral]\ntitle_model = "m"\n'
    )
    loaded = load_settings(write(tmp_path, text))
    assert loaded.errors == []
    assert [(p.line, p.key) for p in loaded.warnings] == [
        (1, "colour"),
        (4, "timeouts.read_s"),
        (7, "profiles.x.model"),
        (8, "providers.mistral"),
    ]
    assert loaded.settings.default_model == "m"
    assert loaded.settings.profiles["x"].base_url == "http://h"


@pytest.mark.parametrize(
    ("line", "attr", "expected"),
    [
        ("flush_interval_ms = 500", "flush_interval_ms", 100),
        ("flush_interval_ms = 10", "flush_interval_ms", 50),
        ("max_retries = 99", "max_retries", 10),
        ("max_output_tokens = 0", "max_output_tokens", 1),
        ("[timeouts]\nconnect_s = 0", "connect_timeout_s", 0.1),
        ("[simulated]\nttft_ms = -5", "simulated_ttft_ms", 0),
    ],
)
def test_out_of_range_values_are_clamped_with_a_warning(
    tmp_path: Path, line: str, attr: str, expected: float
) -> None:
    loaded = load_settings(write(tmp_path, line + "\n"))
    assert getattr(loaded.settings, attr) == expected
    [warning] = loaded.problems
    assert warning.severity == "warning" and "outside" in warning.message


def test_an_api_key_in_the_file_is_an_error_and_not_kept(tmp_path: Path) -> None:
    text = '[profiles.openrouter]\nbase_url = "https://o/v1"\napi_key = "sk-secret"\n'
    loaded = load_settings(write(tmp_path, text))
    [error] = loaded.errors
    assert error.key == "profiles.openrouter.api_key" and error.line == 3
    assert "api_key_env" in error.message and "sk-secret" not in str(error)
    assert loaded.settings.profiles["openrouter"].base_url == "https://o/v1"


def test_bad_profiles(tmp_path: Path) -> None:
    text = '[profiles.openai]\nkind = "openai"\n[profiles.y]\nkind = "cohere"\n'
    text += '[profiles.z]\nkind = "gemini"\napi_key_env = "A"\napi_key_command = "b"\n'
    loaded = load_settings(write(tmp_path, text))
    assert [p.key for p in loaded.errors] == ["profiles.openai", "profiles.y.kind"]
    assert [p.key for p in loaded.warnings] == ["profiles.z"]
    assert list(loaded.settings.profiles) == ["z"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file(tmp_path: Path) -> None:
    path = write(tmp_path, 'default_model = "x"\n')
    path.chmod(0)
    try:
        loaded = load_settings(path)
    finally:
        path.chmod(stat.S_IRUSR | stat.S_IWUSR)
    assert loaded.settings == Settings()
    [error] = loaded.errors
    assert str(path) in error.message


def test_permission_denied_is_reported_with_the_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, 'default_model = "x"\n')

    def denied(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", denied)
    loaded = load_settings(path)
    assert loaded.settings == Settings()
    [error] = loaded.errors
    assert error.message == f"cannot read {path}: Permission denied"


def test_a_directory_instead_of_a_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.mkdir()
    loaded = load_settings(path)
    assert loaded.settings == Settings()
    [error] = loaded.errors
    assert str(path) in error.message


def test_invalid_utf8(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b'a = "x"\nb = "\xff"\n')
    [error] = load_settings(path).errors
    assert error.line == 2


def test_control_characters_in_messages_are_made_visible(tmp_path: Path) -> None:
    loaded = load_settings(write(tmp_path, 'max_retries = "\\u001b]0;pwned\\u0007"\n'))
    assert "\x1b" not in str(loaded.errors[0])


def test_loading_never_writes_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, 'flush_interval_ms = 500\ncolour = "x"\n')
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    load_settings(path)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def test_the_shipped_example_is_valid_with_every_line_uncommented() -> None:
    text = resources.files("chat_tui").joinpath("config_example.toml").read_text("utf-8")
    assert tomllib.loads(text) == {}  # everything is commented out: the defaults apply
    active = "\n".join(
        re.sub(r'^# (?=\[|"?[A-Za-z0-9_.-]+"?\s*=)', "", line) for line in text.splitlines()
    )
    loaded = parse_settings(tomllib.loads(active), Path("config_example.toml"), active)
    assert loaded.problems == []
    assert set(loaded.settings.profiles) == {"ollama", "openrouter", "work"}


def test_unknown_provider_names_warn(tmp_path: Path) -> None:
    text = 'default_provider = "olama"\nfavourites = ["ollama/x", "openai/y"]\n'
    text += '[profiles.ollama]\nbase_url = "http://h/v1"\n'
    loaded = load_settings(write(tmp_path, text))
    assert [(p.line, p.key) for p in loaded.problems] == [(1, "default_provider")]
    known = "known: anthropic, gemini, lmstudio, ollama, openai, openrouter, simulated, vllm"
    assert known in loaded.problems[0].message
    loaded = load_settings(write(tmp_path, 'favourites = ["mistral/large"]\n'))
    [warning] = loaded.warnings
    assert str(warning).startswith("config.toml:1: favourites: 'mistral/large': no provider")


def test_the_openai_api_is_chosen_per_provider_and_profile(tmp_path: Path) -> None:
    text = (
        '[providers.openai]\napi = "chat"\n\n'
        '[providers.anthropic]\napi = "chat"\n\n'
        '[profiles.gateway]\nbase_url = "http://localhost:4000/v1"\napi = "responses"\n\n'
        '[profiles.typo]\nbase_url = "http://localhost:4001/v1"\napi = "completions"\n'
    )
    loaded = load_settings(write(tmp_path, text))
    assert [str(p) for p in loaded.problems] == [
        "config.toml:5: providers.anthropic.api: only the OpenAI kinds choose an API; "
        "ignored for anthropic",
        'config.toml:13: profiles.typo.api: unknown API "completions"; use "responses" or "chat"',
    ]
    s = loaded.settings
    assert s.provider_apis == {"openai": "chat"}
    assert s.profiles["gateway"].api == "responses" and s.profiles["typo"].api is None


def test_every_provider_the_catalog_knows_is_known_to_the_config_check(tmp_path: Path) -> None:
    """The shipped example's `ollama/llama3.2` warned though `--provider ollama` works."""
    from chat_tui.config import BUILTIN_PROVIDERS, PRESET_PROVIDERS
    from chat_tui.providers.registry import list_entries

    catalog = {entry.name for entry in list_entries(Settings(), {})}
    assert catalog == set(BUILTIN_PROVIDERS) | set(PRESET_PROVIDERS)
    favourites = ", ".join(f'"{name}/some-model"' for name in sorted(catalog))
    loaded = load_settings(write(tmp_path, f"favourites = [{favourites}]\n"))
    assert loaded.problems == []
