"""The filter language: its parser, its errors, and its SQL against a plain Python reading."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import FakeClock
from tui_reader.article import Article, Block, BlockKind
from tui_reader.filter_language import (
    MAX_CONDITIONS,
    MAX_DEPTH,
    AllOf,
    AnyOf,
    Between,
    Comparison,
    Expression,
    Filter,
    FilterError,
    Not,
    filter_text,
    ignores_case,
    parse_filter,
)
from tui_reader.filter_match import Item, matches
from tui_reader.library.articles import insert_article
from tui_reader.library.filter_sql import filter_sql
from tui_reader.library.store import Store
from tui_reader.searching import index_all

NOW = FakeClock().now
DAY = 86_400

EXAMPLE = 'unread = "yes" and (title =~ "battery|lithium" or feedtitle = "Nikkei") and age < 7'


def error_of(text: str) -> str:
    with pytest.raises(FilterError) as raised:
        parse_filter(text)
    return str(raised.value)


# The parser -----------------------------------------------------------------------


def test_the_issue_example_parses_into_its_tree():
    assert parse_filter(EXAMPLE).expression == AllOf(
        (
            Comparison("unread", "=", True),
            AnyOf(
                (
                    Comparison("title", "=~", "battery|lithium"),
                    Comparison("feedtitle", "=", "Nikkei"),
                )
            ),
            Comparison("age", "<", 7),
        )
    )


def test_and_binds_tighter_than_or_and_not_tightest():
    assert parse_filter("title = a or title = b and not starred = yes").expression == AnyOf(
        (
            Comparison("title", "=", "a"),
            AllOf((Comparison("title", "=", "b"), Not(Comparison("starred", "=", True)))),
        )
    )


def test_values_quoted_or_bare_keywords_in_any_case_and_no_spaces_needed():
    assert parse_filter('TITLE # "a \\"b\\" c\\\\d" AND age<=3').expression == AllOf(
        (Comparison("title", "#", 'a "b" c\\d'), Comparison("age", "<=", 3))
    )
    # A regex keeps its backslashes: only \" and \\ are escapes.
    assert parse_filter(r'title =~ "\d+\s"').expression == Comparison("title", "=~", r"\d+\s")
    assert parse_filter("unread = No").expression == Comparison("unread", "=", False)


def test_between_takes_two_numbers_or_two_days():
    assert parse_filter("age between 1:7").expression == Between("age", 1, 7)
    assert parse_filter('date between "2024-05-01:2024-05-31"').expression == Between(
        "date", "2024-05-01", "2024-05-31"
    )


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("title =~", 'filter: expected a value after "=~" at column 9'),
        ('unread = "yes" and title =~ and', 'filter: expected a value after "=~" at column 29'),
        ("", "filter: expected an attribute at column 1"),
        ("title = x and", 'filter: expected an attribute after "and" at column 14'),
        ("titel = x", 'filter: unknown attribute "titel" (title, content, author'),
        ("title x", 'filter: expected an operator after "title" at column 7'),
        ("title == x", 'filter: expected a value after "=" at column 8'),
        ('title = "open', "filter: unclosed quote at column 9"),
        ("(title = x", 'filter: unclosed "(" at column 1'),
        ("(title = x y", 'filter: expected "and", "or" or ")" at column 12'),
        ("title = x)", 'filter: unexpected ")" at column 10'),
        ("title = new york", 'filter: expected "and", "or" or the end at column 13'),
        ("unread = maybe", 'filter: unread is "yes" or "no", not "maybe" at column 10'),
        ("unread < 3", "filter: unread takes = or !=, not < at column 8"),
        ("title < b", "filter: title takes =, !=, =~, !~, # or !#, not < at column 7"),
        ("title between 1:2", "filter: title takes =, !=, =~, !~, # or !#, not between"),
        ("age =~ 3", "filter: age takes =, !=, <, >, <=, >= or between, not =~ at column 5"),
        ("age < -1", 'filter: age is a whole number of days up to 100,000, not "-1" at column 7'),
        ("age < ²", 'filter: age is a whole number of days up to 100,000, not "²"'),
        ("date = 2024-02-30", 'filter: date is a day like 2024-05-17, not "2024-02-30"'),
        ("age between 7", 'filter: between takes two values like 1:7, not "7" at column 13'),
        ('title =~ "ab("', "filter: bad regular expression (missing ), unterminated subpattern)"),
        ("(" * 40 + "title = x" + ")" * 40, f"filter: nested more than {MAX_DEPTH} deep"),
        (" or ".join(["age < 1"] * 201), f"filter: more than {MAX_CONDITIONS} conditions"),
    ],
)
def test_a_bad_expression_is_one_line_that_points_at_the_place(text: str, error: str):
    message = error_of(text)
    assert message.startswith(error)
    assert "\n" not in message and re.search(r" at column \d+$", message)


def test_the_error_column_is_a_number_on_the_error():
    with pytest.raises(FilterError) as raised:
        parse_filter("title = a and titel = b")
    assert raised.value.column == 15


def test_smart_case_counts_capitals_outside_escapes():
    assert ignores_case("battery|lithium")
    assert ignores_case(r"\S+\W")
    assert not ignores_case("Nikkei")
    assert not ignores_case("é|É")


# Properties: no input crashes the parser; text written from a tree reads back --------

WORDS = ["title", "content", "age", "date", "unread", "and", "or", "not", "between", "yes"]
PIECES = st.one_of(
    st.sampled_from([*WORDS, "=", "!=", "=~", "!~", "#", "!#", "<", ">=", "(", ")", '"', "\\"]),
    st.sampled_from(["1:7", "2024-05-17", "3", "[", "a|b", "é"]),
    st.text(max_size=3),
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=40), st.lists(PIECES, max_size=12).map(" ".join)))
def test_no_input_crashes_the_parser(text: str):
    try:
        parsed = parse_filter(text)
    except FilterError as exc:
        assert str(exc).startswith("filter: ") and "\n" not in str(exc)
        assert 1 <= exc.column <= len(text) + 1
    else:
        filter_sql(parsed, NOW)  # whatever parses translates


ALPHABET = "abAB éÉßı.|x1"
TEXT = st.text(ALPHABET, max_size=6)
FEEDS = [
    ("https://nikkei.example/rss", "Nikkei", "Asia"),
    ("https://wire.example/feed", "Wire", ""),
    ("http://blog.example/atom.xml", "A Blog", "Asia"),
]
REGEXES = ["a", "A", "b|é", "^a", "b$", "[ab]", ".", "É", "ß", "a.*b", r"\d", "x?", "(a|B)1"]


def _text_comparisons() -> st.SearchStrategy[Expression]:
    attribute = st.sampled_from(["title", "content", "author", "link", "feedtitle"])
    feed_attribute = st.sampled_from(["feedurl", "folder"])
    feed_value = st.sampled_from([v for feed in FEEDS for v in feed[::2]] + ["", "asia", "nik"])
    plain = st.builds(Comparison, attribute, st.sampled_from(["=", "!=", "#", "!#"]), TEXT)
    regex = st.builds(
        Comparison,
        st.one_of(attribute, feed_attribute),
        st.sampled_from(["=~", "!~"]),
        st.one_of(st.sampled_from(REGEXES), TEXT.map(re.escape)),
    )
    of_feed = st.builds(
        Comparison, feed_attribute, st.sampled_from(["=", "!=", "#", "!#"]), feed_value
    )
    return st.one_of(plain, regex, of_feed)


def _day(days_ago: int) -> str:
    return datetime.fromtimestamp(NOW - days_ago * DAY, UTC).date().isoformat()


RANGE_OPERATORS = st.sampled_from(["=", "!=", "<", ">", "<=", ">="])
LEAVES: st.SearchStrategy[Expression] = st.one_of(
    _text_comparisons(),
    st.builds(
        Comparison,
        st.sampled_from(["unread", "starred"]),
        st.sampled_from(["=", "!="]),
        st.booleans(),
    ),
    st.builds(Comparison, st.just("age"), RANGE_OPERATORS, st.integers(0, 12)),
    st.builds(Comparison, st.just("date"), RANGE_OPERATORS, st.integers(-1, 12).map(_day)),
    st.builds(Between, st.just("age"), st.integers(0, 12), st.integers(0, 12)),
    st.builds(
        Between, st.just("date"), st.integers(-1, 12).map(_day), st.integers(-1, 12).map(_day)
    ),
)
EXPRESSIONS = st.recursive(
    LEAVES,
    lambda inner: st.one_of(
        inner.map(Not),
        st.lists(inner, min_size=2, max_size=3).map(lambda xs: AllOf(tuple(xs))),
        st.lists(inner, min_size=2, max_size=3).map(lambda xs: AnyOf(tuple(xs))),
    ),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(EXPRESSIONS)
def test_text_written_from_a_tree_parses_back_to_it(expression: Expression):
    assert parse_filter(filter_text(expression)).expression == expression


# Properties: SQL gives the same answer as the Python reading ------------------------


def _when(days_ago: int, seconds: int) -> str:
    return datetime.fromtimestamp(NOW - days_ago * DAY + seconds, UTC).isoformat(timespec="seconds")


@st.composite
def items(draw: st.DrawFn) -> Item:
    feed = draw(st.sampled_from([None, *FEEDS]))
    return Item(
        title=draw(TEXT),
        content=draw(TEXT),
        author=draw(TEXT),
        link=draw(st.sampled_from(["", "https://nikkei.example/a/1", "http://x.example/É"])),
        feedtitle=feed[1] if feed else draw(TEXT),
        feedurl=feed[0] if feed else "",
        folder=feed[2] if feed else "",
        unread=draw(st.booleans()),
        starred=draw(st.booleans()),
        # On, just before and just after day boundaries, and in between.
        when=_when(
            draw(st.integers(-1, 12)),
            draw(st.one_of(st.sampled_from([0, 1, -1]), st.integers(-DAY, DAY))),
        ),
    )


@contextmanager
def library_of(articles: Sequence[Item]) -> Iterator[tuple[Store, list[str]]]:
    """A real library holding `articles`, indexed for search; and their ids in order."""
    with tempfile.TemporaryDirectory() as directory:
        store = Store.open(Path(directory))
        try:
            feeds = {
                url: store.add_feed(url, title=title, folder=folder)[0].id
                for url, title, folder in FEEDS
            }
            ids = []
            with store.transaction() as db:
                for n, item in enumerate(articles):
                    blocks = [Block(BlockKind.PARAGRAPH, item.content)] if item.content else []
                    article = Article(
                        title=item.title,
                        blocks=blocks,
                        source=item.feedtitle,
                        url=item.link,
                        author=item.author,
                        origin="feed",
                    )
                    article_id, _ = insert_article(db, article, f"{n:016x}")
                    db.execute(
                        "UPDATE articles SET feed_id = ?, read = ?, starred = ?, sort_key = ?"
                        " WHERE id = ?",
                        (
                            feeds.get(item.feedurl),
                            int(not item.unread),
                            int(item.starred),
                            item.when,
                            article_id,
                        ),
                    )
                    ids.append(article_id)
            index_all(store)
            yield store, ids
        finally:
            store.close()


def assert_same_answer(
    store: Store, ids: list[str], articles: Sequence[Item], expression: Expression
):
    filter_ = Filter(filter_text(expression), expression)
    by_sql = {h.id for h in store.headlines(filter=filter_, now=NOW)}
    by_python = {i for i, item in zip(ids, articles, strict=True) if matches(expression, item, NOW)}
    assert by_sql == by_python, filter_.text


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(items(), min_size=1, max_size=12), st.lists(EXPRESSIONS, min_size=1, max_size=5))
def test_sql_answers_as_the_python_reading_over_generated_articles(
    articles: list[Item], expressions: list[Expression]
):
    with library_of(articles) as (store, ids):
        for expression in expressions:
            assert_same_answer(store, ids, articles, expression)


FIXED = [
    Item(
        "Lithium battery deal",
        "Nickel and lithium",
        "Aoki",
        "https://nikkei.example/a/1",
        "Nikkei",
        "https://nikkei.example/rss",
        "Asia",
        True,
        False,
        _when(0, -60),
    ),
    Item(
        "Straße é",
        "ÉTÉ",
        "",
        "",
        "A Blog",
        "http://blog.example/atom.xml",
        "Asia",
        False,
        True,
        _when(3, 0),
    ),
    Item(
        "Saved page", "", "Ann", "http://x.example/É", "x.example", "", "", True, True, _when(7, 1)
    ),
    Item(
        "Old wire",
        "a|b",
        "ıA",
        "",
        "Wire",
        "https://wire.example/feed",
        "",
        False,
        False,
        _when(12, -1),
    ),
]


@pytest.fixture(scope="module")
def fixed_library() -> Iterator[tuple[Store, list[str]]]:
    with library_of(FIXED) as library:
        yield library


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(EXPRESSIONS)
def test_sql_answers_as_the_python_reading_over_a_fixed_library(
    fixed_library: tuple[Store, list[str]], expression: Expression
):
    store, ids = fixed_library
    assert_same_answer(store, ids, FIXED, expression)


# The filter in the library ------------------------------------------------------------


def titles(store: Store, text: str, **kwargs: object) -> list[str]:
    return [h.title for h in store.headlines(filter=parse_filter(text), now=NOW, **kwargs)]  # type: ignore[arg-type]


def test_the_issue_example_over_a_library(fixed_library: tuple[Store, list[str]]):
    store, _ = fixed_library
    assert titles(store, EXAMPLE) == ["Lithium battery deal"]
    assert titles(store, 'feedtitle = "Nikkei" or folder = "Asia"') == [
        "Lithium battery deal",
        "Straße é",
    ]


def test_smart_case_in_sql(fixed_library: tuple[Store, list[str]]):
    store, _ = fixed_library
    assert titles(store, 'title =~ "lithium"') == ["Lithium battery deal"]
    assert titles(store, 'title =~ "lithium|Old"') == ["Old wire"]  # a capital: case matters
    assert titles(store, 'content # "été"') == ["Straße é"]  # Unicode case, not ASCII only
    assert titles(store, 'content # "a|b"') == ["Old wire"]  # contains: no regex


def test_age_counts_whole_days_back_from_now(fixed_library: tuple[Store, list[str]]):
    store, _ = fixed_library
    assert titles(store, "age < 1") == ["Lithium battery deal"]
    assert titles(store, "age = 3") == ["Straße é"]
    assert titles(store, "age between 3:6") == ["Straße é", "Saved page"]  # 6 days 23:59:59
    assert titles(store, "age >= 12") == ["Old wire"]
    assert titles(store, f'date = "{_day(3)}"') == ["Straße é"]


def test_a_story_of_no_feed_has_no_feed_url_or_folder(fixed_library: tuple[Store, list[str]]):
    store, _ = fixed_library
    assert titles(store, 'feedurl = ""') == ["Saved page"]
    assert titles(store, 'not folder = "Asia"') == ["Saved page", "Old wire"]


def test_the_filter_joins_the_other_conditions(fixed_library: tuple[Store, list[str]]):
    store, _ = fixed_library
    assert titles(store, 'folder = "Asia"', unread_only=True) == ["Lithium battery deal"]
    assert titles(store, "age < 100", starred_only=True, order="oldest") == [
        "Saved page",
        "Straße é",
    ]


def test_content_is_empty_until_the_index_pass_reaches_it(store: Store):
    store.add_articles([Article(title="Fresh", blocks=[Block(BlockKind.PARAGRAPH, "cobalt")])])
    assert titles(store, 'content # "cobalt"') == []
    index_all(store)
    assert titles(store, 'content # "cobalt"') == ["Fresh"]


def test_search_with_a_filter_counts_its_limit_after_the_filter(store: Store):
    store.add_articles(
        [
            Article(title=f"Cobalt {n}", blocks=[Block(BlockKind.PARAGRAPH, "mine")], author=a)
            for n, a in enumerate(["Ann", "Bo", "Ann", "Bo"])
        ]
    )
    index_all(store)
    picked = parse_filter('author = "Bo"')
    assert sorted(h.title for h in store.search("cobalt", filter=picked)) == [
        "Cobalt 1",
        "Cobalt 3",
    ]
    assert len(store.search("cobalt", filter=picked, limit=1)) == 1
    assert store.search("cobalt", filter=parse_filter('author = "Cy"')) == []
