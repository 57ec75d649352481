"""One of a few choices on one line, chosen by keys alone: ←/→ step through them, letters typed
jump to the first choice with a word starting so (`ven` → "Waiting on vendor"), a click steps
on. There is no list to open: a choice is made by the key that makes it, so keys typed ahead
in one burst (a paste, a fast typist over SSH) land as typed — a drop-down's list takes its
choice back to the field a message later, after the next key may already have acted."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import ClassVar

from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from widgets.guarded import Guarded


class ChoiceField(Guarded, Widget, can_focus=True):
    DEFAULT_CSS = """
    ChoiceField { height: 1; width: 1fr; padding: 0 1; background: $boost; }
    ChoiceField:focus { background: $primary 40%; text-style: bold; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left", "step(-1)", "Previous choice", show=False, id="choice.previous"),
        Binding("right", "step(1)", "Next choice", show=False, id="choice.next"),
    ]

    index: reactive[int] = reactive(0)

    class Changed(Message):
        def __init__(self, field: ChoiceField) -> None:
            self.field = field
            super().__init__()

    def __init__(
        self, choices: Sequence[tuple[str, Hashable]], value: Hashable = None, *, id: str | None = None
    ) -> None:
        """`choices`: (label, value) pairs; `value` the one chosen first (else the first)."""
        super().__init__(id=id)
        self.choices = list(choices)
        values = [v for _, v in self.choices]
        self.set_reactive(ChoiceField.index, values.index(value) if value in values else 0)
        self._typed = ""  # the letters typed so far, to jump by

    @property
    def value(self) -> Hashable:
        return self.choices[self.index][1]

    def render(self) -> Text:
        return Text.assemble(("‹ ", "dim"), self.choices[self.index][0], (" ›", "dim"))

    def watch_index(self) -> None:
        self.post_message(self.Changed(self))

    def action_step(self, step: int) -> None:
        self._typed = ""
        self.index = (self.index + step) % len(self.choices)

    def on_click(self) -> None:
        self.action_step(1)

    def on_blur(self) -> None:
        self._typed = ""

    def on_key(self, event: events.Key) -> None:
        if not (event.character and event.character.isprintable()):
            return
        event.stop()
        event.prevent_default()
        for typed in (self._typed + event.character, event.character):
            found = self._starting(typed)
            if found is not None:
                self._typed = typed
                self.index = found
                return
        self._typed = ""
        self.app.bell()

    def _starting(self, typed: str) -> int | None:
        """The first choice whose label, or a word of it, starts with `typed` (any case)."""
        wanted = typed.casefold()
        for n, (label, _) in enumerate(self.choices):
            words = label.casefold()
            if words.startswith(wanted) or any(word.startswith(wanted) for word in words.split()):
                return n
        return None
