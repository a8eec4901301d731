"""Sync with a real FreshRSS: `tui-reader sync` pushes local changes and pulls the server's,
offline first, never losing a change or letting a pull undo one."""

from __future__ import annotations

import asyncio
import json
import re
import time
from pathlib import Path

import httpx
import pytest

from tests.feed_server import rss
from tui_reader.sources.greader import GReaderClient
from tui_reader.sources.greader_model import READ, READING_LIST, STARRED


def write_config(
    tmp_path: Path, server, password: str | None = None, quirks: str | None = None
) -> None:
    """The [sync] account, its password in a file, as the README says."""
    secret = tmp_path / "greader-password"
    secret.write_text((password or server.api_password) + "\n")
    secret.chmod(0o600)
    (tmp_path / "config.toml").write_text(
        "[sync]\n"
        'service = "greader"\n'
        f'url = "{server.greader_url}"\n'
        f'user = "{server.user}"\n'
        f'password_file = "{secret}"\n' + (f'server = "{quirks}"\n' if quirks else "")
    )


def on_server(server, work):
    """Run `work(client)` with a GReader client of the test's own (the phone, say)."""

    async def go():
        async with httpx.AsyncClient(timeout=30) as http:
            client = GReaderClient(
                http, server.greader_url, server.user, lambda: server.api_password
            )
            await client.login()
            return await work(client)

    return asyncio.run(go())


def serve_feed(feed_server, path: str, title: str, stories: list[tuple[str, str]]) -> str:
    body = rss(title, stories)
    feed_server.routes[path] = lambda h: h.send_feed(body)
    return feed_server.url(path)


