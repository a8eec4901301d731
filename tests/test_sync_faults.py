"""Sync under faults: a server that stops mid-sync, a 500 on one batch, answers too slow,
a revoked token, kill -9 mid-round, and a second instance marking while one syncs.

Against the real FreshRSS (tests/freshrss.py) behind tests/fault_proxy.py, which
fails on cue while the server behind it keeps its data. `tui-reader` runs as
real processes; a GReader client of the test's own is "the phone". After each
fault the library passes `PRAGMA integrity_check`, no local change is lost,
and one more round makes local and server state equal.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.fault_proxy import Fault, FaultProxy
from tests.feed_server import FeedServer, rss
from tests.freshrss import FreshRSS
from tui_reader.locations import database_path
from tui_reader.sources.greader import GReaderClient
from tui_reader.sources.greader_model import READ, READING_LIST, STARRED
from tui_reader.sources.seeds import open_library
from tui_reader.syncing import FIRST_SYNC_PAGE

GREADER_PATH = "/api/greader.php"


# ---------------------------------------------------------------- helpers


@dataclass
class Reader:
    """tui-reader as a user runs it: its data dir, its config, its account."""

    data_dir: Path
    config: Path
    secret: Path

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "TUI_READER_DATA_DIR": str(self.data_dir),
            "TUI_READER_CONFIG": str(self.config),
        }

    def account(self, url: str, user: str, password: str, network: str = "") -> None:
        """The [sync] account (its password in a file, as the README says)."""
        self.secret.write_text(password + "\n")
        self.secret.chmod(0o600)
        self.config.write_text(
            f'[sync]\nservice = "greader"\nurl = "{url}"\nuser = "{user}"\n'
            f'password_file = "{self.secret}"\n' + (f"\n[network]\n{network}\n" if network else "")
        )

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "tui_reader", *args],
            capture_output=True,
            text=True,
            env=self.env,
            timeout=120,
        )

    def start(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "tui_reader", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=self.env,
        )

    def sync(self) -> dict[str, Any]:
        """A round that must succeed; its --json summary."""
        result = self.run("sync", "--json")
        assert result.returncode == 0, result.stderr
        summary: dict[str, Any] = json.loads(result.stdout)
        return summary

    def db(self) -> sqlite3.Connection:
        return sqlite3.connect(database_path(self.data_dir))

    def integrity(self) -> str:
        with self.db() as db:
            return str(db.execute("PRAGMA integrity_check").fetchone()[0])

    def states(self) -> dict[int, tuple[bool, bool]]:
        """Every synced story: server item -> (read, starred) here."""
        with self.db() as db:
            rows = db.execute(
                "SELECT server_item, read, starred FROM articles WHERE server_item IS NOT NULL"
            ).fetchall()
        return {int(item): (bool(read), bool(star)) for item, read, star in rows}

    def ids(self) -> dict[int, str]:
        """Server item -> the local id that `mark` takes."""
        with self.db() as db:
            rows = db.execute(
                "SELECT server_item, id FROM articles WHERE server_item IS NOT NULL"
            ).fetchall()
        return {int(item): str(local) for item, local in rows}

    def outbox(self) -> list[tuple[int, str, int | None, int | None]]:
        """(seq, kind, item, value) of each change still to send."""
        with self.db() as db:
            return [
                (int(r[0]), str(r[1]), r[2], r[3])
                for r in db.execute("SELECT seq, kind, item, value FROM sync_outbox ORDER BY seq")
            ]

    def marks(self) -> list[tuple[int, str, int]]:
        """(seq, stream, ts) of each mark-all-read still to send."""
        with self.db() as db:
            return [
                (int(r[0]), str(r[1]), int(r[2]))
                for r in db.execute(
                    "SELECT seq, stream, ts FROM sync_outbox WHERE kind = 'mark-all' ORDER BY seq"
                )
            ]

    def server_times(self) -> dict[int, int]:
        with self.db() as db:
            rows = db.execute(
                "SELECT server_item, server_time FROM articles WHERE server_item IS NOT NULL"
            ).fetchall()
        return {int(item): int(at) for item, at in rows}

    def mark(self, items: list[int], option: str) -> None:
        ids = self.ids()
        result = self.run("mark", *(ids[item] for item in items), option)
        assert result.returncode == 0, result.stderr


@pytest.fixture
def reader(tmp_path: Path) -> Reader:
    return Reader(tmp_path / "data", tmp_path / "config.toml", tmp_path / "greader-password")


@pytest.fixture
def proxy(freshrss: FreshRSS):
    server = FaultProxy(freshrss.url).start()
    yield server
    server.stop()


def on_server(
    server: FreshRSS, work: Callable[[GReaderClient], Awaitable[Any]], password: str = ""
) -> Any:
    """Run `work(client)` with a GReader client of the test's own, straight to the server."""

    async def go() -> Any:
        async with httpx.AsyncClient(timeout=60) as http:
            client = GReaderClient(
                http, server.greader_url, server.user, lambda: password or server.api_password
            )
            await client.login()
            return await work(client)

    return asyncio.run(go())


