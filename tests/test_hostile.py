"""Hostile content: strangers' text never reaches the terminal as control codes or markup."""

from __future__ import annotations

import io
import json
import os
import pty
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from tests.conftest import FakeClock
from tests.test_app import settle
from tui_reader.config import Config
from tui_reader.network_settings import NetworkSettings
from tui_reader.render import render_article, render_plain, shown_target
from tui_reader.sanitize import clean_text
from tui_reader.sources.feed_parser import parse_feed
from tui_reader.sources.html_convert import CUT_NOTE, MAX_BLOCKS, html_to_blocks
from tui_reader.sources.scraped_text import ArticleImportError, parse_text
from tui_reader.ui.app import make_app

# What a hostile feed may carry, each a known way to reach past the text.
ATTACKS = {
    "csi": "\x1b[2J\x1b[31m",
    "title": "\x1b]0;pwned\x07",
    "title2": "\x1b]2;pwned\x1b\\",
    "clipboard": "\x1b]52;c;ZXZpbA==\x07",
    "hyperlink": "\x1b]8;;file:///etc/passwd\x1b\\click\x1b]8;;\x1b\\",
    "c1_csi": "\x9b2J",
    "bell_bs_nul": "\x07\x08\x00",
    "bidi": "\u202etxt.exe",
    "zero_width": "a\u200bb\ufeffc",
}
MARKUP = "[TODO] fix [/b] [link=file:///etc/passwd]x[/link] [@click=app.quit]q[/]"
# Control characters that must never come from the text itself (tab and
# newline are fine), bidi overrides and zero-width characters.
FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u202a-\u202e\u2066-\u2069\ufeff]")


def hostile(label: str) -> str:
    return f"{label} " + " ".join(ATTACKS.values()) + f" {MARKUP}"


def hostile_feed() -> bytes:
    def esc(text: str) -> str:
        # XML 1.0 cannot carry most C0 controls even escaped; feeds in the wild
        # send them raw anyway, and feedparser's loose mode reads them.
        return text.replace("&", "&amp;").replace("<", "&lt;")

    body = esc(f"<p>{hostile('Body')}</p><p><a href='file:///etc/passwd'>bank.com</a></p>")
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{esc(hostile("Feed"))}</title>'
        f"<link>http://example.com/</link><item><guid>1</guid>"
        f"<title>{esc(hostile('Title'))}</title><author>{esc(hostile('Author'))}</author>"
        f"<link>http://example.com/a\x1b]0;x\x07</link><description>{body}</description>"
        f"</item></channel></rss>"
    ).encode("utf-8", "surrogatepass")


def strings_in(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings_in(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings_in(v)]
    return []


def test_parsed_feed_text_is_clean_and_keeps_its_markup_literally():
    feed = parse_feed(hostile_feed(), "http://example.com/feed")
    [entry] = feed.entries
    for text in (feed.title, entry.title, entry.author, entry.link, entry.html):
        assert not FORBIDDEN.search(text), repr(text)
    assert "[TODO] fix [/b]" in entry.title
    assert "[link=file:///etc/passwd]x[/link]" in entry.title


def run_cli(data_dir: Path, *args: str, tty: bool = False) -> tuple[int, str]:
    env = {**os.environ, "COLUMNS": "100"}
    env.pop("TUI_READER_CONFIG", None)
    command = [sys.executable, "-m", "tui_reader", "--data-dir", str(data_dir), *args]
    if not tty:
        result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)
        return result.returncode, result.stdout
    # A real pseudo-terminal: Rich sees a TTY and writes styles and links.
    controller, terminal = pty.openpty()
    process = subprocess.Popen(command, stdout=terminal, stderr=subprocess.DEVNULL, env=env)
    os.close(terminal)
    chunks = []
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(controller)
    return process.wait(30), b"".join(chunks).decode("utf-8", "replace")


