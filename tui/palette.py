"""The command palette offers every action the current screen and the app have a key for."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider


class ActionsProvider(Provider):
    def _actions(self):
        seen = set()
        for active in self.screen.active_bindings.values():
            binding = active.binding
            key = (id(active.node), binding.action)
            if not binding.description or key in seen or not active.enabled:
                continue
            seen.add(key)
            yield binding.description, binding.tooltip or f"key: {binding.key_display or binding.key}", partial(self.app.run_action, binding.action, active.node)

    async def discover(self) -> Hits:
        for name, help_text, run in self._actions():
            yield DiscoveryHit(name, run, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, run in self._actions():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), run, help=help_text)
