"""The wire benchmark's baseline (bench/wire.py): a stock Textual `DataTable` of 1,000 ticket-like
rows with a row cursor, and a Footer, as small as such a board gets. Run as a script by the same
Python as the board."""

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer

ROWS = 1_000
SUBJECTS = ["Outlook keeps asking for my password", "VPN drops every 10 minutes", "Printer jams on tray 2"]
STATUSES = ["Open", "In Progress", "Waiting on you", "Resolved"]


class DataTableBoard(App):
    def compose(self) -> ComposeResult:
        yield DataTable(cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("ID", "Subject", "Category", "Priority", "Created", "Status")
        table.add_rows(
            (f"#{n}", SUBJECTS[n % 3], "Hardware", "Medium", f"2026-11-{1 + n % 28:02d}", STATUSES[n % 4])
            for n in range(1, ROWS + 1)
        )
        table.focus()


if __name__ == "__main__":
    DataTableBoard().run()
