"""Feed commands as a user runs them, against a real server on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.feed_server import FEEDS, rss
from tui_reader.sources.opml import read_opml

NEWSBOAT_OPML = FEEDS.parent / "feeds" / "newsboat"


def test_add_refresh_feeds_read_and_remove(run, feed_server):
    feed_server.routes["/news.xml"] = lambda h: h.send_feed(
        rss("Loopback News", [("a", "Alpha story"), ("b", "Beta story")])
    )
    added = run("add", feed_server.url("/news.xml"))
    assert added.returncode == 0, added.stderr
    assert "Subscribed to Loopback News" in added.stdout and "2 new articles" in added.stdout

    [feed] = json.loads(run("feeds", "--json").stdout)
    assert set(feed) >= {"id", "title", "url", "updated", "unread", "error"}
    assert (feed["title"], feed["unread"], feed["error"]) == ("Loopback News", 2, None)
    assert feed["updated"] is not None

    refreshed = run("refresh")
    assert refreshed.returncode == 0
    assert refreshed.stdout.strip() == "0 feeds updated, 0 new articles, 1 unchanged, 0 failed"

    stories = [
        a for a in json.loads(run("list", "--json").stdout) if a["source"] == "Loopback News"
    ]
    assert sorted(a["title"] for a in stories) == ["Alpha story", "Beta story"]
    story = next(a for a in stories if a["title"] == "Alpha story")
    read = run("read", story["id"], "--plain")
    assert read.returncode == 0
    assert "Body of Alpha story." in read.stdout
    assert read.stderr.strip() == "You have 4 free articles remaining"

    removed = run("remove", "Loopback News")
    assert "deleted 2 articles, kept 0 starred" in removed.stdout
    assert json.loads(run("feeds", "--json").stdout) == []


def test_refresh_exit_status_says_what_failed(run, feed_server, tmp_path: Path):
    feed_server.routes["/good"] = lambda h: h.send_feed(rss("Good", [("a", "Alpha")]))
    feed_server.routes["/bad"] = lambda h: h.send_plain(503, b"down")
    assert run("add", feed_server.url("/good")).returncode == 0
    assert run("import", str(opml_with(tmp_path, feed_server.url("/bad")))).returncode == 0
    result = run("refresh")
    assert result.returncode == 4
    assert "HTTP 503 Service Unavailable" in result.stderr
    assert result.stdout.strip() == "0 feeds updated, 0 new articles, 1 unchanged, 1 failed"
    bad = next(f for f in json.loads(run("feeds", "--json").stdout) if f["url"].endswith("/bad"))
    assert bad["error"] == "HTTP 503 Service Unavailable"


def test_nothing_to_refresh_or_offline_is_status_1(run, feed_server):
    assert run("refresh").returncode == 1
    feed_server.routes["/good"] = lambda h: h.send_feed(rss("Good", [("a", "Alpha")]))
    assert run("--offline", "add", feed_server.url("/good")).returncode == 1
    assert feed_server.requests == []  # offline means no request at all
    run("add", feed_server.url("/good"))
    offline = run("--offline", "refresh")
    assert offline.returncode == 1 and "offline" in offline.stderr
    assert len(feed_server.requests) == 1


def test_add_errors_are_one_line(run, feed_server):
    result = run("add", feed_server.url("/nowhere"))
    assert result.returncode == 1
    assert result.stderr.strip().endswith("HTTP 404 Not Found")
    assert result.stderr.count("\n") == 1
    assert (
        run("add", "ftp://example.com/x")
        .stderr.strip()
        .endswith("not an http(s) URL: ftp://example.com/x")
    )


def opml_with(directory: Path, url: str) -> Path:
    path = directory / "one.opml"
    path.write_text(
        f'<?xml version="1.0"?><opml version="2.0"><head/><body>'
        f'<outline type="rss" title="Bad" xmlUrl="{url}"/></body></opml>'
    )
    return path


@pytest.mark.needs_corpus
def test_newsboat_opml_reads_as_newsboat_meant_it():
    contents = read_opml((NEWSBOAT_OPML / "example2.opml").read_bytes())
    assert [(f.title, f.folder) for f in contents.feeds] == [
        ("To rule them all", ""),
        ("Another file", ""),
        ("Really?", "Rant boards/humans"),
        ("and another", "Rant boards"),
        ("another title", ""),
        ("freddie rite about fings", "eloquent"),
        ("an outdated feed", ""),
    ]
    [tagged] = read_opml((NEWSBOAT_OPML / "category.opml").read_bytes()).feeds
    assert tagged.folder == "tag one"  # the first of newsboat's comma-separated tags
    filtered = read_opml((NEWSBOAT_OPML / "filtered.opml").read_bytes())
    assert len(filtered.feeds) == 2
    assert filtered.skipped == [
        "Firehose: subscribed, but its filtercmd (a newsboat filter) is ignored"
    ]


@pytest.mark.needs_corpus
def test_opml_round_trips_newsboat_files(run, tmp_path: Path):
    for name in ("example.opml", "example2.opml", "test-urls+.opml", "category.opml"):
        original = read_opml((NEWSBOAT_OPML / name).read_bytes()).feeds
        data = tmp_path / name
        run_in = run("--data-dir", str(data), "import", str(NEWSBOAT_OPML / name))
        assert run_in.returncode == 0, run_in.stderr
        exported = run("--data-dir", str(data), "export-opml").stdout
        again = read_opml(exported.encode()).feeds
        assert sorted(again, key=lambda f: f.url) == sorted(
            {f.url: f for f in original}.values(), key=lambda f: f.url
        )


@pytest.mark.needs_corpus
def test_broken_opml_files_get_clear_errors(run):
    result = run(
        "import",
        str(NEWSBOAT_OPML / "body-element-missing.opml"),
        str(NEWSBOAT_OPML / "opml-element-missing.opml"),
        str(NEWSBOAT_OPML / "piped.opml"),
    )
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert any("body-element-missing.opml: OPML without a <body> element" in x for x in lines)
    assert any("root element is <not-opml>" in x for x in lines)
    assert any("skipped Birdsite search" in x for x in lines)
    assert [f["url"] for f in json.loads(run("feeds", "--json").stdout)] == [
        "https://example.com/feed.atom"
    ]


def test_exempt_feeds_are_not_counted(run, feed_server, tmp_path: Path):
    feed_server.routes["/free"] = lambda h: h.send_feed(rss("Free Feed", [("a", "Free story")]))
    url = feed_server.url("/free")
    (tmp_path / "config.toml").write_text(f'[meter]\nexempt_feeds = ["{url}"]\n')
    run("add", url)
    [story] = [a for a in json.loads(run("list", "--json").stdout) if a["source"] == "Free Feed"]
    result = run("read", story["id"])
    assert result.returncode == 0
    assert result.stderr.strip() == "You have 5 free articles remaining"
    assert json.loads(run("quota", "--json").stdout)["used"] == 0
