"""The theme as a setting: `theme = "msp-light"` at the top of config.toml (any theme the
command palette's "Theme" offers will do); a theme chosen there is written back."""

from __future__ import annotations

import os
from collections.abc import Mapping

from tui.config import _read_config, write_config


def saved_theme(env: Mapping[str, str] = os.environ) -> str | None:
    theme = _read_config(env).get("theme")
    return theme if isinstance(theme, str) else None


def save_theme(theme: str, env: Mapping[str, str] = os.environ) -> None:
    """Write `theme` into config.toml (0600), keeping every other setting as it was."""
    config = _read_config(env)
    if config.get("theme") != theme:
        config["theme"] = theme
        write_config(config, env)
