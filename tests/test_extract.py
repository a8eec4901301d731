"""Article extraction from web pages: real news pages, metadata, decoding, hostile text."""

from __future__ import annotations

import gzip
import io
import json
import re
import subprocess
import sys
import threading

import pytest
from rich.console import Console

from bench.extraction import score_page, stored_text
from tests.shared_data import ARTICLES
from tui_reader.article import BlockKind
from tui_reader.render import render_article, render_plain
from tui_reader.sources.extract import (
    MAX_PAGE_BYTES,
    ExtractionCancelled,
    ExtractionError,
    decode_html,
    extract_article,
)

# Per-page F1 (the benchmark's shingle score of the text as stored and shown)
# a little below what bench/extraction.py measured, so that a regression in
# extraction, conversion or rendering fails here. Chosen for variety: an
# opinion column, a BBC story with "related" asides, AP wire copy, a stats
# page with tables, a gift guide of headings and lists, and Indonesian and
# Japanese blogs. The Japanese page scores low on the benchmark's own terms:
# its ground truth puts spaces around links, which joins no \w+ token.
FLOORS = {
    "04a6711caa7c": 0.94,  # nytimes.com opinion (measured 0.964)
    "c7e39ac49fa1": 0.94,  # bbc.com (0.959)
    "82b6d780c792": 0.93,  # hosted.ap.org, a long lead-image caption (0.945)
    "6a72de37e8f9": 0.96,  # dawgsbynature.com, tables (0.988)
    "cc4aa22b8212": 0.95,  # 9to5mac.com, headings and lists (0.975)
    "7837c9d66c81": 0.92,  # kabarislamia.com, Indonesian (0.947)
    "f105de6e63ca": 0.81,  # note100yen.com, Japanese (0.835)
}

# Control characters that must never come from page text (tab and newline
# are fine), bidi overrides and zero-width characters.
FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u202a-\u202e\u2066-\u2069\ufeff]")
WORDS = "The council voted on Tuesday to rebuild the old bridge over the river. "


def corpus_page(prefix: str) -> tuple[bytes, str, str]:
    truth = json.loads((ARTICLES / "ground-truth.json").read_text(encoding="utf-8"))
    [key] = [key for key in truth if key.startswith(prefix)]
    data = (ARTICLES / "html" / f"{key}.html.gz").read_bytes()
    return data, truth[key]["url"], truth[key]["articleBody"]


def page(body: str, head: str = "") -> str:
    return f"<!doctype html><html><head>{head}</head><body>{body}</body></html>"


def news_page(title: str = "A story - Example News", author: str = "Jane Doe") -> str:
    head = (
        f"<title>{title}</title><meta name='author' content='{author}'>"
        "<meta property='article:published_time' content='2024-05-17T10:00:00Z'>"
        "<meta property='og:site_name' content='Example News'>"
    )
    body = (
        "<nav><a href='/'>Home</a> <a href='/world'>World</a></nav>"
        "<article><h1>A story</h1>"
        f"<p>{WORDS * 4}</p><p>Residents were <a href='/bridge'>relieved</a>. {WORDS * 3}</p>"
        "<ul><li>First point of the story, in a list.</li><li>Second point.</li></ul>"
        "</article><footer>© 2024 Example News</footer>"
    )
    return page(body, head)


@pytest.mark.needs_corpus
@pytest.mark.parametrize("prefix", FLOORS)
def test_real_pages_keep_their_f1(prefix: str):
    data, url, truth = corpus_page(prefix)
    article = extract_article(decode_html(data), url)
    f1 = score_page(truth, stored_text(article)).f1
    assert f1 >= FLOORS[prefix], f"{url}: F1 {f1:.3f} < {FLOORS[prefix]}"


@pytest.mark.needs_corpus
def test_metadata_of_a_real_page():
    data, url, _ = corpus_page("04a6711caa7c")
    article = extract_article(decode_html(data), url)
    assert article.title == "Opinion | Republicans Are Following Trump to Nowhere"
    assert article.author == "Jamelle Bouie"
    assert article.published == "2019-11-19"
    assert article.source == "NYTimes"
    assert article.url == url
    assert article.origin == "page"


