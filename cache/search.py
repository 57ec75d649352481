"""The user's search text as a safe FTS5 query.

Every word becomes a quoted phrase prefix (`"word"*`), so whatever the user types — `"`, `*`,
`NEAR(`, `AND`, `-`, control characters — is searched for as text and never parsed as FTS5
syntax. Words are ANDed: every word must appear in the subject, description or a comment.

A search of one word may also name a ticket: its number (`143`, `#143`) or its PSA id
(`ACM-1143`, any case; compared whole, and only a word with a digit can be one). Such a
ticket matches as well as the tickets whose text holds the word.
"""

from __future__ import annotations

import re

# Terminal escape sequences pasted into the search box are not words.
_ANSI_ESCAPE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)?|\x1b.")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def search_words(text: str) -> list[str]:
    """The words of a search, without terminal escapes and control characters."""
    return _CONTROL.sub(" ", _ANSI_ESCAPE.sub(" ", text)).split()


_TICKET_NUMBER = re.compile(r"#?(\d{1,18})")


def ticket_number(words: list[str]) -> int | None:
    """The ticket number a one-word search names (`143`, `#143`), if it names one."""
    found = _TICKET_NUMBER.fullmatch(words[0]) if len(words) == 1 else None
    return int(found.group(1)) if found else None


def psa_id(words: list[str]) -> str | None:
    """The PSA id a one-word search may be (a word with a digit in it), to compare whole."""
    if len(words) != 1 or ticket_number(words) is not None:
        return None
    return words[0] if any(ch.isdigit() for ch in words[0]) else None


def fts_query(words: list[str]) -> str | None:
    """An FTS5 MATCH expression for the words, or None when no word has anything FTS indexes
    (only punctuation or emoji): such a search matches no ticket."""
    indexed = [word for word in words if _has_token(word)]
    if not indexed:
        return None
    return " ".join('"' + word.replace('"', '""') + '"*' for word in indexed)


def _has_token(word: str) -> bool:
    # unicode61 drops punctuation: a "word" of only punctuation would match everything as a
    # prefix of nothing, or fail; leave it out.
    return any(ch.isalnum() for ch in word)
