"""The keys of pagers and vi, for everything that scrolls: j/k a line, space and ctrl+d/ctrl+u a
page, g/G the top and the bottom. Each has an id, so the config file's [keymap] can move it; `system` marks them as keys, not
commands (the palette leaves them out)."""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import VerticalScroll

SCROLL_BINDINGS = [
    Binding("k", "scroll_up", "Up", show=False, system=True, id="scroll.up"),
    Binding("j", "scroll_down", "Down", show=False, system=True, id="scroll.down"),
    Binding("space,ctrl+d", "page_down", "Page down", show=False, system=True, id="scroll.page_down"),
    Binding("ctrl+u", "page_up", "Page up", show=False, system=True, id="scroll.page_up"),
    Binding("g", "scroll_home", "Top", show=False, system=True, id="scroll.top"),
    Binding("G", "scroll_end", "Bottom", show=False, system=True, id="scroll.bottom"),
]


class KeyedScroll(VerticalScroll):
    """A `VerticalScroll` that also answers to j/k/g/G/space/ctrl+d/ctrl+u."""

    BINDINGS = SCROLL_BINDINGS
