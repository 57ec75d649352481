"""The command palette offers the app's own actions, each once: those the current screen, its
focused widget and the app have a binding for. Textual's generic bindings (scrolling, focus
moves) and bindings marked `system` (keys such as j/k, not commands) are left out. On the board
it offers each saved view too ("View: NAME")."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from functools import partial

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode

from cache.views import View
from screens.board import BoardScreen
from widgets.plain import visible


def _own(node: DOMNode, binding: Binding) -> bool:
    """Declared by this app's code, not inherited from one of Textual's classes."""
    for cls in type(node).__mro__:
        if cls.__module__.startswith("textual.") or cls.__module__ == "textual":
            continue
        for declared in cls.__dict__.get("BINDINGS", ()):
            if isinstance(declared, Binding) and (declared.action, declared.description) == (
                binding.action,
                binding.description,
            ):
                return True
    return False


class _Listed(Provider):
    """A provider of a short list: each of its `_actions` is (its name, a line of help, what it runs)."""

    def _actions(self) -> Iterator[tuple[str, str, Callable[[], object]]]:
        raise NotImplementedError

    async def discover(self) -> Hits:
        for name, help_text, run in self._actions():
            yield DiscoveryHit(name, run, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, run in self._actions():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), run, help=help_text)


class ActionsProvider(_Listed):
    def _actions(self):
        seen = set()
        for active in self.screen.active_bindings.values():
            binding = active.binding
            name = binding.tooltip or binding.description
            if not name or name in seen or not active.enabled or binding.system or not _own(active.node, binding):
                continue
            seen.add(name)
            yield (
                name,
                f"key: {binding.key_display or binding.key}",
                partial(self.app.run_action, binding.action, active.node),
            )


class ViewsProvider(_Listed):
    """Each saved view as "View: NAME", read (off the event loop) as the palette opens."""

    async def startup(self) -> None:
        self._views: dict[str, View] = {}
        board = self.screen
        if isinstance(board, BoardScreen) and board.services.views is not None:
            try:
                self._views = await asyncio.to_thread(board.services.views.load)
            except (ValueError, OSError):
                pass  # the board's `v` says what is wrong with the file

    def _actions(self):
        for name, view in self._views.items():
            yield (
                f"View: {visible(name, one_line=True)}",
                visible(view.in_words(), one_line=True),
                partial(self.screen.recall_view, name, view),
            )
