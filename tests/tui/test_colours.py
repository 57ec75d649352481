"""The palette reads: for every theme of the app, each priority and each status keeps a colour
of its own and a WCAG contrast of at least 4.5:1 against what it is written on, in truecolor
and after Rich's downgrade to 256 colours and to the 16 of `TERM=linux`, and in the greys
Textual shows under NO_COLOR.

Pure: the colours are computed the way Textual and Rich compute them, with no app running
(tests/tui/test_colours_in_tmux.py looks at what a terminal really receives)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pytest
from rich._palettes import EIGHT_BIT_PALETTE, STANDARD_PALETTE
from rich.color import Color as RichColor
from rich.color import ColorSystem
from rich.style import Style
from textual.color import Color
from textual.theme import BUILTIN_THEMES, Theme

from portal.schema import Priority, Status
from widgets.badges import ATTENTION_STYLE, PENDING_STYLE
from widgets.colours import DARK, LIGHT, PALETTES, THEMES, palette_for

RGB = tuple[int, int, int]
MINIMUM_CONTRAST = 4.5


def luminance(rgb: RGB) -> float:
    """Relative luminance, WCAG 2.x."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = rgb
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)


def contrast(a: RGB, b: RGB) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def truecolor(rgb: RGB) -> RGB:
    return rgb


def downgraded(system: ColorSystem) -> Callable[[RGB], RGB]:
    """What a terminal with `system` shows for `rgb`: Rich picks the palette entry, whose RGB
    is the standard xterm one (256) or the standard ANSI one Rich matches against (16)."""
    palette = EIGHT_BIT_PALETTE if system is ColorSystem.EIGHT_BIT else STANDARD_PALETTE

    def show(rgb: RGB) -> RGB:
        number = RichColor.from_rgb(*rgb).downgrade(system).number
        return tuple(palette[number])

    return show


def no_color(rgb: RGB) -> RGB:
    """Textual's Monochrome filter, applied under NO_COLOR."""
    return Color(*rgb).monochrome.rgb


TERMINALS: dict[str, Callable[[RGB], RGB]] = {
    "truecolor": truecolor,
    "256 colours": downgraded(ColorSystem.EIGHT_BIT),
    "16 colours": downgraded(ColorSystem.STANDARD),
    "NO_COLOR": no_color,
    "NO_COLOR, 256 colours": lambda c: downgraded(ColorSystem.EIGHT_BIT)(no_color(c)),
    "NO_COLOR, 16 colours": lambda c: downgraded(ColorSystem.STANDARD)(no_color(c)),
}


def variables(theme: Theme) -> dict[str, str]:
    return theme.to_color_system().generate()


def rgb(color: Color) -> RGB:
    return color.rgb


def background(theme: Theme) -> RGB:
    return rgb(Color.parse(variables(theme)["background"]))


def pill_background(theme: Theme) -> RGB:
    """A pill's `background: $boost` (PillBar's pill-bar--pill), a translucent layer over the screen."""
    return rgb(Color.parse(variables(theme)["background"]) + Color.parse(variables(theme)["boost"]))


def text_on(theme: Theme, text: str, under: str) -> tuple[RGB, RGB]:
    return rgb(Color.parse(variables(theme)[text])), rgb(Color.parse(variables(theme)[under]))


def auto_text_on(theme: Theme, variable: str) -> tuple[RGB, RGB]:
    """$text (`auto 87%`) on the colour of `variable` (over the screen's background, should it
    be translucent), as Textual resolves it."""
    under = Color.parse(variables(theme)["background"]) + Color.parse(variables(theme)[variable])
    return rgb(under + under.get_contrast_text(0.87)), rgb(under)


def shown(style: Style, under: RGB) -> tuple[RGB, RGB]:
    """Text and background colours as painted: a reversed style swaps them."""
    text = style.color.triplet if style.color else None
    back = style.bgcolor.triplet if style.bgcolor else None
    text, back = (tuple(text) if text else None), (tuple(back) if back else under)
    if style.reverse:
        text, back = back, text
    assert text is not None and back is not None, f"{style} leaves a colour to the terminal"
    return text, back


