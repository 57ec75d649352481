"""An Input (and, in widgets/text_entry_area.py, a TextArea) that shows control characters as
visible symbols while keeping them in the value: pasted text holding ESC or NUL must never reach
the terminal raw, and what the user pasted is still exactly what the form checks (and refuses,
naming the field, where it must).

Each control character becomes one visible character of one cell (U+2400 "control pictures",
`␛` for ESC), so the cursor stays where the value says it is.

A field for long text (a comment, a description, a reason) may be written in the user's own
editor: `ctrl+e` asks the app (EditInEditor), which owns the terminal, and the text that comes
back replaces the field's, the cursor at its end. It replaces ctrl+e's "end of line" (`end` does
that still).
"""

from __future__ import annotations

from typing import ClassVar, Protocol

from rich.highlighter import Highlighter
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Input

_PICTURES = {code: 0x2400 + code for code in range(0x20)}
_PICTURES[0x7F] = 0x2421  # ␡
_PICTURES.update({code: 0xFFFD for code in range(0x80, 0xA0)})  # C1 has no pictures


def with_pictures(value: str, *, keep_layout: bool = False) -> str:
    table = {k: v for k, v in _PICTURES.items() if k not in (0x09, 0x0A)} if keep_layout else _PICTURES
    return value.translate(table)


class ControlPictures(Highlighter):
    def highlight(self, text: Text) -> None:
        pictured = with_pictures(text.plain)
        if pictured != text.plain:
            text.plain = pictured


EDITOR_BINDING = Binding("ctrl+e", "edit_in_editor", "Edit in $EDITOR", id="text.editor")


class EditsOutside(Protocol):
    def put_text(self, text: str) -> None:
        """Replace the field's text with `text` (what the editor gave back), cursor at the end."""


class EditInEditor(Message):
    """`field` asks for its `text` to be written in the user's editor."""

    def __init__(self, field: EditsOutside, text: str, name: str) -> None:
        self.field = field
        self.text = text
        self.name = name  # the field's id: the temporary file is named after it
        super().__init__()


def as_pasted(text: str) -> str:
    """Pasted text as the user copied it: terminals send each line break of a paste as CR."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


class TextInput(Input):
    """A one-line entry whose value may hold anything, shown safely. What it holds stays when it
    gets the focus (the cursor at the end; Textual would select it all, and the first key typed
    would wipe a reopened draft), and a paste goes in whole, every line of it, as pasted: the
    form's check says if the field refuses it, rather than the field keeping only a part."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("highlighter", ControlPictures())
        kwargs.setdefault("select_on_focus", False)
        super().__init__(*args, **kwargs)

    def _on_paste(self, event: events.Paste) -> None:
        # Instead of Input's own handler (which keeps the first line only), not as well as it.
        event.prevent_default()
        event.stop()
        text = as_pasted(event.text)
        if not text:
            return
        if self.selection.is_empty:
            self.insert_text_at_cursor(text)
        else:
            self.replace(text, *self.selection)


class LongTextInput(TextInput):
    """A one-line entry for text that may run long (a reason posted as a comment): `ctrl+e`
    writes it in the user's editor."""

    BINDINGS: ClassVar[list[BindingType]] = [EDITOR_BINDING]

    def action_edit_in_editor(self) -> None:
        self.post_message(EditInEditor(self, self.value, self.id or "text"))

    def put_text(self, text: str) -> None:
        self.value = text
        self.cursor_position = len(text)