def test_every_output_passes_the_same_corpus(tmp_path: Path, feed_server):
    feed_server.routes["/evil"] = lambda h: h.send_feed(hostile_feed())
    data_dir = tmp_path / "data"
    status, _ = run_cli(data_dir, "add", feed_server.url("/evil"))
    assert status == 0
    status, listing = run_cli(data_dir, "list", "--json")
    items = json.loads(listing)
    [evil] = [a for a in items if a["title"].startswith("Title")]
    for text in strings_in(items) + strings_in(json.loads(run_cli(data_dir, "feeds", "--json")[1])):
        assert not FORBIDDEN.search(text), repr(text)
    assert MARKUP in evil["title"]

    status, plain = run_cli(data_dir, "read", evil["id"], "--plain")
    assert status == 0 and not FORBIDDEN.search(plain.replace("\n", ""))
    assert MARKUP in plain

    status, terminal = run_cli(data_dir, "read", evil["id"], tty=True)
    assert status == 0
    # Rich writes its own SGR styles and OSC 8 links; nothing else may appear.
    escapes = re.findall(r"\x1b(\[[0-9;]*m|\]8;[^\x1b\x07]*(?:\x1b\\\\|\x07))", terminal)
    leftovers = re.sub(r"\x1b\[[0-9;]*m|\x1b\]8;[^\x1b\x07]*(?:\x1b\\|\x07)", "", terminal)
    assert not FORBIDDEN.search(leftovers.replace("\r", "").replace("\n", "")), repr(leftovers)
    links = re.findall(r"\x1b\]8;[^;]*;([^\x1b\x07]*)", terminal)
    assert all(link == "" or link.startswith(("http://", "https://")) for link in links), links
    assert escapes  # it really was styled for a terminal
    assert "[TODO] fix [/b]" in leftovers


async def test_the_app_shows_hostile_text_as_text(tmp_path: Path, feed_server):
    feed_server.routes["/evil"] = lambda h: h.send_feed(hostile_feed())
    data_dir = tmp_path / "data"
    quick = NetworkSettings(connect_timeout=2, read_timeout=5, total_timeout=10)
    app = make_app(Config(network=quick), data_dir, clock=FakeClock())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert await app.subscribe_to(feed_server.url("/evil")) is None
        await settle(app, pilot)
        headlines = app.reader_screen.headlines
        headlines.cursor = next(
            i for i, h in enumerate(headlines.headlines) if h.title.startswith("Title")
        )
        await pilot.press("enter")  # open the hostile story
        await settle(app, pilot)
        assert app.is_running and app.title == "tui-reader"
        shown = app.reader_screen.article.text
        assert not FORBIDDEN.search(shown.replace("\n", ""))
        assert "[TODO] fix [/b]" in " ".join(shown.split())


def test_external_entities_never_resolve(tmp_path: Path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    document = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY leak SYSTEM "file://{secret}">]>'
        f'<rss version="2.0"><channel><title>T</title><item><guid>1</guid>'
        f"<title>Leak &leak;</title><description>x &leak;</description></item></channel></rss>"
    ).encode()
    try:
        feed = parse_feed(document, "http://example.com/")
    except Exception as exc:  # refusing the document is fine too
        assert "TOP-SECRET" not in str(exc)
        return
    for entry in feed.entries:
        assert "TOP-SECRET" not in entry.title + entry.html


FLAT_BOMB = (  # one 100 KB entity referenced 1,000 times: 100 MB if expanded
    '<!ENTITY a "' + "x" * 100_000 + '">',
    "<description>" + "&a;" * 1000 + "</description>",
)
NESTED_BOMB = (  # "billion laughs": 10^9 "ha"s, 2 GB if expanded
    '<!ENTITY l0 "ha">'
    + "".join(f'<!ENTITY l{n} "{("&l" + str(n - 1) + ";") * 10}">' for n in range(1, 10)),
    "<description>&l9;</description>",
)


