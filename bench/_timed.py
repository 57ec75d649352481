"""Run by bench/keys.py in the pane (`python -m bench._timed board|datatable`, from the
repository's root) instead of the app itself: `msp-tickets` (`board`, its own
command line) or the DataTable baseline (`datatable`), with every key event and every frame the
compositor writes timestamped inside the app, on Textual's clock. A key's time is when the input
thread read it (the event's own); a frame's, when it was handed to the output thread. Beside
each, the CPU time of the app's own thread so far (the loop's: what the app did, whatever else
the machine was doing), and of the whole process (its other threads too: the mirror's readers). And each garbage collection, with its generation. Written
as JSON to $BENCH_FRAMES when the app ends.

With $BENCH_PROFILE set to a folder, each key is also profiled (cProfile, the loop's thread)
from when the app sees it to the next frame: `key-<n>.prof` there, n counting the keys from 0."""

import atexit
import cProfile
import gc
import json
import os
import sys
import time

from textual import events
from textual._time import get_time
from textual.app import App

LOG: list[list] = []
PROFILES = os.environ.get("BENCH_PROFILE")
_profiling: list[tuple[int, cProfile.Profile]] = []  # the key being profiled, until its frame
_keys_seen = 0


def _start_profile() -> None:
    global _keys_seen
    if PROFILES and not _profiling:
        profile = cProfile.Profile()
        _profiling.append((_keys_seen, profile))
        profile.enable()
    _keys_seen += 1


def _end_profile() -> None:
    if _profiling:
        number, profile = _profiling.pop()
        profile.disable()
        profile.dump_stats(os.path.join(PROFILES, f"key-{number}.prof"))


_gc_began: list[float] = []


def _log_collection(phase: str, info: dict) -> None:
    """Each garbage collection (whichever thread ran it, it held up the loop), with its generation."""
    if phase == "start":
        _gc_began.append(get_time())
    elif _gc_began:
        LOG.append(["gc", _gc_began.pop(), get_time(), info["generation"]])


def _logged_events(on_event):
    async def on_event_logged(self, event):
        if isinstance(event, events.Key) and not event.is_forwarded:
            LOG.append(["key", event.time, event.key, time.thread_time(), time.process_time()])
            _start_profile()
        await on_event(self, event)

    return on_event_logged


def _logged_frames(display):
    def display_logged(self, screen, renderable):
        display(self, screen, renderable)
        if renderable is not None and not self._batch_count:
            LOG.append(
                ["frame", get_time(), time.thread_time(), getattr(self.focused, "scroll_y", None), time.process_time()]
            )
            _end_profile()

    return display_logged


def _write_log() -> None:
    with open(os.environ["BENCH_FRAMES"], "w", encoding="utf-8") as out:
        json.dump(LOG, out)


App.on_event = _logged_events(App.on_event)
App._display = _logged_frames(App._display)
gc.callbacks.append(_log_collection)
atexit.register(_write_log)

if __name__ == "__main__":
    if sys.argv[1] == "board":
        from tui.cli.command_line import main

        sys.exit(main([]))
    from bench._datatable_app import DataTableBoard

    DataTableBoard().run()
