"""`widgets.when.span`: a measured span in its two largest units, as the Stats figures show it."""

import pytest

from widgets.when import span


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (0, "0 s"),
        (-5, "0 s"),  # a clock skew never shows as a negative span
        (40.9, "40 s"),
        (60, "1 min"),
        (35 * 60 + 59, "35 min"),
        (3600, "1 h"),
        (3 * 3600 + 5 * 60, "3 h 5 min"),
        (86400, "1 d"),
        (2 * 86400 + 4 * 3600 + 59 * 60, "2 d 4 h"),
        (400 * 86400, "400 d"),
    ],
)
def test_span(seconds: float, shown: str) -> None:
    assert span(seconds) == shown