@dataclass
class ServerState:
    items: list[int]  # the reading list
    unread: set[int]
    starred: set[int]

    def of(self, item: int) -> tuple[bool, bool]:
        return item not in self.unread, item in self.starred


def server_state(server: FreshRSS, password: str = "") -> ServerState:
    async def read(client: GReaderClient) -> ServerState:
        items = await client.item_ids(READING_LIST)
        unread = await client.item_ids(READING_LIST, exclude=READ)
        starred = await client.item_ids(STARRED)
        return ServerState(items, set(unread), set(starred))

    state: ServerState = on_server(server, read, password)
    return state


def subscribe(server: FreshRSS, feed_server: FeedServer, path: str, title: str, n: int) -> str:
    """Serve a feed of `n` stories and subscribe the server to it; its stream id."""
    body = rss(title, [(f"{path}-{i}", f"{title} {i}") for i in range(n)])
    feed_server.routes[path] = lambda h: h.send_feed(body)
    stream: str = on_server(server, lambda client: client.quickadd(feed_server.url(path)))
    return stream


def feed_items(server: FreshRSS, stream: str) -> list[int]:
    return list(on_server(server, lambda client: client.item_ids(stream)))


def assert_converged(reader: Reader, server: FreshRSS, password: str = "") -> None:
    """Nothing waits, every server story is here once, in the server's state."""
    assert reader.outbox() == []
    state = server_state(server, password)
    local = reader.states()
    assert sorted(local) == sorted(state.items)
    assert {item: state.of(item) for item in state.items} == local
    with reader.db() as db:
        titles = [row[0] for row in db.execute("SELECT title FROM articles")]
    assert len(titles) == len(set(titles)), "a story stored twice"


def one_line(result: subprocess.CompletedProcess[str], *secrets: str) -> str:
    """The error a user sees: one line on stderr, no traceback, no secret."""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for secret in secrets:
        assert secret not in result.stderr + result.stdout
    return lines[0]


def greader_url(proxy: FaultProxy) -> str:
    return proxy.base + GREADER_PATH


# ---------------------------------------------------------------- 1. the server stops


def test_the_server_stopping_mid_sync_is_one_line_and_the_next_round_converges(
    reader: Reader, freshrss: FreshRSS, feed_server: FeedServer, proxy: FaultProxy
) -> None:
    """A first sync of two pages of stories; the server dies mid-answer of the second."""
    page = FIRST_SYNC_PAGE
    stream = subscribe(freshrss, feed_server, "/big.xml", "Big", page + 100)
    items = feed_items(freshrss, stream)
    assert len(items) == page + 100

    async def phone(client: GReaderClient) -> None:
        await client.edit_tag(items[:100], add=READ)
        await client.edit_tag(items[::60], add=STARRED)

    on_server(freshrss, phone)
    reader.account(greader_url(proxy), freshrss.user, freshrss.api_password)
    proxy.faults = [Fault("/stream/contents/", "cut", skip=1)]

    failed = reader.run("sync")
    assert failed.returncode == 1
    line = one_line(failed, freshrss.api_password)
    assert "cannot reach" in line and "stream/contents" in line
    assert reader.integrity() == "ok"
    # What came before the server went away is kept and readable offline.
    kept = reader.states()
    assert len(kept) == page
    listed = json.loads(reader.run("list", "--json").stdout)
    assert len([s for s in listed if s["title"].startswith("Big ")]) == page

    # The user goes on reading while the server is down: the changes wait.
    reader.mark([item for item, (read, _) in kept.items() if not read][:3], "--read")
    down = reader.run("sync")
    assert down.returncode == 1
    assert "connection refused" in one_line(down)
    assert reader.integrity() == "ok"
    assert len(reader.outbox()) == 3

    proxy.start()  # the same server, back with its data
    summary = reader.sync()
    assert summary["pulled"]["stories"] == 100
    assert summary["pushed"]["read"] == 3 and summary["pending"] == 0
    assert_converged(reader, freshrss)
    assert reader.sync()["pulled"]["stories"] == 0


