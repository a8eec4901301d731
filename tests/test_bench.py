"""The benchmark script runs end to end (on a tiny library) and writes its table."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(not shutil.which("tmux"), reason="the benchmark needs tmux")
def test_bench_smoke_writes_every_figure(tmp_path: Path):
    output = tmp_path / "BENCHMARKS.md"
    command = [sys.executable, str(ROOT / "bench" / "run.py"), "--feeds", "3", "--items", "10"]
    command += ["--runs", "1", "--keys", "3", "--no-newsboat", "--output", str(output)]
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=240, env=_env_without_size()
    )
    assert result.returncode == 0, result.stderr[-2000:]
    table = output.read_text()
    for figure in (
        "refresh, cold (s)",
        "refresh, all 304 (s)",
        "first screen, 30 (s)",
        "cursor move, median (ms)",
        "200 moves at once (ms)",
        "peak memory (MB)",
        "cursor move during refresh, median (ms)",
        "open a 5,000-word article (ms)",
        "open a story with a 30x200 table (ms)",
        "then G to its end (ms)",
        "next unread (n), median (ms)",
        "search, first 500, median per query (ms)",
        "search in the app, Enter to list (ms)",
        "feed list (F), every feed (ms)",
        "mark the big library read, CLI (s)",
    ):
        row = next((line for line in table.splitlines() if line.startswith(f"| {figure} |")), "")
        assert re.match(rf"\| {re.escape(figure)} \| [\d,.]+ \|", row), (figure, table)


def _env_without_size() -> dict[str, str]:
    import os

    # pytest's COLUMNS/LINES would fix the app's size inside tmux.
    return {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
