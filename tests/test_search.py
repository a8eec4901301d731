"""Full-text search: ranked, catches up on new articles, shows headlines only."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import FakeClock
from tests.feed_server import rss
from tests.test_app import headline_list, press, settle
from tui_reader.config import Config
from tui_reader.library.store import Store
from tui_reader.locations import seeds_directory
from tui_reader.searching import index_all
from tui_reader.sources.scraped_text import parse_text
from tui_reader.sources.seeds import open_library
from tui_reader.ui.app import make_app
from tui_reader.ui.widgets.dialogs import SearchDialog


def add(store: Store, title: str, body: str) -> str:
    [(article_id, _)] = store.add_articles([parse_text(f"{title}\n\n{body}")])
    return article_id


def test_search_ranks_title_matches_first_and_takes_plain_words(store: Store):
    in_body = add(store, "Markets Today", "Copper prices rose as cobalt fell.")
    in_title = add(store, "Cobalt Mines Reopen", "Work restarts after the strike.")
    index_all(store)
    assert [h.id for h in store.search("cobalt")] == [in_title, in_body]
    assert [h.id for h in store.search("cob*")] == [in_title, in_body]
    assert [h.title for h in store.search("copper cobalt")] == ["Markets Today"]
    # FTS syntax typed by a user is just words, never an error.
    assert store.search('"unbalanced AND (') == []
    assert store.search("   ") == []


def test_the_index_catches_up_and_forgets_removed_feeds(store: Store, feed_server):
    import asyncio

    from tui_reader.sources.refresh import refresh_feeds

    feed_server.routes["/f"] = lambda h: h.send_feed(rss("Wire", [("1", "Zebra crossing")]))
    feed, _ = store.add_feed(feed_server.url("/f"))
    asyncio.run(refresh_feeds(store, [feed], feed_server_settings()))
    assert store.search("zebra") == []  # not indexed during the refresh
    assert index_all(store) == 2  # the seed and the feed's story
    assert [h.title for h in store.search("zebra")] == ["Zebra crossing"]
    assert [h.title for h in store.search("body")] == ["Zebra crossing"]  # its text too
    store.remove_feed(feed.id)
    assert store.search("zebra") == []


def feed_server_settings():
    from tui_reader.network_settings import NetworkSettings

    return NetworkSettings(connect_timeout=2, read_timeout=5, total_timeout=10)


def test_cli_search_json(run, data_dir: Path):
    with open_library(data_dir) as library:
        add(library, "Lithium Deal Signed", "Both sides agreed.")
    result = run("search", "lithium", "--json")
    assert result.returncode == 0
    titles = [item["title"] for item in json.loads(result.stdout)]
    assert titles[0] == "Lithium Deal Signed"
    assert "Japan and Canada Forge EV Battery Alliance" in titles  # its body mentions lithium
    assert all("body" not in item for item in json.loads(result.stdout))


async def test_slash_filters_the_list_in_place(data_dir: Path):
    with open_library(data_dir) as library:
        add(library, "Lithium Deal Signed", "Both sides agreed.")
        add(library, "Weather", "Rain all week.")
    app = make_app(Config(), data_dir, clock=FakeClock())
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        assert len(headline_list(app).headlines) == 3
        await press(app, pilot, "slash")  # open the search box
        assert isinstance(app.screen, SearchDialog)
        await pilot.press(*"lithium", "enter")  # type and search
        await settle(app, pilot)
        titles = [h.title for h in headline_list(app).headlines]
        assert titles[0] == "Lithium Deal Signed" and "Weather" not in titles
        assert "Search: lithium" in str(app.reader_screen.query_one("#status").render())
        await press(app, pilot, "slash")  # an empty search shows everything again
        app.screen.query_one("Input").value = ""
        await press(app, pilot, "enter")
        assert len(headline_list(app).headlines) == 3


def test_index_words_leave_out_scripts_styles_and_comments():
    from tui_reader.sources.html_convert import html_text

    html = (
        "<p>Caf&eacute; <b>opens</b></p><script>var tracker = 1</script>"
        "<!-- editor note --><style>p { color: red }</style><p>again</p><script>unclosed"
    )
    assert html_text(html) == "Café opens again"


async def test_the_app_indexes_new_articles_in_the_background(data_dir: Path):
    with open_library(data_dir) as library:
        add(library, "Lithium Deal Signed", "Both sides agreed.")
        assert library.unindexed_count() >= 1  # nothing is indexed on insert
    app = make_app(Config(), data_dir, clock=FakeClock())
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        assert app.store is not None and app.store.unindexed_count() == 0


async def test_search_answers_at_once_while_indexing_and_updates_after(data_dir: Path, monkeypatch):
    import tui_reader.ui.app as app_module

    monkeypatch.setattr("tui_reader.searching.SEARCH_CATCH_UP", 0)
    with open_library(data_dir, seeds_directory()) as library:
        add(library, "Lithium Deal Signed", "Both sides agreed.")
        index_all(library)
        add(library, "Lithium Price Falls", "Later news.")  # waits for the index
        pending = library.unindexed_count()
    deferred = app_module.ReaderApp.index_for_search
    monkeypatch.setattr(app_module.ReaderApp, "index_for_search", lambda self: None)
    app = make_app(Config(), data_dir, clock=FakeClock())
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "slash")  # open the search box
        await pilot.press(*"lithium", "enter")  # type and search
        await settle(app, pilot)
        titles = [h.title for h in headline_list(app).headlines]
        assert "Lithium Deal Signed" in titles and "Lithium Price Falls" not in titles
        notice = f"Still indexing {pending} article{'s' * (pending != 1)} for search"
        assert any(notice in n.message for n in app._notifications)
        deferred(app)  # the background pass ends: the search runs again
        await settle(app, pilot)
        titles = [h.title for h in headline_list(app).headlines]
        assert "Lithium Price Falls" in titles


def test_a_word_in_thousands_of_titles_lists_the_newest_first(store: Store, monkeypatch):
    import tui_reader.library.search as search_module

    # The first has the word twice in a short title: the best bm25 match.
    first = add(store, "Cobalt cobalt", "Older.")
    second = add(store, "Cobalt prices and a long title about mines", "Newer.")
    index_all(store)
    assert [h.id for h in store.search("cobalt")] == [first, second]  # by relevance
    monkeypatch.setattr(search_module, "RANK_TITLES_UP_TO", 2)  # "thousands" of matches
    assert [h.id for h in store.search("cobalt")] == [second, first]  # newest first


def library_with_topic(data_dir: Path, count: int) -> None:
    """`count` stories about "topic", the newest last added, plus one about rain."""
    with open_library(data_dir) as library:
        library.add_articles(
            [parse_text(f"Item {i} about the topic\n\nBody {i}.") for i in range(count)]
            + [parse_text("Weather\n\nRain all week.")]
        )
        index_all(library)


def test_every_match_comes_back_with_no_cap(run, data_dir: Path):
    library_with_topic(data_dir, 2_000)
    result = run("search", "topic", "--json")
    titles = [item["title"] for item in json.loads(result.stdout)]
    assert len(titles) == 2_000  # was cut at 500
    assert set(titles) == {f"Item {i} about the topic" for i in range(2_000)}
    assert titles[0] == "Item 1999 about the topic"  # equal scores: the newest first


async def test_the_app_lists_every_match_and_says_how_many(data_dir: Path):
    library_with_topic(data_dir, 2_000)
    app = make_app(Config(), data_dir, clock=FakeClock())
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        status = app.reader_screen.query_one("#status")
        assert "All articles · 2,002 stories" in str(status.render())  # with the seed
        await press(app, pilot, "slash")  # search
        await pilot.press(*"topic", "enter")
        await settle(app, pilot)
        titles = [h.title for h in headline_list(app).headlines]
        assert len(titles) == 2_000 and "Item 0 about the topic" in titles
        assert "Search: topic · 2,000 matches" in str(status.render())
        await press(app, pilot, "G")  # the oldest match is reachable
        assert headline_list(app).current.title == "Item 0 about the topic"


async def test_no_match_says_so_and_slash_starts_from_the_last_query(data_dir: Path):
    library_with_topic(data_dir, 3)
    app = make_app(Config(), data_dir, clock=FakeClock())
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "slash")  # search for a word nowhere
        await pilot.press(*"zebra", "enter")
        await settle(app, pilot)
        assert headline_list(app).headlines == []
        assert any("No matches for 'zebra'." in n.message for n in app._notifications)
        await press(app, pilot, "slash")  # the last query is there, selected
        box = app.screen.query_one("Input")
        assert box.value == "zebra"
        await pilot.press(*"rain", "enter")  # typing replaces it
        await settle(app, pilot)
        assert [h.title for h in headline_list(app).headlines] == ["Weather"]
