"""Podcasts and other enclosures: parsed from RSS, Atom, JSON Feed and a sync, stored,
shown in the story, listed by `list --json`, played by the play key and `play`
through a command that records its arguments, and saved by `download`."""

from __future__ import annotations

import json
import stat
import sys
import time
from pathlib import Path

import pytest

from tests.feed_server import FEEDS, FeedServer
from tests.test_app import press, settle
from tui_reader.config import load_config
from tui_reader.enclosure import Enclosure, parse_duration
from tui_reader.sources.feed_parser import parse_feed
from tui_reader.sources.greader_model import Quirks, item_from_entry
from tui_reader.ui.app import make_app

EPISODE = b"ID3" + bytes(range(256)) * 400  # 102,403 bytes of "audio"


def podcast(
    length: int = len(EPISODE), duration: str = "45:02", media: str = "/media/ep1.mp3"
) -> bytes:
    """A podcast feed with one episode and one plain story."""
    return f"""<?xml version="1.0"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel>
<title>The Pod</title><link>http://example.com/</link>
<item><guid>ep1</guid><title>Episode one</title><link>http://example.com/ep1</link>
<description>&lt;p&gt;Show notes.&lt;/p&gt;</description>
<enclosure url="{media}" type="audio/mpeg" length="{length}"/>
<itunes:duration>{duration}</itunes:duration></item>
<item><guid>post</guid><title>A plain post</title><link>http://example.com/post</link>
<description>No audio here.</description></item>
</channel></rss>""".encode()


def serve_podcast(feed_server: FeedServer, **kwargs: object) -> str:
    """The podcast at /pod.xml, its episode (an absolute address) at /media/ep1.mp3."""
    kwargs.setdefault("media", feed_server.url("/media/ep1.mp3"))
    feed_server.routes["/pod.xml"] = lambda h: h.send_feed(podcast(**kwargs))  # type: ignore[arg-type]
    feed_server.routes["/media/ep1.mp3"] = lambda h: h.send_plain(200, EPISODE, "audio/mpeg")
    return feed_server.url("/pod.xml")


def recorder(tmp_path: Path) -> tuple[Path, Path]:
    """A player that writes its arguments, one per line, to a file: (the player, its record)."""
    record = tmp_path / "played.txt"
    player = tmp_path / "player.py"
    player.write_text(
        f"#!{sys.executable}\nimport sys\n"
        f"open({str(record)!r}, 'w').write('\\n'.join(sys.argv[1:]))\n"
    )
    player.chmod(player.stat().st_mode | stat.S_IXUSR)
    return player, record


def wait_for(path: Path, seconds: float = 10.0) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.exists() and path.read_text():
            return path.read_text()
        time.sleep(0.05)
    raise AssertionError(f"{path} was never written")


def episode_id(run) -> str:
    listed = json.loads(run("list", "--json").stdout)
    return next(item["id"] for item in listed if item["title"] == "Episode one")


def test_every_feed_format_gives_its_enclosures_with_type_size_and_duration():
    """RSS (with and without itunes:duration), Atom and JSON Feed enclosures are all kept."""
    plain_rss = podcast().replace(b"<itunes:duration>45:02</itunes:duration>", b"")
    atom = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>
    <entry><id>a1</id><title>T</title><link href="http://x.org/a"/>
    <link rel="enclosure" href="http://x.org/a.ogg" type="audio/ogg" length="5000000"/>
    <summary>s</summary><updated>2026-01-01T00:00:00Z</updated></entry></feed>"""
    json_feed = json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": "J",
            "items": [
                {
                    "id": "1",
                    "content_text": "x",
                    "attachments": [
                        {
                            "url": "ep.m4a",
                            "mime_type": "audio/x-m4a",
                            "size_in_bytes": 123456,
                            "duration_in_seconds": 3700,
                        },
                        {"url": "javascript:alert(1)", "mime_type": "audio/mpeg"},
                    ],
                }
            ],
        }
    ).encode()
    base = "http://example.com/feed"
    with_duration = parse_feed(podcast(), base).entries
    assert with_duration[0].enclosures == (
        Enclosure("http://example.com/media/ep1.mp3", "audio/mpeg", len(EPISODE), 2702),
    )
    assert with_duration[1].enclosures == ()
    assert parse_feed(plain_rss, base).entries[0].enclosures[0].duration == 0
    assert parse_feed(atom, base).entries[0].enclosures == (
        Enclosure("http://x.org/a.ogg", "audio/ogg", 5_000_000, 0),
    )
    # The javascript: address is dropped; the relative one resolved.
    assert parse_feed(json_feed, "http://j.org/feed.json").entries[0].enclosures == (
        Enclosure("http://j.org/ep.m4a", "audio/x-m4a", 123456, 3700),
    )


@pytest.mark.needs_corpus
def test_real_podcast_feeds_give_every_episode_its_file_and_duration():
    """Giant Bombcast's 730 episodes and four other real podcasts: each episode is kept."""
    import re

    for name in (
        "rss-parser/giantbomb-podcast.rss",
        "feed-rs/rss2/rss_2.0_nightvale.xml",
        "feed-rs/rss2/rss_2.0_anchorfm.xml",
        "feed-rs/rss2/rss_2.0_spreaker.xml",
        "feed-rs/rss2/rss_2.0_ch9.xml",
    ):
        data = (FEEDS / name).read_bytes()
        entries = parse_feed(data, "https://podcast.example/feed").entries
        said = re.findall(rb"<itunes:duration[^>]*>\s*([^<]*?)\s*<", data)
        assert [len(e.enclosures) for e in entries] == [1] * len(entries), name
        assert len(said) == len(entries), name
        # Each duration the feed gave (a few say "0": unknown) is the one kept.
        assert [e.enclosures[0].duration for e in entries] == [
            parse_duration(d.decode()) for d in said
        ], name
        assert all(e.enclosures[0].url.startswith("http") for e in entries), name


