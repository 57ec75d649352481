"""`python -m bench [--quick]`: run every bench/*.py module's main(argv) in turn."""

from __future__ import annotations

import importlib
import pkgutil
import sys

import bench


def main(argv: list[str]) -> int:
    for module in sorted(m.name for m in pkgutil.iter_modules(bench.__path__)):
        if module.startswith("_"):
            continue
        print(f"\n== bench.{module} ==", flush=True)
        importlib.import_module(f"bench.{module}").main(argv)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
