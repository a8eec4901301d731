"""A parsed filter as SQL over the `articles` table, with bound parameters.

SQLite answers the filter, so a filter over 100,000 articles costs what a
scan of the narrow headline rows costs, not a Python loop over them. Every
value is a bound parameter (a filter is typed by the user but quotes
strangers' text); regular expressions (and "contains" when it ignores case)
go through `filter_regexp`, Python's `re` registered on the connection with a
cache of compiled patterns, and "contains" that ignores case through
`filter_contains` (SQLite's own folding is ASCII only). Ignoring case means
comparing the text in lower case (`str.lower`), as the pattern has no capital.

What each attribute reads:

- `title`, `author`, `link` (`url`), `feedtitle` (`source`: the name the list
  shows, the feed's title for a feed's story), `unread` and `starred`: the
  article's row.
- `feedurl` and `folder`: its feed's row; "" for a story of no feed (a saved
  page, an imported file).
- `content`: its text as the search index holds it (standfirst and body,
  as words, no markup); "" until the deferred index pass reaches it.
- `age` and `date`: the date the list sorts by (`sort_key`: when it was
  published, or first stored when it has none); `age` in whole days before
  `now`, `date` its day in UTC. Both compare as ISO 8601 strings, so
  `age < 7` is a range on the `sort_key` index.

Every condition is true or false, never NULL, so `not` is exact. Imports the
filter language only.
"""

from __future__ import annotations

import functools
import re
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from tui_reader.filter_language import (
    AllOf,
    AnyOf,
    Between,
    Comparison,
    Expression,
    Filter,
    Not,
    Operator,
    ignores_case,
)

SECONDS_PER_DAY = 86_400

# The SQL a text attribute reads (`feedurl` and `folder`: see `_feed_condition`).
_TEXT_COLUMNS = {
    "title": "articles.title",
    "author": "articles.author",
    "link": "articles.url",
    "feedtitle": "articles.source",
    # The index keys its rows by `seq`; an article not indexed yet has no text.
    "content": (
        "COALESCE((SELECT articles_fts.body FROM articles_fts"
        " WHERE articles_fts.rowid = articles.seq), '')"
    ),
}
_FEED_COLUMNS = {"feedurl": "feeds.url", "folder": "feeds.folder"}
_FLAG_COLUMNS = {"unread": "articles.read = 0", "starred": "articles.starred <> 0"}
# Past every character of an ISO 8601 time: `sort_key < day + _DAY_END` is "on or before day".
_DAY_END = "~"


@functools.lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _regexp(pattern: str, fold: int, text: str | None) -> int:
    """SQL `filter_regexp(pattern, fold, text)`: 1 when the pattern is in the text
    (in lower case when `fold`: a third of the time `re.IGNORECASE` takes)."""
    if text is None:
        return 0
    return int(_compiled(pattern).search(text.lower() if fold else text) is not None)


def _contains(needle: str, text: str | None) -> int:
    """SQL `filter_contains(needle, text)`: 1 when the text in lower case holds the needle."""
    return int(text is not None and needle in text.lower())


def register_filter_functions(db: sqlite3.Connection) -> None:
    """Give a connection the SQL functions filters call (`filter_regexp`, `filter_contains`)."""
    db.create_function("filter_regexp", 3, _regexp, deterministic=True)
    db.create_function("filter_contains", 2, _contains, deterministic=True)


@dataclass(frozen=True)
class FilterSQL:
    """A condition for `WHERE` over `articles` (named so), and its parameters in order."""

    where: str
    params: tuple[object, ...]


def filter_sql(filter_: Filter, now: float | None = None) -> FilterSQL:
    """The SQL of a filter.

    Args:
        filter_: A parsed filter (every value in it already checked).
        now: Seconds since the epoch that `age` counts back from; None: the clock.

    Returns:
        The condition and its parameters.
    """
    part = _Translator(int(time.time() if now is None else now)).part(filter_.expression)
    return FilterSQL(part.sql, tuple(part.params))


@dataclass
class _Part:
    sql: str
    costly: bool = False  # calls Python or reads texts: evaluated after the cheap parts
    params: list[object] = field(default_factory=list)


