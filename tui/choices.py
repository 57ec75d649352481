"""A status, priority, category or sort column as a person types it: the value or the label the
board shows, in any case, with spaces, `_` or `-` between words (`in_progress`, `In Progress`,
`waiting on you`, `HIGH`). One reading for the CLI's flags and the config file's saved views."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import TypeVar

from cache.model import SORT_LABELS, Scope, SortColumn
from portal.vocabulary import CATEGORY_LABELS, PRIORITY_LABELS, STATUS_LABELS, Category, Priority, Status

Choice = TypeVar("Choice", bound=StrEnum)


LABELS: dict[type[StrEnum], tuple[str, Mapping]] = {
    Status: ("status", STATUS_LABELS),
    Priority: ("priority", PRIORITY_LABELS),
    Category: ("category", CATEGORY_LABELS),
    SortColumn: ("sort column", SORT_LABELS),
    Scope: ("scope", {scope: scope.value.capitalize() for scope in Scope}),
}


def _folded(text: str) -> str:
    return " ".join(text.replace("_", " ").replace("-", " ").casefold().split())


def label(choice: StrEnum) -> str:
    """How the board names it."""
    return LABELS[type(choice)][1][choice]


def known_labels(kind: type[StrEnum]) -> str:
    return ", ".join(LABELS[kind][1][member] for member in kind)


def parse_choice(kind: type[Choice], text: str) -> Choice:
    """The member named by `text` (its value or its label, any case); ValueError with a sentence
    naming what is accepted otherwise."""
    wanted = _folded(text)
    what, labels = LABELS[kind]
    for member in kind:
        if wanted in (_folded(member.value), _folded(labels[member])):
            return member
    raise ValueError(f"{text!r} is not a {what}; choose one of: {known_labels(kind)}.")
