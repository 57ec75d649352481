"""What a failure is called on screen: which part failed (the local mirror, the outbox, the
portal, the terminal, or the app itself) and a sentence a person can act on."""

from __future__ import annotations

import sqlite3

from cache.store import OutboxUnusable
from portal.errors import PortalError
from portal.sqlite import is_busy
from screens.common import MirrorDamaged


def describe_failure(what: str, error: BaseException) -> tuple[str, str]:
    """A notice's title and sentence for `error`, raised while `what` was under way."""
    reason = str(error).strip() or type(error).__name__
    if isinstance(error, OutboxUnusable):
        return "Outbox failed", f"{_first_upper(what)} failed: {reason}"
    if isinstance(error, MirrorDamaged):
        return "Local mirror failed", f"{_first_upper(what)} failed: {reason}. It will be rebuilt from the portal."
    if isinstance(error, sqlite3.Error):
        if is_busy(error):
            reason = "another program is holding the local files; try again in a moment"
        return "Local files failed", f"{_first_upper(what)} failed: the local mirror or outbox answered “{reason}”."
    if isinstance(error, PortalError):
        return "Portal failed", f"{_first_upper(what)} failed: {error.message or reason}"
    if isinstance(error, (OSError, UnicodeError)):
        return "Terminal or file failed", f"{_first_upper(what)} failed: {reason}"
    return (
        "Something went wrong",
        f"{_first_upper(what)} failed ({type(error).__name__}: {reason}). The board goes on; if it happens again, please report it.",
    )


def _first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]