def sync_json(run) -> dict:
    result = run("sync", "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def listed(run) -> dict[str, dict]:
    return {item["title"]: item for item in json.loads(run("list", "--json").stdout)}


def test_first_sync_pulls_feeds_folders_and_stories(run, tmp_path, freshrss, feed_server):
    """The server's subscriptions, folders and stories arrive with their state."""
    url = serve_feed(feed_server, "/w.xml", "World", [("1", "One"), ("2", "Two"), ("3", "Three")])

    async def subscribe(client):
        stream = await client.quickadd(url)
        await client.edit_subscription(stream, action="edit", add_label="user/-/label/News")
        ids = await client.item_ids(READING_LIST)
        await client.edit_tag(ids[:1], add=READ)
        await client.edit_tag(ids[1:2], add=STARRED)

    on_server(freshrss, subscribe)
    write_config(tmp_path, freshrss)
    summary = sync_json(run)
    assert summary["pulled"]["feeds_added"] == 1
    assert summary["pulled"]["stories"] == 3
    stories = listed(run)
    assert set(stories) >= {"One", "Two", "Three"}
    synced = [stories[title] for title in ("One", "Two", "Three")]
    assert sum(s["read"] for s in synced) == 1
    assert sum(s["starred"] for s in stories.values()) == 1
    [feed] = [f for f in json.loads(run("feeds", "--json").stdout)]
    assert (feed["title"], feed["folder"]) == ("World", "News")
    # A second round moves nothing.
    again = sync_json(run)
    assert again["pulled"]["stories"] == 0 and again["pending"] == 0


def test_local_changes_reach_the_server_and_server_changes_come_back(
    run, tmp_path, freshrss, feed_server
):
    """m/s made locally are pushed; changes made on the phone are pulled."""
    url = serve_feed(feed_server, "/a.xml", "A", [("1", "Alpha"), ("2", "Beta"), ("3", "Gamma")])
    on_server(freshrss, lambda client: client.quickadd(url))
    write_config(tmp_path, freshrss)
    sync_json(run)
    stories = listed(run)
    assert run("mark", stories["Alpha"]["id"], "--read").returncode == 0
    assert run("mark", stories["Beta"]["id"], "--star").returncode == 0
    pushed = sync_json(run)["pushed"]
    assert (pushed["read"], pushed["starred"]) == (1, 1)

    async def server_state(client):
        unread = await client.item_ids(READING_LIST, exclude=READ)
        starred = await client.item_ids(STARRED)
        return len(unread), len(starred)

    assert on_server(freshrss, server_state) == (2, 1)

    async def phone(client):  # on the phone: Gamma read, Beta unstarred
        unread = await client.item_ids(READING_LIST, exclude=READ)
        items = await client.contents(unread)
        gamma = [i.item_id for i in items if i.title == "Gamma"]
        beta = [i.item_id for i in items if i.title == "Beta"]
        await client.edit_tag(gamma, add=READ)
        await client.edit_tag(beta, remove=STARRED)

    on_server(freshrss, phone)
    pulled = sync_json(run)["pulled"]
    assert (pulled["read_changed"], pulled["starred_changed"]) == (1, 1)
    stories = listed(run)
    assert stories["Gamma"]["read"] and not stories["Beta"]["starred"]


def test_offline_changes_wait_and_are_not_undone_by_a_pull(run, tmp_path, freshrss, feed_server):
    """With the server away, changes stay queued (exit 1, one line); a pull never flips them."""
    url = serve_feed(feed_server, "/o.xml", "O", [("1", "First"), ("2", "Second")])
    on_server(freshrss, lambda client: client.quickadd(url))
    write_config(tmp_path, freshrss)
    sync_json(run)
    first = listed(run)["First"]
    run("mark", first["id"], "--read")
    # The server goes away: the sync fails in one line and the change waits.
    (tmp_path / "config.toml").write_text(
        (tmp_path / "config.toml")
        .read_text()
        .replace(freshrss.greader_url, "http://127.0.0.1:9/api/greader.php")
    )
    failed = run("sync")
    assert failed.returncode == 1
    assert len(failed.stderr.strip().splitlines()) == 1 and "Traceback" not in failed.stderr
    assert listed(run)["First"]["read"]  # still read locally, readable offline
    write_config(tmp_path, freshrss)
    summary = sync_json(run)
    assert summary["pushed"]["read"] == 1 and summary["pending"] == 0
    assert listed(run)["First"]["read"]


def test_mark_all_read_leaves_stories_that_arrived_meanwhile_unread(
    run, tmp_path, freshrss, feed_server
):
    """C / mark --all-read sends the newest story's time: later arrivals stay unread."""
    stories = [("1", "Old one"), ("2", "Old two")]
    url = serve_feed(feed_server, "/m.xml", "M", stories)
    on_server(freshrss, lambda client: client.quickadd(url))
    write_config(tmp_path, freshrss)
    sync_json(run)
    assert run("mark", "--all-read").returncode == 0
    time.sleep(1.1)  # FreshRSS caches a fetch within the same second
    serve_feed(feed_server, "/m.xml", "M", [*stories, ("3", "New one")])
    freshrss.refresh()  # the server fetches the new story before the push
    summary = sync_json(run)
    assert summary["pushed"]["mark_all_read"] == 1
    after = listed(run)
    assert after["Old one"]["read"] and after["Old two"]["read"]
    assert not after["New one"]["read"]

    async def unread_titles(client):
        unread = await client.item_ids(READING_LIST, exclude=READ)
        return [item.title for item in await client.contents(unread)]

    assert on_server(freshrss, unread_titles) == ["New one"]


def test_a_wrong_password_is_one_line_without_the_password(run, tmp_path, freshrss):
    write_config(tmp_path, freshrss, password="not-the-password")
    result = run("sync")
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "not-the-password" not in result.stderr + result.stdout


def test_no_account_and_a_missing_password_file_say_so(run, tmp_path):
    result = run("sync")
    assert result.returncode == 1 and "no sync account" in result.stderr
    (tmp_path / "config.toml").write_text(
        '[sync]\nurl = "http://127.0.0.1:9/api/greader.php"\nuser = "alice"\n'
        f'password_file = "{tmp_path / "missing"}"\n'
    )
    result = run("sync")
    assert result.returncode == 1
    missing = tmp_path / "missing"
    assert result.stderr.strip() == f"tui-reader: error: sync: no password file {missing}"


def test_the_sync_table_is_checked_in_one_line(tmp_path):
    """A broken [sync] table is one warning and no account: nothing is synced."""
    from tui_reader.config import load_config

    path = tmp_path / "config.toml"
    path.write_text('[sync]\nurl = "rss.example.org"\nuser = ""\npassword_file = "x"\nbogus = 1\n')
    config = load_config(path)
    assert config.sync is None
    assert f"{path}: unknown setting sync.bogus; ignored" in config.warnings
    [problem] = [w for w in config.warnings if w.endswith("not syncing")]
    assert "sync.url must be" in problem and "sync.user must" in problem
    path.write_text(
        '[sync]\nurl = "https://rss.example.org/api/greader.php/"\nuser = "alice"\n'
        'password_command = "pass show rss"\n'
    )
    config = load_config(path)
    assert config.sync is not None and config.warnings == []
    assert config.sync.url == "https://rss.example.org/api/greader.php"
    assert config.sync.password_command == ("pass", "show", "rss")
    assert config.sync.server == "freshrss"  # its quirks: told by the greader.php path


def test_the_password_comes_from_a_command_never_a_shell(tmp_path):
    from tui_reader.sync_settings import SyncSettings
    from tui_reader.syncing import SyncError, read_password

    account = SyncSettings("http://x/api", "alice", password_command=("printf", "s3cret\\nmore"))
    assert read_password(account) == "s3cret"  # its first line
    literal = SyncSettings("http://x/api", "alice", password_command=("printf", "%s", "$HOME"))
    assert read_password(literal) == "$HOME"  # no shell expanded it
    failing = SyncSettings("http://x/api", "alice", password_command=("false",))
    with pytest.raises(SyncError, match=r"^sync: the password command 'false' exited 1$"):
        read_password(failing)
    missing = SyncSettings("http://x/api", "alice", password_command=("no-such-command-x",))
    with pytest.raises(SyncError, match="was not found"):
        read_password(missing)


def test_add_remove_move_and_rename_act_on_the_server(
    run, tmp_path, data_dir, freshrss, feed_server
):
    """add subscribes on the server; moving, renaming and removing a synced feed reach it."""
    from tui_reader.sources.seeds import open_library

    url = serve_feed(feed_server, "/s.xml", "Science", [("1", "Atoms"), ("2", "Cells")])
    write_config(tmp_path, freshrss)
    added = run("add", url, "--folder", "Lab")
    assert added.returncode == 0, added.stderr
    assert f"Subscribed to Science <{url}> on the server" in added.stdout
    assert {"Atoms", "Cells"} <= set(listed(run))

    async def subscriptions(client):
        return {f.url: (f.title, f.folders) for f in await client.subscriptions()}

    assert on_server(freshrss, subscriptions) == {url: ("Science", ("Lab",))}
    with open_library(data_dir) as store:
        [feed] = [f for f in store.feeds() if f.url == url]
        store.set_feed_folder(feed.id, "Reading")  # the app's M
        store.rename_feed(feed.id, "Sci")  # the app's e
    assert sync_json(run)["pushed"]["feed_changes"] == 2
    assert on_server(freshrss, subscriptions) == {url: ("Sci", ("Reading",))}
    removed = run("remove", "Sci")
    assert "the server is told on the next sync" in removed.stdout
    sync_json(run)
    assert on_server(freshrss, subscriptions) == {}
    assert json.loads(run("feeds", "--json").stdout) == []


def test_a_subscription_made_offline_waits_for_the_next_round(run, tmp_path, freshrss, feed_server):
    url = serve_feed(feed_server, "/l.xml", "Later", [("1", "Soon")])
    write_config(tmp_path, freshrss)
    queued = run("--offline", "add", url)
    assert queued.returncode == 4
    assert "subscribed to on the next sync" in queued.stdout
    assert sync_json(run)["pulled"]["stories"] == 1
    assert "Soon" in listed(run)


async def test_r_in_the_app_runs_a_sync_round(tmp_path, data_dir, freshrss, feed_server):
    """With an account, r syncs: the server's stories appear, and the notice says so."""
    from tests.conftest import FakeClock
    from tests.test_app import headline_list, press, settle
    from tui_reader.config import Config
    from tui_reader.sync_settings import SyncSettings
    from tui_reader.ui.app import make_app

    url = serve_feed(feed_server, "/p.xml", "Phone", [("1", "Read on the phone"), ("2", "Fresh")])

    async def phone(client):
        await client.quickadd(url)
        ids = await client.item_ids(READING_LIST)
        items = await client.contents(ids)
        await client.edit_tag(
            [i.item_id for i in items if i.title == "Read on the phone"], add=READ
        )

    await asyncio.to_thread(on_server, freshrss, phone)
    secret = tmp_path / "pw"
    secret.write_text(freshrss.api_password)
    account = SyncSettings(freshrss.greader_url, freshrss.user, password_file=secret)
    app = make_app(Config(sync=account), data_dir, clock=FakeClock(), seeds_dir=Path("/none"))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "r")  # a sync round, not a refresh
        await app.workers.wait_for_complete()
        await settle(app, pilot)
        rows = {h.title: h for h in headline_list(app).headlines}
        assert set(rows) == {"Read on the phone", "Fresh"}
        assert rows["Read on the phone"].read and not rows["Fresh"].read
        assert any(n.message.startswith("Synced: 2 new stories") for n in app._notifications)


