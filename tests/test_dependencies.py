"""The declared dependencies are the imported ones, both ways: every third-party module the
shipped packages import comes from a distribution that pyproject.toml declares, and every
declared distribution is imported. The reference portal (portal/server) is held to the `server`
extra; the client, which never runs it, to the plain dependencies."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

from tui.cli import exit_codes

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
OWN_PACKAGES = {"portal", "cache", "widgets", "screens", "tui"}
SERVER = ROOT / "portal" / "server"


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared(requirements: list[str]) -> set[str]:
    return {_normal(Requirement(text).name) for text in requirements}


def _imported_modules(path: Path) -> set[str]:
    """Top-level names of the absolute imports in one file, wherever they stand."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def _third_party(files: list[Path]) -> dict[str, set[str]]:
    """Distribution -> the files that import it, for every import not in the stdlib or ours."""
    distributions = importlib.metadata.packages_distributions()
    found: dict[str, set[str]] = {}
    for path in files:
        for module in _imported_modules(path) - OWN_PACKAGES - sys.stdlib_module_names:
            assert module in distributions, (
                f"{path.relative_to(ROOT)} imports {module!r}, which no installed distribution provides"
            )
            for distribution in distributions[module]:
                found.setdefault(_normal(distribution), set()).add(str(path.relative_to(ROOT)))
    return found


def _shipped_files() -> tuple[list[Path], list[Path]]:
    """(client files, reference portal files) of the packages the wheel ships."""
    files = sorted(path for package in OWN_PACKAGES for path in (ROOT / package).rglob("*.py"))
    server = [path for path in files if SERVER in path.parents]
    return [path for path in files if SERVER not in path.parents], server


def test_the_packages_found_are_the_ones_the_wheel_ships():
    assert set(PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]) == {f"{p}*" for p in OWN_PACKAGES}


def test_the_client_imports_exactly_its_declared_dependencies():
    client, _ = _shipped_files()
    imported = _third_party(client)
    declared = _declared(PYPROJECT["project"]["dependencies"])
    undeclared = {name: sorted(files) for name, files in imported.items() if name not in declared}
    assert not undeclared, f"imported but not declared in [project] dependencies: {undeclared}"
    assert declared <= imported.keys(), f"declared but never imported: {sorted(declared - imported.keys())}"


def test_the_reference_portal_imports_exactly_the_server_extra():
    _, server = _shipped_files()
    imported = _third_party(server)
    base = _declared(PYPROJECT["project"]["dependencies"])
    extra = _declared(PYPROJECT["project"]["optional-dependencies"]["server"])
    undeclared = {name: sorted(files) for name, files in imported.items() if name not in base | extra}
    assert not undeclared, f"imported by portal/server but not in the server extra: {undeclared}"
    assert extra <= imported.keys(), (
        f"in the server extra but never imported by portal/server: {sorted(extra - imported.keys())}"
    )


def test_the_client_alone_never_needs_the_server_extra():
    client, _ = _shipped_files()
    extra = _declared(PYPROJECT["project"]["optional-dependencies"]["server"])
    assert not extra & _third_party(client).keys()


# Run as the demo entry would be without the extra: the portal's modules cannot be imported.
_WITHOUT_SERVER = """
import sys
for name in ("fastapi", "uvicorn", "argon2", "starlette"):
    sys.modules[name] = None  # `import name` now fails, as when it is not installed
from tui.cli import main
sys.exit(main(["--demo"]))
"""


def test_demo_without_the_server_extra_says_how_to_get_it(tmp_path: Path):
    result = subprocess.run(
        [sys.executable, "-c", _WITHOUT_SERVER],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == exit_codes.ERROR, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr  # one sentence
    assert "pip install 'msp-tickets[server]'" in result.stderr
    assert result.stdout == ""
    assert list(tmp_path.iterdir()) == []  # no portal started, nothing written
