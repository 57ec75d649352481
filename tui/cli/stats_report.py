"""What `msp-tickets stats` prints: the Stats screen's figures as a text report for people and as
one stable JSON document for scripts (cache/stats.py defines how each figure is counted).

Durations are seconds in JSON and "2 d 4 h" in text; submitter names are the portal's text, so
they pass the control-character gate before they reach a terminal.
"""

from __future__ import annotations

from typing import Any

from cache.stats import Medians, TicketStats, Week
from portal.vocabulary import PRIORITY_LABELS, STATUS_LABELS
from tui.cli.output import one_line
from widgets.when import span


def _week_name(week: Week) -> str:
    year, number, _ = week.start.isocalendar()
    return f"{year}-W{number:02d}"


def _medians_document(medians: Medians) -> dict[str, Any]:
    return {
        "first_response": {"median_seconds": medians.first_response_seconds, "tickets": medians.first_response_tickets},
        "resolution": {"median_seconds": medians.resolution_seconds, "tickets": medians.resolution_tickets},
    }


def stats_document(stats: TicketStats, *, stale: bool) -> dict[str, Any]:
    """`{as_of, weeks: [{week, start, opened, resolved}], open: {total, by_priority, by_status},
    first_response, resolution, by_submitter, stale}`; `by_submitter` is null unless the user is
    a company admin, else `[{id, name, open, opened, resolved, first_response, resolution}]`."""
    return {
        "as_of": stats.now,
        "weeks": [
            {"week": _week_name(w), "start": w.start.isoformat(), "opened": w.opened, "resolved": w.resolved}
            for w in stats.weeks
        ],
        "open": {
            "total": stats.open_total,
            "by_priority": {p.value: n for p, n in stats.open_by_priority.items()},
            "by_status": {s.value: n for s, n in stats.open_by_status.items()},
        },
        **_medians_document(stats.medians),
        "by_submitter": None
        if stats.by_submitter is None
        else [
            {
                "id": row.submitter_id,
                "name": row.name,
                "open": row.open_now,
                "opened": row.opened,
                "resolved": row.resolved,
                **_medians_document(row.medians),
            }
            for row in stats.by_submitter
        ],
        "stale": stale,
    }


def _median(seconds: float | None) -> str:
    return span(seconds) if seconds is not None else "-"


def _median_line(what: str, seconds: float | None, tickets: int) -> str:
    if seconds is None:
        return f"{what}: none in these 12 weeks"
    return f"{what}: {span(seconds)} median, over {tickets} ticket{'' if tickets == 1 else 's'}"


def _columns(lines: list[list[str]], right_from: int = 1) -> list[str]:
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    return [
        "  ".join(
            cell.rjust(w) if i >= right_from else cell.ljust(w) for i, (cell, w) in enumerate(zip(line, widths))
        ).rstrip()
        for line in lines
    ]


def stats_text(stats: TicketStats) -> str:
    first, last = stats.weeks[0], stats.weeks[-1]
    by_priority = ", ".join(f"{PRIORITY_LABELS[p]} {n}" for p, n in stats.open_by_priority.items())
    by_status = ", ".join(f"{STATUS_LABELS[s]} {n}" for s, n in stats.open_by_status.items())
    lines = [
        f"The 12 weeks {_week_name(first)} to {_week_name(last)} (from {first.start.isoformat()}), from the local copy",
        "",
        f"Open now: {stats.open_total} ({by_priority})",
        f"  {by_status}",
        _median_line("First MSP response", stats.medians.first_response_seconds, stats.medians.first_response_tickets),
        _median_line("Resolution", stats.medians.resolution_seconds, stats.medians.resolution_tickets),
        "",
    ]
    weeks = [["WEEK", "STARTS", "OPENED", "RESOLVED"]]
    weeks += [[_week_name(w), w.start.isoformat(), str(w.opened), str(w.resolved)] for w in stats.weeks]
    lines += _columns(weeks, right_from=2)
    if stats.by_submitter is not None:
        people = [["SUBMITTED BY", "OPEN", "OPENED", "RESOLVED", "1ST RESPONSE", "RESOLUTION"]]
        people += [
            [
                one_line(row.name),
                str(row.open_now),
                str(row.opened),
                str(row.resolved),
                _median(row.medians.first_response_seconds),
                _median(row.medians.resolution_seconds),
            ]
            for row in stats.by_submitter
        ]
        lines += ["", *_columns(people)]
    return "\n".join(lines)
