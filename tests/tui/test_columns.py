"""The board's columns at the widths that matter (issue 13 item 7): at 80 columns the subject
keeps 30 cells and Category stays (Status in its short words); at 60 nothing overflows and the
ticket number, subject and status stay; wider terminals give the room to the subject; and the
header and the rows are cut at the same cells, wide characters included."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.cells import cell_len

from cache.model import SortColumn
from portal.schema import STATUS_LABELS, STATUS_SHORT_LABELS, Status
from tests.tui.conftest import fixed_tui, screen_text
from tests.tui.fixed_world import fixed_mirror, fixed_ticket
from widgets.ticket_table import (
    CATEGORY,
    GAP,
    ID,
    STATUS,
    STATUS_SHORT,
    SUBJECT,
    SUBJECT_MIN,
    TicketTable,
    columns_for,
)

EVERY_SORT = list(SortColumn)
WIDTHS = range(60, 251)


def titles(width: int, with_submitter: bool, sort: SortColumn) -> dict[str, int]:
    return {column.title: cells for column, cells in columns_for(width, with_submitter, sort)}


def used(width: int, with_submitter: bool, sort: SortColumn) -> int:
    columns = columns_for(width, with_submitter, sort)
    return sum(cells for _, cells in columns) + GAP * (len(columns) - 1)


@pytest.mark.parametrize("with_submitter", [False, True])
@pytest.mark.parametrize("sort", EVERY_SORT)
@pytest.mark.parametrize("width", [79, 80])  # 79: the table beside its scrollbar
def test_at_80_columns_the_subject_keeps_30_cells_and_category_stays(
    width: int, sort: SortColumn, with_submitter: bool
) -> None:
    shown = titles(width, with_submitter, sort)
    assert shown[SUBJECT.title] >= SUBJECT_MIN == 30
    assert CATEGORY.title in shown
    assert used(width, with_submitter, sort) == width


@pytest.mark.parametrize("with_submitter", [False, True])
@pytest.mark.parametrize("sort", EVERY_SORT)
def test_nothing_overflows_and_the_number_subject_and_status_stay(sort: SortColumn, with_submitter: bool) -> None:
    for width in WIDTHS:
        assert used(width, with_submitter, sort) == width, width  # filled exactly, never past
        shown = titles(width, with_submitter, sort)
        assert {ID.title, SUBJECT.title, STATUS.title} <= set(shown), width


@pytest.mark.parametrize("with_submitter", [False, True])
def test_at_60_columns_the_subject_still_reads(with_submitter: bool) -> None:
    for width in (59, 60):
        for sort in EVERY_SORT:
            assert titles(width, with_submitter, sort)[SUBJECT.title] >= 28, (width, sort)


@pytest.mark.parametrize("with_submitter", [False, True])
def test_the_sorted_column_is_shown_wherever_it_can_be(with_submitter: bool) -> None:
    headings = {SortColumn.CREATED: "Created", SortColumn.UPDATED: "Updated", SortColumn.CATEGORY: "Category"}
    headings |= {SortColumn.PRIORITY: "Priority", SortColumn.STATUS: "Status", SortColumn.ID: "ID"}
    if with_submitter:
        headings[SortColumn.SUBMITTED_BY] = "Submitted by"
    for width in WIDTHS:
        for sort, heading in headings.items():
            assert heading in titles(width, with_submitter, sort), (width, sort)


@pytest.mark.parametrize("with_submitter", [False, True])
def test_wider_terminals_give_the_subject_the_room(with_submitter: bool) -> None:
    every_column = titles(250, with_submitter, SortColumn.CREATED).keys()
    for width in range(130, 250):
        now, wider = (
            titles(width, with_submitter, SortColumn.CREATED),
            titles(width + 1, with_submitter, SortColumn.CREATED),
        )
        assert now.keys() == every_column
        assert wider[SUBJECT.title] == now[SUBJECT.title] + 1
        assert {k: v for k, v in wider.items() if k != SUBJECT.title} == {
            k: v for k, v in now.items() if k != SUBJECT.title
        }
    assert titles(200, with_submitter, SortColumn.CREATED)[SUBJECT.title] >= 100


def test_the_short_status_words_fit_their_column_and_name_one_status_each() -> None:
    assert set(STATUS_SHORT_LABELS) == set(Status)
    assert len(set(STATUS_SHORT_LABELS.values())) == len(Status)
    assert max(cell_len(words) for words in STATUS_SHORT_LABELS.values()) <= STATUS_SHORT.width
    assert max(cell_len(words) for words in STATUS_LABELS.values()) <= STATUS.width
    # each short label starts as its full label does, so one reads as the other
    for status, short in STATUS_SHORT_LABELS.items():
        assert STATUS_LABELS[status].casefold().startswith(short.split()[0].casefold())


WIDE_SUBJECT = "打印机卡纸 — 三楼的打印机每次双面打印都卡纸，请尽快处理"


@pytest.mark.parametrize("size", [(60, 20), (80, 24), (120, 40), (200, 50)])
async def test_header_and_rows_are_cut_at_the_same_cells(tmp_path: Path, size: tuple[int, int]) -> None:
    tickets = [fixed_ticket(1, subject=WIDE_SUBJECT), fixed_ticket(2, status=Status.WAITING_ON_VENDOR), fixed_ticket(3)]
    mirror = fixed_mirror(tmp_path, tickets, events_per_ticket=0)
    async with fixed_tui(mirror, size=size) as (app, _pilot):
        table = app.screen.query_one(TicketTable)
        lines = screen_text(app).splitlines()
        header = next(n for n, line in enumerate(lines) if " Subject" in line and "Status" in line)
        rows = lines[header + 1 : header + 4]
        assert all("#100" in row for row in rows)
        # where each column starts, in cells, from the layout the table paints with
        starts, left = [], 0
        for column, cells in table._layout():
            starts.append((column, left))
            left += cells + GAP
        for column, start in starts[1:]:
            for line in (lines[header], *rows):
                before = _cells_before(line, start)
                assert before.endswith(" " * GAP), (column.title, line)
        layout = dict(starts)
        status = STATUS_SHORT if STATUS_SHORT in layout else STATUS
        assert _text_from(lines[header], layout[status]).startswith("Status")
        vendor = (STATUS_SHORT_LABELS if status is STATUS_SHORT else STATUS_LABELS)[Status.WAITING_ON_VENDOR]
        assert any(_text_from(row, layout[status]).startswith(vendor) for row in rows)
        wide = next(row for row in rows if "打印机" in row)
        assert _text_from(wide, layout[status]).strip() != ""  # the wide subject did not push it out


def _cells_before(line: str, cells: int) -> str:
    """The start of `line` that fills `cells` cells (wide characters count two)."""
    taken, width = [], 0
    for character in line:
        if width >= cells:
            break
        taken.append(character)
        width += cell_len(character)
    return "".join(taken)


def _text_from(line: str, cells: int) -> str:
    return line[len(_cells_before(line, cells)) :]


def test_a_date_short_of_room_reads_like_the_full_one() -> None:
    from datetime import UTC, datetime

    from widgets.when import date_only, short_date

    now = datetime(2026, 11, 30, 12, tzinfo=UTC)
    this_year, last_year = datetime(2026, 3, 14, 12, tzinfo=UTC), datetime(2025, 12, 24, 12, tzinfo=UTC)
    assert date_only(this_year).endswith(short_date(this_year, now))  # 03-14
    assert date_only(last_year).startswith(short_date(last_year, now))  # 2025-12
    assert {len(short_date(this_year, now)), len(short_date(last_year, now))} <= {5, 7}