# ---------------------------------------------------------------- 2. a 500 on one batch


def test_a_500_on_one_batch_is_reported_and_what_it_refused_waits(
    reader: Reader, freshrss: FreshRSS, feed_server: FeedServer, proxy: FaultProxy
) -> None:
    subscribe(freshrss, feed_server, "/f.xml", "Six", 6)
    reader.account(greader_url(proxy), freshrss.user, freshrss.api_password)

    # A 500 to the stories: the round stops there, in one line naming it.
    proxy.faults = [Fault("/stream/contents/", "500")]
    failed = reader.run("sync")
    assert failed.returncode == 1
    line = one_line(failed)
    assert "HTTP 500" in line and "stream/contents" in line
    assert reader.integrity() == "ok" and reader.states() == {}
    assert reader.sync()["pulled"]["stories"] == 6
    assert_converged(reader, freshrss)

    # A 500 to the first edit-tag: that group waits (exit 4), the next one goes,
    # and the pull of the same round does not flip the refused ones back.
    items = sorted(reader.states())
    reader.mark(items[:3], "--read")
    reader.mark(items[3:4], "--star")
    proxy.faults = [Fault("/edit-tag", "500")]
    partial = reader.run("sync", "--json")
    assert partial.returncode == 4
    line = one_line(partial)
    assert "HTTP 500" in line and "edit-tag (3 items)" in line
    summary = json.loads(partial.stdout)
    assert (summary["pushed"]["read"], summary["pushed"]["starred"]) == (0, 1)
    assert summary["pending"] == 3
    local = reader.states()
    assert all(local[item][0] for item in items[:3])
    server = server_state(freshrss)
    assert [server.of(item) for item in items[:4]] == [(False, False)] * 3 + [(False, True)]
    assert reader.sync()["pushed"]["read"] == 3
    assert_converged(reader, freshrss)

    # A 500 to mark-all-as-read: it waits, and nothing here turns unread again.
    assert reader.run("mark", "--all-read").returncode == 0
    proxy.faults = [Fault("/mark-all-as-read", "500")]
    refused = reader.run("sync")
    assert refused.returncode == 4
    assert "HTTP 500" in one_line(refused)
    assert all(read for read, _ in reader.states().values())
    assert reader.sync()["pushed"]["mark_all_read"] == 1
    assert_converged(reader, freshrss)
    assert server_state(freshrss).unread == set()


def test_a_change_made_after_mark_all_read_is_not_undone_by_it(
    reader: Reader, freshrss: FreshRSS, feed_server: FeedServer, proxy: FaultProxy
) -> None:
    """The outbox is sent in the order it was written: mark all read, then one unread."""
    subscribe(freshrss, feed_server, "/c.xml", "Catch", 4)
    reader.account(greader_url(proxy), freshrss.user, freshrss.api_password)
    reader.sync()
    items = sorted(reader.states())
    assert reader.run("mark", "--all-read").returncode == 0
    reader.mark(items[:1], "--unread")  # "keep this one for later"
    reader.sync()
    assert not reader.states()[items[0]][0], "the pull undid the later unread"
    assert server_state(freshrss).unread == {items[0]}
    assert_converged(reader, freshrss)

    # An unread before a mark all read is read in the end, here and there.
    reader.mark(items[1:2], "--unread")
    assert reader.run("mark", "--all-read").returncode == 0
    reader.sync()
    assert_converged(reader, freshrss)
    assert server_state(freshrss).unread == set()

    # When the mark all read is refused, the changes after it wait for it.
    reader.mark(items[3:4], "--unread")  # the newest: the mark-all covers them all
    assert reader.run("mark", "--all-read").returncode == 0
    reader.mark(items[:1], "--unread")
    proxy.faults = [Fault("/mark-all-as-read", "500")]
    assert reader.run("sync").returncode == 4
    assert not reader.states()[items[0]][0]
    reader.sync()
    assert not reader.states()[items[0]][0], "the later unread was undone a round later"
    assert server_state(freshrss).unread == {items[0]}
    assert_converged(reader, freshrss)


