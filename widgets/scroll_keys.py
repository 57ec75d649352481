"""The keys of pagers and vi, for everything that scrolls: j/k a line, space and ctrl+d/ctrl+u a
page, g/G the top and the bottom. Each has an id, so the config file's [keymap] can move it; `system` marks them as keys, not
commands (the palette leaves them out). Each key moves the view at once (`Jumps`)."""

from __future__ import annotations

from textual.actions import SkipAction
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


class Jumps:
    """A scrolling widget whose keys move it at once. Textual animates them (`end` on a timeline
    of 1,000 events scrolled for a second); here the next frame shows where the key leads."""

    def _jump(self, scroll) -> None:
        if not self.allow_vertical_scroll:  # type: ignore[attr-defined]
            raise SkipAction()  # the key is someone else's (nothing to scroll here)
        scroll(animate=False)

    def action_scroll_home(self) -> None:
        self._jump(self.scroll_home)  # type: ignore[attr-defined]

    def action_scroll_end(self) -> None:
        self._jump(self.scroll_end)  # type: ignore[attr-defined]

    def action_scroll_up(self) -> None:
        self._jump(self.scroll_up)  # type: ignore[attr-defined]

    def action_scroll_down(self) -> None:
        self._jump(self.scroll_down)  # type: ignore[attr-defined]

    def action_page_up(self) -> None:
        self._jump(self.scroll_page_up)  # type: ignore[attr-defined]

    def action_page_down(self) -> None:
        self._jump(self.scroll_page_down)  # type: ignore[attr-defined]


class KeyedScroll(Jumps, VerticalScroll):
    """A `VerticalScroll` that also answers to j/k/g/G/space/ctrl+d/ctrl+u, at once."""

    BINDINGS = SCROLL_BINDINGS
