"""The user's search text as a safe FTS5 query.

Every word becomes a quoted phrase prefix (`"word"*`), so whatever the user types — `"`, `*`,
`NEAR(`, `AND`, `-`, control characters — is searched for as text and never parsed as FTS5
syntax. Words are ANDed: every word must appear in the subject, description or a comment.
"""

from __future__ import annotations

import re

# Terminal escape sequences pasted into the search box are not words.
_ANSI_ESCAPE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)?|\x1b.")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def search_words(text: str) -> list[str]:
    """The words of a search, without terminal escapes and control characters."""
    return _CONTROL.sub(" ", _ANSI_ESCAPE.sub(" ", text)).split()


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
