"""The scripted session of bench/keys.py and bench/wire.py: a person using the board of a
100,000-ticket mirror, one key at a time. Moving, paging, the pills, typing a search, opening a
ticket and closing it, then the ticket of 1,000 events (#1, bench/mirror.py) opened by its number
and jumped through with end/home/G/g."""

from __future__ import annotations

import time
from dataclasses import dataclass

from bench._terminal import Terminal


@dataclass(frozen=True)
class Step:
    what: str
    keys: tuple[str, ...]  # tmux key names, sent one at a time
    pause: float = 0.25  # after each key: the app settles before the next
    literal: bool = False  # the keys are text to type (each character a key)


JUMPS = "jumps in the 1,000-event ticket"

SESSION = (
    Step("moving down", ("Down",) * 8 + ("j",) * 4),
    Step("moving up", ("Up",) * 4 + ("k",) * 2),
    Step("paging", ("PageDown",) * 3 + ("PageUp",) * 2),
    Step("to the last row and back", ("End", "Home")),
    Step("pills", ("2", "3", "4", "5", "1"), pause=0.4),
    Step("opening the search", ("/",)),
    Step("typing a search", tuple("printer"), pause=0.3, literal=True),
    Step("back to the table, moving", ("Enter", "Down", "Down")),
    Step("clearing the search", ("Escape",), pause=0.5),
    Step("opening a ticket", ("Enter",), pause=1.0),
    Step("closing it", ("Escape",), pause=0.5),
    Step("going to ticket #1", (":",), pause=0.4),
    Step("its number", ("1",), literal=True),
    Step("opening it", ("Enter",), pause=2.0),
    Step(JUMPS, ("End", "Home", "G", "g"), pause=1.2),
    Step("back to the board", ("Escape",), pause=0.5),
)


def play(term: Terminal, session=SESSION) -> int:
    """Send the session's keys as a person would (one at a time, with pauses); the key count."""
    sent = 0
    for step in session:
        for key in step.keys:
            if step.literal:
                term.type(key)
            else:
                term.keys(key)
            sent += 1
            time.sleep(step.pause)
    return sent
