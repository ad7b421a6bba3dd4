"""`[presets.NAME]` in the config file: read and checked (`config check`, with file:line), and
used by `ask --preset NAME` through the installed console script, against the fake server."""

from __future__ import annotations

from pathlib import Path

from chat_tui.config import PresetSettings, load_settings
from chat_tui.conversation import ConversationSettings
from chat_tui.store import TranscriptStore
from tests.cli.console import QUICK_SIMULATED, environment, isolated_home, run_piped
from tests.fakeserver import FakeProviderServer

PRESETS = """
[presets.reviewer]
system = "You review diffs. Be terse."
provider = "fake"
model = "m2"
temperature = 0.2
max_tokens = 300
reasoning = "low"

[presets.plain]
system = "Answer plainly."
"""


def config_with(server: FakeProviderServer, extra: str = PRESETS) -> str:
    return QUICK_SIMULATED + (
        f'\n[profiles.fake]\nbase_url = "{server.openai_base_url}"\nmodels = ["m1", "m2"]\n' + extra
    )


def database(home: Path) -> Path:
    return home / "xdg" / "data" / "chat-tui" / "transcripts.sqlite3"


def test_presets_are_read_with_their_keys(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(PRESETS + '\n[presets.budget]\nreasoning = 4096\nmodel = "x"\n')
    loaded = load_settings(path)
    assert loaded.problems == []
    assert loaded.settings.presets["reviewer"] == PresetSettings(
        name="reviewer",
        system="You review diffs. Be terse.",
        provider="fake",
        model="m2",
        temperature=0.2,
        max_tokens=300,
        reasoning="low",
    )
    assert loaded.settings.presets["budget"].reasoning == 4096
    assert loaded.settings.presets["plain"].options() == []


def test_config_check_warns_about_preset_problems_with_their_lines(tmp_path: Path) -> None:
    home = isolated_home(
        tmp_path,
        '[presets.x]\nsystem = "s"\ncolour = "blue"\nreasoning = "extreme"\n'
        "max_tokens = 0\n[presets.y]\nsystem = 3\n",
    )
    done = run_piped(["config", "check"], environment(home))
    assert done.returncode == 1, done.stdout + done.stderr
    report = done.stdout + done.stderr
    assert "config.toml:3: presets.x.colour: unknown setting, ignored" in report
    assert "config.toml:4: presets.x.reasoning: expected an effort" in report
    assert "config.toml:5: presets.x.max_tokens: 0 is outside 1..1000000" in report
    assert "config.toml:7: presets.y.system: expected a string, got 3" in report


def test_ask_with_a_preset_sends_its_system_prompt_model_and_options(
    tmp_path: Path, fake_server: FakeProviderServer
) -> None:
    home = isolated_home(tmp_path, config_with(fake_server))
    done = run_piped(["ask", "--preset", "reviewer", "look at this"], environment(home))
    assert done.returncode == 0, done.stderr
    body = fake_server.last.body
    assert body["model"] == "m2"
    assert body["messages"][0] == {"role": "system", "content": "You review diffs. Be terse."}
    assert (body["temperature"], body["max_tokens"], body["reasoning_effort"]) == (
        0.2,
        300,
        "low",
    )
    with TranscriptStore.open(database(home)) as store:
        [summary] = store.list_conversations()
        saved = store.load_conversation(summary.id)
    assert saved.settings == ConversationSettings(
        system_prompt="You review diffs. Be terse.",
        temperature=0.2,
        max_output_tokens=300,
        reasoning_effort="low",
        preset="reviewer",
    )


def test_flags_win_over_the_preset(tmp_path: Path, fake_server: FakeProviderServer) -> None:
    home = isolated_home(tmp_path, config_with(fake_server))
    arguments = ["ask", "--preset", "reviewer", "-m", "m1", "-s", "Be kind.", "-o"]
    done = run_piped([*arguments, "temperature", "1", "hi"], environment(home))
    assert done.returncode == 0, done.stderr
    body = fake_server.last.body
    assert (body["model"], body["temperature"], body["max_tokens"]) == ("m1", 1.0, 300)
    assert body["messages"][0]["content"] == "Be kind."


def test_unknown_preset_and_options_the_target_does_not_take_exit_2(
    tmp_path: Path, fake_server: FakeProviderServer
) -> None:
    home = isolated_home(tmp_path, config_with(fake_server))
    unknown = run_piped(["ask", "--preset", "nope", "hi"], environment(home))
    assert unknown.returncode == 2
    assert "no preset 'nope' (known: reviewer, plain)" in unknown.stderr
    # The reviewer's temperature and reasoning on the simulated model, which takes neither.
    refused = run_piped(
        ["ask", "--preset", "reviewer", "--provider", "simulated", "hi"], environment(home)
    )
    assert refused.returncode == 2
    assert "preset 'reviewer': temperature: Simulated (offline)" in refused.stderr
    assert fake_server.generation_requests == []
