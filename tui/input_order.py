"""Terminal input reaches the app in order: one key or paste at a time, each handed over only
once the one before has been handled all the way and the screen it lands on takes input.

Textual hands a key to the widget focused *when the key arrives* and that widget handles it
later, from its own queue. Keys that arrive in one burst (a fast typist over SSH, a paste without
bracketing, a test's `send-keys`) therefore all go to the same widget before a `tab` has moved
the focus, to a screen that has not mounted its fields yet after an `n` or `c`, and a priority
binding such as `ctrl+s` acts before the text typed ahead of it is in the field. Here the app
holds each key and pasted text in a queue and feeds them one by one: it waits until the key has
passed every node it bubbles through (a "ping" queued behind it on each node answers), and,
before the next, until the current screen is mounted, focused and ready (a form with its draft in,
no write under way).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator

from textual import events
from textual.app import App
from textual.dom import DOMNode
from textual.message_pump import MessagePump
from textual.screen import Screen

from widgets.plain import visible

InputEvent = events.Key | events.Paste

# Handlers of a key post messages of their own (Input.Changed, Input.Submitted); a second round
# of pings along the key's path lets those be handled too before the next key.
ROUNDS = 2
NOT_READY_POLL_SECONDS = 0.01


class InputOrder:
    def __init__(self, app: App, ready: Callable[[Screen], bool]) -> None:
        self._app = app
        self._ready = ready
        self._waiting: asyncio.Queue[InputEvent] = asyncio.Queue()
        self._feeding: asyncio.Task | None = None
        self._released: InputEvent | None = None
        self._target: DOMNode | None = None

    def hold(self, event: InputEvent) -> bool:
        """Take `event` to feed it later, in order; False for the one being fed now, which the
        app must route as usual (and tell `routed` where to)."""
        if event is self._released:
            return False
        self._waiting.put_nowait(typed_ahead(event))
        if self._feeding is None or self._feeding.done():
            self._feeding = asyncio.create_task(self._feed(), name="input in order")
        return True

    def routed(self, event: InputEvent, target: DOMNode) -> None:
        """The app sent `event` to `target` (noted for the one being fed only)."""
        if event is self._released:
            self._target = target

    def stop(self) -> None:
        if self._feeding is not None:
            self._feeding.cancel()

    async def _feed(self) -> None:
        settled: Screen | None = None  # the screen the last key was typed into, if that is all it did
        while True:
            event = await self._waiting.get()
            try:
                screen = self._app.screen
                # Text typed into a field changes neither the focus nor the screen: the next key
                # may follow at once, if nothing else made the screen busy meanwhile. Anything
                # else may have (tab, enter, a binding): wait until the app has settled.
                if screen is not settled or not self._ready(screen):
                    await self._until_ready()
                    screen = self._app.screen
                consumed = await self._deliver(event)
                settled = screen if consumed and self._app.screen is screen else None
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - the next key must still arrive
                self._released, settled = None, None
                self._app.notify(
                    f"A key could not be handled in order: {visible(repr(error), one_line=True)}",
                    title="Keyboard",
                    severity="error",
                    markup=False,
                )

    async def _deliver(self, event: InputEvent) -> bool:
        """Hand `event` over and wait until it is handled; True when the widget it went to
        consumed it (typed text) and nothing else will act on it."""
        self._released, self._target = event, None
        self._app.post_message(event)
        await _ping(self._app)  # routed: a priority binding has run, or the key is queued on its target
        self._released = None
        target = self._target
        if target is None:
            return False
        await _ping(target)
        if event._stop_propagation:  # noqa: SLF001 - the widget took it: it bubbles no further
            return True
        for _ in range(ROUNDS):
            for node in _path(target):
                await _ping(node)
        return False

    async def _until_ready(self) -> None:
        while True:
            screen = self._app.screen
            if screen.is_mounted and self._ready(screen):
                # Focus set in on_mount and on resume arrives through these queues.
                await _ping(screen)
                await _ping(self._app)
                if self._app.screen is screen and self._ready(screen):
                    return
            else:
                await asyncio.sleep(NOT_READY_POLL_SECONDS)


def typed_ahead(event: InputEvent) -> InputEvent:
    """What was typed before the app put the terminal in raw mode (right after its start) went
    through the tty's line discipline, which turns the return key's CR into LF: a `:143⏎`
    typed ahead arrives with ctrl+j for its enter. No key of the app is ctrl+j."""
    if isinstance(event, events.Key) and event.key == "ctrl+j":
        return events.Key("enter", "\r")
    return event


def _path(node: DOMNode | None) -> Iterator[MessagePump]:
    """The nodes a key bubbles through from `node`, the app last."""
    while node is not None:
        yield node
        node = node.parent


async def _ping(node: MessagePump) -> None:
    """Return once `node` has handled everything queued on it before this call (or has closed)."""
    answered = asyncio.get_running_loop().create_future()

    def answer() -> None:
        if not answered.done():
            answered.set_result(None)

    if not node.call_later(answer):
        return  # closing: it handles nothing more
    running = node._task  # noqa: SLF001 - a node that closes drops its queue: stop waiting then
    await asyncio.wait([answered, *([running] if running is not None else [])], return_when=asyncio.FIRST_COMPLETED)
    if not answered.done():
        answered.cancel()
