"""Shared fixtures: a temporary library, the bundled seed, a settable clock."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tui_reader.library.store import Store
from tui_reader.locations import seeds_directory
from tui_reader.sources.seeds import open_library

ROOT = Path(__file__).resolve().parent.parent
SEED_FILE = next(seeds_directory().glob("*.txt"))
SEED_TEXT = SEED_FILE.read_text(encoding="utf-8")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "needs_corpus: reads ../shared/corpora (tests/shared_data.py); skipped when it is"
        " absent, failed instead when TUI_READER_REQUIRE_SHARED=1",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    from tests.shared_data import skip_marks_for

    skip_marks_for(items)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item: pytest.Item) -> None:
    from tests.shared_data import fail_if_required_and_absent

    fail_if_required_and_absent(item)


class FakeClock:
    """A clock the test moves by hand (seconds since the epoch)."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, *, days: float = 0, seconds: float = 0) -> None:
        self.now += days * 86_400 + seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def store(data_dir: Path) -> Store:
    with open_library(data_dir, seeds_directory()) as library:
        yield library


def make_article_file(directory: Path, name: str, title: str, paragraphs: int = 3) -> Path:
    """Write a small scraped-page text file in the seed site's shape."""
    lines = ["No menu items!", "", title, ""]
    for n in range(1, paragraphs + 1):
        lines += [f"Paragraph {n} of {title}, which says something.", ""]
    lines += ["Check out our other content", "", "×", "You have free article(s) remaining."]
    path = directory / name
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


@pytest.fixture
def feed_server():
    from tests.feed_server import FeedServer

    server = FeedServer().start()
    yield server
    server.stop()


@pytest.fixture
def freshrss(tmp_path: Path):
    """A fresh FreshRSS server for this test (tests/freshrss.py); skipped where it cannot run."""
    from tests.freshrss import running_freshrss

    with running_freshrss(tmp_path / "freshrss") as server:
        yield server


@pytest.fixture(scope="module")
def freshrss_module(tmp_path_factory: pytest.TempPathFactory):
    """One FreshRSS server shared by a module's tests (for tests that only read)."""
    from tests.freshrss import running_freshrss

    with running_freshrss(tmp_path_factory.mktemp("freshrss") / "server") as server:
        yield server


@pytest.fixture
def run(data_dir: Path, tmp_path: Path):
    (tmp_path / "config.toml").write_text("")
    env = {
        **os.environ,
        "TUI_READER_DATA_DIR": str(data_dir),
        "TUI_READER_CONFIG": str(tmp_path / "config.toml"),
    }

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "tui_reader", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )

    return run
