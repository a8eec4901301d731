"""Full-text search over the library (SQLite FTS5), and the deferred pass that fills it.

A refresh stores articles unindexed; `index_pending` adds them later in
batches, so fetching stays fast. Imports `database`, `articles` and the
article model; the HTML-to-words converter is handed in by the caller.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from tui_reader.article import Article
from tui_reader.filter_language import Filter
from tui_reader.library.articles import HEADLINE_COLUMNS, Headline, headline_from_row
from tui_reader.library.database import Database
from tui_reader.library.filter_sql import FilterSQL, filter_sql

# Search ranks title matches by relevance when there are fewer than this.
RANK_TITLES_UP_TO = 1_000
# Rows fetched per statement (SQLite allows 32,766 parameters).
_ROWS_PER_QUERY = 10_000

HtmlToText = Callable[[str], str]


class SearchIndex(Database):
    """The search index and its queries."""

    def index_pending(self, html_text: HtmlToText, limit: int = 2_000) -> int:
        """Add not-yet-indexed articles to the full-text index.

        Args:
            html_text: Turns a feed entry's HTML into its words (the caller's
                converter: the library knows no HTML).
            limit: At most this many in one call (one transaction).

        Returns:
            How many were indexed; 0 when the index is up to date.
        """
        if not self.query("SELECT 1 FROM articles WHERE indexed = 0 LIMIT 1"):
            return 0  # up to date: no write lock taken (a read-only library still searches)
        # Read, convert and write in one transaction: an article rewritten in
        # between (a refresh, `f`, `save`) would otherwise be marked indexed
        # with its old words. Converting a batch takes a few milliseconds.
        with self.transaction() as db:
            rows = db.execute(
                "SELECT a.seq, a.title, a.standfirst, COALESCE(t.body, '[]'), COALESCE(t.html, '')"
                " FROM articles a LEFT JOIN article_texts t ON t.article = a.seq"
                " WHERE indexed = 0 LIMIT ?",
                (limit,),
            ).fetchall()
            documents = []
            for rowid, title, standfirst, body, html in rows:
                blocks = " ".join(b.text for b in Article.blocks_from_json(body))
                text = " ".join(part for part in (standfirst, blocks, html_text(html)) if part)
                documents.append((rowid, title, text))
            # An edited entry is indexed again: drop its old words first.
            db.executemany(
                "DELETE FROM articles_fts WHERE rowid = ?", [(doc[0],) for doc in documents]
            )
            db.executemany(
                "INSERT INTO articles_fts (rowid, title, body) VALUES (?, ?, ?)", documents
            )
            db.executemany(
                "UPDATE articles SET indexed = 1 WHERE rowid = ?", [(doc[0],) for doc in documents]
            )
        return len(documents)

    def unindexed_count(self) -> int:
        """How many articles the search index does not cover yet."""
        return int(self.query("SELECT count(*) FROM articles WHERE indexed = 0")[0][0])

    def index_all(
        self, html_text: HtmlToText, cancel: threading.Event | None = None, *, batch: int = 500
    ) -> int:
        """Index every pending article, a batch per transaction, until done or cancelled.

        Small batches keep each transaction (and the shared connection's lock)
        short, so the app's reads and meter writes slip in between them.

        Args:
            html_text: Turns entry HTML into words, as for `index_pending`.
            cancel: Stops the pass between batches when set.
            batch: Articles per transaction.

        Returns:
            How many were indexed.
        """
        total = 0
        while cancel is None or not cancel.is_set():
            done = self.index_pending(html_text, batch)
            if not done:
                break
            total += done
        return total

    def search(
        self,
        query: str,
        *,
        limit: int | None = None,
        filter: Filter | None = None,
        now: float | None = None,
    ) -> list[Headline]:
        """Find articles by the words of `query`, best matches first.

        Every word must occur (in the title or the text); a word ending in
        `*` matches as a prefix. Only headlines come back: search shows no
        article text, so it never shows more of a withheld article.

        Args:
            query: Words as the user typed them (no FTS syntax needed).
            limit: At most this many results; None: every match (the list
                holds them all: nothing is hidden behind a cap).
            filter: Only the matches a filter expression picks.
            now: The time the filter's `age` counts back from (None: the clock).

        Returns:
            Matching headlines: title matches by relevance, then the rest
            newest first.
        """
        terms = []
        for word in query.split():
            prefix = word.endswith("*")
            word = word.rstrip("*").replace('"', '""')
            if word:
                terms.append(f'"{word}"' + ("*" if prefix else ""))
        if not terms:
            return []
        match = " ".join(terms)
        # The filter inside both queries, so `limit` counts what it lets through.
        picked = ""
        params: tuple[object, ...] = ()
        conditions = [filter_sql(filter, now)] if filter is not None else []
        if (hidden := self.hidden(now)) is not None:
            conditions.append(FilterSQL(f"NOT ({hidden.where})", hidden.params))
        if conditions:
            where = " AND ".join(f"({c.where})" for c in conditions)
            picked = f" AND rowid IN (SELECT articles.seq FROM articles WHERE {where})"
            params = tuple(p for c in conditions for p in c.params)
        # Title matches first, by relevance; then the other matches, newest
        # first. Scoring every body match (bm25) costs 170 ms when a word is in
        # 100,000 articles; walking the index by rowid costs under 1 ms. Title
        # matches are scored too, unless there are thousands of them (a
        # common word): then scoring cost 35-80 ms and told nothing (every
        # short title scores alike), so the newest come first there as well.
        in_titles = self.query(
            "SELECT rowid, bm25(articles_fts, 5.0, 1.0) FROM articles_fts"
            f" WHERE articles_fts MATCH ?{picked} ORDER BY rowid DESC LIMIT ?",
            (f"title : ({match})", *params, RANK_TITLES_UP_TO),
        )
        if len(in_titles) < RANK_TITLES_UP_TO:
            in_titles.sort(key=lambda row: row[1])  # bm25: lower is better
        in_titles = in_titles[:limit]
        # LIMIT -1 is SQLite's "no limit".
        anywhere = self.query(
            f"SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?{picked}"
            " ORDER BY rowid DESC LIMIT ?",
            (match, *params, -1 if limit is None else limit + len(in_titles)),
        )
        order = list(dict.fromkeys(row[0] for row in [*in_titles, *anywhere]))[:limit]
        by_rowid: dict[int, Headline] = {}
        for start in range(0, len(order), _ROWS_PER_QUERY):
            chunk = order[start : start + _ROWS_PER_QUERY]
            marks = ",".join("?" * len(chunk))
            rows = self.query(
                f"SELECT rowid, {HEADLINE_COLUMNS} FROM articles WHERE rowid IN ({marks})", chunk
            )
            by_rowid.update((row[0], headline_from_row(row[1:])) for row in rows)
        return [by_rowid[rowid] for rowid in order if rowid in by_rowid]
