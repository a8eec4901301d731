"""Triage like a newsboat user: next / previous unread across feeds, marking a list or
everything read with an undo, and `tui-reader mark` on the command line."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.conftest import FakeClock
from tests.test_app import article_text, headline_list, press, settle
from tui_reader.config import Config
from tui_reader.parsed_feed import FeedEntry, ParsedFeed
from tui_reader.sources.seeds import open_library
from tui_reader.ui.app import make_app

NO_SEEDS = Path(os.devnull)  # the bundled seed would be one more unread story


def library_with_feeds(data_dir: Path, feeds: dict[str, int]) -> None:
    """Feeds named as given, each with that many stories "<Feed> 1" (newest), "<Feed> 2", ...;
    no seed, so the list holds only them."""
    with open_library(data_dir, Path(os.devnull)) as library:
        for day, (name, count) in enumerate(feeds.items()):
            feed, _ = library.add_feed(f"http://127.0.0.1:9/{name}.xml", title=name)
            entries = [
                FeedEntry(
                    guid=f"{name}-{i}",
                    link=f"http://127.0.0.1:9/{name}/{i}",
                    title=f"{name} {i}",
                    author="",
                    published=f"2026-11-{20 - day:02d}T{23 - i:02d}:00:00+00:00",
                    html=f"<p>Story {i} of {name}.</p>",
                )
                for i in range(1, count + 1)
            ]
            library.store_feed(
                feed, ParsedFeed(name, "", "rss", entries), etag=None, last_modified=None
            )


def titles(app) -> list[str]:
    return [h.title for h in headline_list(app).headlines]


def unread(app) -> list[str]:
    return [h.title for h in headline_list(app).headlines if not h.read]


async def test_n_opens_the_next_unread_and_says_when_none_is_left(data_dir: Path, clock: FakeClock):
    library_with_feeds(data_dir, {"Alpha": 4})
    app = make_app(Config(meter_limit=100), data_dir, clock=clock, seeds_dir=NO_SEEDS)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        assert titles(app) == ["Alpha 1", "Alpha 2", "Alpha 3", "Alpha 4"]
        await press(app, pilot, "j", "j", "m", "k", "k")  # Alpha 3 marked read, back to the top
        await press(app, pilot, "enter")  # read Alpha 1
        await press(app, pilot, "n")  # next unread: Alpha 2
        assert article_text(app).startswith("Alpha 2")
        await press(app, pilot, "n")  # skips Alpha 3, read already
        assert article_text(app).startswith("Alpha 4")
        await press(app, pilot, "p")  # nothing unread above: none left at all
        assert unread(app) == []
        assert article_text(app).startswith("Alpha 4")
        assert any("No unread stories left." in n.message for n in app._notifications)


async def test_n_wraps_round_to_an_unread_story_above(data_dir: Path, clock: FakeClock):
    library_with_feeds(data_dir, {"Alpha": 3})
    app = make_app(Config(meter_limit=100), data_dir, clock=clock, seeds_dir=NO_SEEDS)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "G", "enter")  # read the last one
        await press(app, pilot, "n")  # none below: on from the top
        assert article_text(app).startswith("Alpha 1")
        # J and K stay next / previous story, read or not.
        await press(app, pilot, "J")  # next story: Alpha 2
        assert article_text(app).startswith("Alpha 2")
        await press(app, pilot, "K")  # previous story: Alpha 1, read already
        assert article_text(app).startswith("Alpha 1")


async def test_n_goes_on_to_the_next_feed_with_unread_stories(data_dir: Path, clock: FakeClock):
    library_with_feeds(data_dir, {"Alpha": 1, "Beta": 2, "Gamma": 1})
    with open_library(data_dir, Path(os.devnull)) as library:
        beta = library.resolve_feed("Beta")
        library.mark_all_read(feed_id=beta.id)  # Beta has nothing unread
    app = make_app(Config(meter_limit=100), data_dir, clock=clock, seeds_dir=NO_SEEDS)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        app.view = app.view.of_feed(app.store.resolve_feed("Alpha").id, "Alpha")
        await settle(app, pilot)
        await press(app, pilot, "enter")  # read Alpha's only story
        await press(app, pilot, "n")  # none left in Alpha; Beta has none; on to Gamma
        await settle(app, pilot)
        assert app.view.feed_title == "Gamma"
        assert article_text(app).startswith("Gamma 1")


async def test_a_marks_the_list_read_and_u_undoes_it(data_dir: Path, clock: FakeClock):
    library_with_feeds(data_dir, {"Alpha": 3, "Beta": 2})
    app = make_app(Config(), data_dir, clock=clock, seeds_dir=NO_SEEDS)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        app.view = app.view.of_feed(app.store.resolve_feed("Beta").id, "Beta")
        await settle(app, pilot)
        await press(app, pilot, "j", "m")  # Beta 2 read by hand first
        await press(app, pilot, "A")  # mark Beta's list read
        assert unread(app) == []
        assert any("Marked 1 story read. Press U" in n.message for n in app._notifications)
        assert app.store.unread_count() == 3  # Alpha untouched
        await press(app, pilot, "U")  # undo: exactly what A changed
        assert unread(app) == ["Beta 1"]
        await press(app, pilot, "U")  # nothing more to undo
        assert any("Nothing to undo." in n.message for n in app._notifications)


async def test_c_marks_everything_but_what_arrived_after_the_list(data_dir: Path, clock: FakeClock):
    library_with_feeds(data_dir, {"Alpha": 2, "Beta": 2})
    app = make_app(Config(), data_dir, clock=clock, seeds_dir=NO_SEEDS)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        # A story arrives from another process after the list was shown.
        with open_library(data_dir, Path(os.devnull)) as other:
            feed = other.resolve_feed("Alpha")
            late = FeedEntry("late", "http://127.0.0.1:9/late", "Late news", "", None, "<p>x</p>")
            other.store_feed(
                feed, ParsedFeed("Alpha", "", "rss", [late]), etag=None, last_modified=None
            )
        await press(app, pilot, "C")  # mark everything read
        assert "Late news" in titles(app), titles(app)
        assert unread(app) == ["Late news"]
        assert app.store.unread_count() == 1


# --- The command line ----------------------------------------------------------------


def listed(run, *flags: str) -> list[dict]:
    """`list --json` without the bundled seed (the CLI adds it to any library)."""
    items = json.loads(run("list", "--json", *flags).stdout)
    return [item for item in items if item["source"] != "Bundled seed"]


def test_mark_sets_and_clears_read_and_starred(run, data_dir: Path):
    library_with_feeds(data_dir, {"Alpha": 2, "Beta": 1})
    listed_now = listed(run)
    ids = {item["title"]: item["id"] for item in listed_now}
    done = run("mark", ids["Alpha 1"], ids["Beta 1"][:6], "--read")
    assert (done.returncode, done.stdout) == (0, "Marked 2 stories read.\n")
    assert [i["title"] for i in listed(run, "--unread")] == ["Alpha 2"]
    assert run("mark", ids["Alpha 1"], "--unread").stdout == "Marked 1 story unread.\n"
    assert run("mark", ids["Alpha 2"], "--star").returncode == 0
    starred = listed(run, "--starred")
    assert [i["title"] for i in starred] == ["Alpha 2"]
    assert run("mark", ids["Alpha 2"], "--unstar").stdout == "Marked 1 story unstarred.\n"
    assert run("mark", ids["Alpha 2"], "--unstar").stdout == "Nothing to mark unstarred.\n"


def test_mark_names_bad_ids_in_one_line_and_changes_nothing(run, data_dir: Path):
    library_with_feeds(data_dir, {"Alpha": 2})
    good = listed(run)[0]["id"]
    bad = run("mark", good, "ffffffffffff", "0d", "--read")
    assert bad.returncode == 2
    [line] = bad.stderr.splitlines()
    assert "no article with id 'ffffffffffff'" in line
    assert "'0d' is too short (give 4 characters at least)" in line
    assert "nothing was changed" in line and "Traceback" not in bad.stderr
    assert len(listed(run, "--unread")) == 2  # the good one was not marked either


def test_mark_all_read_of_one_feed(run, data_dir: Path):
    library_with_feeds(data_dir, {"Alpha": 2, "Beta": 3})
    done = run("mark", "--all-read", "--feed", "Beta")
    assert (done.returncode, done.stdout) == (0, "Marked 3 stories read.\n")
    left = listed(run, "--unread")
    assert [i["title"] for i in left] == ["Alpha 1", "Alpha 2"]
    assert run("mark", "--all-read").stdout == "Marked 3 stories read.\n"  # and the seed
    usage = run("mark", "abcd", "--all-read")
    assert usage.returncode == 2 and "takes no ids" in usage.stderr
