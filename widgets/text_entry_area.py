"""The multi-line entry of the forms: a TextArea that shows control characters as visible
symbols while keeping them in the text (see widgets/text_entry.py). Apart from the one-line
entry, which the board needs for its first paint: Textual's TextArea is loaded with a form."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.widgets import TextArea

from widgets.text_entry import as_pasted, with_pictures


class TextEntryArea(TextArea):
    """A multi-line entry whose text may hold anything, shown safely. Text it starts with (a
    reopened draft) is continued, not overwritten: the cursor starts at its end."""

    def on_mount(self) -> None:
        self.move_cursor(self.document.end)

    def _on_paste(self, event: events.Paste) -> None:
        # Textual calls each class's handler, this one first: TextArea's then inserts the text.
        event.text = as_pasted(event.text)

    def get_line(self, line_index: int) -> Text:
        line = super().get_line(line_index)
        pictured = with_pictures(line.plain, keep_layout=True)
        if pictured != line.plain:
            line.plain = pictured
        return line
