"""The SQLite library: ids, seeds, migrations."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import SEED_FILE, make_article_file
from tui_reader.library.database import StoreError
from tui_reader.library.schema import MIGRATIONS, SCHEMA_VERSION
from tui_reader.library.store import Store
from tui_reader.locations import database_path, seeds_directory
from tui_reader.sources.scraped_text import parse_text
from tui_reader.sources.seeds import open_library


def test_fresh_library_has_the_seed(store: Store):
    headlines = store.headlines()
    assert [h.title for h in headlines] == ["Japan and Canada Forge EV Battery Alliance"]
    assert not headlines[0].read and not headlines[0].starred


def test_wal_mode_and_schema_version(store: Store):
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.schema_version() == SCHEMA_VERSION


def test_reopening_does_not_duplicate_seeds(data_dir: Path):
    for _ in range(3):
        with open_library(data_dir, seeds_directory()) as library:
            assert library.count() == 1


def test_changed_seeds_are_imported_again_without_duplicates(data_dir: Path, tmp_path: Path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    shutil.copy(SEED_FILE, seeds)
    with open_library(data_dir, seeds) as library:
        assert library.count() == 1
    make_article_file(seeds, "second.txt", "A Second Seed")
    with open_library(data_dir, seeds) as library:
        assert sorted(h.title for h in library.headlines()) == [
            "A Second Seed",
            "Japan and Canada Forge EV Battery Alliance",
        ]


def test_ids_are_stable_and_content_derived(store: Store):
    article = parse_text("Stable\n\nBody text.")
    [(first, added)] = store.add_articles([article])
    [(second, added_again)] = store.add_articles([parse_text("Stable\r\n\r\nBody text.\r\n")])
    assert (first, added, added_again) == (second, True, False)
    assert store.find_ids(first[:6]) == [first]
    assert store.find_ids("zzzz") == []


def test_read_and_star_state(store: Store):
    [headline] = store.headlines()
    store.set_read(headline.id, True)
    store.set_starred(headline.id, True)
    assert store.headlines(unread_only=True) == []
    [starred] = store.headlines(starred_only=True)
    assert starred.read and starred.starred


def test_a_failed_transaction_writes_nothing(store: Store):
    [headline] = store.headlines()
    with pytest.raises(RuntimeError), store.transaction():
        store.db.execute("UPDATE articles SET starred = 1 WHERE id = ?", (headline.id,))
        raise RuntimeError("crash mid-write")
    assert not store.headlines()[0].starred


def test_migrates_a_version_1_library_forward(data_dir: Path):
    """A library written by the first schema keeps its articles and state."""
    data_dir.mkdir(parents=True)
    db = sqlite3.connect(database_path(data_dir))
    db.executescript(MIGRATIONS[0])
    db.execute(
        "INSERT INTO articles (id, origin, title, published, added, read, starred)"
        " VALUES ('00000000000000aa', 'file', 'Old Story', '2020-01-02T00:00:00+00:00',"
        " '2021-01-01T00:00:00+00:00', 1, 1)"
    )
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    with Store.open(data_dir) as library:
        assert library.schema_version() == SCHEMA_VERSION
        [headline] = library.headlines()
        assert (headline.title, headline.read, headline.starred) == ("Old Story", True, True)
        sort_key = library.db.execute("SELECT sort_key FROM articles").fetchone()[0]
        assert sort_key == "2020-01-02T00:00:00+00:00"
        assert library.db.execute("SELECT count(*) FROM views").fetchone()[0] == 0


def test_a_newer_schema_is_refused_and_left_alone(data_dir: Path):
    data_dir.mkdir(parents=True)
    path = database_path(data_dir)
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE future (x)")
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="newer than this tui-reader knows"):
        Store.open(data_dir)
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 5
    db.close()


def test_a_damaged_library_is_moved_aside_and_a_fresh_one_started(data_dir: Path):
    data_dir.mkdir(parents=True)
    garbage = b"this is not sqlite" * 100
    database_path(data_dir).write_bytes(garbage)
    with open_library(data_dir, seeds_directory()) as library:
        assert library.notice is not None and "\n" not in library.notice
        assert "was damaged" in library.notice and "moved it to" in library.notice
        assert library.count() == 1  # fresh, with the seed
    [moved] = data_dir.glob("library.sqlite3.damaged-*")
    assert moved.read_bytes() == garbage  # kept, never deleted


def test_a_library_damaged_inside_is_moved_aside(data_dir: Path):
    with open_library(data_dir, seeds_directory()):
        pass
    path = database_path(data_dir)
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # wreck the schema page after the header
    path.write_bytes(bytes(data))
    with open_library(data_dir, seeds_directory()) as library:
        assert library.notice is not None
        assert library.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert len(list(data_dir.glob("library.sqlite3.damaged-*"))) == 1


def test_an_edited_seed_replaces_its_old_version(data_dir: Path, tmp_path: Path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    seed = make_article_file(seeds, "story.txt", "First Version")
    with open_library(data_dir, seeds) as library:
        [old] = library.headlines()
        library.set_starred(old.id, True)
    seed.write_text(seed.read_text().replace("First Version", "Second Version"))
    with open_library(data_dir, seeds) as library:
        [new] = library.headlines()
        assert new.title == "Second Version" and new.starred
        assert new.id != old.id


def test_a_busy_library_is_one_line_not_a_hang(data_dir: Path, monkeypatch):
    monkeypatch.setattr("tui_reader.library.database.BUSY_TIMEOUT_MS", 200)
    with open_library(data_dir, seeds_directory()) as library:
        [headline] = library.headlines()
        other = sqlite3.connect(database_path(data_dir), isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")  # another process writing, for a long time
        try:
            with pytest.raises(StoreError, match=r"is busy \(another tui-reader is writing\)"):
                library.set_read(headline.id, True)
        finally:
            other.execute("ROLLBACK")
            other.close()
        library.set_read(headline.id, True)  # once free, writes go through
        assert library.headline(headline.id).read


def test_damage_met_in_use_is_set_aside_at_the_next_start(data_dir: Path):
    with open_library(data_dir, seeds_directory()) as library:
        library.add_articles(parse_text(f"Story {i}\n\n" + "words " * 500) for i in range(200))
        library.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        pages = library.db.execute("PRAGMA page_count").fetchone()[0]
    path = database_path(data_dir)
    data = bytearray(path.read_bytes())
    page = 4096
    middle = (pages // 2) * page
    data[middle : middle + page] = b"\x00\xff" * (page // 2)  # wreck a page of articles
    path.write_bytes(bytes(data))
    with open_library(data_dir, seeds_directory()) as library, pytest.raises(StoreError) as caught:
        for article_id in [h.id for h in library.headlines()]:
            library.get(article_id)
    assert "is damaged" in str(caught.value) and "start tui-reader again" in str(caught.value)
    with open_library(data_dir, seeds_directory()) as library:
        assert library.notice is not None and "moved it to" in library.notice
        assert library.count() == 1  # fresh, with the seed
    assert len(list(data_dir.glob("library.sqlite3.damaged-2*"))) == 1


def test_programs_starting_together_set_a_damaged_library_aside_once(data_dir: Path):
    data_dir.mkdir(parents=True)
    database_path(data_dir).write_bytes(b"garbage" * 1000)
    go = data_dir.parent / "go"
    code = (
        "import sys, time; from pathlib import Path\n"
        "from tui_reader.sources.seeds import open_library\n"
        "while not Path(sys.argv[2]).exists(): time.sleep(0.001)\n"
        "with open_library(Path(sys.argv[1])) as s: s.count()"
    )
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(data_dir), str(go)], stderr=subprocess.PIPE
        )
        for _ in range(8)
    ]
    time.sleep(1.0)  # all of them at the start line
    go.touch()
    for process in processes:
        assert process.wait(60) == 0, process.stderr.read()
    assert len(list(data_dir.glob("library.sqlite3.damaged-*"))) == 1
    with open_library(data_dir) as library:
        assert library.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_story_dated_in_the_future_sorts_as_first_seen(store: Store, monkeypatch):
    """fastfeedparser reads GUIDs like t15 as dates years ahead: not above everything."""
    from tui_reader.parsed_feed import FeedEntry, ParsedFeed

    monkeypatch.setattr("tui_reader.library.feeds.now_iso", lambda: "2026-01-01T00:00:00+00:00")
    feed, _ = store.add_feed("http://127.0.0.1:9/odd.xml", title="Odd")
    ahead = FeedEntry("t15", "", "Dated 2099", "", "2099-01-01T00:00:00+00:00", "<p>x</p>")
    store.store_feed(feed, ParsedFeed("Odd", "", "RSS", [ahead]), etag=None, last_modified=None)
    monkeypatch.setattr("tui_reader.library.articles.now_iso", lambda: "2026-01-02T00:00:00+00:00")
    later = parse_text("Stored A Day Later\n\nNo date on this one.")
    store.add_articles([later])
    titles = [h.title for h in store.headlines()]
    assert titles.index("Stored A Day Later") < titles.index("Dated 2099")
    edited = FeedEntry("t15", "", "Dated 2099, edited", "", "2099-01-01T00:00:00+00:00", "<p>y</p>")
    store.store_feed(feed, ParsedFeed("Odd", "", "RSS", [edited]), etag=None, last_modified=None)
    titles = [h.title for h in store.headlines()]
    assert titles.index("Stored A Day Later") < titles.index("Dated 2099, edited")


def test_migration_sorts_stories_dated_in_the_future_as_first_seen(data_dir: Path):
    """A story stored with a date years ahead (before the fix) no longer tops the list."""
    data_dir.mkdir(parents=True)
    db = sqlite3.connect(database_path(data_dir))
    for statement in MIGRATIONS[:5]:
        db.executescript(statement)
    for story, published, added in (
        ("From the future", "2036-01-01T00:00:00+00:00", "2026-11-01T00:00:00+00:00"),
        ("Yesterday's", "2026-11-30T00:00:00+00:00", "2026-11-30T01:00:00+00:00"),
    ):
        db.execute(
            "INSERT INTO articles (id, origin, title, published, added, sort_key)"
            " VALUES (?, 'feed', ?, ?, ?, ?)",
            (story[:16].ljust(16, "0"), story, published, added, published),
        )
    db.execute("PRAGMA user_version = 5")
    db.commit()
    db.close()
    with Store.open(data_dir) as library:
        assert [h.title for h in library.headlines()] == ["Yesterday's", "From the future"]
        # Its own date is kept: only where it sorts changed.
        [future] = [h for h in library.headlines() if h.title == "From the future"]
        assert future.published == "2036-01-01T00:00:00+00:00"


def test_migration_moves_the_texts_out_and_keeps_every_article(data_dir: Path):
    """A version-6 library keeps its stories, their state, their words and the
    search index when the texts move out of the articles rows."""
    data_dir.mkdir(parents=True)
    db = sqlite3.connect(database_path(data_dir))
    for statement in MIGRATIONS[:6]:
        db.executescript(statement)
    db.execute("INSERT INTO feeds (id, url, title, added) VALUES (1, 'http://x/rss', 'X', 'now')")
    body = '[["paragraph", "Lithium prices fell for a third week."]]'
    db.execute(
        "INSERT INTO articles (id, origin, title, body, added, sort_key, read, starred)"
        " VALUES ('aaaa000000000001', 'file', 'Saved story', ?, '2026-11-01', '2026-11-01', 1, 1)",
        (body,),
    )
    db.execute(
        "INSERT INTO articles (id, origin, title, html, added, sort_key, feed_id)"
        " VALUES ('bbbb000000000002', 'feed', 'Feed story', '<p>Cobalt is scarce.</p>',"
        " '2026-11-02', '2026-11-02', 1)"
    )
    db.execute("PRAGMA user_version = 6")
    db.commit()
    db.close()
    with Store.open(data_dir) as library:
        assert library.schema_version() == SCHEMA_VERSION
        saved = library.get("aaaa000000000001")
        entry = library.get("bbbb000000000002")
        assert saved is not None and entry is not None
        assert (saved.read, saved.starred) == (True, True)
        assert saved.article.blocks[0].text == "Lithium prices fell for a third week."
        assert entry.html == "<p>Cobalt is scarce.</p>" and entry.feed_url == "http://x/rss"
        from tui_reader.searching import search

        assert [h.title for h in search(library, "cobalt", catch_up_fully=True).headlines] == [
            "Feed story"
        ]
        # Removing the feed takes its story's text with it.
        assert library.remove_feed(1) == (1, 0)
        left = library.db.execute("SELECT count(*) FROM article_texts").fetchone()[0]
        assert left == library.count()
