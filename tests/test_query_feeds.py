"""Query feeds ([[query]]) and ignore rules ([[ignore]], [[feed]] ignore): the filter
language as saved views and as a killfile, in the CLI, the app and a sync."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.feed_server import FeedServer, rss
from tests.test_app import headline_list, press, settle
from tui_reader.config import load_config
from tui_reader.locations import database_path
from tui_reader.sources.seeds import open_library
from tui_reader.ui.app import make_app
from tui_reader.ui.feeds_screen import FeedsScreen

NEWS = [
    ("1", "Battery plant opens"),
    ("2", "Sponsored: the best batteries"),
    ("3", "Lithium prices fall"),
    ("4", "Weather: rain"),
]
ADS = [("a1", "Advertisement: cars"), ("a2", "Car review")]


def config_with(tmp_path: Path, text: str) -> None:
    (tmp_path / "config.toml").write_text(text)


def titles(stdout: str) -> set[str]:
    return {item["title"] for item in json.loads(stdout)}


def stored_titles(data_dir: Path) -> set[str]:
    with sqlite3.connect(database_path(data_dir)) as db:
        return {row[0] for row in db.execute("SELECT title FROM articles")}


def subscribe(run, feed_server: FeedServer) -> list[str]:
    """`add` both feeds; what each said."""
    feed_server.routes["/news.xml"] = lambda h: h.send_feed(rss("News", NEWS))
    feed_server.routes["/ads.xml"] = lambda h: h.send_feed(rss("Ads", ADS))
    said = []
    for path in ("/news.xml", "/ads.xml"):
        added = run("add", feed_server.url(path))
        assert added.returncode == 0, added.stderr
        said.append(added.stdout)
    return said


QUERY = """
[[query]]
name = "Batteries"
filter = 'feedtitle = "News" and title =~ "batter|lithium"'
"""


def test_a_query_feed_is_listed_opened_and_marked_read_like_a_feed(run, tmp_path, feed_server):
    config_with(tmp_path, QUERY)
    subscribe(run, feed_server)
    feeds = json.loads(run("feeds", "--json").stdout)
    [query] = [f for f in feeds if f["query"]]
    assert (query["title"], query["unread"], query["total"]) == ("Batteries", 3, 3)
    assert all(not f["query"] for f in feeds if f is not query)
    assert "Batteries" in run("feeds").stdout  # the plain listing names it too

    listed = run("list", "--json", "--query", "batt")  # a unique start of its name
    assert titles(listed.stdout) == {
        "Battery plant opens",
        "Sponsored: the best batteries",
        "Lithium prices fall",
    }
    both = run("list", "--json", "--query", "Batteries", "--filter", 'title # "prices"')
    assert titles(both.stdout) == {"Lithium prices fall"}

    marked = run("mark", "--all-read", "--query", "Batteries")
    assert marked.returncode == 0 and "3" in marked.stdout
    unread = titles(run("list", "--json", "--unread").stdout)
    assert "Weather: rain" in unread and "Lithium prices fall" not in unread
    [query] = [f for f in json.loads(run("feeds", "--json").stdout) if f["query"]]
    assert (query["unread"], query["total"]) == (0, 3)

    unknown = run("list", "--query", "Nope")
    assert unknown.returncode == 2
    assert unknown.stderr.strip().endswith("(the config has: Batteries)")


def test_a_bad_query_or_rule_is_one_warning_and_left_out(tmp_path):
    config_with(
        tmp_path,
        "[[query]]\nname = \"Broken\"\nfilter = 'title =~'\n\n"
        '[[ignore]]\nfilter = \'title # "x"\'\nmode = "bury"\n\n'
        "[[ignore]]\nfeed = \"*\"\nfilter = 'age <'\n",
    )
    config = load_config(tmp_path / "config.toml")
    assert config.queries == [] and config.ignores == []
    assert len(config.warnings) == 3 and all("\n" not in w for w in config.warnings)
    assert 'expected a value after "=~"' in config.warnings[0]


IGNORES = """
[[ignore]]
feed = "*"
filter = 'title =~ "^sponsored"'
mode = "hide"

