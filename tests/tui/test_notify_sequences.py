"""Issue 12 item 2: the escape sequences that reach a person, byte for byte."""

from __future__ import annotations

import pytest

from tui.notify import NotifyMode, chosen_mode, notification, osc9, osc777, tmux_passthrough, window_title


def test_osc9_byte_for_byte():
    assert osc9("3 changes").encode() == b"\x1b]9;3 changes\x07"


def test_osc777_byte_for_byte():
    assert osc777("msp-tickets", "#4 Printer: Open → Closed").encode() == (
        b"\x1b]777;notify;msp-tickets;#4 Printer: Open \xe2\x86\x92 Closed\x07"
    )


def test_window_title_byte_for_byte():
    assert (
        window_title("msp-tickets · 2 waiting on you").encode() == b"\x1b]2;msp-tickets \xc2\xb7 2 waiting on you\x07"
    )


def test_tmux_passthrough_doubles_every_escape():
    assert tmux_passthrough("\x1b]9;hi\x07") == "\x1bPtmux;\x1b\x1b]9;hi\x07\x1b\\"


def test_hostile_text_cannot_end_the_sequence_or_add_a_field():
    hostile = "evil\x07\x1b]2;owned\x07; field\nline\x9c"
    sequence = osc777(hostile, hostile)
    inside = sequence[len("\x1b]777;notify;") : -1]
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in inside)
    assert sequence.count(";") == 3  # notify ; title ; body
    assert "\\x07" in inside and "\\x1b" in inside  # shown, not obeyed


@pytest.mark.parametrize(
    ("mode", "env", "expected"),
    [
        (NotifyMode.OFF, {"TMUX": "x"}, ""),
        (NotifyMode.BELL, {}, "\x07"),
        (NotifyMode.OSC9, {}, "\x07\x1b]9;msp-tickets: 3 changes\x07"),
        (NotifyMode.OSC777, {}, "\x07\x1b]777;notify;msp-tickets;3 changes\x07"),
        (NotifyMode.OSC9, {"TMUX": "/tmp/s,1,0"}, "\x07\x1bPtmux;\x1b\x1b]9;msp-tickets: 3 changes\x07\x1b\\"),
    ],
)
def test_notification_per_mode(mode, env, expected):
    assert notification(mode, "msp-tickets", "3 changes", env) == expected


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"TERM_PROGRAM": "WezTerm"}, NotifyMode.OSC9),
        ({"TERM_PROGRAM": "iTerm.app"}, NotifyMode.OSC9),
        ({"VTE_VERSION": "7600"}, NotifyMode.OSC777),
        ({"TERM": "foot"}, NotifyMode.OSC777),
        ({"TERM": "xterm-256color"}, NotifyMode.BELL),
    ],
)
def test_auto_follows_the_terminal(env, expected):
    assert chosen_mode(NotifyMode.AUTO, env) is expected


def test_the_profile_says_how_to_notify_and_a_wrong_value_is_a_sentence(tmp_path):
    from tui.config import ConfigError, Profile, config_path, load_profile, save_profile

    env = {"XDG_CONFIG_HOME": str(tmp_path / "config")}
    save_profile(Profile("work", "https://portal.example.com", "ann@example.com"), env)
    assert load_profile("work", env).notify is NotifyMode.AUTO
    path = config_path(env)
    path.write_text(path.read_text() + 'notify = "osc777"\n')
    assert load_profile("work", env).notify is NotifyMode.OSC777
    save_profile(Profile("work", "https://portal.example.com", "ann@example.com"), env)
    assert load_profile("work", env).notify is NotifyMode.OSC777, "saving the login keeps it"
    path.write_text(path.read_text().replace('"osc777"', '"loud"'))
    with pytest.raises(ConfigError, match="notify = 'loud'.*off \\| bell \\| osc9 \\| osc777 \\| auto"):
        load_profile("work", env)