@pytest.mark.needs_corpus
def test_the_lead_image_comes_first_with_its_caption():
    data, url, _ = corpus_page("82b6d780c792")
    article = extract_article(decode_html(data), url)
    lead = article.blocks[0]
    assert lead.kind is BlockKind.IMAGE
    assert lead.text.startswith("FILE - In this Monday, Oct. 28, 2019, file photo")
    assert lead.links and lead.links[0].url.startswith("https://")
    assert sum(b.kind is BlockKind.IMAGE for b in article.blocks) == 1
    shown = render_plain(article)
    assert "[image 1: FILE - In this Monday" in shown  # its address is link 1
    assert "\n[1] https://" in shown


def test_title_byline_date_and_body():
    article = extract_article(news_page(), "https://example.com/news/story?id=1#comments")
    assert article.title == "A story"  # the site name is on the meta line, not here
    assert article.author == "Jane Doe"
    assert article.published == "2024-05-17"
    assert article.source == "Example News"
    assert article.url == "https://example.com/news/story?id=1"
    kinds = [block.kind for block in article.blocks]
    # The headline inside <article> is the title already: not repeated.
    assert BlockKind.HEADING not in kinds
    assert kinds.count(BlockKind.LIST_ITEM) == 2
    assert not any("Home" in block.text or "©" in block.text for block in article.blocks)
    [link] = [link for block in article.blocks for link in block.links]
    assert link.url == "https://example.com/bridge"  # resolved against the page URL


def test_source_falls_back_to_the_host():
    html = page(f"<article><p>{WORDS * 5}</p></article>", "<title>Just a story</title>")
    article = extract_article(html, "https://www.example.org/a")
    assert article.source == "example.org"
    assert article.published is None or re.fullmatch(r"\d{4}-\d\d-\d\d", article.published)


@pytest.mark.parametrize(
    "html",
    [
        page("<nav><ul><li><a href='/a'>News</a></li><li><a href='/b'>Sport</a></li></ul></nav>"),
        page(
            "<h1>Sign in</h1><form><input name='user'><input type='password'>"
            "<button>Log in</button></form><p>Forgot your password?</p>"
        ),
        page(""),
    ],
    ids=["menu", "login", "empty"],
)
def test_a_page_without_an_article_is_refused_in_one_line(html: str):
    with pytest.raises(ExtractionError) as caught:
        extract_article(html, "https://example.com/")
    assert str(caught.value) == "no article found on the page"


def test_cancel_stops_before_extracting():
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(ExtractionCancelled):
        extract_article(news_page(), cancel=cancel)
    assert issubclass(ExtractionCancelled, ExtractionError)


def test_absurd_pages_are_refused_quickly():
    with pytest.raises(ExtractionError, match="too large"):
        extract_article("<p>" + "x" * MAX_PAGE_BYTES)
    with pytest.raises(ExtractionError, match="too complex"):
        extract_article("<p>x</p>" * 100_001)


def test_hostile_text_is_sanitized_and_markup_stays_literal():
    attacks = (
        "\x1b[2J\x1b[31m \x1b]0;pwned\x07 \x9b2J \u202etxt.exe a\u200bb [bold red]loud[/bold red]"
    )
    html = page(
        f"<article><h1>Headline {attacks}</h1><p>{WORDS * 3} {attacks}</p>"
        f"<p>{WORDS * 2} &#27;[31m &#x9b;2J [link=file:///etc/passwd]x[/link]</p></article>",
        f"<title>Title {attacks}</title><meta name='author' content='Eve {attacks}'>",
    )
    article = extract_article(html, "https://example.com/evil")
    texts = [article.title, article.author, article.source, *(b.text for b in article.blocks)]
    for text in texts:
        assert not FORBIDDEN.search(text), repr(text)
    plain = render_plain(article)
    assert not FORBIDDEN.search(plain.replace("\n", ""))
    assert "[bold red]loud[/bold red]" in plain
    console = Console(file=io.StringIO(), width=1000, record=True, color_system=None)
    console.print(render_article(article))
    shown = console.export_text()
    assert "[bold red]loud[/bold red]" in shown
    assert "[link=file:///etc/passwd]x[/link]" in shown
    assert "\x1b" not in shown


def test_gzip_bytes_decode():
    html = news_page()
    assert decode_html(gzip.compress(html.encode("utf-8"))) == html


