"""Articles in the library: adding, listing, loading, flags, saved pages and full texts.

Imports `database`, `settings` and the article model; never a parser (callers hand in
articles already parsed and sanitized).
"""

from __future__ import annotations

import hashlib
import sqlite3
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from tui_reader.article import Article
from tui_reader.filter_language import Filter
from tui_reader.library.database import Database, Row, now_iso
from tui_reader.library.filter_sql import filter_sql
from tui_reader.library.settings import put_setting, read_setting
from tui_reader.sync_settings import READING_LIST

Flag = Literal["read", "starred"]
FLAGS: tuple[Flag, ...] = ("read", "starred")


# slots: a library of 100,000 headlines is held in memory; slots save a third.
@dataclass(frozen=True, slots=True)
class Headline:
    """One row of the headline list: no body, cheap to load in bulk."""

    id: str
    title: str
    source: str
    published: str | None
    url: str
    read: bool
    starred: bool


@dataclass
class StoredArticle:
    """An article with its library state."""

    id: str
    article: Article
    read: bool
    starred: bool
    added: str
    html: str = ""  # a feed entry's HTML, converted to blocks when opened
    feed_url: str = ""
    full_text: bool = False  # the body is the story from its web page


HEADLINE_COLUMNS = "id, title, source, published, url, read, starred"


def headline_from_row(row: Row) -> Headline:
    """A headline from a row of `HEADLINE_COLUMNS`."""
    # Sources repeat across a whole feed: one string each, not one per row.
    return Headline(row[0], row[1], sys.intern(row[2]), row[3], row[4], bool(row[5]), bool(row[6]))


# How the headline list can be sorted; the first is the default.
Order = Literal["newest", "oldest", "feed"]
ORDERS: tuple[Order, ...] = ("newest", "oldest", "feed")
_ORDER_BY: dict[Order, str] = {
    "newest": "sort_key DESC, id",
    "oldest": "sort_key, id",
    # Feed by feed (by the name shown in the list), each newest first.
    "feed": "source COLLATE NOCASE, sort_key DESC, id",
}

# Ids per statement (SQLite allows 32,766 parameters).
_CHUNK = 10_000


def sort_key(published: str | None, added: str) -> str:
    """Where a story sorts: when it was published, or first stored when that is unknown.

    A date after the first sighting is not believed (fastfeedparser reads a
    GUID like `t15` as a date years ahead): such a story sorts as first seen,
    instead of above everything for years. Both are ISO 8601 UTC strings.
    """
    return min(published, added) if published else added


def page_article_id(url: str) -> str:
    """The id of a page saved from `url` (saving it again finds the same one)."""
    return hashlib.sha256(b"page\0" + url.encode()).hexdigest()[:16]


# The articles columns an Article fills, in `_article_values` order; its
# blocks go to `article_texts.body` (kept apart so the rows stay narrow).
_ARTICLE_COLUMNS = (
    "source",
    "url",
    "title",
    "standfirst",
    "word_count",
    "published",
    "author",
)


def _article_values(article: Article) -> tuple[object, ...]:
    return (
        article.source,
        article.url,
        article.title,
        article.standfirst,
        article.word_count,
        article.published,
        article.author,
    )


def put_texts(db: sqlite3.Connection, seq: int, *, body: str = "[]", html: str = "") -> None:
    """Store an article's texts beside its row (`seq`), replacing any there."""
    db.execute(
        "INSERT OR REPLACE INTO article_texts (article, body, html) VALUES (?, ?, ?)",
        (seq, body, html),
    )


def delete_articles(db: sqlite3.Connection, where: str, params: Sequence[object]) -> int:
    """Delete the articles `where` picks, with their texts and search entries.

    Returns:
        How many articles went.
    """
    chosen = f"SELECT seq FROM articles WHERE {where}"
    db.execute(f"DELETE FROM articles_fts WHERE rowid IN ({chosen})", params)
    db.execute(f"DELETE FROM article_texts WHERE article IN ({chosen})", params)
    db.execute(f"DELETE FROM enclosures WHERE article IN ({chosen})", params)
    return int(db.execute(f"DELETE FROM articles WHERE {where}", params).rowcount)


