"""The app's themes and, for each, the colours of its priority and status badges: one place.

Each colour is truecolor, picked so that what a terminal with fewer colours gets (Rich's
downgrade to 256 colours, or to the 16 of `TERM=linux`) is still a different colour for each
priority and each status, and still reads against the background (WCAG contrast ≥ 4.5:1;
tests/tui/test_colours.py checks both for every theme). Where no plain text colour could do
that on a light background in 16 colours, the badge is a chip with its own background.

Under `NO_COLOR` Textual turns colours into greys; the words, bold and the chips still differ.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from rich.style import Style
from textual.theme import Theme

from portal.vocabulary import Priority, Status

DARK_THEME = Theme(
    name="msp-dark",
    primary="#0050A0",  # white on it reads in 256 and 16 colours too (Textual's #0178D4 turns cyan)
    secondary="#004578",
    accent="#FFA62B",
    warning="#FFA62B",
    error="#BA3C5B",
    success="#4EBF71",
    foreground="#E0E0E0",
    background="#121212",
    dark=True,
    variables={"footer-key-foreground": "#FFD75F"},  # Textual's orange is a bright red in 16
)

LIGHT_THEME = Theme(
    name="msp-light",
    primary="#004578",
    secondary="#0050A0",
    accent="#9A5B00",
    warning="#9A5B00",
    error="#AF0000",
    success="#1A7F37",
    foreground="#1F1F1F",
    background="#F5F5F5",
    surface="#EBEBEB",
    panel="#DCDCDC",
    dark=False,
    variables={"footer-key-foreground": "#004578"},
)

THEMES: tuple[Theme, ...] = (DARK_THEME, LIGHT_THEME)
DEFAULT_THEME = DARK_THEME.name


def chip(text: str, background: str, **attributes: bool) -> Style:
    """Text on its own background, written reversed so that it stays a chip where a terminal
    drops every colour (NO_COLOR with an ANSI theme)."""
    return Style(color=background, bgcolor=text, reverse=True, **attributes)


WHITE_ON_RED = chip("#FFFFFF", "#AF0000", bold=True)
BLACK_ON_YELLOW = chip("#000000", "#FFD75F", bold=True)


class Palette(NamedTuple):
    """How one theme colours each priority and status."""

    priority: Mapping[Priority, Style]
    status: Mapping[Status, Style]
    changed: Style  # the marker of a row the MSP changed since it was last opened
    event: Mapping[str, Style]  # a timeline entry's label and bar, by label


DARK = Palette(
    priority={
        Priority.LOW: Style(color="#87D75F"),
        Priority.MEDIUM: Style(color="#FFD75F"),
        Priority.HIGH: Style(color="#FF875F", bold=True),
        Priority.CRITICAL: WHITE_ON_RED,
    },
    status={
        Status.OPEN: Style(color="#5FD7FF"),
        Status.IN_PROGRESS: Style(color="#D787FF", bold=True),
        Status.WAITING_ON_CLIENT: BLACK_ON_YELLOW,
        Status.WAITING_ON_VENDOR: Style(color="#FFAF00"),
        Status.RESOLVED: Style(color="#87FF87", bold=True),
        Status.CLOSED: Style(color="#A8A8A8"),
    },
    changed=Style(color="#5FD7FF", bold=True),
    event={
        "msp comment": Style(color="#5FD7FF", bold=True),
        "client comment": Style(color="#87D75F", bold=True),
        "status change": Style(color="#FFD75F", bold=True),
        "assignment": Style(color="#D787FF", bold=True),
        "rating": Style(color="#FFAF00", bold=True),
    },
)

LIGHT = Palette(
    priority={
        Priority.LOW: Style(color="#5F5F5F"),
        Priority.MEDIUM: Style(color="#875F00"),
        Priority.HIGH: Style(color="#AF0000", bold=True),
        Priority.CRITICAL: WHITE_ON_RED,
    },
    status={
        Status.OPEN: Style(color="#0050B3"),
        Status.IN_PROGRESS: Style(color="#AF00AF", bold=True),
        Status.WAITING_ON_CLIENT: BLACK_ON_YELLOW,
        Status.WAITING_ON_VENDOR: Style(color="#875F00"),
        Status.RESOLVED: chip("#000000", "#87D787", bold=True),
        Status.CLOSED: Style(color="#5F5F5F"),
    },
    changed=Style(color="#0050B3", bold=True),
    event={
        "msp comment": Style(color="#0050B3", bold=True),
        "client comment": Style(color="#1F1F1F", bold=True),
        "status change": Style(color="#875F00", bold=True),
        "assignment": Style(color="#AF00AF", bold=True),
        "rating": Style(color="#AF0000", bold=True),
    },
)

PALETTES: Mapping[str, Palette] = {DARK_THEME.name: DARK, LIGHT_THEME.name: LIGHT}


def palette_for(theme: Theme) -> Palette:
    """The palette of one of the app's themes; for any other (Textual's own, chosen in the
    command palette) the app's palette for a background as dark or as light."""
    return PALETTES.get(theme.name) or (DARK if theme.dark else LIGHT)
