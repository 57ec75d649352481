"""The `msp-tickets` command. Until the TUI lands, `--demo` serves the demo portal."""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path


def _portal(db: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "portal.server.cli", "--db", str(db), *args]


def run_demo_portal() -> int:
    with tempfile.TemporaryDirectory(prefix="msp-demo-") as folder:
        db = Path(folder) / "portal.db"
        subprocess.run(_portal(db, "seed-demo"), check=True)
        try:
            return subprocess.call(_portal(db, "serve", "--port", "0", "--psa-interval", "20"))
        except KeyboardInterrupt:
            return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="msp-tickets")
    parser.add_argument("--demo", action="store_true", help="run against the embedded demo portal")
    args = parser.parse_args(argv)
    if args.demo:
        return run_demo_portal()
    parser.error("the TUI is not built yet; try --demo")
    return 2


if __name__ == "__main__":
    sys.exit(main())