class _Translator:
    def __init__(self, now: int) -> None:
        self.now = now

    def part(self, expression: Expression) -> _Part:
        if isinstance(expression, Comparison):
            return self._comparison(expression)
        if isinstance(expression, Between):
            low = self._range(expression.attribute, ">=", expression.low)
            high = self._range(expression.attribute, "<=", expression.high)
            return _Part(f"({low.sql} AND {high.sql})", False, low.params + high.params)
        if isinstance(expression, Not):
            inner = self.part(expression.operand)
            return _Part(f"NOT ({inner.sql})", inner.costly, inner.params)
        # Two-valued logic makes the order free: cheap conditions first, so
        # SQLite's short circuit spares most rows the regular expressions.
        parts = sorted((self.part(e) for e in expression.operands), key=lambda p: p.costly)
        joiner = " AND " if isinstance(expression, AllOf) else " OR "
        assert isinstance(expression, AllOf | AnyOf)
        return _Part(
            "(" + joiner.join(p.sql for p in parts) + ")",
            any(p.costly for p in parts),
            [param for p in parts for param in p.params],
        )

    def _comparison(self, comparison: Comparison) -> _Part:
        attribute, operator, value = comparison.attribute, comparison.operator, comparison.value
        if attribute in _FLAG_COLUMNS:
            assert isinstance(value, bool)
            holds = value == (operator == "=")
            sql = _FLAG_COLUMNS[attribute]
            return _Part(sql if holds else f"NOT ({sql})")
        if attribute in ("age", "date"):
            assert isinstance(value, int | str)
            return self._range(attribute, operator, value)
        assert isinstance(value, str)
        if attribute in _FEED_COLUMNS:
            return _feed_condition(_FEED_COLUMNS[attribute], operator, value)
        part = _text_condition(_TEXT_COLUMNS[attribute], operator, value)
        part.costly = part.costly or attribute == "content"
        return part

    def _range(self, attribute: str, operator: Operator, value: int | str) -> _Part:
        """`age` or `date` as bounds on `sort_key`, an ISO 8601 string (so on its index)."""
        if operator == "!=":
            inner = self._range(attribute, "=", value)
            return _Part(f"NOT {inner.sql}", False, inner.params)
        if attribute == "age":
            assert isinstance(value, int)
            # Younger than n whole days: later than the moment n days back.
            younger, older = ("articles.sort_key > ?", "articles.sort_key <= ?")
            under, over = self._days_back(value), self._days_back(value + 1)
            sql, params = {
                "<": (younger, [under]),
                "<=": (younger, [over]),
                ">": (older, [over]),
                ">=": (older, [under]),
                "=": (f"({older} AND {younger})", [under, over]),
            }[operator]
        else:
            assert isinstance(value, str)
            # The day's times run from `day` (itself) up to `day + _DAY_END`.
            before, since = ("articles.sort_key < ?", "articles.sort_key >= ?")
            day, after = value, value + _DAY_END
            sql, params = {
                "<": (before, [day]),
                "<=": (before, [after]),
                ">": (since, [after]),
                ">=": (since, [day]),
                "=": (f"({since} AND {before})", [day, after]),
            }[operator]
        return _Part(sql, False, list(params))

    def _days_back(self, days: int) -> str:
        """The moment `days` whole days before now, as `sort_key` spells times."""
        moment = datetime.fromtimestamp(self.now - days * SECONDS_PER_DAY, UTC)
        return moment.isoformat(timespec="seconds")


def _text_condition(column: str, operator: Operator, value: str) -> _Part:
    """A comparison of a text (never NULL) with a value."""
    if operator == "=":
        return _Part(f"{column} = ?", False, [value])
    if operator == "!=":
        return _Part(f"{column} <> ?", False, [value])
    if operator in ("=~", "!~"):
        sql = f"filter_regexp(?, ?, {column})"
        params: list[object] = [value, int(ignores_case(value))]
    elif ignores_case(value):  # "#" or "!#" in any case: Python's lower case, not SQLite's ASCII
        sql = f"filter_contains(?, {column})"
        params = [value.lower()]
    else:
        return _Part(f"instr({column}, ?) {'>' if operator == '#' else '='} 0", False, [value])
    positive = operator in ("=~", "#")
    return _Part(sql if positive else f"NOT {sql}", True, params)


def _feed_condition(column: str, operator: Operator, value: str) -> _Part:
    """A comparison on the article's feed: worked out once per feed, not per article."""
    of_feed = _text_condition(column, operator, value)
    no_feed = _text_condition("''", operator, value)  # a story of no feed has ""
    sql = (
        f"(CASE WHEN articles.feed_id IS NULL THEN {no_feed.sql}"
        f" ELSE articles.feed_id IN (SELECT feeds.id FROM feeds WHERE {of_feed.sql}) END)"
    )
    return _Part(sql, False, no_feed.params + of_feed.params)


def hidden_sql(rules: Sequence[tuple[str, Filter]], now: float | None = None) -> FilterSQL | None:
    """The stories `hide` ignore rules keep out of every view, or None without rules.

    Args:
        rules: (feed, filter) each: the feed is "*" (every story), a feed URL or
            a glob of URLs (SQLite's GLOB, case-sensitive, as `fnmatchcase`).
        now: Seconds since the epoch that `age` counts back from; None: the clock.
    """
    parts: list[str] = []
    params: list[object] = []
    for feed, picked in rules:
        condition = filter_sql(picked, now)
        if feed == "*":
            parts.append(f"({condition.where})")
        else:
            match = "GLOB" if any(c in feed for c in "*?[") else "="
            parts.append(
                f"(articles.feed_id IN (SELECT feeds.id FROM feeds WHERE feeds.url {match} ?)"
                f" AND ({condition.where}))"
            )
            params.append(feed)
        params.extend(condition.params)
    return FilterSQL(" OR ".join(parts), tuple(params)) if parts else None
