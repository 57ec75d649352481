"""Nothing a handler raises ends the app or silences a widget.

Textual ends the app on an exception in a message handler, and the widget's message loop stops
there. A class that takes `Guarded` first among its bases hands such an exception to the app's
one error path (`report_failure(what, error)`, where the app has one), which shows it as a
notice; the widget goes on handling what comes next."""

from __future__ import annotations

import asyncio

from textual.message import Message


class Guarded:
    async def _on_message(self, message: Message) -> None:
        try:
            await super()._on_message(message)  # type: ignore[misc]
        except asyncio.CancelledError:
            raise
        except Exception as error:
            report = getattr(self.app, "report_failure", None)  # type: ignore[attr-defined]
            if report is None:
                raise
            report(f"handling {_what(message)}", error)


def _what(message: Message) -> str:
    """The message in words: "the key s", "a click", "Opened"."""
    key = getattr(message, "key", None)
    if isinstance(key, str):
        return f"the key {key}"
    return message.__class__.__name__.lower()