@pytest.mark.needs_corpus
def test_corpus_file_decodes():
    data, _, _ = corpus_page("c7e39ac49fa1")
    assert data[:2] == b"\x1f\x8b"
    assert "<html" in decode_html(data)[:2000].lower()


def test_gzip_bomb_and_damaged_gzip_are_refused():
    bomb = gzip.compress(b"<p>" + b" " * (MAX_PAGE_BYTES + 10))
    assert len(bomb) < 100_000
    with pytest.raises(ExtractionError, match=r"^page too large \(over 10 MB\)$"):
        decode_html(bomb)
    page_gz = gzip.compress(news_page().encode())
    for damaged in (page_gz[: len(page_gz) // 2], page_gz[:20] + b"\xff" * 40 + page_gz[60:]):
        with pytest.raises(ExtractionError, match=r"^the page is gzip-compressed but damaged$"):
            decode_html(damaged)


@pytest.mark.parametrize(
    ("data", "content_type", "expected"),
    [
        # <meta charset>, with a Latin-1 label meaning windows-1252 (curly quotes).
        (
            "<html><head><meta charset='iso-8859-1'></head><body>“Café” – ok</body></html>",
            "",
            "“Café” – ok",
        ),
        # http-equiv, further into the head than 1 KB.
        (
            "<html><head><!--" + "x" * 2000 + "--><meta http-equiv='Content-Type' "
            "content='text/html; charset=koi8-r'></head><body>Привет</body></html>",
            "",
            "Привет",
        ),
        # The header's charset wins over the page's, as in browsers.
        (
            "<html><head><meta charset='utf-8'></head><body>Grüße</body></html>",
            "text/html; charset=ISO-8859-15",
            "Grüße",
        ),
    ],
    ids=["meta-charset", "http-equiv", "header"],
)
def test_charset_is_found(data: str, content_type: str, expected: str):
    declared = re.search(r"charset=['\"]?([\w-]+)", content_type or data)
    assert declared is not None
    encoding = {"iso-8859-1": "cp1252"}.get(declared.group(1).lower(), declared.group(1))
    assert expected in decode_html(data.encode(encoding), content_type)


def test_bom_and_undeclared_utf8():
    html = "<html><body>naïve</body></html>"
    assert decode_html(html.encode("utf-16")) == html  # the BOM says UTF-16
    assert decode_html(html.encode("utf-8")) == html
    # No charset and not UTF-8: windows-1252, as browsers read such pages.
    assert "naïve" in decode_html(b"<html><body>na\xefve</body></html>")


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4,
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + bytes(range(256)) * 4,
        b"PK\x03\x04" + bytes(range(256)) * 4,
        b"Just some plain text, with no markup at all.\n" * 10,
    ],
    ids=["png", "pdf", "zip", "plain-text"],
)
def test_non_html_bytes_are_refused(data: bytes):
    with pytest.raises(ExtractionError, match=r"^not an HTML page$"):
        decode_html(data)


def test_empty_bytes_are_refused():
    with pytest.raises(ExtractionError, match="empty"):
        decode_html(b"  \n")


def test_importing_the_module_loads_neither_the_extractor_nor_textual():
    heavy = ("trafilatura", "lxml", "textual", "bs4", "markdownify")
    code = (
        f"import sys, tui_reader.sources.extract; print([m for m in {heavy!r} if m in sys.modules])"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("label", ["base64", "rot13", "zlib", "undefined", "idna", "punycode"])
def test_a_codec_that_is_no_charset_reads_as_utf8(label: str):
    page = f"<html><head><meta charset='{label}'></head><body><p>Grüße</p></body></html>"
    assert "Grüße" in decode_html(page.encode())
    assert "Grüße" in decode_html(page.encode(), f"text/html; charset={label}")


def test_an_undeclared_legacy_page_reads_as_windows_1252():
    assert "Café – fin" in decode_html("<p>Café – fin</p>".encode("cp1252"))


def test_a_broken_lead_image_address_is_left_out():
    page = news_page().replace(
        "<title>", "<meta property='og:image' content='http://[oops/x.jpg'><title>"
    )
    article = extract_article(page, "https://example.com/news/story")
    assert not any(block.kind is BlockKind.IMAGE for block in article.blocks)