def test_the_label_says_kind_format_and_length_in_words():
    """`[audio: MP3, 45 min]`, hours past an hour, the size when no duration is known."""
    assert Enclosure("http://x/e.mp3", "audio/mpeg", 1, 2702).label() == "[audio: MP3, 45 min]"
    assert Enclosure("http://x/e", "audio/x-m4a", 0, 3700).label() == "[audio: M4A, 1 h 02 min]"
    assert Enclosure("http://x/v.mp4", "video/mp4").label() == "[video: MP4]"
    assert Enclosure("http://x/f.pdf", "", 2_100_000).label() == "[file: PDF, 2.1 MB]"
    assert [parse_duration(v) for v in ("1:02:03", "2702", "45:99", "soon", 90.5)] == [
        3723,
        2702,
        0,
        0,
        90,
    ]


def test_a_synced_item_keeps_the_enclosure_freshrss_sends():
    """A server's item with `enclosure: [{href, type, length}]` gives the story its episode."""
    entry = {
        "id": "tag:google.com,2005:reader/item/000000000000001f",
        "title": "Episode",
        "enclosure": [{"href": "https://pod.example/e.mp3", "type": "audio/mpeg", "length": 9}],
    }
    item = item_from_entry(entry, "stream/contents", "FreshRSS", Quirks())
    assert item.enclosures == (Enclosure("https://pod.example/e.mp3", "audio/mpeg", 9, 0),)
    assert item_from_entry({**entry, "enclosure": "junk"}, "", "", Quirks()).enclosures == ()


def test_list_json_and_read_show_the_episode(run, feed_server):
    """After `add`, `list --json` lists the enclosure and `read` shows its line and address."""
    url = serve_podcast(feed_server)
    assert run("add", url).returncode == 0
    listed = {item["title"]: item for item in json.loads(run("list", "--json").stdout)}
    assert listed["Episode one"]["enclosures"] == [
        {
            "url": feed_server.url("/media/ep1.mp3"),
            "type": "audio/mpeg",
            "length": len(EPISODE),
            "duration": 2702,
            "label": "[audio: MP3, 45 min]",
        }
    ]
    assert listed["A plain post"]["enclosures"] == []
    shown = run("read", "--plain", listed["Episode one"]["id"]).stdout
    assert shown.index("[audio: MP3, 45 min]") < shown.index("Show notes.")
    assert feed_server.url("/media/ep1.mp3") in shown


def test_an_edited_entry_updates_its_enclosure(run, feed_server):
    """A feed that changes an episode's file is followed on the next refresh."""
    url = serve_podcast(feed_server)
    run("add", url)
    serve_podcast(feed_server, length=999_999, duration="1:30:00")
    assert run("refresh").returncode == 0
    listed = {item["title"]: item for item in json.loads(run("list", "--json").stdout)}
    assert listed["Episode one"]["enclosures"][0]["label"] == "[audio: MP3, 1 h 30 min]"


