"""The filter language evaluated in Python, over one story's values.

Two uses: `drop` ignore rules judge a feed's entries before they are stored
(there is no row to run SQL on yet), and the tests check every generated
expression gives the same answer here as in SQL (`library.filter_sql`). So it
is written from the language's definition (README, `filter_language`), not
from the SQL: ages are whole days by floor division, dates are the first ten
characters of the date the list sorts by, a story of no feed has "" for its
feed's URL and folder. Imports `filter_language` only.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass
from datetime import datetime

from tui_reader.filter_language import (
    AllOf,
    AnyOf,
    Between,
    Comparison,
    Expression,
    Not,
    ignores_case,
)


@dataclass(frozen=True)
class Item:
    """What a filter can see of one article."""

    title: str
    content: str
    author: str
    link: str
    feedtitle: str
    feedurl: str
    folder: str
    unread: bool
    starred: bool
    when: str  # ISO 8601 UTC, as `sort_key` holds it


def age_of(item: Item, now: float) -> int:
    seconds = int(datetime.fromisoformat(item.when).timestamp())
    return (math.floor(now) - seconds) // 86_400


def matches(expression: Expression, item: Item, now: float) -> bool:
    if isinstance(expression, Not):
        return not matches(expression.operand, item, now)
    if isinstance(expression, AllOf):
        return all(matches(e, item, now) for e in expression.operands)
    if isinstance(expression, AnyOf):
        return any(matches(e, item, now) for e in expression.operands)
    if isinstance(expression, Between):
        value = _value_of(expression.attribute, item, now)
        return expression.low <= value <= expression.high  # type: ignore[operator]
    assert isinstance(expression, Comparison)
    value = _value_of(expression.attribute, item, now)
    wanted, op = expression.value, expression.operator
    if op == "=":
        return value == wanted
    if op == "!=":
        return value != wanted
    if op in ("<", ">", "<=", ">="):
        return {
            "<": value < wanted,  # type: ignore[operator]
            ">": value > wanted,  # type: ignore[operator]
            "<=": value <= wanted,  # type: ignore[operator]
            ">=": value >= wanted,  # type: ignore[operator]
        }[op]
    assert isinstance(wanted, str) and isinstance(value, str)
    # Smart case: with no capital in the pattern, the text is read in lower case.
    if ignores_case(wanted):
        value = value.lower()
        if op in ("#", "!#"):
            wanted = wanted.lower()
    found = re.search(wanted, value) is not None if op in ("=~", "!~") else wanted in value
    return found if op in ("=~", "#") else not found


def _value_of(attribute: str, item: Item, now: float) -> str | bool | int:
    if attribute == "age":
        return age_of(item, now)
    if attribute == "date":
        return item.when[:10]
    value: str | bool | int = getattr(item, attribute)
    return value


_TAGS = re.compile(r"<[^>]*>")


def html_words(html_text: str) -> str:
    """The words of some HTML, tags gone and entities read: what `content` sees
    of a story not stored yet."""
    return " ".join(html.unescape(_TAGS.sub(" ", html_text)).split())
