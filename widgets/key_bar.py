"""The keys of the screen in force, on one line at the bottom: what Textual's `Footer` shows (the
same keys, descriptions, order and colours, the command palette's key on the right, a click on
a key runs it), painted as one line of text by one widget. Textual's Footer is a container of one
widget per key and builds them all again whenever the bindings change (each focus change, each
screen): styling and laying out a dozen new widgets on the key that moved the focus. This bar
works out its keys again on that change and is painted again only when they changed.

Binding groups (`Binding.Group`, shown by Footer as several keys and one description) are not
drawn as groups: the app has none."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar, NamedTuple

from rich.style import Style
from rich.text import Text
from textual import events
from textual.widget import Widget

if TYPE_CHECKING:
    from textual.app import App
    from textual.screen import Screen

# Between the keys and the command palette's key: Textual's `vkey` border, as Footer draws it.
DIVIDER = "▏"


class ShownKey(NamedTuple):
    key: str  # the binding's key, as a key press names it
    display: str  # as the bar shows it (the app's `get_key_display`)
    description: str
    enabled: bool  # a disabled key is dimmed, and a click on it rings the bell
    tooltip: str


class KeysShown(NamedTuple):
    """What the bar shows: the keys from the left, and the command palette's on the right."""

    keys: tuple[ShownKey, ...]
    palette: ShownKey | None


def keys_shown(screen: Screen, app: App) -> KeysShown:
    """The keys in force on `screen`, as Footer picks them: those shown (`show=True`), one per
    action (the first bound to it), in the order of the bindings in force (the focused widget's
    first); the command palette's key apart."""
    by_action: dict[str, ShownKey] = {}
    active = screen.active_bindings
    for _node, binding, enabled, tooltip in active.values():
        if binding.show and binding.action not in by_action:
            by_action[binding.action] = ShownKey(
                binding.key, app.get_key_display(binding), binding.description, enabled, tooltip
            )
    palette = None
    if app.ENABLE_COMMAND_PALETTE and app.COMMAND_PALETTE_BINDING in active:
        _node, binding, enabled, _tooltip = active[app.COMMAND_PALETTE_BINDING]
        palette = ShownKey(
            binding.key,
            app.get_key_display(binding),
            binding.description,
            enabled,
            binding.tooltip or binding.description,
        )
    return KeysShown(tuple(by_action.values()), palette)


class BarStyles(NamedTuple):
    base: Style
    key: Style
    description: Style
    hover: Style
    disabled: Style
    divider: Style


class Placed(NamedTuple):
    """A key and the cells it takes on the bar: [start, end)."""

    key: ShownKey
    start: int
    end: int


def _key_text(key: ShownKey, styles: BarStyles, *, hovered: bool, palette: bool) -> Text:
    """One key as Footer draws it: ` key description ` (the palette's, compactly, `key description`)."""
    extra = (styles.hover if hovered else Style()) + (styles.disabled if not key.enabled else Style())
    if not key.description:
        return Text(key.display, styles.key + extra)
    if palette:
        return Text.assemble((key.display, styles.key + extra), (f" {key.description}", styles.description + extra))
    return Text.assemble((f" {key.display} ", styles.key + extra), (f"{key.description} ", styles.description + extra))


def bar_line(shown: KeysShown, width: int, styles: BarStyles, hovered: ShownKey | None) -> tuple[Text, list[Placed]]:
    """The bar's line, `width` cells wide, and where each key is on it. The palette's key stays
    whole on the right; the others are cut where they meet it, as Footer's are."""
    right = Text()
    if shown.palette is not None:
        right = Text.assemble(
            (DIVIDER, styles.divider),
            _key_text(shown.palette, styles, hovered=shown.palette == hovered, palette=True),
            (" ", styles.base),
        )
    room = max(0, width - right.cell_len)
    left, placed = Text(), []
    for key in shown.keys:
        start = left.cell_len
        left.append_text(_key_text(key, styles, hovered=key == hovered, palette=False))
        placed.append(Placed(key, start, min(left.cell_len, room)))
    left.truncate(room, pad=True)
    left.stylize_before(styles.base)
    if shown.palette is not None:
        placed.append(Placed(shown.palette, room + len(DIVIDER), width))
    line = Text.assemble(left, right, no_wrap=True, end="")
    return line, [where for where in placed if where.start < where.end]


def key_at(placed: Iterable[Placed], x: int) -> ShownKey | None:
    return next((where.key for where in placed if where.start <= x < where.end), None)


class KeyBar(Widget, can_focus=False):
    """The screen's keys at its bottom; a click on one presses it."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "key-bar--key",
        "key-bar--description",
        "key-bar--hover",
        "key-bar--disabled",
        "key-bar--divider",
    }
    # Footer's colours (its own, and its FooterKey's).
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
    }
    KeyBar > .key-bar--key {
        color: $footer-key-foreground;
        background: $footer-key-background;
        text-style: bold;
    }
    KeyBar > .key-bar--description {
        color: $footer-description-foreground;
        background: $footer-description-background;
    }
    KeyBar > .key-bar--hover { background: $block-hover-background; }
    KeyBar > .key-bar--disabled { text-style: dim; }
    KeyBar > .key-bar--divider { color: $foreground 20%; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._shown = KeysShown((), None)
        self._placed: list[Placed] = []
        self._hovered: ShownKey | None = None

    @property
    def shown(self) -> KeysShown:
        return self._shown

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen) -> None:
        if not self.app.app_focus:
            # Out of focus, Textual takes the focus away (and the focused widget's keys with
            # it) until the terminal is in front again: the bar keeps what it showed, as
            # Textual's Footer does, rather than changing twice on every switch of window.
            return
        shown = keys_shown(screen, self.app)
        if shown != self._shown:
            self._shown = shown
            self.refresh()

    def _styles(self) -> BarStyles:
        def partial(name: str) -> Style:
            return self.get_component_rich_style(name, partial=True)

        base = self.rich_style
        return BarStyles(
            base,
            base + partial("key-bar--key"),
            base + partial("key-bar--description"),
            Style(bgcolor=self.get_component_rich_style("key-bar--hover").bgcolor),  # blended, as the divider
            partial("key-bar--disabled"),
            base + self.get_component_rich_style("key-bar--divider"),  # blended: translucent colours
        )

    def render(self) -> Text:
        # Where each key is painted is where the mouse finds it.
        line, self._placed = bar_line(self._shown, self.size.width, self._styles(), self._hovered)
        return line

    def _hover(self, key: ShownKey | None) -> None:
        if key != self._hovered:
            self._hovered = key
            self.tooltip = key.tooltip if key is not None and key.tooltip else None
            self.refresh()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self._hover(key_at(self._placed, event.x))

    def on_leave(self, _event: events.Leave) -> None:
        self._hover(None)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        key = key_at(self._placed, event.x)
        if key is None:
            return
        if key.enabled:
            self.app.simulate_key(key.key)
        else:
            self.app.bell()
