"""The headline list: room for titles, short dates, the feed column only when it tells something."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import FakeClock
from tests.test_app import headline_list, settle
from tui_reader.config import Config
from tui_reader.dates import short_date
from tui_reader.locations import seeds_directory
from tui_reader.sources.scraped_text import parse_text
from tui_reader.sources.seeds import open_library
from tui_reader.ui.app import make_app

LONG_TITLE = "Satellite will space out its launches over the coming decade, officials say"


@pytest.fixture
def utc(monkeypatch):
    """Local time is UTC for the test, so dates read the same on every machine."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_short_dates_say_time_today_day_this_year_full_date_before(utc):
    now = datetime(2026, 12, 1, 18, 0, tzinfo=UTC).timestamp()
    assert short_date("2026-12-01T14:05:00+00:00", now) == "14:05"
    assert short_date("2026-03-07T09:00:00+00:00", now) == "Mar 07"
    assert short_date("2024-12-01T09:00:00+00:00", now) == "2024-12-01"
    assert short_date("2026-12-01T14:05:00", now) == "14:05"  # no zone: UTC
    assert short_date(None, now) == "" and short_date("soon", now) == ""


def shown_title(row: str) -> int:
    """How many cells of LONG_TITLE the row shows."""
    start = row.index(LONG_TITLE[:10])
    shown = 0
    while shown < len(LONG_TITLE) and row[start + shown] == LONG_TITLE[shown]:
        shown += 1
    return shown


def library_of_feeds(data_dir: Path, published: str) -> None:
    with open_library(data_dir, seeds_directory()) as library:
        stories = []
        for source in ("Orbital News", "Ground Control"):
            article = parse_text(f"{LONG_TITLE}\n\nA paragraph from {source}.")
            article.source, article.published = source, published
            stories.append(article)
        library.add_articles(stories)


async def test_several_feeds_show_the_feed_and_a_short_date(data_dir: Path, utc):
    clock = FakeClock(datetime(2026, 12, 1, 18, 0, tzinfo=UTC).timestamp())
    library_of_feeds(data_dir, "2026-11-30T08:00:00+00:00")
    app = make_app(Config(), data_dir, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        rows = [headline_list(app).render_line(y).text for y in range(3)]
        stories = [row for row in rows if LONG_TITLE[:10] in row]
        assert len(stories) == 2
        for row in stories:
            assert row.rstrip().endswith("  Nov 30")  # this year's date, short, after a gap
            assert "  Orbital" in row or "  Ground" in row  # several feeds: the feed shows


async def test_the_feed_column_shows_only_when_it_tells_something(data_dir: Path, utc):
    clock = FakeClock(datetime(2026, 12, 1, 18, 0, tzinfo=UTC).timestamp())
    with open_library(data_dir) as library:  # no seed: one source only
        article = parse_text(f"{LONG_TITLE}\n\nA paragraph.")
        article.source, article.published = "Orbital News", "2026-12-01T14:05:00+00:00"
        library.add_articles([article])
    app = make_app(Config(), data_dir, seeds_dir=Path(os.devnull), clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        row = headline_list(app).render_line(0).text
        assert "Orbital" not in row and "14:05" in row
        # The feed's room went to the title: 4 marks, the title, 2 + 6 for the date.
        assert shown_title(row) >= headline_list(app).size.width - 2 - 4 - 8 - 1


async def test_an_undated_story_alone_gets_the_whole_row(data_dir: Path, clock: FakeClock):
    """A fresh install shows only the undated seed: its title is not cut for an empty date."""
    app = make_app(Config(), data_dir, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        row = headline_list(app).render_line(0).text
        assert "Japan and Canada Forge EV Battery Alliance" in row  # 42 cells, whole
