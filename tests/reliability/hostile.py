"""Hostile text, and what the documented rules say should become of it in each field.

The rules are restated here from the seed and design §3, not taken from `portal.schema`, so
the tests check the code against the documents: subject and description required (not only
white space) and trimmed, subject at most 500 characters, description and comment at most
100,000, rating comment optional and at most 2,000, NUL refused everywhere."""

from __future__ import annotations

import pytest

HOSTILE: dict[str, str] = {
    "empty": "",
    "white space": " \t\n\u00a0\u2003 ",
    "500 characters": "s" * 499 + "!",
    "501 characters": "s" * 500 + "!",
    "1 MB": "x" * 1_000_000,
    "NUL": "before\x00after",
    "ANSI escapes": "\x1b[2J\x1b[H\x1b[31mred alert\x1b[0m \x1b[6n",
    "OSC escapes": "title \x1b]0;pwned\x07 link \x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\ \x9b31m",
    "markup": "[bold red]loud[/] [link=https://evil.example]x[/link] [/] [@click=app.quit]q[/] \\[",
    "right-to-left and combining": "\u202eevil\u202c שלום עולם مرحبا e\u0301\u0301\u0301 Z\u0338\u0322\u034e",
    "emoji": "🔥 printer 👩\u200d💻 🇬🇧 \ufe0f",
    "FTS syntax": '"unbalanced * NEAR( AND OR NOT subject:x ^ - (',
}
# Over the limit of a command line argument (Linux: 128 KiB) or not expressible in one (NUL).
NOT_AN_ARGUMENT = {"1 MB", "NUL"}

LIMITS = {"subject": 500, "description": 100_000, "comment": 100_000, "rating_comment": 2_000}
REQUIRED = {"subject", "description", "comment"}
TRIMMED = REQUIRED


def refusal_hint(field: str, text: str) -> str | None:
    """A word the refusal of `text` in `field` must contain, or None if it must be accepted."""
    if "\x00" in text:
        return "NUL"
    if field in REQUIRED and not text.strip():
        return "required"
    if len(text.strip() if field in TRIMMED else text) > LIMITS[field]:
        return "limit"
    return None


def stored_form(field: str, text: str) -> str:
    return text.strip() if field in TRIMMED else text


def accepted(field: str) -> dict[str, str]:
    return {name: text for name, text in HOSTILE.items() if refusal_hint(field, text) is None}


def cases(field: str, names=None):
    return [pytest.param(HOSTILE[name], id=name) for name in (names or HOSTILE)]
