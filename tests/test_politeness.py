"""A polite, automatic refresh: feed hints, Cache-Control, Retry-After, back-off,
intervals per feed, and the notices after it (a real loopback server, a real library)."""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.conftest import FakeClock
from tests.feed_server import FeedServer, rss
from tests.test_app import headline_list, settle
from tui_reader.config import load_config
from tui_reader.network_settings import NetworkSettings
from tui_reader.notices import command_argv, notice_text, terminal_escape
from tui_reader.sources.politeness import after_failure, feed_hint, max_age, retry_after
from tui_reader.sources.refresh import due_feeds, refresh_feeds
from tui_reader.sources.seeds import open_library
from tui_reader.ui.app import make_app

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


# ---------------------------------------------------------------- the hints


def test_a_feed_says_how_often_it_changes_in_its_channel_only() -> None:
    assert feed_hint(b"<rss><channel><ttl>90</ttl><item></item></channel></rss>") == timedelta(
        minutes=90
    )
    hourly_twice = (
        b"<channel><sy:updatePeriod>hourly</sy:updatePeriod>"
        b"<sy:updateFrequency>2</sy:updateFrequency><item/></channel>"
    )
    assert feed_hint(hourly_twice) == timedelta(minutes=30)
    # A <ttl> quoted inside an item is that story's text, not the feed's.
    assert feed_hint(b"<channel><item><description><ttl>9999</ttl></description></item>") is None
    assert feed_hint(b"<feed><entry/></feed>") is None


def test_cache_control_and_retry_after_are_read_as_servers_write_them() -> None:
    assert max_age("public, max-age=600") == timedelta(minutes=10)
    assert max_age("no-cache, max-age=600") is None
    assert max_age(None) is None
    assert retry_after("120", NOW) == timedelta(minutes=2)
    assert retry_after("Wed, 02 Dec 2026 13:00:00 GMT", NOW) == timedelta(hours=1)
    assert retry_after("soon", NOW) is None


def test_a_failing_feed_backs_off_from_the_third_failure_and_never_past_a_day() -> None:
    assert after_failure(NOW, 1, None) is None and after_failure(NOW, 2, None) is None
    waits = [after_failure(NOW, n, None) for n in (3, 4, 5, 20)]
    assert [w.until - NOW for w in waits if w] == [
        timedelta(minutes=30),
        timedelta(hours=1),
        timedelta(hours=2),
        timedelta(days=1),
    ]
    asked = after_failure(NOW, 1, timedelta(hours=3), "HTTP 429")
    assert asked is not None and asked.kind == "retry-after" and "HTTP 429" in asked.reason


# ---------------------------------------------------------------- against a server