def test_download_saves_the_episode_and_play_then_uses_the_saved_copy(run, feed_server, tmp_path):
    """`download` writes the file; `play` hands the player that file, else the address."""
    run("add", serve_podcast(feed_server))
    player, record = recorder(tmp_path)
    (tmp_path / "config.toml").write_text(f'[app]\nplayer_command = ["{player}", "--flag"]\n')
    article = episode_id(run)
    played = run("play", article)
    assert played.returncode == 0, played.stderr
    assert wait_for(record).splitlines() == ["--flag", feed_server.url("/media/ep1.mp3")]
    record.unlink()
    saved = run("download", article, "--dir", str(tmp_path / "pods"))
    assert saved.returncode == 0, saved.stderr
    path = Path(saved.stdout.strip())
    assert path.parent == tmp_path / "pods" and path.read_bytes() == EPISODE
    again = run("download", article, "--dir", str(tmp_path / "pods"))
    assert again.returncode == 0 and "already saved" in again.stderr
    assert sorted(p.name for p in (tmp_path / "pods").iterdir()) == [path.name]
    run("play", article)
    assert wait_for(record).splitlines() == ["--flag", str(path.resolve())]


def test_no_enclosure_no_player_and_bad_numbers_are_one_line(run, feed_server, tmp_path):
    """Each mistake is one line with a non-zero exit, and nothing is started."""
    run("add", serve_podcast(feed_server))
    listed = {item["title"]: item["id"] for item in json.loads(run("list", "--json").stdout)}
    (tmp_path / "config.toml").write_text('[app]\nplayer_command = "no-such-player-here"\n')
    for args, words in (
        (("play", listed["A plain post"]), "has no enclosure"),
        (("play", listed["Episode one"], "--number", "2"), "give a number from 1 to 1"),
        (("play", listed["Episode one"]), "'no-such-player-here' was not found"),
        (("download", "zz"), "too short"),
    ):
        result = run(*args)
        assert result.returncode != 0
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and words in lines[0], result.stderr


def test_a_bad_player_command_is_a_warning(tmp_path):
    """`player_command = 3` warns and leaves the desktop's opener in charge."""
    path = tmp_path / "config.toml"
    path.write_text("[app]\nplayer_command = 3\n")
    config = load_config(path)
    assert config.player_command == ()
    assert any("app.player_command must be a command" in w for w in config.warnings)


async def test_the_play_key_starts_the_player_on_the_story_under_the_cursor(
    run, feed_server, tmp_path, data_dir, clock
):
    """P on the episode runs app.player_command with its address, without a shell."""
    run("add", serve_podcast(feed_server))
    player, record = recorder(tmp_path)
    (tmp_path / "config.toml").write_text(f'[app]\nplayer_command = "{player}"\n')
    config = load_config(tmp_path / "config.toml")
    app = make_app(config, data_dir, seeds_dir=Path("/nonexistent"), clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        view = app.screen.headlines
        rows = [h.title for h in view.headlines]
        # Move the cursor to the episode, then P plays it.
        await press(app, pilot, *["j"] * rows.index("Episode one"), "P")
        assert wait_for(record) == feed_server.url("/media/ep1.mp3")


def test_a_teaser_does_not_show_the_episode(run, feed_server, tmp_path):
    """With no free article left, the withheld story's teaser carries no enclosure line."""
    run("add", serve_podcast(feed_server))
    (tmp_path / "config.toml").write_text("[meter]\nlimit = 1\n")
    listed = {item["title"]: item["id"] for item in json.loads(run("list", "--json").stdout)}
    assert run("read", "--plain", listed["A plain post"]).returncode == 0
    withheld = run("read", "--plain", listed["Episode one"])
    assert withheld.returncode == 3
    assert "Show" in withheld.stdout and "[audio" not in withheld.stdout


def test_escape_sequences_in_an_enclosure_never_reach_the_terminal():
    """A type or address with control characters is cleaned like every feed text."""
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "items": [
            {
                "id": "1",
                "content_text": "x",
                "attachments": [
                    {
                        "url": "http://x.org/a\u001b]0;owned\u0007.mp3",
                        "mime_type": "\u001b[2Jaudio/mpeg",
                    }
                ],
            }
        ],
    }
    (enclosure,) = parse_feed(json.dumps(document).encode(), "http://x.org/f").entries[0].enclosures
    for text in (enclosure.url, enclosure.type, enclosure.label()):
        assert not any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in text), repr(text)


def test_a_synced_podcast_keeps_its_episode(run, tmp_path, freshrss, feed_server):
    """The real FreshRSS passes the episode on: after a sync, `list --json` has it."""
    from tests.test_sync import on_server, sync_json, write_config

    url = serve_podcast(feed_server)
    on_server(freshrss, lambda client: client.quickadd(url))
    write_config(tmp_path, freshrss)
    sync_json(run)
    listed = {item["title"]: item for item in json.loads(run("list", "--json").stdout)}
    (enclosure,) = listed["Episode one"]["enclosures"]
    assert enclosure["url"] == feed_server.url("/media/ep1.mp3")
    assert (enclosure["type"], enclosure["length"]) == ("audio/mpeg", len(EPISODE))
    assert listed["A plain post"]["enclosures"] == []
