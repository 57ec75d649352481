"""The multi-line entry of the forms: a TextArea that shows control characters as visible
symbols while keeping them in the text (see widgets/text_entry.py). Apart from the one-line
entry, which the board needs for its first paint: Textual's TextArea is loaded with a form."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events
from textual.binding import BindingType
from textual.widgets import TextArea

from widgets.text_entry import EDITOR_BINDING, EditInEditor, as_pasted, with_pictures


class TextEntryArea(TextArea):
    """A multi-line entry whose text may hold anything, shown safely. Text it starts with (a
    reopened draft) is continued, not overwritten: the cursor starts at its end. `ctrl+e`
    writes it in the user's editor."""

    BINDINGS: ClassVar[list[BindingType]] = [EDITOR_BINDING]

    def on_mount(self) -> None:
        self.move_cursor(self.document.end)

    def action_edit_in_editor(self) -> None:
        self.post_message(EditInEditor(self, self.text, self.id or "text"))

    def put_text(self, text: str) -> None:
        # An edit, not a new document: ctrl+z brings back the text from before the editor.
        self.replace(text, self.document.start, self.document.end)
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
