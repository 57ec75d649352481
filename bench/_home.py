"""A user's folders for the benches that run the real `msp-tickets`: a profile whose portal is a
closed loopback port (the board opens offline, as on a train), the token in the environment (no
keyring), its identity remembered, and a mirror of N tickets built by bench/mirror.py."""

from __future__ import annotations

import random
import socket
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.mirror import ME_JSON, build
from cache.mirror import Mirror
from portal.schema import Me
from tests.support.terminal import user_env
from tui.config import Profile
from tui.session import Identity, remember_identity, session_paths

ROOT = Path(__file__).resolve().parents[1]
COMMAND = Path(sys.executable).with_name("msp-tickets")
TOKEN = "bench-token"
PROFILE = "bench"


@dataclass(frozen=True)
class Home:
    """A user's folders with a profile, a remembered identity and a mirror of `tickets`."""

    path: Path
    tickets: int

    @property
    def env(self) -> dict[str, str]:
        return user_env(self.path, MSP_TICKETS_TOKEN=TOKEN)


def closed_port() -> int:
    """A loopback port nothing listens on: connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def make_home(folder: Path, tickets: int, events: int, portal_url: str) -> Home:
    home = Home(folder, tickets)
    env = home.env
    config = Path(env["XDG_CONFIG_HOME"]) / "msp-tickets"
    config.mkdir(parents=True)
    (config / "config.toml").write_text(
        f'default_profile = "{PROFILE}"\n\n[profiles.{PROFILE}]\nportal = "{portal_url}"\n', encoding="utf-8"
    )
    profile = Profile(PROFILE, portal_url, None)
    remember_identity(profile, TOKEN, Me.model_validate_json(ME_JSON), env)
    paths = session_paths(profile, Identity(1, "bench@example"), env)
    Mirror.open(paths).close()
    build(paths.cache_db, tickets, events, random.Random(7))
    return home


def built_home(folder: Path, tickets: int, events: int) -> Home:
    """`make_home` against an unreachable portal, saying how long the mirror took to build."""
    started = time.perf_counter()
    home = make_home(folder, tickets, events, f"http://127.0.0.1:{closed_port()}")
    print(f"built a mirror of {tickets:,} tickets and {events:,} events in {time.perf_counter() - started:.1f} s")
    return home
