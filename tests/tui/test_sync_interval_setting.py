"""`MSP_TICKETS_MIN_SYNC_INTERVAL`: the shortest time between a board's own syncs, for a portal
whose PSA cycle is shorter than the engine's 30 s floor (the tests' portals). A value that is
not at least one second is a sentence naming the variable, never a board that syncs in a loop."""

from __future__ import annotations

from pathlib import Path

import pytest

from cache.sync import MIN_INTERVAL
from tui.config import ConfigError, load_profile
from tui.session import Identity, open_session

PORTAL = "https://portal.example.com"


def _engine_floor(tmp_path: Path, **more: str) -> float:
    env = {
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "MSP_TICKETS_PORTAL": PORTAL,
        **more,
    }
    session = open_session(load_profile(None, env), Identity(7, "ann@example.com"), "a-token", env)
    try:
        return session.engine.cadence.min_interval
    finally:
        session.mirror.close()


def test_the_engine_keeps_30_s_unless_the_variable_says_otherwise(tmp_path: Path) -> None:
    assert _engine_floor(tmp_path / "default") == MIN_INTERVAL == 30
    assert _engine_floor(tmp_path / "set", MSP_TICKETS_MIN_SYNC_INTERVAL="2.5") == 2.5


@pytest.mark.parametrize("value", ["0", "0.5", "-3", "soon", "nan"])
def test_less_than_a_second_or_not_a_number_is_a_sentence(value: str) -> None:
    env = {"MSP_TICKETS_PORTAL": PORTAL, "MSP_TICKETS_MIN_SYNC_INTERVAL": value, "XDG_CONFIG_HOME": "/nonexistent"}
    with pytest.raises(ConfigError, match=f"MSP_TICKETS_MIN_SYNC_INTERVAL='{value}' is not a number of seconds"):
        load_profile(None, env)
