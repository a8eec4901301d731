"""A saved web page is kept once, however it arrives (issue 12's import bug).

`save URL` names a page by the URL it was fetched from, `import page.html` by
the URL the page declares, or by its text when it declares none; the same page
got a second copy when it came both ways. The CLI runs as a real process, the
pages come from the real server on 127.0.0.1.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.test_pages import serve_html, story_page

TITLE = "Harbour Bridge Reopens"


def copies(run, title: str = TITLE) -> list[dict[str, object]]:
    return [item for item in json.loads(run("list", "--json").stdout) if item["title"] == title]


def folder_with(tmp_path: Path, page: bytes) -> Path:
    folder = tmp_path / "saved"
    folder.mkdir(exist_ok=True)
    (folder / "bridge.html").write_bytes(page)
    (folder / "tram.html").write_bytes(story_page("Tram Line Extended"))
    return folder


def test_importing_a_folder_twice_keeps_one_of_each_and_its_state(run, tmp_path: Path):
    folder = folder_with(tmp_path, story_page(TITLE))
    first = run("import", str(folder))
    assert first.returncode == 0, first.stderr
    [story] = copies(run)
    assert run("mark", str(story["id"]), "--star").returncode == 0
    second = run("import", str(folder))
    assert second.returncode == 0, second.stderr
    assert second.stdout.count("updated:") == 2
    [again] = copies(run)
    assert again["id"] == story["id"] and again["starred"] is True
    assert len(copies(run, "Tram Line Extended")) == 1


def test_a_saved_page_imported_from_a_file_is_not_copied(run, feed_server, tmp_path: Path):
    page = story_page(TITLE)  # declares no URL of its own
    url = serve_html(feed_server, "/bridge", page)
    saved = run("save", url)
    assert saved.returncode == 0, saved.stderr
    imported = run("import", str(folder_with(tmp_path, page)))
    assert imported.returncode == 0, imported.stderr
    [story] = copies(run)
    assert story["id"] == saved.stdout.strip()
    assert story["url"] == url  # the file knows no URL: the saved one stays
    assert run("save", url).stdout == saved.stdout  # and saving again still finds it
    assert len(copies(run)) == 1


def test_a_page_imported_first_then_saved_is_one_article(run, feed_server, tmp_path: Path):
    page = story_page(TITLE)
    imported = run("import", str(folder_with(tmp_path, page)))
    assert imported.returncode == 0, imported.stderr
    url = serve_html(feed_server, "/bridge", page)
    saved = run("save", url)
    assert saved.returncode == 0, saved.stderr
    assert "updated:" in saved.stderr
    [story] = copies(run)
    assert story["url"] == url  # it learnt where it lives


def test_a_page_whose_canonical_url_is_elsewhere_is_not_copied(run, feed_server, tmp_path):
    """Fetched from one URL, declaring another (`rel=canonical`): still one page."""
    extra = '<link rel="canonical" href="https://news.example/2026/bridge-reopens">'
    page = story_page(TITLE).replace(b"<title>", extra.encode() + b"<title>")
    url = serve_html(feed_server, "/bridge", page) + "?utm_source=feed"
    assert run("save", url).returncode == 0
    assert run("import", str(folder_with(tmp_path, page))).returncode == 0
    assert run("import", str(folder_with(tmp_path, page))).returncode == 0
    assert len(copies(run)) == 1


def test_another_page_with_the_same_title_is_its_own_article(run, tmp_path: Path):
    folder = tmp_path / "two"
    folder.mkdir()
    (folder / "a.html").write_bytes(story_page(TITLE, paragraphs=6))
    (folder / "b.html").write_bytes(story_page(TITLE, paragraphs=7))  # other text
    result = run("import", str(folder))
    assert result.returncode == 0, result.stderr
    assert len(copies(run)) == 2


def test_save_of_a_url_without_a_scheme_falls_back_to_http(run, feed_server):
    url = serve_html(feed_server, "/bridge", story_page(TITLE))
    saved = run("save", url.removeprefix("http://"))  # the server speaks no TLS
    assert saved.returncode == 0, saved.stderr
    [story] = copies(run)
    assert story["url"] == url