# ---------------------------------------------------------------- 3. slow answers


def test_an_answer_slower_than_the_read_timeout_is_one_line_and_loses_nothing(
    reader: Reader, freshrss: FreshRSS, feed_server: FeedServer, proxy: FaultProxy
) -> None:
    subscribe(freshrss, feed_server, "/s.xml", "Slow", 5)
    reader.account(
        greader_url(proxy), freshrss.user, freshrss.api_password, network="read_timeout = 1"
    )
    reader.sync()
    items = sorted(reader.states())
    reader.mark(items[:2], "--read")

    # The push is answered too late: the server may have done it, the client cannot
    # know, so the change stays queued (sending it again does no harm).
    proxy.faults = [Fault("/edit-tag", "delay", seconds=2.5)]
    slow = reader.run("sync")
    assert slow.returncode == 4
    assert "read timeout" in one_line(slow)
    assert [(kind, value) for _, kind, _, value in reader.outbox()] == [("read", 1)] * 2
    assert all(reader.states()[item][0] for item in items[:2])

    # The pull of the read state is answered too late: the round stops in one line.
    proxy.faults = [Fault("xt=", "delay", seconds=2.5)]
    slow = reader.run("sync")
    assert slow.returncode == 1
    assert "read timeout" in one_line(slow)
    assert reader.integrity() == "ok"

    time.sleep(2)  # let the late requests finish on the server
    assert reader.sync()["pending"] == 0
    assert_converged(reader, freshrss)
    assert [reader.states()[item][0] for item in items] == [True, True, False, False, False]


# ---------------------------------------------------------------- 4. a revoked token


def set_api_password(server: FreshRSS, password: str) -> None:
    """Set the user's API password on the server (a new hash: every token goes stale)."""
    app = server.env["FRESHRSS_APP_DIR"]
    subprocess.run(
        ["php", f"{app}/cli/update-user.php", "--user", server.user, "--api-password", password],
        check=True,
        capture_output=True,
        timeout=60,
    )
    # `php -S` caches the user's config.php in opcache and looks at the file
    # again only every opcache.revalidate_freq (2) seconds: until then the
    # server still takes the old password's tokens.
    time.sleep(2.2)


def test_a_revoked_token_logs_in_again_and_a_changed_password_is_one_line(
    reader: Reader, freshrss: FreshRSS, feed_server: FeedServer, proxy: FaultProxy
) -> None:
    subscribe(freshrss, feed_server, "/t.xml", "Token", 4)
    reader.account(greader_url(proxy), freshrss.user, freshrss.api_password)
    reader.sync()
    items = sorted(reader.states())
    token_file = reader.data_dir / "sync-token"
    stale = token_file.read_text()
    logins = proxy.count("/accounts/ClientLogin")
    reader.sync()
    assert proxy.count("/accounts/ClientLogin") == logins, "the kept token was not used"

    # Revoked on the server, the password still the same: a login, transparently.
    set_api_password(freshrss, freshrss.api_password)
    reader.mark(items[:1], "--read")
    assert reader.sync()["pushed"]["read"] == 1
    assert proxy.count("/accounts/ClientLogin") == logins + 1
    assert token_file.read_text() != stale

    # A stale token in the data dir (a backup put back, say): the same.
    token_file.write_text(stale)
    reader.mark(items[1:2], "--star")
    assert reader.sync()["pushed"]["starred"] == 1
    assert proxy.count("/accounts/ClientLogin") == logins + 2

    # The password changed on the server: the old one is refused in one line
    # that shows neither password nor token, and the change waits.
    new_password = "alice-new-api-pass"
    set_api_password(freshrss, new_password)
    reader.mark(items[2:3], "--read")
    refused = reader.run("sync")
    assert refused.returncode == 1
    token = json.loads(stale)["auth"]
    line = one_line(refused, freshrss.api_password, new_password, token, token.split("/")[-1])
    assert "refused" in line and freshrss.user in line
    assert len(reader.outbox()) == 1 and reader.states()[items[2]][0]

    reader.account(greader_url(proxy), freshrss.user, new_password)
    assert reader.sync()["pushed"]["read"] == 1
    assert_converged(reader, freshrss, password=new_password)


# ---------------------------------------------------------------- 5. kill -9


