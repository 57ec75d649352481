"""The garbage collector around the board's launch.

Almost everything the board allocates before its first paint (Textual's modules, the app's own,
the styles, the first screen) lives as long as the app does, yet the collector walks it again and
again while it is being made: some 20 ms of a 180 ms launch (bench/launch.py). So collection
waits until the board has started, and then what was made is frozen out of its sight: a full
collection looks only at what came after, instead of taking 100-300 ms on whatever key it falls
(bench/keys.py).
"""

from __future__ import annotations

import gc
import sys

# How long a thread may hold the GIL while another waits for it (Python's default is 5 ms). At
# launch the thread that writes Textual's frames to the terminal waits behind the event loop,
# which is still busy setting up: the first frame would reach the screen up to several such
# turns after it was made.
LAUNCH_SWITCH_INTERVAL = 0.0005
_default_switch_interval = sys.getswitchinterval()


def pause_until_started() -> None:
    """Called by the `msp-tickets` board before it imports Textual."""
    gc.disable()
    sys.setswitchinterval(LAUNCH_SWITCH_INTERVAL)


def started() -> None:
    """The board is up (or another screen waits on the user): collect from here on."""
    if not gc.get_freeze_count():  # once: a board opened again (a new login) adds little
        gc.freeze()
    gc.enable()
    sys.setswitchinterval(_default_switch_interval)
