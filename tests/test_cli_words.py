"""The command line's words: counts in the singular for one, and a short id named as such."""

from __future__ import annotations

from tests.feed_server import rss
from tui_reader.words import counted


def test_counted_says_one_in_the_singular():
    assert counted(1, "new article") == "1 new article"
    assert counted(0, "feed") == "0 feeds"
    assert counted(2000, "match", "matches") == "2,000 matches"


def test_one_new_article_and_one_feed_read_right(run, feed_server):
    feed_server.routes["/one.xml"] = lambda h: h.send_feed(rss("One", [("a", "Alpha story")]))
    added = run("add", feed_server.url("/one.xml"))
    assert added.returncode == 0, added.stderr
    assert added.stdout.endswith(": 1 new article\n")
    feed_server.routes["/one.xml"] = lambda h: h.send_feed(
        rss("One", [("a", "Alpha story"), ("b", "Beta story")])
    )
    refreshed = run("refresh")
    assert "1 feed updated, 1 new article," in refreshed.stdout + refreshed.stderr


def test_read_names_a_short_id_as_too_short(run):
    short = run("read", "0d")
    assert short.returncode == 1
    assert short.stderr.strip() == (
        "tui-reader: error: id '0d' is too short: give 4 characters at least"
        " (see `tui-reader list`)"
    )
