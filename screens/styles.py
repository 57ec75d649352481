"""Every screen's style sheet, read before that screen first opens.

Textual reads a screen's `CSS_PATH` the first time that screen opens, and then parses every
style sheet again (the widgets' defaults included, from scratch) and restyles every widget of
every screen: some 20-40 ms on the key that opened it (`bench.keys`). So the app reads the
board's sheet with its own, and the other screens' sheets right after the board's first paint
(`TicketsApp`): the screen then finds its sheet already there and nothing is parsed again. The
other sheets' rules name only their own screens, so the board's widgets need no restyle when
they come; parsed before the first paint, they cost it some 3 ms (`bench.launch`).
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
AT_START: tuple[Path, ...] = (HERE / "board.tcss",)
AFTER_FIRST_PAINT: tuple[Path, ...] = tuple(
    HERE / name
    for name in (
        "detail.tcss",
        "forms.tcss",
        "activity.tcss",
        "stats.tcss",
        "new_ticket.tcss",
        "login.tcss",
    )
)
