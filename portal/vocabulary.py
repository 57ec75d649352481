"""The portal API v1's words: the values of its enums, what they are called and mean, its limits
and its rules for text. No pydantic: the board paints its first rows with these, and the models
of the wire format (portal.schema, which re-exports everything here) are loaded after.
"""

from __future__ import annotations

import re
from enum import StrEnum

API_PREFIX = "/api/v1"

SUBJECT_MAX_LENGTH = 500
DESCRIPTION_MAX_LENGTH = 100_000
COMMENT_MAX_LENGTH = 100_000
RATING_COMMENT_MAX_LENGTH = 2_000
IDEMPOTENCY_KEY_MAX_LENGTH = 255
PAGE_LIMIT_DEFAULT = 50
PAGE_LIMIT_MAX = 500
DEFAULT_PSA_SYNC_INTERVAL_SECONDS = 300


class Category(StrEnum):
    GENERAL = "general"
    HARDWARE = "hardware"
    SOFTWARE = "software"
    NETWORK = "network"
    EMAIL = "email"
    SECURITY = "security"
    OTHER = "other"


class Priority(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class Status(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    WAITING_ON_CLIENT = "waiting_on_client"
    WAITING_ON_VENDOR = "waiting_on_vendor"
    RESOLVED = "resolved"
    CLOSED = "closed"


class AccessLevel(StrEnum):
    OWN = "own"
    COMPANY = "company"
    COMPANY_ADMIN = "company_admin"


class EventKind(StrEnum):
    COMMENT = "comment"
    STATUS_CHANGE = "status_change"
    ASSIGNMENT = "assignment"
    RATING = "rating"


class AuthorRole(StrEnum):
    MSP = "msp"
    CLIENT = "client"


class ChangeKind(StrEnum):
    TICKET = "ticket"
    EVENT = "event"
    REMOVED = "removed"


class ErrorCode(StrEnum):
    VALIDATION_ERROR = "VALIDATION_ERROR"
    UNAUTHORIZED = "UNAUTHORIZED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    CONFLICT = "CONFLICT"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    CURSOR_EXPIRED = "CURSOR_EXPIRED"
    RATE_LIMIT_EXCEEDED = "RATE_LIMIT_EXCEEDED"
    # Added with the reference portal: no API path has that method; the portal's own fault.
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
    INTERNAL_ERROR = "INTERNAL_ERROR"


# The seed's words, shown to people: labels, and what each status and priority means.
CATEGORY_LABELS: dict[Category, str] = {c: c.value.capitalize() for c in Category}
PRIORITY_LABELS: dict[Priority, str] = {p: p.value.capitalize() for p in Priority}
PRIORITY_USE_WHEN: dict[Priority, str] = {
    Priority.LOW: "Minor inconvenience, workaround available",
    Priority.MEDIUM: "Affecting productivity but work can continue",
    Priority.HIGH: "Significant impact on a user or team",
    Priority.CRITICAL: "System down, data loss risk, or security incident",
}
PSA_PRIORITY: dict[Priority, str] = {
    Priority.CRITICAL: "P1",
    Priority.HIGH: "P2",
    Priority.MEDIUM: "P3",
    Priority.LOW: "P4",
}
# The words a client reads, everywhere (board, detail, CLI, /meta): the status that asks for the
# client's action is named for them.
STATUS_LABELS: dict[Status, str] = {
    Status.OPEN: "Open",
    Status.IN_PROGRESS: "In Progress",
    Status.WAITING_ON_CLIENT: "Waiting on you",
    Status.WAITING_ON_VENDOR: "Waiting on vendor",
    Status.RESOLVED: "Resolved",
    Status.CLOSED: "Closed",
}
# The same, short, where a narrow board has no room for the full words (the board's Status
# column at 80 columns): each still reads as its status and none as another.
STATUS_SHORT_LABELS: dict[Status, str] = {
    Status.OPEN: "Open",
    Status.IN_PROGRESS: "In prog",
    Status.WAITING_ON_CLIENT: "Wait you",
    Status.WAITING_ON_VENDOR: "Wait vend",
    Status.RESOLVED: "Resolved",
    Status.CLOSED: "Closed",
}
STATUS_MEANINGS: dict[Status, str] = {
    Status.OPEN: "Ticket submitted, awaiting assignment",
    Status.IN_PROGRESS: "Technician actively working on it",
    Status.WAITING_ON_CLIENT: "MSP needs information or action from you",
    Status.WAITING_ON_VENDOR: "MSP is waiting on a third-party vendor",
    Status.RESOLVED: "Issue resolved; ticket will close soon",
    Status.CLOSED: "Fully complete",
}
RATEABLE_STATUSES = frozenset({Status.RESOLVED, Status.CLOSED})


# --- text rules, shared by both sides so the client can check as the user types ---------------


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _storable(value: str) -> str:
    # SQLite and many terminals truncate at NUL; refusing it keeps "stored exactly as given" true.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    # JSON can escape half a UTF-16 pair (\ud800); it is not text and cannot be stored as UTF-8.
    if _LONE_SURROGATE.search(value):
        raise ValueError("must be valid Unicode text (it holds half of a surrogate pair)")
    return value


def _required_text(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("is required and cannot be only white space")
    return value


def _subject_length(value: str) -> str:
    if len(value) > SUBJECT_MAX_LENGTH:
        raise ValueError(f"is {len(value)} characters; the limit is {SUBJECT_MAX_LENGTH}, shorten it")
    return value


def subject_problem(value: str) -> str | None:
    """What is wrong with a subject as typed, in words, or None. Same rules as the server."""
    return _first_problem(value, _storable, _required_text, _subject_length)


def description_problem(value: str) -> str | None:
    return _first_problem(value, _storable, _required_text, _max_length(DESCRIPTION_MAX_LENGTH))


def comment_problem(value: str) -> str | None:
    return _first_problem(value, _storable, _required_text, _max_length(COMMENT_MAX_LENGTH))


def _max_length(limit: int):
    def check(value: str) -> str:
        if len(value) > limit:
            raise ValueError(f"is {len(value)} characters; the limit is {limit}")
        return value

    return check


def _first_problem(value: str, *checks) -> str | None:
    try:
        for check in checks:
            value = check(value)
    except ValueError as error:
        return str(error)
    return None
