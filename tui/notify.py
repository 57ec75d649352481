"""What reaches a person whose terminal is not in front: the bell and a desktop notification
written as escape sequences (OSC 9 or OSC 777), and the window title (OSC 2).

The profile's `notify` setting chooses: off, bell, osc9, osc777, or auto. `auto` is OSC 9 in
the terminals known to show it (iTerm2, WezTerm, Ghostty, Windows Terminal), OSC 777 in VTE
terminals (GNOME Terminal and kin set VTE_VERSION) and foot/urxvt, else the bell alone. Every
mode but off rings the bell too. Inside tmux each OSC is wrapped for passthrough (tmux needs
`set -g allow-passthrough on` to hand it on).

The text inside a sequence is shown by `visible` on one line: a control character in a
subject can never end the sequence early or start another one.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from portal.visible_text import visible

ESC = "\x1b"
BEL = "\x07"
OSC9_TERMINALS = frozenset({"iTerm.app", "WezTerm", "ghostty", "vscode"})
OSC777_TERMS = ("foot", "rxvt")


class NotifyMode(StrEnum):
    OFF = "off"
    BELL = "bell"
    OSC9 = "osc9"
    OSC777 = "osc777"
    AUTO = "auto"


def chosen_mode(mode: NotifyMode, env: Mapping[str, str]) -> NotifyMode:
    """`auto` made concrete for this terminal (see the module's docstring)."""
    if mode is not NotifyMode.AUTO:
        return mode
    if env.get("TERM_PROGRAM") in OSC9_TERMINALS or env.get("WT_SESSION"):
        return NotifyMode.OSC9
    if env.get("VTE_VERSION") or env.get("TERM", "").startswith(OSC777_TERMS):
        return NotifyMode.OSC777
    return NotifyMode.BELL


def _inside(text: str) -> str:
    """Safe inside an OSC: no control character; `;` separates OSC 777's fields."""
    return visible(text, one_line=True).replace(";", ",")


def osc9(body: str) -> str:
    return f"{ESC}]9;{_inside(body)}{BEL}"


def osc777(title: str, body: str) -> str:
    return f"{ESC}]777;notify;{_inside(title)};{_inside(body)}{BEL}"


def window_title(text: str) -> str:
    return f"{ESC}]2;{_inside(text)}{BEL}"


def tmux_passthrough(sequence: str) -> str:
    """tmux hands on a DCS `tmux;` sequence with every ESC inside doubled."""
    return f"{ESC}Ptmux;{sequence.replace(ESC, ESC + ESC)}{ESC}\\"


def notification(mode: NotifyMode, title: str, body: str, env: Mapping[str, str]) -> str:
    """The bytes to write (as text) for one notification; empty when off."""
    mode = chosen_mode(mode, env)
    if mode is NotifyMode.OFF:
        return ""
    desktop = {NotifyMode.OSC9: lambda: osc9(f"{title}: {body}"), NotifyMode.OSC777: lambda: osc777(title, body)}.get(
        mode
    )
    if desktop is None:
        return BEL
    sequence = desktop()
    return BEL + (tmux_passthrough(sequence) if env.get("TMUX") else sequence)
