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
    command += ["--runs", "1", "--keys", "3", "--no-newsboat", "--no-sync", "--output", str(output)]
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=240, env=_env_without_size()
    )
    assert result.returncode == 0, result.stderr[-2000:]
    _assert_figures(
        output.read_text(),
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
        "open a story with 10 pictures from the cache, first screen (ms)",
        "open a story with 10 pictures from the cache, pictures drawn (ms)",
        "scroll it a page (Space), median (ms)",
        "a key while its pictures decode (ms)",
        "next unread (n), median (ms)",
        "search, first 500, median per query (ms)",
        "filter over 30 articles: the issue's example (ms)",
        "filter over 30 articles: slowest expression (ms)",
        "filter over 30 articles: slowest expression, counted in SQL (ms)",
        "filter over 30 articles: content # (every text read) (ms)",
        "search in the app, Enter to list (ms)",
        "feed list (F), every feed (ms)",
        "mark the big library read, CLI (s)",
    )


@pytest.mark.skipif(not shutil.which("tmux"), reason="the benchmark needs tmux")
def test_bench_sync_smoke_writes_every_sync_figure(tmp_path: Path):
    """The sync figures, against a FreshRSS the bench starts: apart from the smoke
    above, so that one runs without the shared server and this one skips (or fails
    when TUI_READER_REQUIRE_SHARED=1, as CI sets) without it."""
    from tests.freshrss import skip_or_fail, unavailable_reason

    reason = unavailable_reason()
    if reason:
        skip_or_fail(reason)
    output = tmp_path / "BENCHMARKS.md"
    command = [sys.executable, str(ROOT / "bench" / "run.py"), "--feeds", "3", "--items", "10"]
    command += ["--runs", "1", "--keys", "3", "--no-newsboat", "--sync-only"]
    command += ["--output", str(output)]
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=120, env=_env_without_size()
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "sync figures not measured" not in result.stdout, result.stdout
    assert "(this sync" not in result.stdout, result.stdout  # it moved what it was given
    _assert_figures(
        output.read_text(),
        "sync floor: download 30 items (s)",
        "first sync, 30 items, the command (s)",
        "first sync, 30 items, the round (s)",
        "first sync, peak memory (MB)",
        "first sync / floor (the round)",
        "sync after 10 read changes and 30 new items on the server (s)",
        "push 7 local read changes (s)",
        "cursor move during a first sync, median (ms)",
        "cursor move during a first sync, p95 (ms)",
    )


def _assert_figures(table: str, *figures: str) -> None:
    """Each figure has a row with a number in the table."""
    for figure in figures:
        row = next((line for line in table.splitlines() if line.startswith(f"| {figure} |")), "")
        assert re.match(rf"\| {re.escape(figure)} \| [\d,.]+ \|", row), (figure, table)


def _env_without_size() -> dict[str, str]:
    import os

    # pytest's COLUMNS/LINES would fix the app's size inside tmux.
    return {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