@pytest.mark.parametrize(("declarations", "use"), [FLAT_BOMB, NESTED_BOMB], ids=["flat", "nested"])
def test_entity_expansion_stays_bounded(declarations, use):
    document = (
        f'<?xml version="1.0"?><!DOCTYPE rss [{declarations}]>'
        '<rss version="2.0"><channel><title>T</title><item><guid>1</guid><title>t</title>'
        f"{use}</item></channel></rss>"
    ).encode()
    started = time.monotonic()
    try:
        feed = parse_feed(document, "http://example.com/")
        size = sum(len(e.title) + len(e.html) for e in feed.entries)
    except Exception:
        size = 0
    assert time.monotonic() - started < 5
    assert size < 1_000_000


@pytest.mark.parametrize(
    ("closer", "encoding"),
    [("</item>", "utf-8"), ("</item >", "utf-8"), ("</item\n>", "utf-16")],
)
def test_fifty_thousand_items_are_cut_with_a_message(closer, encoding):
    items = "".join(f"<item><guid>{i}</guid><title>T{i}</title>{closer}" for i in range(50_000))
    document = (
        f'<?xml version="1.0" encoding="{encoding}"?>'
        f'<rss version="2.0"><channel><title>Big</title>{items}</channel></rss>'
    ).encode(encoding)
    started = time.monotonic()
    feed = parse_feed(document, "http://example.com/")
    assert time.monotonic() - started < 10
    assert len(feed.entries) == 5_000
    assert feed.note == "kept the first 5,000 of 50,000 items"


def test_an_article_of_200000_list_items_opens_quickly():
    html = "<ul>" + "<li>item</li>" * 200_000 + "</ul>"
    started = time.monotonic()
    blocks = html_to_blocks(html, "https://example.com/")
    assert time.monotonic() - started < 10
    assert blocks[-1].text == CUT_NOTE
    assert len(blocks) <= MAX_BLOCKS + 1


@pytest.mark.parametrize(
    "html", ['<ol start="½"><li>x</li></ol>', '<table><tr><td colspan="²">x</td></tr></table>']
)
def test_attributes_the_converter_cannot_read_keep_the_words(html):
    assert "x" in " ".join(b.text for b in html_to_blocks(html, "https://example.com/"))


def test_a_word_of_100000_characters_renders_quickly():
    word = "A" * 100_000
    article = parse_text(f"{word}\n\n{word} {word}")
    console = Console(width=80, file=io.StringIO(), color_system=None)
    started = time.monotonic()
    console.print(render_article(article))
    assert time.monotonic() - started < 5
    assert word in render_plain(article)


# Property-based: arbitrary input never raises and never yields control characters.
TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=400) | st.text(max_size=400)


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_sanitizer_output_is_always_clean(text):
    assert not FORBIDDEN.search(clean_text(text).replace("\t", "").replace("\n", ""))


@settings(max_examples=200, deadline=None)
@given(TEXT)
def test_importer_never_raises_unexpectedly(text):
    try:
        article = parse_text(text)
    except ArticleImportError:
        return
    for piece in [article.title, article.standfirst, *(b.text for b in article.blocks)]:
        assert not FORBIDDEN.search(piece.replace("\n", "").replace("\t", ""))


TAGS = st.sampled_from(
    ["<p>", "</p>", "<a href='x'>", "</a>", "<ul><li>", "</li></ul>", "<table>", "<tr><td>",
     "</td></tr>", "</table>", "<pre>", "</pre>", "<img alt='", "'>", "<h2>", "</h2>",
     "<blockquote>", "&amp;", "&#x1b;", "&#0;", "<!--", "-->"]
)  # fmt: skip
# Attributes with arbitrary values: converters read some as numbers or URLs.
ATTRIBUTES = st.builds(
    lambda tag, name, value: f'<{tag} {name}="{value}">',
    st.sampled_from(["ol", "td", "th", "a", "img", "li", "table"]),
    st.sampled_from(["start", "colspan", "rowspan", "href", "src", "alt", "value"]),
    st.text(max_size=12).map(lambda v: v.replace('"', "")),
)
HTML = st.lists(TAGS | ATTRIBUTES | TEXT, max_size=30).map("".join)