def grown_feed(feed_server: FeedServer, path: str, title: str, n: int) -> list[tuple[str, str]]:
    """Serve a feed whose stories the test can add to (the list returned)."""
    stories = [(f"{path}-{i}", f"{title} {i}") for i in range(n)]
    feed_server.routes[path] = lambda h: h.send_feed(rss(title, stories))
    return stories


def unsent(reader: Reader, expected: dict[tuple[int, str], bool], state: ServerState) -> list[str]:
    """The local changes neither on the server nor still in the outbox (lost ones)."""
    latest = {(item, kind): (seq, bool(value)) for seq, kind, item, value in reader.outbox()}
    marks = reader.marks()
    times = reader.server_times()
    lost = []
    for (item, flag), value in expected.items():
        on_server = state.of(item)[0 if flag == "read" else 1]
        waiting = latest.get((item, flag))
        queued = waiting is not None and waiting[1] == value
        if flag == "read" and value and not queued:
            after = waiting[0] if waiting else 0
            queued = any(seq > after and times[item] <= ts for seq, _, ts in marks)
        if on_server != value and not queued:
            lost.append(f"{item} {flag}={value}")
    return lost


Edit = tuple[int, str, bool]  # a story, a tag, added or removed


def kill_at(process: subprocess.Popen[str], k: int, pause: float) -> Callable[[str, str], None]:
    """A proxy hook: kill -9 the process `pause` s after the k-th answer was sent."""
    answered = [0]

    def hook(method: str, path: str) -> None:
        answered[0] += 1
        if answered[0] == k:
            time.sleep(pause)
            process.send_signal(signal.SIGKILL)

    return hook


def test_kill_9_at_random_points_of_a_sync_loses_no_change(
    reader: Reader, freshrss: FreshRSS, feed_server: FeedServer, proxy: FaultProxy
) -> None:
    """Ten rounds: local marks and the phone's pending, `sync` killed at a random point.

    The stories of "Mine" are changed only here and those of "Theirs" only on
    the phone, so what each story must end as is known whatever the kill hit.
    """
    rng = random.Random(20240517)
    mine = subscribe(freshrss, feed_server, "/mine.xml", "Mine", 30)
    theirs_stories = grown_feed(feed_server, "/theirs.xml", "Theirs", 30)
    theirs = on_server(freshrss, lambda c: c.quickadd(feed_server.url("/theirs.xml")))
    reader.account(greader_url(proxy), freshrss.user, freshrss.api_password)
    reader.sync()
    mine_items = feed_items(freshrss, mine)
    with reader.db() as db:
        mine_feed = int(
            db.execute("SELECT id FROM feeds WHERE server_id = ?", (mine,)).fetchone()[0]
        )
    expected: dict[tuple[int, str], bool] = {}  # the latest local change of each
    phone: dict[tuple[int, str], bool] = {}  # the latest change on the phone
    outcomes: list[str] = []

    for round_ in range(10):
        ids = reader.ids()
        with open_library(reader.data_dir) as library:
            if round_ in (3, 7):  # C on the feed
                library.mark_all_read(feed_id=mine_feed)
                expected.update({(item, "read"): True for item in mine_items})
            for item in rng.sample(mine_items, 5):
                flag = rng.choice(["read", "starred"])
                value = rng.random() < 0.5
                library.set_flag(ids[item], flag, value)  # type: ignore[arg-type]
                expected[(item, flag)] = value
        if round_ in (2, 6):  # stories arrive on the server
            start = len(theirs_stories)
            theirs_stories += [(f"/theirs.xml-{i}", f"Theirs {i}") for i in range(start, start + 5)]
            time.sleep(1.1)  # FreshRSS caches a fetch within the same second
            freshrss.refresh()
        theirs_items = feed_items(freshrss, theirs)
        edits = [
            (item, rng.choice([READ, STARRED]), rng.random() < 0.5)
            for item in rng.sample(theirs_items, 5)
        ]

        async def on_phone(
            client: GReaderClient, edits: list[tuple[int, str, bool]] = edits
        ) -> None:
            for item, tag, value in edits:
                await client.edit_tag(
                    [item], add=tag if value else None, remove=None if value else tag
                )

        on_server(freshrss, on_phone)
        phone.update(
            {(item, "read" if tag == READ else "starred"): value for item, tag, value in edits}
        )

        seen = len(proxy.requests)
        process = reader.start("sync")
        if round_ % 3 == 0:  # after a random time: start-up, a request, a write
            time.sleep(rng.uniform(0.15, 0.6))
            process.send_signal(signal.SIGKILL)
        else:  # just after the server answered the k-th request (it did the change)
            k, pause = rng.randint(1, 6), rng.uniform(0, 0.05)
            proxy.on_answer = kill_at(process, k, pause)
        process.communicate(timeout=60)
        proxy.on_answer = None
        reached = [path.split("?")[0].rsplit("/", 1)[-1] for _, path in proxy.requests[seen:]]
        outcomes.append(
            f"{'killed' if process.returncode == -9 else process.returncode}: {reached}"
        )

        assert reader.integrity() == "ok", outcomes
        state = server_state(freshrss)
        assert unsent(reader, expected, state) == [], outcomes
        local = reader.states()
        for (item, flag), value in expected.items():  # no pull undid one
            assert local[item][0 if flag == "read" else 1] == value, (item, flag, outcomes)
        for (item, flag), value in phone.items():  # nothing of ours undid the phone's
            assert state.of(item)[0 if flag == "read" else 1] == value, (item, flag, outcomes)
        with reader.db() as db:
            twice = db.execute(
                "SELECT count(*) - count(DISTINCT server_item) FROM articles"
                " WHERE server_item IS NOT NULL"
            ).fetchone()[0]
        assert twice == 0, outcomes

    assert sum(o.startswith("killed") for o in outcomes) >= 6, outcomes
    assert any(o.startswith("killed") and "edit-tag" in o for o in outcomes), outcomes
    reader.sync()
    assert_converged(reader, freshrss)
    local = reader.states()
    for (item, flag), value in {**expected, **phone}.items():
        assert local[item][0 if flag == "read" else 1] == value, (item, flag)


