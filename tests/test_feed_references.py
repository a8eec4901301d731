"""Feed references (id, URL, title, title start): one resolver, and never a guess between feeds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import FakeClock
from tests.test_app import headline_list, press, settle
from tui_reader.config import Config
from tui_reader.library.feeds import AmbiguousFeed, FeedNotFound
from tui_reader.library.store import Store
from tui_reader.locations import seeds_directory
from tui_reader.parsed_feed import FeedEntry, ParsedFeed
from tui_reader.sources.seeds import open_library
from tui_reader.ui.app import make_app
from tui_reader.ui.feeds_screen import FeedsScreen


def subscribe(store: Store, url: str, title: str, stories: list[str]) -> int:
    """A subscription with stories, as a refresh would have stored them."""
    feed, _new = store.add_feed(url, title=title)
    entries = [FeedEntry(f"{url}#{s}", "", s, "", None, f"<p>{s}</p>") for s in stories]
    store.store_feed(feed, ParsedFeed(title, "", "RSS", entries), etag=None, last_modified=None)
    return feed.id


@pytest.fixture
def library(data_dir: Path) -> Store:
    """Feed 1 is titled "2"; feeds 3 and 4 share the title "Summaries"."""
    with open_library(data_dir, seeds_directory()) as store:
        subscribe(store, "http://127.0.0.1:9/titled-two", "2", ["Titled two story"])
        subscribe(store, "http://127.0.0.1:9/second", "Second", ["Second story"])
        subscribe(store, "http://127.0.0.1:9/sum-a", "Summaries", ["Summary A"])
        subscribe(store, "http://127.0.0.1:9/sum-b", "Summaries", ["Summary B"])
        subscribe(store, "http://127.0.0.1:9/summer", "Summer Reading", ["Beach book"])
        yield store


def feed_urls(run) -> list[str]:
    result = run("feeds", "--json")
    assert result.returncode == 0, result.stderr
    return [feed["url"] for feed in json.loads(result.stdout)]


def test_resolution_order_id_url_title_then_unique_prefix(library: Store):
    assert library.resolve_feed("2").url.endswith("/second")  # the id, not the title "2"
    assert library.resolve_feed("http://127.0.0.1:9/sum-b").id == 4  # an exact URL
    assert library.resolve_feed("second").id == 2  # an exact title, any case
    assert library.resolve_feed("Summer").title == "Summer Reading"  # a unique title start
    assert library.resolve_feed(" 1 ").title == "2"  # spaces around are ignored


def test_a_reference_naming_several_feeds_lists_them_all(library: Store):
    with pytest.raises(AmbiguousFeed) as exact:
        library.resolve_feed("summaries")  # two feeds with that exact title
    assert [feed.id for feed in exact.value.candidates] == [3, 4]
    message = str(exact.value)
    assert "\n" not in message
    assert "3 'Summaries' <http://127.0.0.1:9/sum-a>" in message
    assert "4 'Summaries' <http://127.0.0.1:9/sum-b>" in message
    with pytest.raises(AmbiguousFeed) as prefix:
        library.resolve_feed("Summ")  # the start of three titles
    assert [feed.id for feed in prefix.value.candidates] == [3, 4, 5]
    with pytest.raises(FeedNotFound):
        library.resolve_feed("nothing like it")
    with pytest.raises(FeedNotFound):
        library.resolve_feed("%")  # not a LIKE pattern: matches no title


def test_remove_by_id_removes_that_feed_not_one_titled_so(library: Store, run):
    result = run("remove", "2")
    assert result.returncode == 0, result.stderr
    assert "Unsubscribed from Second" in result.stdout
    urls = feed_urls(run)
    assert "http://127.0.0.1:9/titled-two" in urls and "http://127.0.0.1:9/second" not in urls


def test_an_ambiguous_reference_changes_nothing_through_every_command(library: Store, run):
    before = feed_urls(run)
    listed = run("list", "--json")
    for command in (
        ("remove", "Summaries"),
        ("refresh", "Summaries"),
        ("refresh", "Second", "Summ"),  # one good reference does not save a bad one
        ("list", "--feed", "Summaries"),
    ):
        result = run(*command)
        assert result.returncode == 2, (command, result.stderr)
        assert result.stdout == ""
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, lines
        assert "sum-a" in lines[0] and "sum-b" in lines[0] and "Traceback" not in lines[0]
    assert feed_urls(run) == before  # nothing removed
    assert run("list", "--json").stdout == listed.stdout  # nothing fetched or marked
    feeds = json.loads(run("feeds", "--json").stdout)
    assert all(feed["updated"] is not None and feed["error"] is None for feed in feeds)


def test_an_unknown_reference_is_one_line_and_exit_1(library: Store, run):
    result = run("remove", "No Such Feed")
    assert result.returncode == 1
    assert (
        result.stderr.strip()
        == "tui-reader: error: no feed 'No Such Feed' (see `tui-reader feeds`)"
    )


def test_list_feed_by_unique_title_start(library: Store, run):
    result = run("list", "--json", "--feed", "summer")
    assert result.returncode == 0, result.stderr
    assert [item["title"] for item in json.loads(result.stdout)] == ["Beach book"]


async def test_the_feed_list_shows_the_feed_chosen_among_same_titled_ones(
    library: Store, data_dir: Path, clock: FakeClock
):
    app = make_app(Config(), data_dir, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "F")  # the feed list: All, Starred, then the feeds by title
        assert isinstance(app.screen, FeedsScreen)
        # Rows: All, Starred, "2", Second, Summaries (3), Summaries (4), Summer Reading.
        await press(app, pilot, *["down"] * 5, "enter")  # the second Summaries
        assert [h.title for h in headline_list(app).headlines] == ["Summary B"]
        status = str(app.reader_screen.query_one("#status").render())
        assert "Summaries" in status


def test_odd_digits_are_no_id(library: Store):
    with pytest.raises(FeedNotFound):
        library.resolve_feed("²")  # isdigit, but no id: not a crash
    with pytest.raises(FeedNotFound):
        library.resolve_feed("٣")  # an Arabic-Indic three is not feed 3
    with pytest.raises(FeedNotFound):
        library.resolve_feed("004")  # ids are written as `feeds` prints them


def test_an_ambiguous_reference_counts_every_candidate(data_dir: Path):
    with open_library(data_dir) as store:
        for n in range(25):
            store.add_feed(f"http://127.0.0.1:9/news-{n}", title=f"News {n}")
        with pytest.raises(AmbiguousFeed) as many:
            store.resolve_feed("News")
    assert many.value.count == 25
    assert str(many.value).startswith("'News' names 25 feeds: ")
    assert "; and 5 more; give its id or URL instead" in str(many.value)


async def test_choosing_the_shown_view_again_starts_at_the_top(
    library: Store, data_dir: Path, clock: FakeClock
):
    app = make_app(Config(), data_dir, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "j", "j")  # the cursor on the third story
        assert headline_list(app).cursor == 2
        await press(app, pilot, "F", "enter")  # "All articles", already shown
        assert headline_list(app).cursor == 0
