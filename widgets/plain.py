"""Text a ticket carries, made safe to show: never markup, never a terminal control sequence.

Subjects and comments come from other people. They are shown exactly as written, so every
control character (C0, ESC, DEL, C1) is replaced with a visible escape such as `\\x1b`, and
the result is always a `rich.text.Text` built from the plain string, never parsed as markup.
"""

from __future__ import annotations

import re

from rich.style import Style
from rich.text import Text

# Tab and newline are layout, not control, in multi-line bodies; everything else is escaped.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL_ONE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _escape(match: re.Match[str]) -> str:
    return f"\\x{ord(match.group()):02x}"


def visible(value: str, *, one_line: bool = False) -> str:
    """The string with control characters spelled out (`\\x1b`), so they show and do nothing."""
    pattern = _CONTROL_ONE_LINE if one_line else _CONTROL
    return pattern.sub(_escape, value)


def plain_text(value: str, style: Style | str = "", *, one_line: bool = False) -> Text:
    """A `Text` of the value as written: no markup, no control sequences."""
    return Text(visible(value, one_line=one_line), style=style, end="")
