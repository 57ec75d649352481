"""A hostile portal answering `/changes` with far too much (issue 10, item 5): the real
`msp-tickets list` as a user runs it, its time and peak memory, beside a naive client that
reads the whole answer and parses it (httpx `.json()`), on a smaller answer so the machine
survives the baseline.

    python -m bench.bounded_answers [--quick]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.support.hostile_portal import TOKEN, HostilePortal

ANSWER_BYTES = 600_000_000  # what was seen in the issue: 4.5 GB resident before the cap
QUICK_ANSWER_BYTES = 60_000_000
BASELINE_BYTES = 60_000_000
COMMAND = Path(sys.executable).with_name("msp-tickets")

NAIVE = """
import json, sys, httpx
answer = httpx.get(sys.argv[1] + "/api/v1/changes", headers={"Authorization": "Bearer " + sys.argv[2]}, timeout=600)
try:
    answer.json()
except json.JSONDecodeError:
    pass  # the junk does not parse; the memory was spent reading it whole
"""


def _measured(command: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Seconds, peak resident MB of this child alone (wait4), and what it said on stderr."""
    started = time.monotonic()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    err = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return time.monotonic() - started, usage.ru_maxrss / 1024, err.strip()


def run(answer_bytes: int) -> None:
    with tempfile.TemporaryDirectory(prefix="msp-bench-bounded-") as home, HostilePortal() as portal:
        env = {
            **os.environ,
            "HOME": home,
            "XDG_CONFIG_HOME": f"{home}/config",
            "XDG_CACHE_HOME": f"{home}/cache",
            "XDG_DATA_HOME": f"{home}/data",
            "MSP_TICKETS_PORTAL": portal.url,
            "MSP_TICKETS_TOKEN": TOKEN,
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        }
        portal.behaviour.changes_bytes = answer_bytes
        ours = _measured([str(COMMAND), "list"], env)
        portal.behaviour.changes_bytes = BASELINE_BYTES
        naive = _measured([sys.executable, "-c", NAIVE, portal.url, TOKEN], env)
    print(f"{'':44} {'time':>8} {'peak RSS':>10}")
    print(f"{f'msp-tickets list, {answer_bytes / 1e6:,.0f} MB answer (capped)':44} {ours[0]:7.1f}s {ours[1]:8.0f} MB")
    print(f"{f'naive read + parse, {BASELINE_BYTES / 1e6:,.0f} MB answer':44} {naive[0]:7.1f}s {naive[1]:8.0f} MB")
    print(f"  msp-tickets said: {ours[2][:160]}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.bounded_answers")
    parser.add_argument("--quick", action="store_true", help=f"a {QUICK_ANSWER_BYTES / 1e6:.0f} MB answer")
    args, _ = parser.parse_known_args(argv)
    run(QUICK_ANSWER_BYTES if args.quick else ANSWER_BYTES)


if __name__ == "__main__":
    main(sys.argv[1:])