# ---------------------------------------------------------------- 6. two instances


def test_a_second_instance_marking_while_one_syncs_has_the_last_word(
    reader: Reader, freshrss: FreshRSS, feed_server: FeedServer, proxy: FaultProxy
) -> None:
    stream = subscribe(freshrss, feed_server, "/two.xml", "Two", 8)
    reader.account(greader_url(proxy), freshrss.user, freshrss.api_password)
    reader.sync()
    items = sorted(reader.states())
    x, y, *rest = items

    # While the sync waits for the server's read state (x unread there), the
    # other instance marks x read: the pull does not flip it back.
    # While the sync pushes y read, the other instance marks y unread again:
    # only the change the server took leaves the outbox.
    reader.mark([y], "--read")
    marked: list[str] = []

    def meanwhile(method: str, path: str) -> None:
        if "/edit-tag" in path and "y" not in marked:
            marked.append("y")
            reader.mark([y], "--unread")
        if "xt=" in path and "x" not in marked:
            marked.append("x")
            reader.mark([x], "--read")

    proxy.on_request = meanwhile
    summary = reader.sync()
    proxy.on_request = None
    assert marked == ["y", "x"]
    assert summary["pending"] == 2
    assert reader.states()[x][0] and not reader.states()[y][0]
    reader.sync()
    assert_converged(reader, freshrss)
    assert server_state(freshrss).of(x)[0] and not server_state(freshrss).of(y)[0]

    # Free running: a slow sync in the background while the other instance
    # flips the same stories back and forth (from the phone's state: all read).
    async def phone(client: GReaderClient) -> None:
        await client.edit_tag(rest, add=READ)

    on_server(freshrss, phone)
    reader.sync()
    last = reader.states()
    proxy.faults = [Fault("/reader/api/0/", "delay", seconds=0.15, times=1000)]
    background = reader.start("sync")
    rng = random.Random(6)
    overlapped = 0
    for _ in range(6):
        chosen = rng.sample(rest, 3)
        read, star = rng.random() < 0.5, rng.random() < 0.5
        reader.mark(chosen, "--read" if read else "--unread")
        reader.mark(chosen[:1], "--star" if star else "--unstar")
        for item in chosen:
            last[item] = (read, star if item == chosen[0] else last[item][1])
        overlapped += background.poll() is None
    assert overlapped >= 2, "the sync ended before the other instance marked much"
    _out, err = background.communicate(timeout=120)
    assert background.returncode == 0, err
    assert reader.integrity() == "ok"
    proxy.faults = []
    reader.sync()
    assert_converged(reader, freshrss)
    local = reader.states()
    assert local == last
    assert stream
