"""Data safety: kill -9 mid-write, a full disk, many writers at once."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.feed_server import rss
from tui_reader.library.database import StoreError
from tui_reader.locations import database_path
from tui_reader.meter import Meter
from tui_reader.sources.scraped_text import parse_text
from tui_reader.sources.seeds import open_library

FEEDS, ITEMS = 30, 50


def integrity(data_dir: Path) -> str:
    db = sqlite3.connect(database_path(data_dir))
    try:
        return db.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        db.close()


def test_killing_a_refresh_never_leaves_a_half_written_feed(tmp_path: Path, feed_server):
    for n in range(FEEDS):
        body = rss(f"Feed {n}", [(f"{n}-{i}", f"Story {i} of feed {n}") for i in range(ITEMS)])
        feed_server.routes[f"/k{n}"] = lambda h, body=body: h.send_feed(body)
    rng = random.Random(7)
    env = {**os.environ, "TUI_READER_CONFIG": str(tmp_path / "none.toml")}
    (tmp_path / "none.toml").write_text("")
    for round_ in range(8):
        data_dir = tmp_path / f"round{round_}"
        with open_library(data_dir) as library:
            for n in range(FEEDS):
                library.add_feed(feed_server.url(f"/k{n}"))
        process = subprocess.Popen(
            [sys.executable, "-m", "tui_reader", "--data-dir", str(data_dir), "refresh"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.3, 1.5))  # somewhere in start-up, fetching or writing
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        assert integrity(data_dir) == "ok"
        with open_library(data_dir) as library:
            for feed in library.feeds():
                # One transaction per feed: all of its articles, or none of them.
                assert feed.total in (0, ITEMS), (round_, feed)
                assert (feed.updated is None) == (feed.total == 0)


_OPEN_FOREVER = """
import sys
from pathlib import Path
from tui_reader.meter import Meter
from tui_reader.sources.seeds import open_library
with open_library(Path(sys.argv[1])) as library:
    meter = Meter(library, limit=100_000)
    for article_id in sys.argv[2:]:
        if meter.open(article_id).counted:
            print(article_id, flush=True)
"""


def test_killing_a_meter_update_never_loses_or_doubles_a_view(tmp_path: Path):
    rng = random.Random(11)
    for round_ in range(5):
        data_dir = tmp_path / f"round{round_}"
        with open_library(data_dir) as library:
            ids = [
                article_id
                for article_id, _ in library.add_articles(
                    parse_text(f"Story {i}\n\nBody {i}.") for i in range(3000)
                )
            ]
        process = subprocess.Popen(
            [sys.executable, "-c", _OPEN_FOREVER, str(data_dir), *ids],
            stdout=subprocess.PIPE,
            bufsize=0,  # unbuffered: reading the first line takes no more than it
        )
        # Killed some way into its counting, not before it starts (a cold
        # start, compiling bytecode on a busy machine, took longer than 0.4 s).
        assert process.stdout is not None
        first = process.stdout.readline()
        time.sleep(rng.uniform(0.1, 0.8))
        process.send_signal(signal.SIGKILL)
        reported = (first + process.communicate(timeout=10)[0]).decode().split()
        assert integrity(data_dir) == "ok"
        with open_library(data_dir) as library:
            views = [row[0] for row in library.query("SELECT article_id FROM views")]
            # Every view the process reported is stored; at most the one it
            # committed but had no time to report is extra; none twice.
            assert set(reported) <= set(views)
            assert len(views) - len(reported) in (0, 1)
            assert len(views) == len(set(views))
            assert Meter(library, limit=100_000).state().used == len(views)
        assert reported, "the process should have counted something before the kill"


@pytest.fixture
def tiny_disk(tmp_path: Path):
    """A real 400 KB filesystem (tmpfs), so a write can really run out of space.

    Room for a new library's migrations in its WAL (eleven of them; at 300 KB
    the checkpoint on closing no longer fit) and little more."""
    mount_point = tmp_path / "tiny"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=400k", "tmpfs", str(mount_point)],
        capture_output=True,
    )
    if mounted.returncode != 0:
        pytest.skip("mounting a tmpfs needs root")
    yield mount_point
    subprocess.run(["umount", str(mount_point)], check=False)


def test_a_full_disk_is_one_line_and_loses_nothing(tiny_disk: Path):
    data_dir = tiny_disk / "data"
    with open_library(data_dir) as library:
        library.add_articles([parse_text("Kept Story\n\nIt was here first.")])
        big = [parse_text(f"Big {n}\n\n" + "words " * 20_000) for n in range(20)]
        with pytest.raises(StoreError) as caught:
            for article in big:  # about 2.4 MB into 400 KB
                library.add_articles([article])
        assert "full" in str(caught.value) and "\n" not in str(caught.value)
        assert "Kept Story" in [h.title for h in library.headlines()]
    assert integrity(data_dir) == "ok"


def test_many_cli_writers_at_once_never_see_a_lock_error(tmp_path: Path):
    data_dir = tmp_path / "shared"
    with open_library(data_dir) as library:
        library.add_articles(parse_text(f"Story {i}\n\nBody.") for i in range(20))
    (tmp_path / "none.toml").write_text("")
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "tui_reader", "--data-dir", str(data_dir), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "TUI_READER_CONFIG": str(tmp_path / "none.toml")},
        )
        for args in [("quota", "limit", "50"), ("list",), ("quota", "reset")] * 4
    ]
    for process in processes:
        _out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
        assert "locked" not in err and "busy" not in err
    with open_library(data_dir) as library:
        assert Meter(library).state().limit == 50


def test_a_read_only_data_dir_is_one_line(tiny_disk: Path, tmp_path: Path):
    data_dir = tiny_disk / "data"
    with open_library(data_dir) as library:
        library.add_articles([parse_text("Kept Story\n\nBody.")])
    subprocess.run(["mount", "-o", "remount,ro", str(tiny_disk)], check=True)
    (tmp_path / "none.toml").write_text("")
    result = subprocess.run(
        [sys.executable, "-m", "tui_reader", "--data-dir", str(data_dir), "quota", "reset"],
        capture_output=True,
        text=True,
        env={**os.environ, "TUI_READER_CONFIG": str(tmp_path / "none.toml")},
    )
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("tui-reader: error: ")
    assert f"the data directory {data_dir} is not writable" in result.stderr
    subprocess.run(["mount", "-o", "remount,rw", str(tiny_disk)], check=True)
    with open_library(data_dir) as library:
        assert [h.title for h in library.headlines()] == ["Kept Story"]
