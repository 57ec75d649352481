"""`undo_seconds`: how long a confirm or a reopen waits in the outbox for `u` (5 s unless the
profile or `MSP_TICKETS_UNDO_SECONDS` says otherwise, from 1 to 60). Anything else is a sentence
naming the setting and where it was read. (That the board holds a write that long:
tests/tui/test_keys_in_tmux.py, with `undo_seconds = 1` in config.toml.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.config import DEFAULT_UNDO_SECONDS, ConfigError, load_profile

PORTAL = "https://portal.example.com"


def _env(tmp_path: Path, profile_lines: str = "", **more: str) -> dict[str, str]:
    config = tmp_path / "config" / "msp-tickets"
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.toml").write_text(f'[profiles.default]\nportal = "{PORTAL}"\n{profile_lines}', encoding="utf-8")
    return {"XDG_CONFIG_HOME": str(tmp_path / "config"), **more}


def test_five_seconds_unless_the_profile_or_the_environment_says_otherwise(tmp_path: Path) -> None:
    assert load_profile(None, _env(tmp_path / "a")).undo_seconds == DEFAULT_UNDO_SECONDS == 5
    assert load_profile(None, _env(tmp_path / "b", "undo_seconds = 12\n")).undo_seconds == 12
    both = _env(tmp_path / "c", "undo_seconds = 12\n", MSP_TICKETS_UNDO_SECONDS="2.5")
    assert load_profile(None, both).undo_seconds == 2.5


@pytest.mark.parametrize("value", ["0", "0.5", "61", "-1", "nan", '"soon"', "true"])
def test_out_of_range_in_the_file_is_a_sentence(tmp_path: Path, value: str) -> None:
    with pytest.raises(
        ConfigError, match=r"undo_seconds = .* in \[profiles.default\] is not a number of seconds from 1 to 60"
    ):
        load_profile(None, _env(tmp_path, f"undo_seconds = {value}\n"))


@pytest.mark.parametrize("value", ["0", "61", "soon"])
def test_out_of_range_in_the_environment_is_a_sentence(tmp_path: Path, value: str) -> None:
    with pytest.raises(
        ConfigError, match=f"MSP_TICKETS_UNDO_SECONDS='{value}' is not a number of seconds from 1 to 60"
    ):
        load_profile(None, _env(tmp_path, MSP_TICKETS_UNDO_SECONDS=value))
