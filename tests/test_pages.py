"""Web pages as articles: `save URL`, `import PAGE.html[.gz]`, full text for feed articles."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from tests.conftest import FakeClock
from tests.feed_server import CORPORA
from tests.test_app import headline_list, press, settle
from tui_reader.config import Config
from tui_reader.locations import seeds_directory
from tui_reader.network_settings import NetworkSettings
from tui_reader.sources.seeds import open_library
from tui_reader.ui.app import make_app

ARTICLES = CORPORA / "articles"
# A real news page (VentureBeat) with its human-checked text.
REAL_PAGE = "06e5123e4ef7cfb4533250dc45d1e03d0838fc66223f45c583c4d12f48b4da85"
QUICK = NetworkSettings(connect_timeout=2, read_timeout=5, total_timeout=10)


def story_page(title: str, paragraphs: int = 6, extra: str = "") -> bytes:
    """A news page with the chrome a site puts around its story."""
    body = "".join(
        f"<p>Paragraph {n} of the story about {title.lower()}, which the reporter"
        f" checked with three officials and a court filing seen on Tuesday.</p>"
        for n in range(1, paragraphs + 1)
    )
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{title} | Daily Wire</title></head><body>"
        "<nav><ul><li><a href='/'>Home</a></li><li><a href='/world'>World</a></li>"
        "<li><a href='/sport'>Sport</a></li></ul></nav>"
        f"<article><h1>{title}</h1><p class='byline'>By Ann Reporter</p>{body}{extra}</article>"
        "<aside><h2>Check out our other content</h2><ul><li><a href='/x'>Other story one</a></li>"
        "<li><a href='/y'>Other story two</a></li></ul></aside>"
        "<footer>Copyright Daily Wire. All rights reserved.</footer></body></html>"
    ).encode()


def real_page() -> tuple[bytes, str]:
    truth = json.loads((ARTICLES / "ground-truth.json").read_text())[REAL_PAGE]["articleBody"]
    return gzip.decompress((ARTICLES / "html" / f"{REAL_PAGE}.html.gz").read_bytes()), truth


def serve_html(feed_server, path: str, body: bytes, content_type: str = "text/html") -> str:
    feed_server.routes[path] = lambda h: h.send_plain(200, body, content_type)
    return feed_server.url(path)


# save URL ------------------------------------------------------------------------


@pytest.mark.needs_corpus
def test_save_keeps_a_real_page_story_offline(run, feed_server):
    html, truth = real_page()
    url = serve_html(feed_server, "/wework", html, "text/html; charset=utf-8")
    saved = run("save", url)
    assert saved.returncode == 0, saved.stderr
    article_id = saved.stdout.strip()
    assert len(article_id) == 16 and "saved:" in saved.stderr
    feed_server.routes.clear()  # offline from here: it reads from the library
    text = run("read", "--plain", article_id).stdout
    first, last = truth.split(".")[0], truth.rstrip(".").split(".")[-1].strip()
    assert first[:60] in text and last[-40:] in text


def test_save_twice_updates_instead_of_copying(run, feed_server):
    url = serve_html(feed_server, "/story", story_page("Harbour Bridge Reopens"))
    first = run("save", url)
    second = run("save", url)
    assert first.returncode == second.returncode == 0
    assert first.stdout == second.stdout and "updated:" in second.stderr
    listing = json.loads(run("list", "--json").stdout)
    assert sum(item["title"] == "Harbour Bridge Reopens" for item in listing) == 1


def test_saved_page_drops_the_site_chrome_and_keeps_the_byline(run, feed_server):
    url = serve_html(feed_server, "/story", story_page("Harbour Bridge Reopens"))
    article_id = run("save", url).stdout.strip()
    text = run("read", "--plain", article_id).stdout
    assert "Harbour Bridge Reopens" in text and "Paragraph 6 of the story" in text
    assert "Ann Reporter" in text
    for chrome in ("Check out our other content", "Other story one", "All rights reserved"):
        assert chrome not in text


@pytest.mark.parametrize(
    ("route", "error"),
    [
        ("/pdf", "not an HTML page (application/pdf)"),
        ("/missing", "HTTP 404"),
        ("/empty", "no article"),
    ],
)
def test_save_failures_are_one_line_and_store_nothing(run, feed_server, route, error):
    serve_html(feed_server, "/pdf", b"%PDF-1.4 binary", "application/pdf")
    serve_html(feed_server, "/empty", b"<html><body><nav><a href='/'>Home</a></nav></body></html>")
    before = run("list", "--json").stdout
    result = run("save", feed_server.url(route))
    assert result.returncode == 1
    assert error in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
    assert run("list", "--json").stdout == before


def test_save_refuses_a_bad_url_and_offline(run):
    bad = run("save", "ftp://example.com/x")
    assert bad.returncode == 1 and "not an http(s) URL" in bad.stderr
    offline = run("--offline", "save", "https://example.com/story")
    assert offline.returncode == 1 and "offline" in offline.stderr.lower()


def test_hostile_page_text_is_sanitized(run, feed_server):
    hostile = "<p>Markup [bold red]stays literal[/] and \x1b]8;;http://evil\x07escapes\x9b go.</p>"
    url = serve_html(feed_server, "/h", story_page("Quiet Title", extra=hostile))
    article_id = run("save", url).stdout.strip()
    text = run("read", "--plain", article_id).stdout
    assert "[bold red]stays literal[/]" in text
    assert "\x1b" not in text and "\x9b" not in text and "\x07" not in text


def test_the_meter_applies_to_saved_pages(run, feed_server):
    url = serve_html(feed_server, "/story", story_page("Harbour Bridge Reopens"))
    article_id = run("save", url).stdout.strip()
    run("quota", "limit", "0")
    withheld = run("read", "--plain", article_id)
    assert withheld.returncode == 3
    assert "Paragraph 6 of the story" not in withheld.stdout


# import PAGE.html ----------------------------------------------------------------


@pytest.mark.needs_corpus
def test_import_saved_pages_plain_and_gzipped(run, tmp_path: Path):
    html, truth = real_page()
    plain = tmp_path / "page.html"
    plain.write_bytes(story_page("Harbour Bridge Reopens"))
    packed = tmp_path / "wework.html.gz"
    packed.write_bytes(gzip.compress(html))
    broken = tmp_path / "broken.html.gz"
    broken.write_bytes(b"not gzip at all")
    result = run("import", str(plain), str(packed), str(broken))
    assert result.returncode == 1  # one file failed; the others are in
    assert [line.split("  ", 1)[1].split(":")[0] for line in result.stdout.splitlines()] == [
        "imported",
        "imported",
    ]
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 1 and "broken.html.gz" in errors[0]
    packed_id = result.stdout.splitlines()[1].split()[0]
    text = run("read", "--plain", packed_id).stdout
    assert truth.split(".")[0][:60] in text


# Full text for feed articles -------------------------------------------------------


def summary_feed(feed_server, pages: dict[str, bytes | None]) -> str:
    """A feed whose entries link to pages on the same server (None: a 404)."""
    items = "".join(
        f"<item><guid>{name}</guid><title>{name} headline</title>"
        f"<link>{feed_server.url('/pages/' + name)}</link>"
        f"<description>Only a summary of {name}.</description></item>"
        for name in pages
    )
    body = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Summaries</title>'
        f"<link>http://example.com/</link>{items}</channel></rss>"
    ).encode()
    feed_server.routes["/summaries"] = lambda h: h.send_feed(body)
    for name, page in pages.items():
        if page is not None:
            serve_html(feed_server, f"/pages/{name}", page)
    return feed_server.url("/summaries")


def test_refresh_fetches_full_text_for_the_feeds_the_config_names(run, feed_server, tmp_path: Path):
    url = summary_feed(feed_server, {"bridge": story_page("Harbour Bridge Reopens"), "gone": None})
    (tmp_path / "config.toml").write_text(f'[feeds]\nfull_text = ["{url}"]\n')
    assert run("add", url).returncode == 0
    refreshed = run("refresh")
    assert "full text fetched for 1 article (1 kept its summary)" in refreshed.stdout
    listing = {item["title"]: item["id"] for item in json.loads(run("list", "--json").stdout)}
    full = run("read", "--plain", listing["bridge headline"]).stdout
    assert "Paragraph 6 of the story" in full
    summary = run("read", "--plain", listing["gone headline"]).stdout
    assert "Only a summary of gone." in summary
    again = run("refresh")  # a failed page is not fetched again on every refresh
    assert "full text" not in again.stdout


def test_without_the_option_a_refresh_fetches_no_pages(run, feed_server):
    url = summary_feed(feed_server, {"bridge": story_page("Harbour Bridge Reopens")})
    run("add", url)
    run("refresh")
    assert not any(path.startswith("/pages/") for path, _ in feed_server.requests)


def app_subscribed_to(data_dir: Path, clock: FakeClock, url: str):
    """An app over the seed and one (not yet fetched) feed."""
    with open_library(data_dir, seeds_directory()) as library:
        library.add_feed(url)
    return make_app(Config(network=QUICK), data_dir, clock=clock)


async def test_f_shows_the_full_story_in_place_of_the_summary(
    data_dir: Path, clock: FakeClock, feed_server
):
    url = summary_feed(feed_server, {"bridge": story_page("Harbour Bridge Reopens"), "gone": None})
    app = app_subscribed_to(data_dir, clock, url)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "r")  # fetch the feed: summaries only
        titles = [h.title for h in headline_list(app).headlines]
        headline_list(app).cursor = titles.index("bridge headline")
        await press(app, pilot, "enter")  # open the summary
        view = app.reader_screen.article
        assert "Only a summary of bridge." in view.text
        await press(app, pilot, "f")  # fetch the full story from its page
        assert "Paragraph 6 of the story" in view.text
        assert "Only a summary" not in view.text
        headline_list(app).cursor = titles.index("gone headline")
        await press(app, pilot, "enter", "f")  # open another; its page is missing
        assert "Only a summary of gone." in view.text
        assert any(
            "No full story: HTTP 404" in n.message and "summary stays" in n.message
            for n in app._notifications
        )
        headline_list(app).cursor = titles.index("Japan and Canada Forge EV Battery Alliance")
        await press(app, pilot, "enter", "f")  # the seed has no web page, and no summary
        assert any("no web page to fetch" in n.message for n in app._notifications)
    with open_library(data_dir) as library:  # kept offline
        bridge = next(h for h in library.headlines() if h.title == "bridge headline")
        stored = library.get(bridge.id)
        assert stored is not None and stored.full_text


def test_an_invalid_host_name_is_one_line(run):
    result = run("save", "https://xn--zz/a")
    assert result.returncode == 1 and "invalid URL" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_a_bad_link_in_a_full_text_feed_fails_only_that_article(run, feed_server, tmp_path: Path):
    good = story_page("Harbour Bridge Reopens")
    serve_html(feed_server, "/pages/bridge", good)
    body = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Mixed</title>'
        "<item><guid>bad</guid><title>bad headline</title><link>https://xn--zz/a</link>"
        "<description>Only a summary of bad.</description></item>"
        f"<item><guid>bridge</guid><title>bridge headline</title>"
        f"<link>{feed_server.url('/pages/bridge')}</link>"
        "<description>Only a summary of bridge.</description></item></channel></rss>"
    ).encode()
    feed_server.routes["/mixed"] = lambda h: h.send_feed(body)
    url = feed_server.url("/mixed")
    (tmp_path / "config.toml").write_text(f'[feeds]\nfull_text = ["{url}"]\n')
    run("add", url)
    refreshed = run("refresh")
    assert refreshed.returncode == 0, refreshed.stderr
    assert "0 failed" in refreshed.stdout  # the feed itself is fine (304 after `add`)
    assert "full text fetched for 1 article (1 kept its summary)" in refreshed.stdout
    listing = {item["title"]: item["id"] for item in json.loads(run("list", "--json").stdout)}
    assert "Paragraph 6 of the story" in run("read", "--plain", listing["bridge headline"]).stdout


async def test_f_on_two_stories_fetches_both(data_dir: Path, clock: FakeClock, feed_server):
    import threading

    release = threading.Event()
    slow = story_page("Harbour Bridge Reopens")

    def held(handler) -> None:
        release.wait(timeout=20)
        handler.send_plain(200, slow, "text/html")

    url = summary_feed(feed_server, {"slow": None, "quick": story_page("Ferry Timetable Changes")})
    feed_server.routes["/pages/slow"] = held
    app = app_subscribed_to(data_dir, clock, url)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "r")  # fetch the feed: summaries only
        titles = [h.title for h in headline_list(app).headlines]
        headline_list(app).cursor = titles.index("slow headline")
        await pilot.press("f")  # its page is held back by the server
        await pilot.pause()
        headline_list(app).cursor = titles.index("quick headline")
        await pilot.press("f")  # a second story before the first is done
        await pilot.pause(0.3)
        release.set()
        await settle(app, pilot)
    with open_library(data_dir) as library:
        full = {h.title for h in library.headlines() if library.get(h.id).full_text}
    assert full == {"slow headline", "quick headline"}


async def test_a_search_starts_indexing_what_another_process_added(
    data_dir: Path, clock: FakeClock, monkeypatch
):
    from tui_reader.sources.scraped_text import parse_text

    monkeypatch.setattr("tui_reader.searching.SEARCH_CATCH_UP", 0)  # always answer at once
    app = make_app(Config(), data_dir, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        with open_library(data_dir) as other:  # e.g. `tui-reader refresh` meanwhile
            other.add_articles([parse_text("Zebra Crossing Opens\n\nA new crossing.")])
        await press(app, pilot, "slash")  # open the search box
        await pilot.press(*"zebra", "enter")  # search: answered, then indexed
        await settle(app, pilot)
        assert [h.title for h in headline_list(app).headlines] == ["Zebra Crossing Opens"]


def test_import_a_folder_takes_its_saved_pages_and_text_files(run, tmp_path: Path):
    folder = tmp_path / "saved"
    folder.mkdir()
    (folder / "bridge.html").write_bytes(story_page("Harbour Bridge Reopens"))
    (folder / "ferry.htm.gz").write_bytes(gzip.compress(story_page("Ferry Timetable Changes")))
    pages_only = tmp_path / "pages-only"
    pages_only.mkdir()
    (pages_only / "tram.html").write_bytes(story_page("Tram Line Extended"))
    (folder / "note.txt").write_text("A Plain Note\n\nIt has a paragraph of its own.\n")
    result = run("import", str(folder), str(pages_only))
    assert result.returncode == 0, result.stderr
    titles = {item["title"] for item in json.loads(run("list", "--json").stdout)}
    expected = {"Harbour Bridge Reopens", "Ferry Timetable Changes", "Tram Line Extended"}
    assert expected | {"A Plain Note"} <= titles
