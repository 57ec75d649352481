"""It installs as users install it: the sdist and the wheel are built from this tree, the wheel
(built from the sdist, so the sdist is complete too) goes into a fresh virtualenv with its
dependencies resolved by pip — no editable install, no repository on the path — and there
`msp-tickets --version`, `--help`, `--demo` without the server extra, and a headless paint of the
board from a small mirror work, with every stylesheet loaded from where the wheel put it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from tui.cli import exit_codes
from tui.cli.command_line import _version

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("portal", "cache", "widgets", "screens", "tui")
SUPPORT = Path(__file__).parent / "support"

pytestmark = pytest.mark.slow


def _run(*command: str | Path, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, f"{command}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def _repo_data_files() -> set[str]:
    """Every file of the shipped packages that is not Python (today: the .tcss stylesheets)."""
    return {
        str(path.relative_to(ROOT))
        for package in PACKAGES
        for path in (ROOT / package).rglob("*")
        if path.is_file() and path.suffix not in {".py", ".pyc"} and "__pycache__" not in path.parts
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(wheel, sdist) built from a copy of the tree, so the build leaves nothing in it."""
    folder = tmp_path_factory.mktemp("build")
    source = folder / "source"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".venv", ".git", "*.egg-info", "build", "dist", "__pycache__", ".*_cache", ".hypothesis"
        ),
    )
    _run(sys.executable, "-m", "build", "--outdir", folder / "dist", source, cwd=folder)
    (wheel,) = (folder / "dist").glob("*.whl")
    (sdist,) = (folder / "dist").glob("*.tar.gz")
    return wheel, sdist


@pytest.fixture(scope="module")
def installed(built: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv with the wheel and what pip resolves for it; returns its bin folder."""
    wheel, _ = built
    venv = tmp_path_factory.mktemp("fresh") / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=venv.parent)
    # This virtualenv's pip installs into the fresh one (`--python`), which saves bootstrapping
    # a pip there; the resolution is pip's own, from the package index and pip's cache.
    _run(sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install", "--quiet", wheel, cwd=venv.parent)
    return venv / "bin"


def test_every_data_file_is_in_the_wheel_and_the_sdist(built: tuple[Path, Path]):
    wheel, sdist = built
    expected = _repo_data_files()
    assert {name for name in expected if name.endswith(".tcss")}, "no stylesheets found in the tree"
    in_wheel = set(zipfile.ZipFile(wheel).namelist())
    assert expected <= in_wheel, f"missing from the wheel: {sorted(expected - in_wheel)}"
    with tarfile.open(sdist) as archive:
        in_sdist = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert expected <= in_sdist, f"missing from the sdist: {sorted(expected - in_sdist)}"


def test_version_and_help_from_the_installed_command(installed: Path, tmp_path: Path):
    version = _run(installed / "msp-tickets", "--version", cwd=tmp_path)
    assert version.stdout.strip() == f"msp-tickets {_version()}"
    help_text = _run(installed / "msp-tickets", "--help", cwd=tmp_path).stdout
    assert "usage: msp-tickets" in help_text and "--demo" in help_text


def test_the_installed_client_has_no_server_and_the_demo_says_how_to_get_it(installed: Path, tmp_path: Path):
    result = subprocess.run(
        [installed / "msp-tickets", "--demo"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == exit_codes.ERROR, result.stderr
    assert "pip install 'msp-tickets[server]'" in result.stderr and "Traceback" not in result.stderr
    # The plain install resolved the client's dependencies only.
    probe = (
        "import importlib.util; print([importlib.util.find_spec(m) is None for m in ('fastapi', 'uvicorn', 'argon2')])"
    )
    assert _run(installed / "python", "-c", probe, cwd=tmp_path).stdout.strip() == "[True, True, True]"


def test_the_board_paints_headless_from_the_installed_wheel(installed: Path, tmp_path: Path):
    # The script and the fixed world it paints run beside each other, away from the repository.
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    shutil.copy(SUPPORT / "installed_board.py", scripts)
    shutil.copy(ROOT / "tests" / "tui" / "fixed_world.py", scripts)
    result = _run(installed / "python", scripts / "installed_board.py", tmp_path / "home", cwd=tmp_path)
    report = json.loads(result.stdout)

    site = Path(report["installed_at"])
    assert installed.parent in site.parents, f"not the installed copy: {site}"
    installed_tcss = {str(Path(p).relative_to(site)) for p in report["tcss_installed"]}
    assert installed_tcss == {name for name in _repo_data_files() if name.endswith(".tcss")}
    parsed = {str(Path(p).relative_to(site)) for p in report["tcss_parsed"]}
    assert parsed == installed_tcss, "every stylesheet is named by a screen and loads"

    board = report["board"]
    assert "Outlook keeps asking for my password" in board
    assert "VPN drops every 10 minutes" in board