def badges(theme: Theme) -> Iterable[tuple[str, tuple[RGB, RGB]]]:
    """Every coloured text the app writes for a theme, with what it is written on."""
    palette = palette_for(theme)
    page = background(theme)
    for priority, style in palette.priority.items():
        yield f"priority {priority.value}", shown(style, page)
    for status, style in palette.status.items():
        yield f"status {status.value}", shown(style, page)
        yield f"pill {status.value}", shown(style, pill_background(theme))
    yield "changed marker", shown(palette.changed, page)
    for label, style in palette.event.items():
        yield f"timeline {label}", shown(style, page)
    yield "needs attention", shown(ATTENTION_STYLE, page)
    yield "pending", shown(PENDING_STYLE, page)
    yield "chosen pill, title bar", auto_text_on(theme, "primary")
    yield "cursor row", auto_text_on(theme, "block-cursor-background")
    yield "cursor row, the table not focused", auto_text_on(theme, "block-cursor-blurred-background")
    yield "table header", text_on(theme, "foreground", "panel")
    yield "footer keys", text_on(theme, "footer-key-foreground", "footer-background")
    yield "footer", text_on(theme, "footer-description-foreground", "footer-background")


@pytest.mark.parametrize("terminal", TERMINALS)
@pytest.mark.parametrize("theme", THEMES, ids=lambda t: t.name)
def test_every_badge_reads_against_what_it_is_written_on(theme: Theme, terminal: str) -> None:
    show = TERMINALS[terminal]
    weak = {
        name: round(contrast(show(text), show(under)), 2)
        for name, (text, under) in badges(theme)
        if contrast(show(text), show(under)) < MINIMUM_CONTRAST
    }
    assert not weak, f"below {MINIMUM_CONTRAST}:1 in {theme.name}, {terminal}: {weak}"


@pytest.mark.parametrize("terminal", ["truecolor", "256 colours", "16 colours"])
@pytest.mark.parametrize("theme", THEMES, ids=lambda t: t.name)
@pytest.mark.parametrize("kind", [Priority, Status], ids=["priorities", "statuses"])
def test_each_priority_and_each_status_has_colours_of_its_own(theme: Theme, terminal: str, kind: type) -> None:
    show = TERMINALS[terminal]
    palette = palette_for(theme)
    styles = palette.priority if kind is Priority else palette.status
    painted = {value: tuple(show(c) for c in shown(style, background(theme))) for value, style in styles.items()}
    assert set(styles) == set(kind), "every value has a style"
    clashes = [(a.value, b.value) for a in painted for b in painted if a.value < b.value and painted[a] == painted[b]]
    assert not clashes, f"the same colours in {theme.name}, {terminal}: {clashes}"


def test_the_example_of_the_issue_medium_and_high_differ_in_256_and_16_colours() -> None:
    for terminal in ("256 colours", "16 colours"):
        show = TERMINALS[terminal]
        for palette in (DARK, LIGHT):
            medium, high = (show(palette.priority[p].color.triplet) for p in (Priority.MEDIUM, Priority.HIGH))
            assert medium != high, terminal


def test_each_theme_has_a_palette_and_any_other_theme_gets_the_one_for_its_background() -> None:
    assert {t.name for t in THEMES} == set(PALETTES)
    assert {t.dark for t in THEMES} == {True, False}, "a dark and a light theme"
    assert palette_for(BUILTIN_THEMES["textual-light"]) is LIGHT
    assert palette_for(BUILTIN_THEMES["nord"]) is DARK


def test_the_contrast_arithmetic_matches_wcag() -> None:
    assert contrast((0, 0, 0), (255, 255, 255)) == pytest.approx(21)
    assert contrast((118, 118, 118), (255, 255, 255)) == pytest.approx(4.54, abs=0.01)
    assert downgraded(ColorSystem.STANDARD)((255, 135, 95)) == (255, 85, 85), "an orange is a bright red in 16"