def insert_article(
    db: sqlite3.Connection, article: Article, article_id: str | None = None
) -> tuple[str, bool]:
    """Insert one article unless its id is there; say whether it was new."""
    article_id = article_id or article.content_id()
    added_at = now_iso()
    columns = ", ".join(_ARTICLE_COLUMNS)
    marks = ", ".join("?" * (len(_ARTICLE_COLUMNS) + 4))
    cursor = db.execute(
        f"INSERT OR IGNORE INTO articles (id, origin, added, sort_key, {columns}) VALUES ({marks})",
        (
            article_id,
            article.origin,
            added_at,
            sort_key(article.published, added_at),
            *_article_values(article),
        ),
    )
    added = cursor.rowcount == 1
    if added:
        put_texts(db, int(cursor.lastrowid or 0), body=article.body_json())
    return article_id, added


# What a saved page keeps when a new copy of it lacks them (a saved file has no URL).
_KEPT_WHEN_EMPTY = frozenset({"source", "url", "published", "author"})


def _same_page(db: sqlite3.Connection, article: Article) -> str | None:
    """The id of a saved page that is `article` under another id, or None.

    The same page: one with its URL, or with its title and the same text
    (`content_id`: the title, standfirst and blocks, not the links, which
    resolve differently with and without the page's URL).
    """
    rows = db.execute(
        "SELECT a.id, a.url, a.standfirst, COALESCE(t.body, '[]')"
        " FROM articles a LEFT JOIN article_texts t ON t.article = a.seq"
        " WHERE a.origin = 'page' AND ((a.url <> '' AND a.url = ?) OR a.title = ?)"
        " ORDER BY a.added",
        (article.url, article.title),
    ).fetchall()
    wanted = article.content_id()
    for article_id, url, standfirst, body in rows:
        if article.url and url == article.url:
            return str(article_id)
        stored = Article(
            title=article.title, standfirst=standfirst, blocks=Article.blocks_from_json(body)
        )
        if stored.content_id() == wanted:
            return str(article_id)
    return None


def queue_flags(
    db: sqlite3.Connection, flag: Flag, value: bool, items: Iterable[int | None]
) -> None:
    """Keep changes of synced stories (those with a server item) for the next
    sync, in the transaction that made them: no change is lost to a crash."""
    added = now_iso()
    db.executemany(
        "INSERT INTO sync_outbox (kind, item, value, added) VALUES (?, ?, ?, ?)",
        [(flag, item, int(value), added) for item in items if item is not None],
    )


