"""The library's schema: its migrations, and the refusal of a newer one.

The schema carries its version in `PRAGMA user_version` and migrates
forward, one transaction per step, so every older library walks the same
path. A migration may call the SQL function `normalise_feed_url` (Python's,
registered by `migrate`). Imports only `errors` and `feed_urls`; the
connection comes from `database`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

from tui_reader.errors import ShownError
from tui_reader.feed_urls import normalise_feed_url

# Each entry upgrades the schema from version N to N + 1. Never edit a shipped
# migration: add a new one, so every older library walks the same path.
MIGRATIONS: list[str] = [
    # 0 -> 1: articles and settings.
    """
    CREATE TABLE articles (
        id TEXT PRIMARY KEY,
        origin TEXT NOT NULL,
        source TEXT NOT NULL DEFAULT '',
        url TEXT NOT NULL DEFAULT '',
        guid TEXT NOT NULL DEFAULT '',
        title TEXT NOT NULL,
        standfirst TEXT NOT NULL DEFAULT '',
        body TEXT NOT NULL DEFAULT '[]',
        word_count INTEGER NOT NULL DEFAULT 0,
        published TEXT,
        added TEXT NOT NULL,
        read INTEGER NOT NULL DEFAULT 0,
        starred INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
    # 1 -> 2: the free-article meter, and a sort key so the headline list is
    # read in index order instead of sorted on every start.
    """
    CREATE TABLE views (
        article_id TEXT PRIMARY KEY,
        counted_at REAL NOT NULL
    );
    ALTER TABLE articles ADD COLUMN sort_key TEXT NOT NULL DEFAULT '';
    UPDATE articles SET sort_key = COALESCE(published, added);
    CREATE INDEX articles_by_sort_key ON articles (sort_key DESC, id);
    """,
    # 2 -> 3: feed subscriptions; feed articles keep their entry HTML (turned
    # into blocks when opened) and a hash to tell an edited entry.
    """
    CREATE TABLE feeds (
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL DEFAULT '',
        site_url TEXT NOT NULL DEFAULT '',
        folder TEXT NOT NULL DEFAULT '',
        etag TEXT,
        last_modified TEXT,
        updated TEXT,
        error TEXT,
        added TEXT NOT NULL
    );
    ALTER TABLE articles ADD COLUMN feed_id INTEGER;
    ALTER TABLE articles ADD COLUMN author TEXT NOT NULL DEFAULT '';
    ALTER TABLE articles ADD COLUMN html TEXT NOT NULL DEFAULT '';
    ALTER TABLE articles ADD COLUMN content_hash TEXT NOT NULL DEFAULT '';
    CREATE INDEX articles_by_feed ON articles (feed_id, sort_key DESC);
    """,
    # 3 -> 4: full-text search. The index is filled in a deferred pass
    # (`index_pending`), not during a refresh: turning HTML into words costs.
    """
    CREATE VIRTUAL TABLE articles_fts USING fts5(
        title, body, tokenize='unicode61 remove_diacritics 2'
    );
    ALTER TABLE articles ADD COLUMN indexed INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX articles_to_index ON articles (indexed) WHERE indexed = 0;
    """,
    # 4 -> 5: a feed article's full story, extracted from its web page.
    # `full_text` is 1 when `body` holds it in place of the feed's summary;
    # `full_text_error` says why the last try failed (a refresh won't retry).
    """
    ALTER TABLE articles ADD COLUMN full_text INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE articles ADD COLUMN full_text_error TEXT NOT NULL DEFAULT '';
    """,
    # 5 -> 6: a story dated after it was first stored (fastfeedparser reads a
    # GUID like `t15` as a date years ahead) sorts as first seen, as
    # `articles.sort_key` now says for new ones; this fixes the ones stored before.
    """
    UPDATE articles SET sort_key = added WHERE sort_key > added;
    """,
    # 6 -> 7: the texts (a story's blocks, a feed entry's HTML) move out of the
    # articles rows into `article_texts`. Marking 100,000 articles read rewrote
    # every wide row (1.1 s of page writes); the headline columns alone take
    # 0.2 s. `seq` makes the rowid explicit, so VACUUM cannot renumber it: the
    # search index and the texts are keyed by it.
    """
    CREATE TABLE article_texts (
        article INTEGER PRIMARY KEY,
        body TEXT NOT NULL DEFAULT '[]',
        html TEXT NOT NULL DEFAULT ''
    );
    INSERT INTO article_texts (article, body, html) SELECT rowid, body, html FROM articles;
    CREATE TABLE articles_narrow (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        origin TEXT NOT NULL,
        source TEXT NOT NULL DEFAULT '',
        url TEXT NOT NULL DEFAULT '',
        guid TEXT NOT NULL DEFAULT '',
        title TEXT NOT NULL,
        standfirst TEXT NOT NULL DEFAULT '',
        word_count INTEGER NOT NULL DEFAULT 0,
        published TEXT,
        added TEXT NOT NULL,
        read INTEGER NOT NULL DEFAULT 0,
        starred INTEGER NOT NULL DEFAULT 0,
        sort_key TEXT NOT NULL DEFAULT '',
        feed_id INTEGER,
        author TEXT NOT NULL DEFAULT '',
        content_hash TEXT NOT NULL DEFAULT '',
        indexed INTEGER NOT NULL DEFAULT 0,
        full_text INTEGER NOT NULL DEFAULT 0,
        full_text_error TEXT NOT NULL DEFAULT ''
    );
    INSERT INTO articles_narrow (
        seq, id, origin, source, url, guid, title, standfirst, word_count, published, added,
        read, starred, sort_key, feed_id, author, content_hash, indexed, full_text,
        full_text_error
    )
    SELECT
        rowid, id, origin, source, url, guid, title, standfirst, word_count, published, added,
        read, starred, sort_key, feed_id, author, content_hash, indexed, full_text,
        full_text_error
    FROM articles ORDER BY rowid;
    DROP TABLE articles;
    ALTER TABLE articles_narrow RENAME TO articles;
    CREATE INDEX articles_by_sort_key ON articles (sort_key DESC, id);
    CREATE INDEX articles_by_feed ON articles (feed_id, sort_key DESC);
    CREATE INDEX articles_to_index ON articles (indexed) WHERE indexed = 0;
    """,
    # 7 -> 8: feed URLs in their normal spelling (`normalise_feed_url`:
    # lower-case scheme and host, no default port, `feed:` unwrapped), as
    # `add_feed` now stores them, so `add` finds a feed stored as typed before.
    # OR IGNORE: a feed whose normal URL another feed already has keeps its URL
    # (merging would mix their articles);
    # `resolve_feed` and `add_feed` still find the one with the normal URL.
    """
    UPDATE OR IGNORE feeds SET url = normalise_feed_url(url) WHERE url <> normalise_feed_url(url);
    """,
    # 8 -> 9: sync with a Google Reader API server. A feed and an article
    # remember what the server calls them (NULL: local only), and the outbox
    # keeps each local change to a synced story until the server accepts it:
    # read and starred per item, mark-all-read with the crawl time
    # (microseconds) of the newest story it covered, and subscribe,
    # unsubscribe, move (`label`: the folder) and rename (`label`: the title).
    # A story stored before its feed was synced is found by its link
    # (`articles_unsynced_links`) and given the server's id, not stored twice.
    """
    ALTER TABLE feeds ADD COLUMN server_id TEXT;
    ALTER TABLE articles ADD COLUMN server_item INTEGER;
    ALTER TABLE articles ADD COLUMN server_time INTEGER;
    CREATE UNIQUE INDEX articles_by_server_item ON articles (server_item)
        WHERE server_item IS NOT NULL;
    CREATE INDEX articles_unsynced_links ON articles (feed_id, url)
        WHERE server_item IS NULL;
    CREATE TABLE sync_outbox (
        seq INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        item INTEGER,
        value INTEGER,
        stream TEXT,
        ts INTEGER,
        label TEXT,
        added TEXT NOT NULL
    );
    """,
    # 9 -> 10: a polite fetcher. When each feed was last tried (`checked`),
    # how many tries in a row failed, and the time before which it is left
    # alone, with why: the server's Retry-After, the feed's own update hint
    # or max-age ("fresh"), or a back-off after repeated failures.
    """
    ALTER TABLE feeds ADD COLUMN checked TEXT;
    ALTER TABLE feeds ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE feeds ADD COLUMN wait_until TEXT;
    ALTER TABLE feeds ADD COLUMN wait_kind TEXT;
    ALTER TABLE feeds ADD COLUMN wait_reason TEXT;
    """,
    # 10 -> 11: podcasts. A story's enclosures (RSS <enclosure>, Atom
    # rel="enclosure", JSON Feed attachments) in the feed's order, keyed by
    # the story's seq like its texts; `saved` is the file `download` wrote.
    """
    CREATE TABLE enclosures (
        article INTEGER NOT NULL,
        position INTEGER NOT NULL,
        url TEXT NOT NULL,
        type TEXT NOT NULL DEFAULT '',
        length INTEGER NOT NULL DEFAULT 0,
        duration INTEGER NOT NULL DEFAULT 0,
        saved TEXT,
        PRIMARY KEY (article, position)
    ) WITHOUT ROWID;
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(db: sqlite3.Connection) -> int:
    """The schema version the file is at."""
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def refuse_newer_schema(db: sqlite3.Connection, path: Path, error: type[ShownError]) -> None:
    """Close and refuse a library written by a newer tui-reader, before anything writes.

    Raises:
        error: Saying which versions meet; the file is left exactly as it was.
    """
    version = schema_version(db)
    if version > SCHEMA_VERSION:
        db.close()
        raise error(
            f"library {path} has schema version {version}, newer than this "
            f"tui-reader knows ({SCHEMA_VERSION}); upgrade tui-reader (nothing was changed)"
        )


def migrate(
    db: sqlite3.Connection,
    transaction: Callable[[], AbstractContextManager[sqlite3.Connection]],
) -> None:
    """Bring the schema up to `SCHEMA_VERSION`, one transaction per step."""
    db.create_function("normalise_feed_url", 1, normalise_feed_url, deterministic=True)
    for target in range(schema_version(db) + 1, SCHEMA_VERSION + 1):
        with transaction():
            # Another process may have migrated while we waited for the lock.
            if schema_version(db) >= target:
                continue
            for statement in MIGRATIONS[target - 1].split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute(f"PRAGMA user_version = {target}")
