"""`y` copies a ticket's reference to the terminal's clipboard (OSC 52, Textual's
`App.copy_to_clipboard`), only when the user asks: `#143 ACM-1143 — Printer jams` — the
portal's number, the PSA id once there is one, and the subject, so that it reads on its own
pasted into a mail or a chat. The PSA id and the subject are someone else's text: they pass the
control-character gate first, so the copy can carry no escape sequence."""

from __future__ import annotations

from textual.app import App

from cache.model import TicketRow
from widgets.plain import visible


def ticket_reference(row: TicketRow) -> str | None:
    """The reference to copy; None for a ticket only in the outbox (it has no number yet)."""
    if row.id < 0:
        return None
    psa = f" {visible(row.psa_ticket_id, one_line=True)}" if row.psa_ticket_id else ""
    return f"#{row.id}{psa} — {visible(row.subject, one_line=True)}"


def copy_reference(app: App, row: TicketRow | None) -> None:
    if row is None:
        return  # the row is still being read: nothing under the cursor to copy yet
    reference = ticket_reference(row)
    if reference is None:
        app.notify("This ticket is not on the portal yet: it has no number to copy.", severity="warning")
        return
    app.copy_to_clipboard(reference)
    app.notify(f"Copied to the clipboard: {reference}", title="Copied", markup=False, timeout=4)
