"""Every screen's style sheet, loaded with the app's own at its start. Textual loads a screen's
`CSS_PATH` the first time that screen opens, and then parses every style sheet again (the
widgets' defaults included, from scratch) and restyles every widget of every screen: some
20-40 ms on the key that opened it (`bench.keys`). Loaded at the start, the screen finds its
sheet already there and nothing is parsed again."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
SCREEN_STYLES: tuple[Path, ...] = tuple(
    HERE / name
    for name in (
        "board.tcss",
        "detail.tcss",
        "forms.tcss",
        "activity.tcss",
        "stats.tcss",
        "new_ticket.tcss",
        "login.tcss",
    )
)
