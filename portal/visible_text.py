"""The one gate between text from elsewhere and a terminal: `visible`.

Subjects, comments, names, error sentences — anything a portal or a person wrote — may carry
control sequences: OSC 52 writes the clipboard, OSC 0 the window title, OSC 8 hides a link,
CSI moves the cursor or clears the screen, and C1 bytes (`\\x9b` is CSI) do the same in one
character. Every such character (C0 but tab and newline, ESC, DEL, C1) is spelt out (`\\x1b`),
so it shows and does nothing. The board (widgets/plain.py) and the CLI (tui/cli/output.py) both
write through here. No Textual or Rich: the lowest layer, so every layer may use it.
"""

from __future__ import annotations

import re

# Tab and newline are layout, not control, in multi-line bodies; everything else is escaped.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL_ONE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _escape(match: re.Match[str]) -> str:
    return f"\\x{ord(match.group()):02x}"


def visible(value: str, *, one_line: bool = False) -> str:
    """The string with control characters spelled out (`\\x1b`), so they show and do nothing."""
    pattern = _CONTROL_ONE_LINE if one_line else _CONTROL
    return pattern.sub(_escape, value)
