"""Text a ticket carries, made safe to show: never markup, never a terminal control sequence.

Subjects and comments come from other people. They are shown exactly as written, so every
control character (C0, ESC, DEL, C1) is replaced with a visible escape such as `\\x1b`, and
the result is always a `rich.text.Text` built from the plain string, never parsed as markup.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text

from portal.visible_text import visible

__all__ = ["plain_text", "visible"]


def plain_text(value: str, style: Style | str = "", *, one_line: bool = False) -> Text:
    """A `Text` of the value as written: no markup, no control sequences."""
    return Text(visible(value, one_line=one_line), style=style, end="")
