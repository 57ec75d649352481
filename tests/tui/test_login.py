"""A logged-out start opens the login screen instead of failing; a wrong password is refused
in words; with no keyring (a headless SSH session) the user is offered the 0600 file; a token
the portal no longer accepts leads back to the login screen."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from textual.widgets import Input, Static, Switch

from cache.mirror import Mirror
from cache.sync import SyncEngine
from screens.board import BoardScreen
from screens.login import LoginScreen
from tests.tui.conftest import DEMO_ADMIN, client_for, screen_text
from tui.app import TicketsApp, log_in
from tui.config import Profile, load_profile
from tui.credentials import TokenStore
from tui.paths import profile_paths
from tui.session import Session
from widgets.ticket_table import TicketTable


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    return {name: str(tmp_path / name.lower()) for name in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME")} | {
        "HOME": str(tmp_path)
    }


def login_app(profile: Profile, env: dict[str, str], session: Session | None = None) -> TicketsApp:
    tokens = TokenStore(env)

    async def attempt(details):
        return await log_in(profile, tokens, details, env)

    return TicketsApp(session, login=attempt, profile=profile, close_session_on_exit=True)


async def fill(pilot, field: str, value: str) -> None:
    pilot.app.screen.query_one(f"#{field}", Input).value = value
    await pilot.pause()


async def test_logged_out_start_logs_in_and_opens_the_board(demo_portal, env: dict[str, str]) -> None:
    app = login_app(Profile("work", demo_portal.url, None), env)
    async with app.run_test(size=(120, 40)) as pilot:
        assert isinstance(app.screen, LoginScreen)
        assert app.screen.query_one("#portal_url", Input).value == demo_portal.url
        await fill(pilot, "email", DEMO_ADMIN.email)
        await fill(pilot, "password", "not the password")
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen)
        problem = str(app.screen.query_one("#login-problem", Static).render())
        assert "password" in problem.lower() and "Logging in" not in problem, problem
        assert app.screen.query_one("#password", Input).has_focus

        await fill(pilot, "password", DEMO_ADMIN.password)
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        # No keyring here: the message says so, and offers the file.
        assert isinstance(app.screen, LoginScreen)
        assert "No system keyring" in screen_text(app) and "Switch on the file option" in screen_text(app)
        assert app.screen.query_one("#insecure-row").display

        app.screen.query_one("#insecure_storage", Switch).value = True
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        for _ in range(100):
            if isinstance(app.screen, BoardScreen) and app.screen.query_one(TicketTable).total:
                break
            await pilot.pause(0.05)
        assert isinstance(app.screen, BoardScreen) and app.screen.query_one(TicketTable).total > 0

    saved = load_profile("work", env)
    assert saved == Profile("work", demo_portal.url, DEMO_ADMIN.email)
    token_files = list((Path(env["XDG_DATA_HOME"]) / "msp-tickets" / "credentials").glob("*.token"))
    assert len(token_files) == 1 and stat.S_IMODE(token_files[0].stat().st_mode) == 0o600
    assert TokenStore(env).get(saved)


async def test_a_refused_token_opens_the_login_screen(demo_portal, env: dict[str, str], tmp_path: Path) -> None:
    profile = Profile("work", demo_portal.url, DEMO_ADMIN.email)
    mirror = Mirror.open(profile_paths(profile.name, demo_portal.url, DEMO_ADMIN.email, env))
    client = client_for(demo_portal, "revoked-or-made-up-token")
    app = login_app(profile, env, Session(mirror, client, SyncEngine(mirror, client)))
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen)
        assert app.screen.query_one("#email", Input).value == DEMO_ADMIN.email
        assert "revoked-or-made-up-token" not in screen_text(app)
