"""A long read-only document on the Line API: only the lines on screen are painted.

A ticket's detail can carry a thousand timeline events; one `Static` holding all of them costs
seconds to lay out. Here the document is a list of blocks, wrapped to the width once (plain
`textwrap`, fast) into `Strip`s, and `render_line` just indexes them.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from rich.console import RenderableType
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from widgets.guarded import Guarded
from widgets.scroll_keys import SCROLL_BINDINGS, Jumps

PLAIN = Style.null()


@dataclass(frozen=True)
class Para:
    """Plain text (already made visible), wrapped to the width, each line indented and styled."""

    text: str
    style: Style = PLAIN
    indent: int = 0


@dataclass(frozen=True)
class Spans:
    """One line of styled pieces, cut (not wrapped) at the width."""

    parts: tuple[tuple[str, Style], ...]


@dataclass(frozen=True)
class Anchor:
    """No line of its own: marks where the next block starts, so the view can scroll there."""

    key: object


Block = Anchor | Para | Spans | RenderableType


def wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines += textwrap.wrap(
            paragraph, width, replace_whitespace=False, drop_whitespace=True, break_on_hyphens=False
        ) or [""]
    return lines


class DocumentView(Guarded, Jumps, ScrollView, can_focus=True):
    BINDINGS = SCROLL_BINDINGS
    DEFAULT_CSS = """
    DocumentView { overflow-x: hidden; scrollbar-size-vertical: 1; }
    """

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._blocks: list[Block] = []
        self._lines: list[list[Segment]] = []
        self._strips: dict[int, Strip] = {}
        self._laid_out_for = -1
        self._anchors: dict[object, int] = {}  # Anchor key: its line
        self._wanted: object | None = None  # the anchor to scroll to once laid out

    def show(self, blocks: list[Block], *, scroll_to: object | None = None) -> None:
        """Show `blocks`; with `scroll_to`, scrolled to that anchor once laid out (a view not
        sized yet lays out when it is)."""
        self._blocks = blocks
        self._wanted = scroll_to
        self._lay_out(self.scrollable_content_region.width)

    def on_resize(self, event: events.Resize) -> None:
        width = self.scrollable_content_region.width
        if width != self._laid_out_for:
            self._lay_out(width)

    @property
    def text(self) -> str:
        """The whole document as plain text (what a screen reader or a test reads)."""
        return "\n".join("".join(segment.text for segment in line).rstrip() for line in self._lines)

    def _lay_out(self, width: int) -> None:
        """Wrap every block to `width` as lists of segments; a `Strip` is made only for the
        lines painted (see render_line), which is what keeps a 1,000-event ticket fast."""
        if width <= 0:
            return
        self._laid_out_for = width
        self._strips.clear()
        base = self.rich_style
        lines: list[list[Segment]] = []
        anchors: dict[object, int] = {}
        for block in self._blocks:
            if isinstance(block, Anchor):
                anchors[block.key] = len(lines)
            else:
                lines += self._block_lines(block, width, base)
        self._lines = lines
        self._anchors = anchors
        self.virtual_size = Size(width, len(lines))
        self.refresh()
        if self._wanted is not None:
            wanted, self._wanted = self._wanted, None
            # At once, as the anchor's key may not outlive the next layout (a pending comment
            # takes the portal's id when acknowledged, and that read may land before the paint);
            # and again once painted, when a scroll bar that appeared has rewrapped the lines.
            self.scroll_to_anchor(wanted)
            self.call_after_refresh(self.scroll_to_anchor, wanted)

    @property
    def at_end(self) -> bool:
        """Whether the last line is in view (a document shorter than the view always is)."""
        return self.scroll_y >= self.max_scroll_y

    def scroll_to_anchor(self, key: object) -> bool:
        """Scroll so the anchor's line is at the top (or as near as the end allows)."""
        line = self._anchors.get(key)
        if line is None:
            return False
        self.scroll_to(y=min(line, self.max_scroll_y), animate=False, immediate=True)
        return True

    def _block_lines(self, block: Block, width: int, base: Style) -> list[list[Segment]]:
        if isinstance(block, Para):
            pad = Segment(" " * block.indent, base)
            style = base + block.style
            return [[pad, Segment(line, style)] for line in wrap(block.text, max(1, width - block.indent))]
        if isinstance(block, Spans):
            return [[Segment(text, base + style) for text, style in block.parts]]
        options = self.app.console.options.update_width(width)
        return self.app.console.render_lines(block, options, style=base)

    def render_line(self, y: int) -> Strip:
        index = round(self.scroll_y) + y
        width = self.scrollable_content_region.width
        if not 0 <= index < len(self._lines):
            return Strip.blank(width, self.rich_style)
        strip = self._strips.get(index)
        if strip is None:
            strip = Strip(self._lines[index]).crop_extend(0, width, self.rich_style)
            self._strips[index] = strip
        return strip
