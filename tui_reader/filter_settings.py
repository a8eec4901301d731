"""The config's filters: query feeds (`[[query]]`) and ignore rules (`[[ignore]]`).

```toml
[[query]]
name = "Batteries"
filter = 'title =~ "battery|lithium" and age < 30'

[[ignore]]
feed = "*"                          # or a feed URL, or a glob of URLs
filter = 'title =~ "^(Sponsored|Advertisement)"'
mode = "hide"                       # or "drop": never stored
```

A `[[feed]]` table may carry its own `ignore` (one expression or a list)
with `ignore_mode`; those rules apply to that feed alone. Both are written
in the filter language (`filter_language`); a bad expression is one warning
naming the table, and that query or rule is left out (never half-applied).
A model and its reader. Imports `filter_language` and `feed_urls`.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from typing import Any, Literal

from tui_reader.feed_urls import normalise_feed_url
from tui_reader.filter_language import AllOf, Filter, FilterError, parse_filter

IgnoreMode = Literal["hide", "drop"]
MODES: tuple[IgnoreMode, ...] = ("hide", "drop")
QUERY_KEYS = frozenset({"name", "filter"})
IGNORE_KEYS = frozenset({"feed", "filter", "mode"})


@dataclass(frozen=True)
class QueryFeed:
    """A saved filter shown like a feed: its name, and the stories it picks."""

    name: str
    filter: Filter


@dataclass(frozen=True)
class IgnoreRule:
    """Stories of the feeds `feed` names (a URL or a glob; "*" every one) that
    `filter` picks are hidden from every view, or dropped before storing."""

    feed: str
    filter: Filter
    mode: IgnoreMode = "hide"

    def applies_to(self, feed_url: str | None) -> bool:
        """Whether the rule covers a story of this feed (None: a story of no feed)."""
        if self.feed == "*":
            return True
        if feed_url is None:
            return False
        return fnmatch.fnmatchcase(feed_url, self.feed) or feed_url == self.feed


def _filter(value: object, name: str, warnings: list[str]) -> Filter | None:
    if not isinstance(value, str) or not value.strip():
        warnings.append(f"{name} needs a filter expression; left out")
        return None
    try:
        return parse_filter(value)
    except FilterError as exc:
        warnings.append(f"{name}: {exc}; left out")
        return None


def _feed_pattern(value: str) -> str:
    """A URL in its normal spelling; a glob as written (the library's URLs are normal)."""
    if value == "*" or any(c in value for c in "*?["):
        return value
    return normalise_feed_url(value)


def read_queries(value: Any, where: str, warnings: list[str]) -> list[QueryFeed]:
    """The `[[query]]` tables, in order; a bad one is left out with one warning."""
    if not isinstance(value, list):
        warnings.append(f"{where}: query must be written [[query]] (a list of tables); ignored")
        return []
    queries: list[QueryFeed] = []
    for number, table in enumerate(value, 1):
        name = f"{where}: [[query]] number {number}"
        if not isinstance(table, dict):
            warnings.append(f"{name} is not a table; left out")
            continue
        for key in sorted(table.keys() - QUERY_KEYS):
            warnings.append(f"{name}: unknown setting {key}; ignored")
        title = table.get("name")
        if not isinstance(title, str) or not title.strip():
            warnings.append(f"{name} needs a name; left out")
            continue
        if any(q.name == title.strip() for q in queries):
            warnings.append(f"{name}: another query is named {title.strip()!r}; left out")
            continue
        picked = _filter(table.get("filter"), f"{name} ({title.strip()})", warnings)
        if picked is not None:
            queries.append(QueryFeed(title.strip(), picked))
    return queries


def read_ignores(value: Any, where: str, warnings: list[str]) -> list[IgnoreRule]:
    """The `[[ignore]]` tables; a bad one is left out with one warning."""
    if not isinstance(value, list):
        warnings.append(f"{where}: ignore must be written [[ignore]] (a list of tables); ignored")
        return []
    rules: list[IgnoreRule] = []
    for number, table in enumerate(value, 1):
        name = f"{where}: [[ignore]] number {number}"
        if not isinstance(table, dict):
            warnings.append(f"{name} is not a table; left out")
            continue
        for key in sorted(table.keys() - IGNORE_KEYS):
            warnings.append(f"{name}: unknown setting {key}; ignored")
        feed = table.get("feed", "*")
        mode = table.get("mode", "hide")
        if not isinstance(feed, str) or not feed.strip():
            warnings.append(f'{name}: feed must be "*", a feed URL or a glob of URLs; left out')
            continue
        if mode not in MODES:
            warnings.append(f'{name}: mode must be "hide" or "drop"; left out')
            continue
        picked = _filter(table.get("filter"), name, warnings)
        if picked is not None:
            rules.append(IgnoreRule(_feed_pattern(feed.strip()), picked, mode))
    return rules


def read_feed_ignores(
    table: dict[str, Any], url: str, name: str, warnings: list[str]
) -> list[IgnoreRule]:
    """A `[[feed]]` table's own `ignore` (an expression or a list) and `ignore_mode`."""
    value = table.get("ignore")
    if value is None:
        return []
    mode = table.get("ignore_mode", "hide")
    if mode not in MODES:
        warnings.append(f'{name}: ignore_mode must be "hide" or "drop"; its ignore is left out')
        return []
    expressions = value if isinstance(value, list) else [value]
    rules = []
    for number, expression in enumerate(expressions, 1):
        picked = _filter(expression, f"{name}: ignore number {number}", warnings)
        if picked is not None:
            rules.append(IgnoreRule(url, picked, mode))
    return rules


def hide_pairs(rules: list[IgnoreRule]) -> list[tuple[str, Filter]]:
    """The `hide` rules as the library takes them: (feed pattern, filter) each."""
    return [(rule.feed, rule.filter) for rule in rules if rule.mode == "hide"]


def drop_rules(rules: list[IgnoreRule]) -> list[IgnoreRule]:
    """The `drop` rules, which a refresh or a sync applies before storing."""
    return [rule for rule in rules if rule.mode == "drop"]


def find_query(queries: list[QueryFeed], name: str) -> QueryFeed | None:
    """The query named `name` (any case), else the one whose name starts so, else None."""
    wanted = name.strip().casefold()
    exact = [q for q in queries if q.name.casefold() == wanted]
    if exact:
        return exact[0]
    starts = [q for q in queries if q.name.casefold().startswith(wanted)]
    return starts[0] if len(starts) == 1 and wanted else None


def both(first: Filter, second: Filter) -> Filter:
    """The stories both filters pick (a query feed's and a typed one)."""
    return Filter(
        f"({first.text}) and ({second.text})", AllOf((first.expression, second.expression))
    )
