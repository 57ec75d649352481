"""`msp-tickets` with no command (the board) and `msp-tickets --demo`. Apart from the commands
for scripts (tui/cli/commands.py), whose imports the board's first paint does not need."""

from __future__ import annotations

import importlib.util

from tui import collector
from tui.cli import exit_codes

# The modules the demo's portal needs, which come with the `msp-tickets[server]` extra.
SERVER_MODULES = ("fastapi", "uvicorn", "argon2")


def run_board(profile_name: str | None) -> int:
    """The board for the profile named (None: the default one)."""
    collector.pause_until_started()
    try:
        return _board(profile_name)
    finally:
        collector.started()


def _board(profile_name: str | None) -> int:
    from cache.store import OutboxUnusable
    from tui.app import SessionUnavailable, run_tui  # textual loads only for the board
    from tui.config import ConfigError, load_profile
    from tui.credentials import CredentialError, TokenStore
    from tui.session import WrongAccount

    try:
        # The board's login screen makes a profile it does not know yet, as `login` does.
        return run_tui(load_profile(profile_name, new=True), TokenStore())
    except (ConfigError, CredentialError, OutboxUnusable) as error:
        say(str(error))
        return exit_codes.ERROR
    except WrongAccount as error:
        say(str(error))
        return exit_codes.NOT_LOGGED_IN
    except SessionUnavailable as error:
        say(str(error))
        return exit_codes.UNREACHABLE


def say(message: str) -> None:
    """Through the CLI's one gate to the terminal (tui/cli/output.py), imported only when
    something is to be said: json and the CLI's documents are not for the board's first paint."""
    from tui.cli.output import say as say_gated

    say_gated(message)


def run_demo(*, reset: bool = False) -> int:
    if any(importlib.util.find_spec(name) is None for name in SERVER_MODULES):
        say(
            "The demo runs the reference portal, which is not installed: "
            "pip install 'msp-tickets[server]' (or pipx install 'msp-tickets[server]')."
        )
        return exit_codes.ERROR
    from tui.demo import run_demo as demo

    return demo(reset=reset)
