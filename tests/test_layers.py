"""The layers of design §2 hold: import-linter's contracts in pyproject.toml all pass."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_are_kept():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_core_layers_do_not_load_textual():
    code = (
        "import sys, portal.schema, portal.client, cache.model; "
        "import importlib, pkgutil, cache; "
        "[importlib.import_module('cache.' + m.name) for m in pkgutil.iter_modules(cache.__path__)]; "
        "print('textual' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