def serve(server: FeedServer, path: str, body: bytes, headers: dict[str, str]) -> None:
    def route(handler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/rss+xml")
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    server.routes[path] = route


def hits(server: FeedServer, path: str) -> int:
    return sum(1 for requested, _ in server.requests if requested.split("?")[0] == path)


def test_an_automatic_refresh_leaves_fresh_and_rate_limited_feeds_alone(
    data_dir: Path, feed_server: FeedServer
) -> None:
    """max-age and <ttl> keep an automatic refresh away; a 429's Retry-After keeps
    every refresh away, the one the user asks for too, and says until when."""
    serve(feed_server, "/fresh.xml", rss("Fresh", [("1", "F1")]), {"Cache-Control": "max-age=3600"})
    ttl = rss("Ttl", [("1", "T1")]).replace(
        b"<title>Ttl</title>", b"<title>Ttl</title><ttl>120</ttl>"
    )
    serve(feed_server, "/ttl.xml", ttl, {})

    def busy(handler) -> None:
        handler.send_response(429)
        handler.send_header("Retry-After", "7200")
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    feed_server.routes["/busy.xml"] = busy
    store = open_library(data_dir, None)
    for path in ("/fresh.xml", "/ttl.xml", "/busy.xml"):
        store.add_feed(feed_server.url(path))
    clock = [NOW]

    def run(automatic: bool):
        return asyncio.run(
            refresh_feeds(
                store, store.feeds(), NetworkSettings(), automatic=automatic, clock=lambda: clock[0]
            )
        )

    first = run(automatic=True)
    assert (first.count("updated"), first.count("failed")) == (2, 1)
    clock[0] = NOW + timedelta(minutes=59)
    later = run(automatic=True)  # all three left alone: nothing asked of the server
    assert later.count("waiting") == 3
    assert [hits(feed_server, p) for p in ("/fresh.xml", "/ttl.xml", "/busy.xml")] == [1, 1, 1]
    assert "left alone" in later.waits() and "until" in later.waits()

    asked = run(automatic=False)  # the user asks: fresh feeds are fetched, the 429 one is not
    assert asked.count("waiting") == 1
    assert [hits(feed_server, p) for p in ("/fresh.xml", "/ttl.xml", "/busy.xml")] == [2, 2, 1]
    [waiting] = [o for o in asked.outcomes if o.status == "waiting"]
    assert waiting.feed.url.endswith("/busy.xml") and "HTTP 429" in (waiting.note or "")

    clock[0] = NOW + timedelta(minutes=121)  # the server's two hours have passed
    run(automatic=False)
    assert hits(feed_server, "/busy.xml") == 2


def test_each_feed_has_its_own_interval(tmp_path: Path, data_dir: Path) -> None:
    """[[feed]] refresh_minutes beats app.refresh_minutes; 0 leaves a feed to the user."""
    (tmp_path / "c.toml").write_text(
        "[app]\nrefresh_minutes = 30\n\n"
        '[[feed]]\nurl = "http://example.org/slow.xml"\nrefresh_minutes = 360\n\n'
        '[[feed]]\nurl = "HTTP://Example.org/manual.xml"\nrefresh_minutes = 0\nfull_text = true\n'
    )
    config = load_config(tmp_path / "c.toml")
    assert config.warnings == []
    store = open_library(data_dir, None)
    for name in ("slow", "manual", "other"):
        store.add_feed(f"http://example.org/{name}.xml")
    checked = (NOW - timedelta(hours=1)).isoformat()
    for feed in store.feeds():
        store.record_check(feed.id, checked, 0, None)
    due = due_feeds(store.feeds(), config.refresh.minutes_for, NOW)
    assert [f.url.rsplit("/", 1)[1] for f in due] == ["other.xml"]
    assert "http://example.org/manual.xml" in config.full_text_feeds


def test_bad_refresh_settings_are_one_line_each(tmp_path: Path) -> None:
    (tmp_path / "c.toml").write_text(
        '[app]\nrefresh_minutes = "often"\nnotify_command = ""\nnotify_terminal = 1\n\n'
        "[[feed]]\nrefresh_minutes = 5\n\n"
        '[[feed]]\nurl = "http://x.org/f"\nrefresh_minutes = -1\ncolour = "red"\n'
    )
    config = load_config(tmp_path / "c.toml")
    assert len(config.warnings) == 6, config.warnings
    assert all("\n" not in w for w in config.warnings)
    assert config.refresh.every_minutes == 0 and not config.refresh.automatic


# ---------------------------------------------------------------- the notices


def test_notices_carry_the_count_and_clean_titles() -> None:
    titles = [f"Title {n}" for n in range(8)]
    assert command_argv(["notify-send", "News"], 8, titles) == [
        "notify-send",
        "News",
        "8",
        *titles[:5],
    ]
    assert notice_text(8, titles).endswith("Title 4; …")
    hostile = "Evil\x07\x1b]0;pwned\x1b\\; more"
    vte = terminal_escape("tui-reader", hostile, {"VTE_VERSION": "7200"})
    assert vte.startswith("\x1b]777;notify;tui-reader;") and vte.endswith("\x1b\\")
    assert "\x07" not in vte and vte.count("\x1b") == 2 and vte.count(";") == 3
    plain = terminal_escape("tui-reader", "3 new stories", {"TERM": "xterm-256color"})
    assert plain == "\x1b]9;tui-reader: 3 new stories\x07"
    wrapped = terminal_escape("tui-reader", "x", {"TMUX": "/tmp/tmux", "TERM": "screen"})
    assert wrapped.startswith("\x1bPtmux;\x1b\x1b]9;") and wrapped.endswith("\x1b\\")


async def test_the_app_refreshes_due_feeds_by_itself_and_runs_the_notify_command(
    tmp_path: Path, data_dir: Path, feed_server: FeedServer
) -> None:
    """Every minute the app refreshes what is due; new stories run the notify
    command (count, then titles); a feed not yet due is not asked again."""
    stories = [("1", "Battery breakthrough"), ("2", "Lithium prices")]
    feed_server.routes["/auto.xml"] = lambda h: h.send_feed(rss("Auto", stories))
    record = tmp_path / "argv.json"
    script = tmp_path / "record.py"
    script.write_text(
        f"import json, sys\nopen({str(record)!r}, 'w').write(json.dumps(sys.argv[1:]))\n"
    )
    config_file = tmp_path / "c.toml"
    command = json.dumps([sys.executable, str(script), "--from-test"])
    config_file.write_text(
        f"[app]\nnotify_command = {command}\n\n"
        f'[[feed]]\nurl = "{feed_server.url("/auto.xml")}"\nrefresh_minutes = 15\n'
    )
    config = load_config(config_file)
    assert config.warnings == [] and config.refresh.automatic
    open_library(data_dir, None).add_feed(feed_server.url("/auto.xml"))
    clock = FakeClock()
    app = make_app(config, data_dir, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        app.background_tick()  # what the minute timer calls
        await settle(app, pilot)
        titles = [h.title for h in headline_list(app).headlines]
        assert {"Battery breakthrough", "Lithium prices"} <= set(titles)
        told = json.loads(record.read_text())
        assert told[:2] == ["--from-test", "2"]
        assert sorted(told[2:]) == ["Battery breakthrough", "Lithium prices"]
        assert hits(feed_server, "/auto.xml") == 1

        clock.advance(seconds=10 * 60)  # not due yet: left alone
        app.background_tick()
        await settle(app, pilot)
        assert hits(feed_server, "/auto.xml") == 1

        clock.advance(seconds=6 * 60)  # 16 minutes on: asked again (304, nothing new)
        record.unlink()
        app.background_tick()
        await settle(app, pilot)
        assert hits(feed_server, "/auto.xml") == 2
        assert not record.exists()  # nothing new: nobody is told
