"""Issue 6, point 4, as a test: the load benchmark's quick run (20 clients) keeps its integrity —
no error but 429, no write lost or doubled, every feed complete. Its speed is only printed."""

from __future__ import annotations

import pytest

from bench import load


@pytest.mark.slow
def test_the_quick_load_run_loses_and_doubles_nothing(capsys):
    integrity = load.main(["--quick"])
    printed = capsys.readouterr().out
    assert integrity.ok, printed
    assert integrity.errors == [] and integrity.lost == integrity.doubled == integrity.feed_missing == 0
    assert integrity.unfinished == 0, "nothing stays queued when the budget suffices"
    assert integrity.feeds_checked == load.CLIENTS // 10 + 1, "every client's last sync came after all writes"
    assert "p99 latency" in printed and "integrity: OK" in printed