[[feed]]
url = "{ads}"
ignore = 'title =~ "^Advertisement"'
ignore_mode = "drop"
"""


def test_hide_keeps_stories_out_of_every_view_and_drop_never_stores_them(
    run, data_dir, tmp_path, feed_server
):
    config_with(tmp_path, IGNORES.format(ads=feed_server.url("/ads.xml")) + QUERY)
    said = subscribe(run, feed_server)
    assert "1 story ignored by rules" in said[1]  # the advertisement, dropped as it came
    feed_server.routes["/ads.xml"] = lambda h: h.send_feed(rss("Ads", [*ADS, ("a3", "Ad!")]))
    refreshed = run("refresh")  # the feed changed: judged again, dropped again
    assert refreshed.returncode == 0, refreshed.stderr
    assert "1 story ignored by rules" in refreshed.stdout

    shown = titles(run("list", "--json").stdout)
    assert "Sponsored: the best batteries" not in shown and "Battery plant opens" in shown
    assert "Advertisement: cars" not in shown and "Car review" in shown
    searched = titles(run("search", "batteries", "--json").stdout)
    assert "Sponsored: the best batteries" not in searched
    counts = {f["title"]: f["total"] for f in json.loads(run("feeds", "--json").stdout)}
    assert counts["News"] == 3 and counts["Ads"] == 2 and counts["Batteries"] == 2

    # Hidden is stored (a changed rule brings it back); dropped never was.
    assert "Sponsored: the best batteries" in stored_titles(data_dir)
    assert "Advertisement: cars" not in stored_titles(data_dir)
    config_with(tmp_path, "")
    assert "Sponsored: the best batteries" in titles(run("list", "--json").stdout)


def test_a_glob_of_feed_urls_picks_only_those_feeds(run, tmp_path, feed_server):
    glob = feed_server.url("/ad") + "*"
    config_with(tmp_path, f'[[ignore]]\nfeed = "{glob}"\nfilter = \'title # "car"\'\n')
    subscribe(run, feed_server)
    shown = titles(run("list", "--json").stdout)
    assert "Car review" not in shown and "Advertisement: cars" not in shown
    assert "Weather: rain" in shown


async def test_the_app_lists_query_feeds_and_hides_what_rules_hide(tmp_path, data_dir, feed_server):
    """F shows the query with its counts; Enter on it shows its stories, named in the header."""
    feed_server.routes["/news.xml"] = lambda h: h.send_feed(rss("News", NEWS))
    config_with(tmp_path, IGNORES.format(ads="http://unused.example/") + QUERY)
    config = load_config(tmp_path / "config.toml")
    with open_library(data_dir, None) as library:
        library.add_feed(feed_server.url("/news.xml"))
    app = make_app(config, data_dir, seeds_dir=Path("/nonexistent"))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "r")  # refresh: the feed's four stories, one hidden
        shown = [h.title for h in headline_list(app).headlines]
        assert "Sponsored: the best batteries" not in shown and len(shown) == 3
        await press(app, pilot, "F")  # the feed list
        screen = app.screen
        assert isinstance(screen, FeedsScreen)
        rows = {row.label: row for row in screen.feed_list.rows}
        assert (rows["Batteries"].kind, rows["Batteries"].unread, rows["Batteries"].total) == (
            "query",
            2,
            2,
        )
        await press(app, pilot, "down", "down", "enter")  # All, Starred, then the query
        assert sorted(h.title for h in headline_list(app).headlines) == [
            "Battery plant opens",
            "Lithium prices fall",
        ]
        assert str(app.reader_screen.query_one("#status").render()).startswith(
            "Query: Batteries · 2 stories"
        )