def test_sync_on_a_terminal_shows_a_bar_and_piped_only_the_summary(
    run, tmp_path, data_dir, freshrss, feed_server
):
    """A Rich bar of the stories fetched on a terminal; no escape sequence when piped."""
    from tests.terminal import run_on_a_terminal
    from tests.test_refresh_feedback import _ESCAPES

    url = serve_feed(feed_server, "/big.xml", "Big", [(str(n), f"Story {n}") for n in range(300)])
    on_server(freshrss, lambda client: client.quickadd(url))
    write_config(tmp_path, freshrss)
    terminal = run_on_a_terminal(["sync"], data_dir, tmp_path / "config.toml", on="stderr")
    stdout = terminal.other
    assert terminal.status == 0
    assert stdout.startswith("Synced: 300 new stories")
    text = _ESCAPES.sub("", terminal.screen)
    assert re.search(r"Fetching stories .*300/300", text), text
    piped = run("sync")
    assert "\x1b" not in piped.stdout + piped.stderr
    assert piped.stdout.startswith("Synced: 0 new stories")


def test_a_second_round_waits_for_the_first_and_finds_little_left(
    run, data_dir, tmp_path, freshrss, feed_server
):
    """Two rounds at once (the app's r and a cron job, say) do not interleave."""
    import fcntl
    import os
    import subprocess
    import sys

    url = serve_feed(feed_server, "/q.xml", "Queue", [(str(n), f"Q{n}") for n in range(30)])
    on_server(freshrss, lambda client: client.quickadd(url))
    write_config(tmp_path, freshrss)
    env = {
        **os.environ,
        "TUI_READER_DATA_DIR": str(data_dir),
        "TUI_READER_CONFIG": str(tmp_path / "config.toml"),
    }

    def start() -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "tui_reader", "sync", "--json"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    # Another round holds the library: this one waits, and starts once it ends.
    assert run("list").returncode == 0  # the library exists
    lock = data_dir / "sync.lock"
    with open(lock, "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        waiting = start()
        time.sleep(1.5)
        assert waiting.poll() is None, waiting.communicate()
    out, err = waiting.communicate(timeout=60)
    assert waiting.returncode == 0, err
    assert json.loads(out)["pulled"]["stories"] == 30

    # Two rounds started together: one pulls, the other finds nothing left.
    url2 = serve_feed(feed_server, "/r.xml", "Rest", [(str(n), f"R{n}") for n in range(40)])
    on_server(freshrss, lambda client: client.quickadd(url2))
    rounds = [start(), start()]
    pulled = []
    for process in rounds:
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
        pulled.append(json.loads(out)["pulled"]["stories"])
    assert sorted(pulled) == [0, 40]
    assert len([t for t in listed(run) if t.startswith(("Q", "R"))]) == 70


def test_miniflux_switches_reach_the_same_state_on_a_real_server(
    run, tmp_path, freshrss, feed_server
):
    """server = "miniflux": long ids and unread as all but `it=` read, no `xt=`;
    FreshRSS takes both, so the round must end where the default one does."""
    url = serve_feed(feed_server, "/m.xml", "Mini", [(str(n), f"M{n}") for n in range(6)])
    on_server(freshrss, lambda client: client.quickadd(url))
    write_config(tmp_path, freshrss, quirks="miniflux")
    assert sync_json(run)["pulled"]["stories"] == 6

    async def phone(client):
        ids = await client.item_ids(READING_LIST)
        await client.edit_tag(ids[:2], add=READ)
        await client.edit_tag(ids[2:3], add=STARRED)

    on_server(freshrss, phone)
    assert run("mark", "--read", listed(run)["M5"]["id"]).returncode == 0
    summary = sync_json(run)
    assert summary["pushed"]["read"] == 1
    assert (summary["pulled"]["read_changed"], summary["pulled"]["starred_changed"]) == (2, 1)
    stories = {t: s for t, s in listed(run).items() if t.startswith("M")}
    assert sum(s["read"] for s in stories.values()) == 3
    assert sum(s["starred"] for s in stories.values()) == 1

    async def server_state(client):
        return (
            len(await client.item_ids(READING_LIST, exclude=READ)),
            len(await client.item_ids(STARRED)),
        )

    assert on_server(freshrss, server_state) == (3, 1)


def test_a_drop_rule_keeps_server_stories_out_of_the_library(run, tmp_path, freshrss, feed_server):
    """[[ignore]] mode = "drop" judges a sync's stories too: never stored, counted."""
    url = serve_feed(feed_server, "/k.xml", "Kill", [("1", "Sponsored: x"), ("2", "Real news")])
    on_server(freshrss, lambda client: client.quickadd(url))
    write_config(tmp_path, freshrss)
    with (tmp_path / "config.toml").open("a") as config:
        config.write('\n[[ignore]]\nfilter = \'title =~ "^sponsored"\'\nmode = "drop"\n')
    summary = sync_json(run)
    assert (summary["pulled"]["stories"], summary["pulled"]["ignored"]) == (1, 1)
    assert "Real news" in listed(run) and "Sponsored: x" not in listed(run)


async def test_an_automatic_round_tells_of_new_stories(tmp_path, data_dir, freshrss, feed_server):
    """With an account and app.refresh_minutes, the timer runs a sync round, and its
    new stories run the notify command (count, then titles)."""
    import sys

    from tests.conftest import FakeClock
    from tests.test_app import settle
    from tui_reader.config import Config
    from tui_reader.refresh_settings import RefreshSettings
    from tui_reader.sync_settings import SyncSettings
    from tui_reader.ui.app import make_app

    url = serve_feed(feed_server, "/n.xml", "Notes", [("1", "Only story")])
    await asyncio.to_thread(on_server, freshrss, lambda client: client.quickadd(url))
    secret = tmp_path / "pw"
    secret.write_text(freshrss.api_password)
    record = tmp_path / "told.json"
    script = tmp_path / "tell.py"
    script.write_text(
        f"import json, sys\nopen({str(record)!r}, 'w').write(json.dumps(sys.argv[1:]))\n"
    )
    config = Config(
        sync=SyncSettings(freshrss.greader_url, freshrss.user, password_file=secret),
        refresh=RefreshSettings(every_minutes=30, notify_command=(sys.executable, str(script))),
    )
    clock = FakeClock()
    app = make_app(config, data_dir, clock=clock, seeds_dir=Path("/none"))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        app.background_tick()  # what the minute timer calls: half an hour since "never"
        for _ in range(3):
            await app.workers.wait_for_complete()
            await settle(app, pilot)
        assert json.loads(record.read_text()) == ["1", "Only story"]
        record.unlink()
        clock.advance(seconds=60)  # a minute on: not yet another round
        app.background_tick()
        await settle(app, pilot)
        assert not record.exists()
