"""The TUI logs in through the same service as the CLI (tui/login.py): a token it cannot keep
is revoked on the portal, whichever front end asked for it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from screens.login import LoginDetails, LoginRefused
from tests.support.portal import RunningPortal
from tests.tui.conftest import DEMO_ADMIN
from tui.app import log_in
from tui.config import Profile
from tui.credentials import TokenStore


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    return {name: str(tmp_path / name.lower()) for name in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME")} | {
        "HOME": str(tmp_path)
    }


def live_tokens(portal: RunningPortal) -> int:
    with sqlite3.connect(portal.db) as db:
        return db.execute("SELECT count(*) FROM tokens WHERE revoked_at IS NULL").fetchone()[0]


async def test_the_tui_revokes_a_token_it_cannot_keep(demo_portal: RunningPortal, env: dict[str, str]) -> None:
    profile = Profile("work", demo_portal.url, None)
    tokens = TokenStore(env)
    before = live_tokens(demo_portal)

    with pytest.raises(LoginRefused) as no_keyring:
        await log_in(profile, tokens, LoginDetails(demo_portal.url, DEMO_ADMIN.email, DEMO_ADMIN.password), env)
    assert no_keyring.value.offer_insecure_storage and "Switch on the file option" in str(no_keyring.value)
    assert live_tokens(demo_portal) == before

    tokens.folder.parent.mkdir(parents=True)
    tokens.folder.write_text("a file where the token folder should be")
    details = LoginDetails(demo_portal.url, DEMO_ADMIN.email, DEMO_ADMIN.password, insecure_storage=True)
    with pytest.raises(LoginRefused) as unkept:
        await log_in(profile, tokens, details, env)
    assert "could not be stored" in str(unkept.value) and "revoked" in str(unkept.value)
    assert live_tokens(demo_portal) == before


async def test_the_tui_logs_in_and_opens_the_mirror_of_the_portals_user(
    demo_portal: RunningPortal, env: dict[str, str]
) -> None:
    details = LoginDetails(demo_portal.url, DEMO_ADMIN.email, DEMO_ADMIN.password, insecure_storage=True)
    session = await log_in(Profile("work", None, None), TokenStore(env), details, env)
    try:
        assert (await session.engine.sync_now()).error is None
        assert session.mirror.me().email == DEMO_ADMIN.email
        assert Path(session.mirror.paths.outbox_db).is_relative_to(Path(env["XDG_DATA_HOME"]))
    finally:
        await session.aclose()
