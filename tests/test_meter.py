"""The free-article meter: counting, re-reads, the window, subscribing, concurrency."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.conftest import FakeClock
from tui_reader.library.store import Store
from tui_reader.meter import Meter
from tui_reader.sources.scraped_text import parse_text
from tui_reader.sources.seeds import open_library


def add_stories(store: Store, n: int) -> list[str]:
    results = store.add_articles(parse_text(f"Story {i}\n\nBody {i}.") for i in range(n))
    return [article_id for article_id, _ in results]


def test_each_new_article_counts_once(store: Store, clock: FakeClock):
    meter = Meter(store, clock=clock)
    ids = add_stories(store, 6)
    assert meter.state().remaining == 5
    remaining = []
    for article_id in ids[:5]:
        access = meter.open(article_id)
        assert access.allowed and access.counted
        remaining.append(access.state.remaining)
    assert remaining == [4, 3, 2, 1, 0]
    assert meter.state().message() == "You have 0 free articles remaining"


def test_rereads_are_free(store: Store, clock: FakeClock):
    meter = Meter(store, clock=clock)
    [article_id] = add_stories(store, 1)
    meter.open(article_id)
    again = meter.open(article_id)
    assert again.allowed and not again.counted
    assert meter.state().used == 1


def test_none_left_withholds_new_articles_but_not_counted_ones(store: Store, clock: FakeClock):
    meter = Meter(store, limit=2, clock=clock)
    a, b, c = add_stories(store, 3)
    meter.open(a)
    meter.open(b)
    withheld = meter.open(c)
    assert not withheld.allowed and not withheld.counted
    assert meter.open(a).allowed
    assert meter.state().used == 2


def test_views_expire_after_the_period(store: Store, clock: FakeClock):
    meter = Meter(store, limit=2, clock=clock)
    a, b, c = add_stories(store, 3)
    meter.open(a)
    clock.advance(days=10)
    meter.open(b)
    assert not meter.open(c).allowed
    clock.advance(days=20, seconds=1)  # a's view is now 30 days and a second old
    assert meter.state().remaining == 1
    assert meter.open(c).counted
    clock.advance(days=10)  # b expires too
    assert meter.state().used == 1
    # An expired article counts again when re-read.
    assert meter.open(a).counted


def test_a_clock_set_backwards_neither_unlocks_nor_wipes(store: Store, clock: FakeClock):
    meter = Meter(store, limit=1, clock=clock)
    a, b = add_stories(store, 2)
    meter.open(a)
    clock.advance(days=-365)
    assert meter.state().used == 1
    assert not meter.open(b).allowed
    # Moving forward again from the earlier time does not expire early either.
    clock.advance(days=365 + 29)
    assert not meter.open(b).allowed
    clock.advance(days=2)
    assert meter.open(b).allowed


def test_subscribing_counts_nothing(store: Store, clock: FakeClock):
    meter = Meter(store, limit=1, clock=clock)
    a, b, c = add_stories(store, 3)
    meter.open(a)
    meter.set_subscribed(True)
    assert meter.open(b).allowed and not meter.open(b).counted
    assert meter.state().message() == (
        "You have 0 free articles remaining · Subscribed: unlimited access"
    )
    meter.set_subscribed(False)
    assert not meter.open(c).allowed


def test_limit_period_and_reset(store: Store, clock: FakeClock):
    meter = Meter(store, clock=clock)
    ids = add_stories(store, 3)
    for article_id in ids:
        meter.open(article_id)
    meter.set_limit(2)
    assert meter.state().remaining == 0
    meter.set_period(7)
    assert meter.state().period_days == 7
    meter.reset()
    assert meter.state().to_json() == {
        "limit": 2,
        "period_days": 7,
        "used": 0,
        "remaining": 2,
        "subscribed": False,
    }


def test_config_values_override_stored_ones(store: Store, clock: FakeClock):
    Meter(store, clock=clock).set_limit(9)
    assert Meter(store, limit=3, period_days=2, clock=clock).state().limit == 3
    assert Meter(store, clock=clock).state().limit == 9


_OPEN_ALL = """
import sys, time
from pathlib import Path
from tui_reader.meter import Meter
from tui_reader.sources.seeds import open_library
data_dir, go, ids = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:]
with open_library(data_dir) as library:
    meter = Meter(library)
    while not go.exists():  # start together, so the openings really overlap
        time.sleep(0.001)
    print(sum(meter.open(article_id).counted for article_id in ids))
"""


def test_concurrent_processes_never_overcount(data_dir: Path, tmp_path: Path):
    """Six processes open the same 40 articles at once: exactly 5 are counted."""
    with open_library(data_dir) as library:
        ids = add_stories(library, 40)
    go = tmp_path / "go"
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", _OPEN_ALL, str(data_dir), str(go), *ids[i:], *ids[:i]],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(0, 36, 6)
    ]
    time.sleep(1.0)  # let every process reach the start line
    go.touch()
    outputs = [p.communicate(timeout=60) for p in processes]
    assert all(p.returncode == 0 for p in processes), [err for _, err in outputs]
    assert sum(int(out) for out, _ in outputs) == 5
    with open_library(data_dir) as library:
        state = Meter(library).state()
        assert (state.used, state.remaining) == (5, 0)


def test_concurrent_threads_with_their_own_connections(data_dir: Path):
    """Eight app-like instances in threads, each with its own Store: 5 counted in all."""
    with open_library(data_dir) as library:
        ids = add_stories(library, 40)
    barrier = threading.Barrier(8)
    counted: list[int] = []

    def instance(offset: int) -> None:
        with open_library(data_dir) as library:
            meter = Meter(library)
            barrier.wait()
            order = ids[offset:] + ids[:offset]
            counted.append(sum(meter.open(article_id).counted for article_id in order))

    threads = [threading.Thread(target=instance, args=(i * 5,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(counted) == 8
    assert sum(counted) == 5