@settings(max_examples=200, deadline=None)
@given(HTML)
def test_html_converter_never_raises_and_stays_clean(html):
    for block in html_to_blocks(html, "https://example.com/a/"):
        for piece in [block.text, *(cell for row in block.rows for cell in row)]:
            assert not FORBIDDEN.search(piece.replace("\n", "").replace("\t", "")), repr(piece)


@pytest.mark.parametrize(
    ("text", "url", "note"),
    [
        ("paypal.com", "https://al.com/", " [→ al.com]"),
        ("Log in at bank.com now", "https://evil.example/", " [→ evil.example]"),
        ("bank.com", "https://www.bank.com/login", ""),
        ("www.paypal.com", "https://paypal.com/", ""),
        ("the full story", "https://news.example/", ""),
    ],
)
def test_link_text_naming_another_host_shows_the_real_one(text, url, note):
    assert shown_target(text, url) == note


def test_a_title_naming_another_host_shows_the_real_one_even_in_a_teaser():
    article = parse_text("www.paypal.com\n\nFirst.\n\nSecond.\n\nThird.")
    article.url = "https://evil.example/login"
    console = Console(width=100, file=io.StringIO(), color_system=None, record=True)
    console.print(render_article(article, teaser=True))
    assert "www.paypal.com [→ evil.example]" in console.export_text()


def test_file_names_with_escapes_are_printed_clean(tmp_path: Path, run):
    folder = tmp_path / "downloads"
    folder.mkdir()
    (folder / "\x1b]0;PWNED\x07\x1b[2Jstory.txt").write_text("A Story\n\nBody.")
    (folder / "\x1b]52;c;ZXZpbA==\x07empty.txt").write_text("")
    result = run("import", str(folder))
    for stream in (result.stdout, result.stderr):
        assert "\x1b" not in stream and "\x07" not in stream
    assert "story.txt" in result.stdout and "empty.txt: empty file" in result.stderr


async def test_pictures_with_hostile_alt_text_captions_and_metadata_draw_clean(
    tmp_path: Path, feed_server
):
    """A picture whose alt text, figcaption and PNG text chunks carry every attack shows
    in half-blocks, and the pane holds none of the attacks' control codes."""
    from PIL import Image as PILImage
    from PIL import PngImagePlugin

    from tests.test_app import article_text, press
    from tui_reader.sources.feed_parser import parse_feed as parse
    from tui_reader.sources.seeds import open_library

    info = PngImagePlugin.PngInfo()
    for name, attack in ATTACKS.items():
        info.add_text(name, attack)
    out = io.BytesIO()
    PILImage.new("RGB", (80, 40), (200, 30, 30)).save(out, "PNG", pnginfo=info)
    picture = out.getvalue()
    feed_server.routes["/evil.png"] = lambda h: h.send_plain(200, picture, "image/png")
    alt = hostile("Alt").replace('"', "'")
    html = (
        f'<figure><img src="{feed_server.url("/evil.png")}" alt="{alt}">'
        f"<figcaption>{hostile('Caption')}</figcaption></figure><p>Body.</p>"
    )
    document = json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": "Pictures",
            "items": [{"id": "1", "title": "Evil picture", "content_html": html}],
        }
    ).encode()
    data_dir = tmp_path / "data"
    with open_library(data_dir, Path("/nonexistent")) as library:
        feed, _ = library.add_feed("https://pictures.example/feed.json")
        library.store_feed(feed, parse(document, feed.url), etag=None, last_modified=None)
    app = make_app(Config(images="blocks"), data_dir, seeds_dir=Path("/nonexistent"))
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "enter")  # open the story
        await settle(app, pilot)
        await settle(app, pilot)
        shown = article_text(app)
    assert "▀" in shown and "Caption" in shown
    assert not FORBIDDEN.search(shown), repr(FORBIDDEN.search(shown))