class ArticleStore(Database):
    """The articles table."""

    def add_articles(self, articles: Iterable[Article]) -> list[tuple[str, bool]]:
        """Add articles in one transaction; ones already there are left alone.

        Args:
            articles: Parsed articles (their text already sanitized).

        Returns:
            (id, added) for each article; added is False for a duplicate.
        """
        with self.transaction() as db:
            return [insert_article(db, article) for article in articles]

    def headlines(
        self,
        *,
        unread_only: bool = False,
        starred_only: bool = False,
        feed_id: int | None = None,
        folder: str | None = None,
        order: Order = "newest",
        limit: int | None = None,
        filter: Filter | None = None,
        now: float | None = None,
    ) -> list[Headline]:
        """List headlines, newest first unless `order` says otherwise.

        Args:
            unread_only: Only articles not marked read.
            starred_only: Only starred articles.
            feed_id: Only this feed's articles.
            folder: Only the articles of the feeds filed under this folder.
            order: "newest" first, "oldest" first, or by "feed".
            limit: At most this many (the first screenful, say).
            filter: Only the articles a filter expression picks.
            now: The time the filter's `age` counts back from (None: the clock).

        Returns:
            Headlines in display order.
        """
        where = []
        if unread_only:
            where.append("read = 0")
        if starred_only:
            where.append("starred = 1")
        if feed_id is not None:
            where.append(f"feed_id = {int(feed_id)}")
        params: list[object] = []
        if folder is not None:
            where.append("feed_id IN (SELECT id FROM feeds WHERE folder = ?)")
            params.append(folder)
        if filter is not None:
            condition = filter_sql(filter, now)
            where.append(condition.where)
            params.extend(condition.params)
        if (hidden := self.hidden(now)) is not None:
            where.append(f"NOT ({hidden.where})")
            params.extend(hidden.params)
        sql = f"SELECT {HEADLINE_COLUMNS} FROM articles"
        if where:
            sql += " WHERE " + " AND ".join(where)
        # A filter reads every row anyway: reading them in the table's order
        # and sorting the matches beats walking the sort_key index and
        # fetching each row out of order (50 ms against 150 for 11,000 of 100,000).
        order_by = _ORDER_BY[order]
        if filter is not None and order_by.startswith("sort_key"):
            order_by = "+" + order_by
        sql += f" ORDER BY {order_by}"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        # Row by row, not fetchall(): 100,000 rows held twice (as tuples and as
        # headlines) would double the peak memory of loading a large library.
        with self.reading() as db:
            return [headline_from_row(row) for row in db.execute(sql, params)]

    def query_counts(
        self, filters: Sequence[Filter], now: float | None = None
    ) -> list[tuple[int, int]]:
        """(unread, total) of the stories each filter picks (hidden ones apart):
        a query feed's counts, one pass over the articles each."""
        hidden = self.hidden(now)
        counts = []
        with self.reading() as db:
            for picked in filters:
                condition = filter_sql(picked, now)
                where, params = condition.where, list(condition.params)
                if hidden is not None:
                    where = f"({where}) AND NOT ({hidden.where})"
                    params.extend(hidden.params)
                row = db.execute(
                    f"SELECT coalesce(SUM(read = 0), 0), count(*) FROM articles WHERE {where}",
                    params,
                ).fetchone()
                counts.append((int(row[0]), int(row[1])))
        return counts

    def headline(self, article_id: str) -> Headline | None:
        """Load one headline (after its state changed), or None."""
        rows = self.query(f"SELECT {HEADLINE_COLUMNS} FROM articles WHERE id = ?", (article_id,))
        return headline_from_row(rows[0]) if rows else None

    def count(self) -> int:
        """Number of articles in the library."""
        return int(self.query("SELECT count(*) FROM articles")[0][0])

    def titles_stored_after(self, row: int | None, limit: int = 5) -> list[str]:
        """Titles of the stories stored after `row` (see `last_row`), newest first."""
        rows = self.query(
            "SELECT title FROM articles WHERE seq > ? ORDER BY sort_key DESC LIMIT ?",
            (row or 0, int(limit)),
        )
        return [str(row[0]) for row in rows]

    def unread_count(self) -> int:
        """Number of articles not marked read."""
        return int(self.query("SELECT count(*) FROM articles WHERE read = 0")[0][0])

    def find_ids(self, prefix: str) -> list[str]:
        """Find articles whose id starts with `prefix`.

        Args:
            prefix: A full id or a prefix of at least 4 hex digits.

        Returns:
            Up to two matching ids: none, the one, or two when it is ambiguous.
        """
        prefix = prefix.strip().lower()
        if len(prefix) < 4 or not all(c in "0123456789abcdef" for c in prefix):
            return []
        rows = self.query(
            "SELECT id FROM articles WHERE id >= ? AND id < ? ORDER BY id LIMIT 2",
            (prefix, prefix + "g"),
        )
        return [str(row[0]) for row in rows]

    def get(self, article_id: str) -> StoredArticle | None:
        """Load one article with its body, or None if there is no such id."""
        rows = self.query(
            "SELECT a.id, a.origin, a.source, a.url, a.title, a.standfirst,"
            " COALESCE(t.body, '[]'), a.published, a.read, a.starred, a.added,"
            " COALESCE(t.html, ''), a.author, COALESCE(f.url, ''), a.full_text"
            " FROM articles a LEFT JOIN article_texts t ON t.article = a.seq"
            " LEFT JOIN feeds f ON f.id = a.feed_id WHERE a.id = ?",
            (article_id,),
        )
        if not rows:
            return None
        row = rows[0]
        article = Article(
            title=row[4],
            standfirst=row[5],
            blocks=Article.blocks_from_json(row[6]),
            source=row[2],
            url=row[3],
            published=row[7],
            origin=row[1],
            author=row[12],
        )
        return StoredArticle(
            row[0],
            article,
            bool(row[8]),
            bool(row[9]),
            row[10],
            html=row[11],
            feed_url=row[13],
            full_text=bool(row[14]),
        )

    def set_flag(self, article_id: str, flag: Flag, value: bool) -> None:
        """Set an article's `read` or `starred` flag."""
        if flag not in FLAGS:
            raise ValueError(flag)
        with self.transaction() as db:
            rows = db.execute(
                f"UPDATE articles SET {flag} = ? WHERE id = ? AND {flag} != ?"
                " RETURNING server_item",
                (int(value), article_id, int(value)),
            ).fetchall()
            queue_flags(db, flag, value, [row[0] for row in rows])

    def set_flag_many(self, article_ids: Iterable[str], flag: Flag, value: bool) -> list[str]:
        """Set `flag` on many articles in one transaction.

        Returns:
            The ids whose flag changed (those already so are left out, so an
            undo puts back exactly what was there).
        """
        if flag not in FLAGS:
            raise ValueError(flag)
        changed: list[str] = []
        ids = list(article_ids)
        with self.transaction() as db:
            for start in range(0, len(ids), _CHUNK):
                chunk = ids[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = db.execute(
                    f"UPDATE articles SET {flag} = ? WHERE {flag} != ? AND id IN ({marks})"
                    " RETURNING id, server_item",
                    (int(value), int(value), *chunk),
                ).fetchall()
                changed += [str(row[0]) for row in rows]
                queue_flags(db, flag, value, [row[1] for row in rows])
        return changed

    def last_row(self) -> int:
        """A mark of how far the articles go now: `mark_all_read(up_to=...)` stops there."""
        return int(self.db.execute("SELECT coalesce(max(rowid), 0) FROM articles").fetchone()[0])

    def mark_all_read(self, *, feed_id: int | None = None, up_to: int | None = None) -> list[str]:
        """Mark every unread article read (of one feed), none stored after `up_to` (`last_row`).

        Returns:
            The ids marked, for an undo.
        """
        where: list[str] = ["read = 0"]
        params: list[object] = []
        if feed_id is not None:
            where.append("feed_id = ?")
            params.append(feed_id)
        if up_to is not None:
            where.append("rowid <= ?")
            params.append(up_to)
        with self.transaction() as db:
            rows = db.execute(
                f"UPDATE articles SET read = 1 WHERE {' AND '.join(where)}"
                " RETURNING id, server_time",
                params,
            ).fetchall()
            # The server marks its stream read up to the newest story marked
            # here, so a story that reached it meanwhile stays unread.
            newest = max((row[1] for row in rows if row[1] is not None), default=None)
            if newest is not None:
                stream = READING_LIST
                if feed_id is not None:
                    found = db.execute(
                        "SELECT server_id FROM feeds WHERE id = ?", (feed_id,)
                    ).fetchone()
                    stream = found[0] if found and found[0] else READING_LIST
                db.execute(
                    "INSERT INTO sync_outbox (kind, stream, ts, added)"
                    " VALUES ('mark-all', ?, ?, ?)",
                    (stream, newest, now_iso()),
                )
            return [str(row[0]) for row in rows]

    def set_read(self, article_id: str, read: bool) -> None:
        """Mark an article read or unread."""
        self.set_flag(article_id, "read", read)

    def set_starred(self, article_id: str, starred: bool) -> None:
        """Star or unstar an article."""
        self.set_flag(article_id, "starred", starred)

    # Web pages --------------------------------------------------------------

    def save_page(self, article: Article) -> tuple[str, bool]:
        """Store an article extracted from a web page (fetched or a saved file).

        A page is kept once, however it arrives: `save URL` gives it the URL it
        was fetched from, `import page.html` the URL the page declares
        (canonical), or none; each gives another id (`page_article_id`, else
        `Article.content_id`). So before adding, it is looked for as a saved
        page with that URL, or with the same title and text, and that one is
        updated in place (keeping its read and starred state, and its URL,
        source, date and byline when the new copy has none).

        Args:
            article: The extracted article, already sanitized.

        Returns:
            (article id, whether it is new to the library).
        """
        article_id = page_article_id(article.url) if article.url else article.content_id()
        values = _article_values(article)
        with self.transaction() as db:
            exists = db.execute("SELECT seq FROM articles WHERE id = ?", (article_id,)).fetchone()
            same = None if exists else _same_page(db, article)
            if exists or same:
                article_id = same or article_id
                assignments = ", ".join(
                    f"{column} = COALESCE(NULLIF(?, ''), {column})"
                    if column in _KEPT_WHEN_EMPTY
                    else f"{column} = ?"
                    for column in _ARTICLE_COLUMNS
                )
                seq = db.execute(
                    f"UPDATE articles SET {assignments}, indexed = 0 WHERE id = ? RETURNING seq",
                    (*values, article_id),
                ).fetchone()[0]
                put_texts(db, seq, body=article.body_json())
            else:
                insert_article(db, article, article_id)
        return article_id, not (exists or same)

    def set_full_text(self, article_id: str, article: Article) -> None:
        """Keep a feed article's full story in place of the feed's summary.

        Args:
            article_id: The feed article.
            article: What was extracted from its page; its blocks become the
                body, and its byline fills in a missing author.
        """
        with self.transaction() as db:
            row = db.execute(
                "UPDATE articles SET word_count = ?, full_text = 1,"
                " full_text_error = '', indexed = 0,"
                " author = CASE WHEN author = '' THEN ? ELSE author END WHERE id = ?"
                " RETURNING seq",
                (article.word_count, article.author, article_id),
            ).fetchone()
            if row is not None:  # the article may have gone meanwhile
                db.execute(
                    "UPDATE article_texts SET body = ? WHERE article = ?",
                    (article.body_json(), row[0]),
                )

    def record_full_text_error(self, article_id: str, error: str) -> None:
        """Remember why fetching an article's full story failed (one line)."""
        with self.transaction() as db:
            db.execute("UPDATE articles SET full_text_error = ? WHERE id = ?", (error, article_id))

    def wanting_full_text(self, feed_id: int, limit: int) -> list[tuple[str, str]]:
        """A feed's newest articles never tried for full text: (id, link) pairs."""
        rows = self.query(
            "SELECT id, url FROM articles WHERE feed_id = ? AND full_text = 0"
            " AND full_text_error = '' AND url <> '' ORDER BY sort_key DESC LIMIT ?",
            (feed_id, limit),
        )
        return [(row[0], row[1]) for row in rows]

    # Seeds ----------------------------------------------------------------

    def replace_seeds(
        self, seeds: Iterable[tuple[str, Article]], fingerprint: str, fingerprint_key: str
    ) -> int:
        """Store the bundled seeds; an edited seed file's new version replaces its old one.

        Each seed file remembers the id it produced: when a file is edited,
        its new article takes over the old one's read and starred state and
        the old one goes, instead of standing beside it.

        Args:
            seeds: (file name, parsed article) for each seed file.
            fingerprint: The seed files' fingerprint, stored under `fingerprint_key`.
            fingerprint_key: The setting that holds the fingerprint.

        Returns:
            How many new articles were added.
        """
        added = 0
        with self.transaction() as db:
            for name, article in seeds:
                key = f"seed_file:{name}"
                old = read_setting(db, key)
                new_id, is_new = insert_article(db, article)
                added += is_new
                if old and old != new_id:
                    db.execute(
                        "UPDATE articles SET (read, starred) ="
                        " (SELECT read, starred FROM articles WHERE id = ?) WHERE id = ?"
                        " AND EXISTS (SELECT 1 FROM articles WHERE id = ?)",
                        (old, new_id, old),
                    )
                    delete_articles(db, "id = ? AND origin = 'seed'", (old,))
                put_setting(db, key, new_id)
            put_setting(db, fingerprint_key, fingerprint)
        return added
