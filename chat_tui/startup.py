"""Everything the app needs before its first frame, gathered in one place: settings, themes,
remembered UI state, the transcript store and the session. Problems are collected, never
raised, so a broken file means a clear message and a working app, not a traceback.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from textual.theme import Theme

from chat_tui.config import Settings, load_settings
from chat_tui.paths import AppPaths
from chat_tui.problems import Problem
from chat_tui.prompt_history import PromptHistory, load_prompt_history
from chat_tui.providers import registry
from chat_tui.providers.catalog import ProviderCatalog
from chat_tui.session import ChatSession
from chat_tui.session_setup import open_session
from chat_tui.state import UiState, load_state
from chat_tui.theming import builtin_themes_dir, known_theme_names, load_themes, pick_theme


@dataclass
class Startup:
    paths: AppPaths
    settings: Settings
    session: ChatSession
    catalog: ProviderCatalog
    themes: list[Theme]
    theme: str
    state: UiState
    prompt_history: PromptHistory
    notices: list[str] = field(default_factory=list)  # shown as warnings
    errors: list[str] = field(default_factory=list)  # shown as errors
    # Problems that hold for the whole session: kept on screen, not only in a toast.
    standing: list[str] = field(default_factory=list)


def prepare(args: argparse.Namespace, environ: Mapping[str, str] = os.environ) -> Startup:
    paths = AppPaths.default(data_dir=getattr(args, "data_dir", None))
    loaded = load_settings(paths.config_file)
    settings = loaded.settings
    problems: list[Problem] = list(loaded.problems)

    themes, theme_problems = load_themes(builtin_themes_dir(), paths.user_themes_dir)
    problems += theme_problems
    state, state_problems = load_state(paths.state_file)
    problems += state_problems
    prompt_history, history_problems = load_prompt_history(paths.prompt_history)
    problems += history_problems
    theme, pick_problems = pick_theme(
        known_theme_names(themes), state.theme, settings.theme, config_path=paths.config_file
    )
    problems += pick_problems

    errors = [p.describe(full_path=True) for p in problems if p.is_error]
    notices = [p.describe(full_path=True) for p in problems if not p.is_error]
    if errors and loaded.errors:
        errors.append(f"chat-tui runs with defaults for those settings ({paths.config_file}).")

    if args.provider is not None:
        # A typo on the command line is the user's to fix, not a reason to start on the
        # simulated model: ProviderError (CONFIG) names the known providers.
        registry.get_entry(args.provider, settings, environ)
    opened = open_session(
        settings,
        paths,
        requested_provider=args.provider,
        requested_model=args.model,
        remembered=(state.provider, state.model),
        streaming=not args.no_stream,
        recover_interrupted=True,
        fall_back_to_simulated=True,
        environ=environ,
    )
    standing: list[str] = []
    if opened.provider_error is not None:
        errors.append(f"{opened.provider_error} Using the offline simulated model instead.")
    if opened.store_error is not None:
        standing.append(f"Conversations are not saved in this session: {opened.store_error}")
        errors.append(standing[-1])
    session, catalog = opened.session, opened.catalog
    return Startup(
        paths,
        settings,
        session,
        catalog,
        themes,
        theme,
        state,
        prompt_history,
        notices,
        errors,
        standing,
    )
