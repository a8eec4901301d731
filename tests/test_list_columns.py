"""`list` prints fixed columns, whatever its flags, and `--feed` takes any feed reference."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tui_reader.library.store import Store
from tui_reader.parsed_feed import FeedEntry, ParsedFeed
from tui_reader.sources.seeds import open_library

# marks, id, date, feed, title at the offsets README and cli/common.py give.
LINE = re.compile(r"^([N ][* ]) ([0-9a-f]{16})  (\d{4}-\d\d-\d\d|-{10})  (.{20})  (.*)$")


def subscribe(store: Store, url: str, title: str, stories: list[tuple[str, str | None]]) -> int:
    """A feed with stories (title, published), as a refresh would have stored them."""
    feed, _new = store.add_feed(url, title=title)
    entries = [FeedEntry(url + s, "", s, "", when, f"<p>{s}</p>") for s, when in stories]
    store.store_feed(feed, ParsedFeed(title, "", "RSS", entries), etag=None, last_modified=None)
    return feed.id


@pytest.fixture
def library(data_dir: Path) -> Store:
    with open_library(data_dir) as store:
        subscribe(
            store,
            "http://127.0.0.1:9/long",
            "A Feed Whose Title Runs On Well Past Twenty",
            [("Short", "2026-01-02T08:00:00+00:00"), ("Undated\twith a tab", None)],
        )
        subscribe(store, "http://127.0.0.1:9/wire", "Wire", [("A title\nover two lines", None)])
        subscribe(store, "http://127.0.0.1:9/wire-two", "Wire Two", [("Other", None)])
        [short] = [h for h in store.headlines() if h.title == "Short"]
        store.set_flag(short.id, "starred", True)
        store.set_flag(short.id, "read", True)
        yield store


def listed(run, *flags: str) -> dict[str, str]:
    """`list` with these flags: id -> its line, every line checked against the layout."""
    result = run("list", *flags)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    for line in lines:
        assert LINE.match(line), repr(line)
    return {line[3:19]: line for line in lines}


def test_the_columns_stay_put_whatever_the_flags(library: Store, run):
    everything = listed(run)
    assert len(everything) == 5  # and the seed; a title's newline made no second line
    for flags in (["--unread"], ["--starred"], ["--feed", "A Feed"], ["--unread", "--feed", "2"]):
        some = listed(run, *flags)
        assert some, flags
        for article_id, line in some.items():
            assert line == everything[article_id], flags  # the same line, at the same offsets
    [short] = listed(run, "--starred").values()
    assert short[:2] == " *"  # read, starred
    assert short[21:31] == "2026-01-02"
    assert short[33:53] == "A Feed Whose Title R"  # cut to 20
    assert short[55:] == "Short"
    wire = next(line for line in everything.values() if "over two" in line)
    assert wire[:2] == "N " and wire[21:31] == "-" * 10
    assert wire[33:53] == "Wire".ljust(20) and wire[55:] == "A title over two lines"


def test_list_feed_takes_an_id_a_url_a_title_or_a_unique_start(library: Store, run):
    wire = listed(run, "--feed", "2")
    for ref in ("http://127.0.0.1:9/wire", "wire", "Wire", " 2 "):
        assert listed(run, "--feed", ref) == wire, ref
    titles = [line[55:] for line in listed(run, "--feed", "a feed").values()]
    assert sorted(titles) == ["Short", "Undated with a tab"]


def test_list_feed_naming_several_feeds_is_one_line_and_exit_2(library: Store, run):
    result = run("list", "--feed", "Wi")  # Wire and Wire Two
    assert result.returncode == 2
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("tui-reader: error: 'Wi' names 2 feeds: ")
    assert "/wire" in line and "/wire-two" in line and line.endswith("give its id or URL instead")
