"""What a refresh tells its user: which feeds failed and why, in the app and the CLI."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import FakeClock
from tests.feed_server import rss
from tests.terminal import run_on_a_terminal
from tests.test_app import press, settle
from tui_reader.config import Config
from tui_reader.network_settings import NetworkSettings
from tui_reader.sources.seeds import open_library
from tui_reader.ui.app import make_app

QUICK = NetworkSettings(connect_timeout=2, read_timeout=5, total_timeout=10)


def serve_good_and_bad(feed_server) -> dict[str, str]:
    """One good feed and four failing ones: title -> URL."""
    feed_server.routes["/good"] = lambda h: h.send_feed(rss("Good", [("a", "Alpha story")]))
    feed_server.routes["/down"] = lambda h: h.send_plain(503, b"down")
    feed_server.routes["/broken"] = lambda h: h.send_plain(500, b"oops")
    feed_server.routes["/junk"] = lambda h: h.send_plain(200, b"\x00\x01 not a feed", "text/html")
    return {
        "Good": feed_server.url("/good"),
        "Delta [b]down[/b]": feed_server.url("/down"),  # markup in a title stays text
        "Beta": feed_server.url("/broken"),
        "Alpha": feed_server.url("/missing"),  # 404
        "Gamma": feed_server.url("/junk"),
    }


async def test_the_app_names_the_failed_feeds_and_why(
    data_dir: Path, clock: FakeClock, feed_server
):
    with open_library(data_dir) as library:
        for title, url in serve_good_and_bad(feed_server).items():
            library.add_feed(url, title=title)
    app = make_app(Config(network=QUICK), data_dir, seeds_dir=data_dir / "none", clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "r")
        await settle(app, pilot)
        [notice] = [n for n in app._notifications if n.message.startswith("Refreshed")]
        assert notice.severity == "warning"
        assert notice.message == (
            "Refreshed: 1 feed updated, 1 new article, 0 unchanged, 4 failed."
            " Alpha: HTTP 404 Not Found; Beta: HTTP 500 Internal Server Error;"
            " Delta [b]down[/b]: HTTP 503 Service Unavailable; and 1 more"
            " (see the feed list: F)"
        )
        assert not notice.markup  # a title's "[b]" is shown as it is


def subscribe_all(data_dir: Path, feeds: dict[str, str]) -> None:
    with open_library(data_dir) as library:
        for title, url in feeds.items():
            library.add_feed(url, title=title)


FAILURE_LINES = {
    "tui-reader: Alpha: HTTP 404 Not Found",
    "tui-reader: Beta: HTTP 500 Internal Server Error",
    "tui-reader: Delta [b]down[/b]: HTTP 503 Service Unavailable",
    "tui-reader: Gamma: not a feed (no RSS, Atom or JSON Feed document)",
}


def test_piped_refresh_prints_a_line_per_failed_feed_and_the_summary(
    run, data_dir: Path, feed_server
):
    subscribe_all(data_dir, serve_good_and_bad(feed_server))
    result = run("refresh")
    assert result.returncode == 4
    assert result.stdout == "1 feed updated, 1 new article, 0 unchanged, 4 failed\n"
    lines = result.stderr.splitlines()  # in the order the feeds ended
    assert len(lines) == 4 and set(lines) == FAILURE_LINES
    assert "\x1b" not in result.stderr  # no bar, no colour


def refresh_on_a_terminal(data_dir: Path, tmp_path: Path) -> tuple[str, str, int]:
    """`tui-reader refresh` with stderr on a real pseudo-terminal (100 columns), stdout piped.

    Returns:
        What the terminal got (escape sequences and all), stdout, the exit status.
    """
    config = tmp_path / "config.toml"
    config.write_text("")
    run = run_on_a_terminal(["refresh"], data_dir, config, on="stderr")
    return run.screen, run.other, run.status


_ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\r")


def test_refresh_on_a_terminal_shows_a_bar_of_feeds_new_and_failed(
    data_dir: Path, tmp_path: Path, feed_server
):
    subscribe_all(data_dir, serve_good_and_bad(feed_server))
    screen, stdout, status = refresh_on_a_terminal(data_dir, tmp_path)
    assert status == 4
    assert stdout == "1 feed updated, 1 new article, 0 unchanged, 4 failed\n"
    text = _ESCAPES.sub("", screen)
    # The bar's last frame (drawn, then cleared as the refresh ends): its columns.
    assert re.search(r"Refreshing .*5/5 feeds\s+1 new\s+4 failed", text), text
    # The failures stay, printed above the bar, the title's "[b]" as it is.
    for line in FAILURE_LINES:
        assert line in text
