"""Rendering: structure, teaser length, literal markup, safe links."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from rich.text import Text

from tests.conftest import SEED_TEXT
from tui_reader.article import Article, Block, BlockKind
from tui_reader.meter import PAYWALL_MESSAGE
from tui_reader.render import meta_line, render_article, render_plain, safe_link
from tui_reader.sources.scraped_text import parse_text


def as_text(renderable) -> str:
    console = Console(width=200, record=True, color_system=None, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


def test_meta_line_has_source_date_and_reading_time():
    article = parse_text(SEED_TEXT, source="Bundled seed")
    assert meta_line(article) == "Bundled seed · 2 min read"
    article.published = "2024-06-14T09:30:00+00:00"
    assert meta_line(article) == "Bundled seed · 2024-06-14 · 2 min read"
    article.author = "Ann Reporter"
    assert meta_line(article) == "Bundled seed · by Ann Reporter · 2024-06-14 · 2 min read"


def test_teaser_stops_after_two_paragraphs():
    article = parse_text(SEED_TEXT)
    lines = [line for line in render_plain(article, teaser=True).splitlines() if line]
    assert lines[2].startswith("Japan and Canada will sign")
    assert lines[3].startswith("Yasutoshi Nishimura")
    assert lines[4] == "You have 0 free articles remaining. Subscribe for unlimited access."
    assert len(lines) == 5
    assert "Subscribe for unlimited access" in as_text(render_article(article, teaser=True))


def test_markup_in_titles_shows_literally():
    article = parse_text("[TODO] fix [/b]\n\n[link=file:///etc/passwd]click[/link] me")
    shown = as_text(render_article(article))
    assert "[TODO] fix [/b]" in shown
    assert "[link=file:///etc/passwd]click[/link] me" in shown


def test_only_web_and_mail_links_are_clickable():
    assert safe_link("https://example.com/x") == "https://example.com/x"
    assert safe_link("mailto:desk@example.com") == "mailto:desk@example.com"
    for url in ("file:///etc/passwd", "javascript:alert(1)", "ssh://host", "http://[bad"):
        assert safe_link(url) is None
    article = parse_text("Linked\n\nBody.")
    article.url = "https://example.com/story"
    assert links_in(render_article(article)) == {"https://example.com/story"}
    article.url = "file:///etc/passwd"
    assert links_in(render_article(article)) == set()


def links_in(group) -> set[str]:
    return {
        span.style.link
        for part in group.renderables
        if isinstance(part, Text)
        for span in part.spans
        if not isinstance(span.style, str) and span.style.link
    }


def _words_shown(article: Article) -> int:
    shown = render_plain(article, teaser=True)
    body = shown.split("\n", 2)[2]  # after the title and the meta line
    return len(body.replace(PAYWALL_MESSAGE, "").split())


def test_a_teaser_shows_at_most_a_third_of_a_short_article():
    paragraph = BlockKind.PARAGRAPH
    article = Article(
        title="Short item",
        standfirst="A lead of ten words that says what happened here.",
        blocks=[
            Block(paragraph, "The first sentence. The second sentence is longer than that."),
            Block(paragraph, "Third paragraph words " * 10),
        ],
    )
    shown = render_plain(article, teaser=True)
    assert "The first sentence." in shown  # cut at a sentence, not mid-way
    assert "The second sentence" not in shown
    assert "Third paragraph" not in shown
    assert _words_shown(article) <= article.word_count // 3


def test_a_summary_only_item_is_withheld_too():
    article = Article(
        title="One line", blocks=[Block(BlockKind.PARAGRAPH, "Only this sentence here.")]
    )
    shown = render_plain(article, teaser=True)
    assert "Only this sentence here." not in shown  # never the whole article
    assert shown.count("Only") == 1 and "…" in shown  # but a start of it
    assert PAYWALL_MESSAGE in shown


def test_the_teaser_shows_at_least_one_sentence():
    long_first = "This opening sentence runs on for a good many words before it ends. "
    article = Article(
        title="Long lead",
        blocks=[
            Block(BlockKind.PARAGRAPH, long_first + "Then another. " * 3),
            Block(BlockKind.PARAGRAPH, "Later words. " * 5),
        ],
    )
    shown = render_plain(article, teaser=True)
    assert long_first.strip() in shown  # over a third on its own, shown whole
    assert "Then another." not in shown and "Later words." not in shown


def test_an_image_without_a_caption_reads_image():
    article = Article(title="Pictures", blocks=[Block(BlockKind.IMAGE, "")])
    assert "[image]" in render_plain(article)
    assert "[image: image]" not in render_plain(article)


def test_a_long_code_line_wraps_with_a_mark_and_loses_nothing():
    long_line = "    return call(" + ", ".join(f"argument_{n}" for n in range(12)) + ")"
    code = f"def f():\n{long_line}\nx = 1"
    article = Article(title="Code", blocks=[Block(BlockKind.CODE, code)])
    for width in (30, 60, 200):
        console = Console(width=width, record=True, color_system=None, file=io.StringIO())
        console.print(render_article(article))
        rows = console.export_text().splitlines()
        assert all(len(row) <= width for row in rows)
        body = rows[rows.index("def f():") :]
        joined = "\n".join(body).replace("\n↪ ", "")
        assert code in joined, (width, body)  # every character, in order
        assert ("↪ " in "\n".join(body)) == (len(long_line) > width)
        assert "…" not in "\n".join(body)  # never cut with an ellipsis


def _grid(columns: int, rows: int) -> tuple[tuple[str, ...], ...]:
    header = tuple(f"Head{c}" for c in range(columns))
    return (header, *(tuple(f"r{r}c{c}" for c in range(columns)) for r in range(rows)))


@pytest.mark.parametrize(("columns", "rows"), [(6, 4), (12, 4), (30, 4), (30, 200)])
@pytest.mark.parametrize("width", [60, 100, 200])
def test_every_cell_of_a_table_reaches_the_reader(columns: int, rows: int, width: int):
    grid = _grid(columns, rows)
    blank_row = ("",) * columns
    article = Article(title="Table", blocks=[Block(BlockKind.TABLE, "", rows=(*grid, blank_row))])
    console = Console(width=width, record=True, color_system=None, file=io.StringIO())
    console.print(render_article(article))
    shown = console.export_text()
    lines = shown.splitlines()
    assert all(len(line) <= width for line in lines)
    words = set(shown.split())
    for row in grid[1:]:
        for cell in row:
            assert cell in words, (cell, width)  # whole, never split or dropped
    for name in grid[0]:
        assert name in shown  # headers whole, not one letter a line
    assert not any(line.strip() == "" and "│" in line for line in lines)


def test_links_are_numbered_after_their_text_and_listed_at_the_end():
    from tui_reader.sources.html_convert import html_to_blocks

    html = (
        '<p>See <a href="https://a.example/report">the report</a> and'
        ' <a href="javascript:alert(1)">no link</a>.</p>'
        '<p><img src="https://img.example/mine.jpg" alt="A pit mine"></p>'
        '<p><img src="https://img.example/2.jpg"> then'
        ' <a href="mailto:desk@b.example">mail</a>.</p>'
    )
    article = Article(title="Links", blocks=html_to_blocks(html, "https://news.example/"))
    plain = render_plain(article)
    assert "See the report [1] and no link." in plain
    assert "[image 2: A pit mine]" in plain
    # A picture inside a paragraph stands on its own line, the text around it kept.
    assert "[image 3]\n\nthen mail [4]." in plain
    listed = plain.split("\nLinks\n", 1)[1].splitlines()
    assert listed[:4] == [
        "[1] https://a.example/report",
        "[2] https://img.example/mine.jpg",
        "[3] https://img.example/2.jpg",
        "[4] mailto:desk@b.example",
    ]
    rich = as_text(render_article(article))
    assert "the report [1]" in rich and "[4] mailto:desk@b.example" in rich
    assert "javascript" not in plain + rich


@pytest.mark.parametrize("width", range(40, 121))
def test_a_drawn_table_never_splits_a_header(width: int):
    # A real page's table (dawgsbynature.com): "Plays" came out as "Play" / "s"
    # when the columns were given one cell more than the width had.
    header = ("Pos", "Player", "Plays", "%", "Stats")
    rows = [header] + [
        ("DL", f"Player number {n}", str(60 + n), f"{80 + n}%", "1 tackle (1 combined). 1 sack.")
        for n in range(5)
    ]
    article = Article(title="T", blocks=[Block(BlockKind.TABLE, "", rows=tuple(rows))])
    shown = as_text_at(render_article(article), width)
    words = set(shown.replace(":", " ").split())  # "Plays" whole, as a column or "Plays: 60"
    assert all(name in words for name in header), shown
    assert all(len(line) <= width for line in shown.splitlines())


def as_text_at(renderable, width: int) -> str:
    console = Console(width=width, record=True, color_system=None, file=io.StringIO())
    console.print(renderable)
    return console.export_text()
