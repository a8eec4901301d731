"""Packaging: the wheel carries the styles and seeds; domain code stays Textual-free."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Every module outside `tui_reader.ui`: found by walking the package, so a new
# module is checked without anyone remembering to list it.
PACKAGE = ROOT / "tui_reader"
DOMAIN_MODULES = sorted(
    "tui_reader." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
    for path in PACKAGE.rglob("*.py")
    if path.name != "__init__.py" and path.relative_to(PACKAGE).parts[0] != "ui"
)


@pytest.mark.parametrize("module", DOMAIN_MODULES)
def test_domain_modules_import_without_textual(module: str):
    code = f"import sys, {module}; print('textual' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False", f"{module} imported textual"


def test_starting_the_app_defers_network_and_parsing_libraries():
    """httpx, feedparser, the HTML converter and the extractor load on first use only."""
    heavy = ("httpx", "feedparser", "fastfeedparser", "bs4", "markdownify", "trafilatura", "lxml")
    code = f"import sys, tui_reader.ui.app; print([m for m in {heavy!r} if m in sys.modules])"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "[]", result.stderr


def test_cli_commands_do_not_load_textual(tmp_path: Path):
    code = (
        "import sys\nfrom tui_reader.cli import main\n"
        f"main(['--data-dir', {str(tmp_path)!r}, 'list', '--json'])\n"
        "print('textual' in sys.modules, file=sys.stderr)"
    )
    (tmp_path / "config.toml").write_text("")
    env = {**os.environ, "TUI_READER_CONFIG": str(tmp_path / "config.toml")}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert result.stderr.strip() == "False"


def test_listing_loads_no_network_or_picture_library(tmp_path: Path):
    """`list --json` runs without httpx or Pillow loaded, so it works in a bare checkout
    (and starts quickly): the podcast and picture commands import theirs when run."""
    code = (
        "import sys\nfrom tui_reader.cli import main\n"
        f"main(['--data-dir', {str(tmp_path)!r}, 'list', '--json'])\n"
        "print([m for m in ('httpx', 'PIL', 'textual_image') if m in sys.modules], file=sys.stderr)"
    )
    (tmp_path / "config.toml").write_text("")
    env = {**os.environ, "TUI_READER_CONFIG": str(tmp_path / "config.toml")}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert result.stdout.startswith("[{")
    assert result.stderr.strip() == "[]"


def test_wheel_contains_styles_and_seeds(tmp_path: Path):
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(tmp_path)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    [wheel] = tmp_path.glob("tui_reader-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "tui_reader/styles/app.tcss" in names
    seeds = [n for n in names if n.startswith("tui_reader/seeds/") and n.endswith(".txt")]
    assert seeds == ["tui_reader/seeds/japan-and-canada-forge-ev-battery-alliance.txt"]
    assert "tui_reader/ui/app.py" in names and "tui_reader/library/store.py" in names
    assert not any(n.startswith(("tests/", "styles/", "seeds/")) for n in names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "tui-reader = tui_reader.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_installed_wheel_finds_its_styles_and_seeds(tmp_path: Path):
    """Installed from the wheel (not the checkout), the seed and the CSS are found."""
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(tmp_path / "dist")],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    [wheel] = (tmp_path / "dist").glob("*.whl")
    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)  # what pip puts in site-packages
    code = (
        "import json, sys, tui_reader\n"
        "from tui_reader.locations import seeds_directory, styles_directory\n"
        "from tui_reader.cli import main\n"
        "print(tui_reader.__file__)\n"
        "print(styles_directory() / 'app.tcss')\n"
        f"main(['--data-dir', {str(tmp_path / 'data')!r}, 'list', '--json'])\n"
    )
    # PYTHONPATH puts the unpacked wheel before the editable checkout; the
    # working directory is elsewhere so the checkout is not on the path.
    (tmp_path / "config.toml").write_text("")
    env = {
        **os.environ,
        "PYTHONPATH": str(target),
        "TUI_READER_CONFIG": str(tmp_path / "config.toml"),
    }
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    module_file, tcss, listing = result.stdout.splitlines()
    assert module_file.startswith(str(target))
    assert tcss.startswith(str(target)) and Path(tcss).is_file()
    assert "Japan and Canada Forge EV Battery Alliance" in listing


@pytest.mark.parametrize("missing", ["platformdirs", "rich"])
def test_python_m_without_the_dependencies_lists_or_says_how_to_install(
    missing: str, tmp_path: Path
):
    """`python -m tui_reader` from a bare checkout: --version and `list` work (a fresh
    library, the XDG paths without platformdirs), and what needs the package says so."""

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        code = (
            f"import runpy, sys; sys.modules[{missing!r}] = None;"  # as if not installed
            f" sys.argv = ['tui_reader', *{list(args)!r}];"
            " runpy.run_module('tui_reader', run_name='__main__')"
        )
        return subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT
        )

    version = run("--version")
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip().startswith("tui-reader ")
    fresh = str(tmp_path / "data")
    listing = run("--data-dir", fresh, "list", "--json")
    assert listing.returncode == 0, listing.stderr
    [seed] = json.loads(listing.stdout)
    assert seed["title"] == "Japan and Canada Forge EV Battery Alliance"
    assert run("--data-dir", fresh, "list").returncode == 0  # dates need no Rich
    reading = run("--data-dir", fresh, "read", seed["id"], "--plain")
    if missing == "rich":  # the article is rendered by Rich
        assert reading.returncode == 1
        assert reading.stderr.strip().splitlines() == [
            f"tui-reader: error: the package {missing!r} is not installed; install tui-reader"
            " first: python3 -m venv .venv && .venv/bin/pip install ."
        ]
    else:
        assert reading.returncode == 0 and "Japan and Canada" in reading.stdout
