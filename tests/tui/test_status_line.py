"""The board's status line ends with the markers' legend when it has room: after " · ", whole,
never past the line; a status too long for both shows alone, and one longer than the line is
cut with "…" (it was wrapped, its end hidden on a second line the status line does not have)."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult
from textual.reactive import reactive

from screens.board import MARKER_LEGEND
from widgets.sync_line import LEGEND_SEPARATOR, SyncLine

WIDTH = 80
ROOM = WIDTH - 2  # inside the line's padding


class OneLine(App):
    """The line alone, fed as the app feeds it (its `sync_text`)."""

    sync_text: reactive[Text] = reactive(Text(""), always_update=True)

    def compose(self) -> ComposeResult:
        yield SyncLine(legend=MARKER_LEGEND)


async def test_the_legend_follows_a_separator_whole_or_not_at_all() -> None:
    app = OneLine()
    async with app.run_test(size=(WIDTH, 3)) as pilot:
        legend = LEGEND_SEPARATOR + MARKER_LEGEND
        for length in range(10, ROOM + 5):
            status = Text("synced 1 min ago · next in 4 min 59 s · 3 changes · a to see"[:length].ljust(length, "s"))
            app.sync_text = status
            await pilot.pause()
            line = app.screen._compositor.render_strips()[0].text
            assert len(line) == WIDTH
            fits = length + len(legend) <= ROOM
            assert (f"{status.plain}{legend}" in line) is fits, (length, line)
            if not fits:  # the status alone, cut with "…" where it is longer than the line
                assert "●" not in line, (length, line)
                shown = status.plain if length <= ROOM else status.plain[: ROOM - 1] + "…"
                assert line == f" {shown} ".ljust(WIDTH), (length, line)
