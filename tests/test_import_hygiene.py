"""The package's shape: layers point one way, no import cycles, Textual only in the UI."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


@pytest.mark.skipif(
    not LINT_IMPORTS.exists() and shutil.which("lint-imports") is None,
    reason="import-linter is not installed (pip install -e '.[test]')",
)
def test_the_import_contracts_hold():
    """Every contract in pyproject.toml's [tool.importlinter] is kept."""
    command = str(LINT_IMPORTS) if LINT_IMPORTS.exists() else "lint-imports"
    result = subprocess.run(
        [command, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


def test_no_module_grows_past_a_screenful_of_screens():
    """One concept per module: none is over about 600 lines."""
    sizes = {
        path.relative_to(ROOT).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
        for path in (ROOT / "tui_reader").rglob("*.py")
    }
    assert {name: n for name, n in sizes.items() if n > 600} == {}
