"""Snapshots of the main screen, grouped by feature.

Update them with `pytest tests/test_snapshots.py --snapshot-update` after a
deliberate change, and look at the report before committing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import FakeClock
from tests.test_app import library_with_stories
from tui_reader.config import Config
from tui_reader.ui.app import ReaderApp, make_app


@pytest.fixture
def reader(data_dir: Path) -> ReaderApp:
    library_with_stories(data_dir)
    return make_app(Config(), data_dir, clock=FakeClock())


async def wait_for_library(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def open_seed(pilot) -> None:
    await wait_for_library(pilot)
    await pilot.press("enter")  # open the seed under the cursor
    await wait_for_library(pilot)


class TestMainScreen:
    def test_start_100x30(self, snap_compare, reader):
        """A fresh start: the list with the seed under the cursor, the meter full."""
        assert snap_compare(reader, terminal_size=(100, 30), run_before=wait_for_library)

    def test_seed_open_100x30(self, snap_compare, reader):
        """The seed opened: title, meta line, standfirst, caption; the meter at 4."""
        assert snap_compare(reader, terminal_size=(100, 30), run_before=open_seed)

    def test_start_60x20(self, snap_compare, reader):
        """Below 80 columns only the headline list shows."""
        assert snap_compare(reader, terminal_size=(60, 20), run_before=wait_for_library)

    def test_seed_open_60x20(self, snap_compare, reader):
        """Below 80 columns an opened article takes the whole width."""
        assert snap_compare(reader, terminal_size=(60, 20), run_before=open_seed)


class TestMeter:
    def test_teaser_at_zero(self, snap_compare, data_dir):
        """With no free article left, a new story shows only its teaser."""
        library_with_stories(data_dir)
        app = make_app(Config(meter_limit=0), data_dir, clock=FakeClock())
        assert snap_compare(app, terminal_size=(100, 30), run_before=open_seed)


class TestHelp:
    def test_help_screen(self, snap_compare, reader):
        """`?` lists every binding over the main screen."""

        async def open_help(pilot) -> None:
            await wait_for_library(pilot)
            await pilot.press("question_mark")  # open the help screen
            await pilot.pause()

        assert snap_compare(reader, terminal_size=(100, 30), run_before=open_help)
