"""Pictures in the app and in `read`: fetched on opening from a real server on 127.0.0.1,
kept in the data dir's cache, drawn in half-blocks, and shown again with no network."""

from __future__ import annotations

import io
import json
import re
from html import escape
from pathlib import Path

import pytest
from PIL import Image as PILImage

from tests.feed_server import FeedServer
from tests.terminal import (
    KITTY_TERMINAL,
    PLAIN_TERMINAL,
    SIXEL_TERMINAL,
    run_app_on_a_terminal,
    run_on_a_terminal,
)
from tests.test_app import article_text, press, settle
from tui_reader.config import load_config
from tui_reader.ui.app import make_app


def png(width: int = 160, height: int = 80) -> bytes:
    image = PILImage.new("RGB", (width, height), (30, 90, 200))
    image.paste((240, 200, 40), (0, 0, width, height // 2))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def serve_story_with_pictures(feed_server: FeedServer, body: str | None = None) -> str:
    """A feed with one story holding two pictures, the second of them missing (404);
    or with this `body` (HTML, its `{sky}` the picture's address)."""
    feed_server.routes["/sky.png"] = lambda h: h.send_plain(200, png(), "image/png")
    sky, gone = feed_server.url("/sky.png"), feed_server.url("/gone.png")
    body = (
        escape(body.format(sky=sky))
        if body
        else (
            "&lt;p&gt;Before the picture.&lt;/p&gt;"
            f"&lt;figure&gt;&lt;img src=&quot;{sky}&quot; alt=&quot;A yellow sky&quot;&gt;"
            "&lt;/figure&gt;"
            "&lt;p&gt;Between them.&lt;/p&gt;"
            f"&lt;p&gt;&lt;img src=&quot;{gone}&quot; alt=&quot;Lost&quot;&gt;&lt;/p&gt;"
            "&lt;p&gt;After the pictures.&lt;/p&gt;"
        )
    )
    feed = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Pics</title>'
        "<link>http://example.com/</link><item><guid>p1</guid><title>Skies</title>"
        f"<link>http://example.com/p1</link><description>{body}</description></item>"
        "</channel></rss>"
    ).encode()
    feed_server.routes["/pics.xml"] = lambda h: h.send_feed(feed)
    return feed_server.url("/pics.xml")


def picture_requests(feed_server: FeedServer) -> list[str]:
    return [path for path, _ in feed_server.requests if path.endswith(".png")]


async def open_skies(data_dir: Path, config_path: Path, clock) -> str:
    """Open the story in the app and wait for its pictures; the pane's text."""
    app = make_app(load_config(config_path), data_dir, seeds_dir=Path("/nonexistent"), clock=clock)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "enter")  # open the story under the cursor
        await settle(app, pilot)  # the fetch, then the decoding
        await settle(app, pilot)
        return article_text(app)


async def test_a_picture_is_fetched_on_opening_and_drawn_in_place(
    run, feed_server, tmp_path, data_dir, clock
):
    """Enter shows the picture in half-blocks between its paragraphs, its caption under
    it; the missing one shows its label, and neither is asked for again on reopening."""
    assert run("add", serve_story_with_pictures(feed_server)).returncode == 0
    shown = await open_skies(data_dir, tmp_path / "config.toml", clock)
    lines = shown.splitlines()
    drawn = [n for n, line in enumerate(lines) if "▀" in line]
    assert drawn, shown
    assert lines.index("Before the picture.") < drawn[0]
    assert lines[drawn[-1] + 1].startswith("[image 1: A yellow sky]")
    assert lines.index("Between them.") > drawn[-1]
    assert "[image 2: Lost]" in shown
    assert sorted(picture_requests(feed_server)) == ["/gone.png", "/sky.png"]
    assert (data_dir / "images").is_dir()
    # Again, with the feed server gone quiet: the picture comes from the cache, and
    # the 404 is not asked for again.
    feed_server.requests.clear()
    again = await open_skies(data_dir, tmp_path / "config.toml", clock)
    assert "▀" in again and picture_requests(feed_server) == []


async def test_a_picture_inside_a_paragraph_is_drawn_between_its_words(
    run, feed_server, tmp_path, data_dir, clock
):
    """Show notes with the picture inside their paragraph: the words before it, the
    picture drawn, its caption, then the words after it."""
    body = '<p>Show notes. <img src="{sky}" alt="A yellow sky"> Then the rest.</p>'
    assert run("add", serve_story_with_pictures(feed_server, body)).returncode == 0
    lines = (await open_skies(data_dir, tmp_path / "config.toml", clock)).splitlines()
    drawn = [n for n, line in enumerate(lines) if "▀" in line]
    assert drawn and lines.index("Show notes.") < drawn[0], lines
    assert lines[drawn[-1] + 1] == "[image 1: A yellow sky]"
    assert lines.index("Then the rest.") > drawn[-1] + 1


async def test_the_first_picture_shows_while_the_next_is_still_decoding(
    run, feed_server, tmp_path, data_dir, clock, monkeypatch
):
    """The picture on screen is drawn as soon as it is decoded: the next one holds a
    placeholder of its size until its own decoding ends, and the text never moves."""
    import threading

    from tui_reader.ui import pictures_app

    body = (
        '<figure><img src="{sky}" alt="First"></figure>'
        '<figure><img src="{sky}?2" alt="Second"></figure><p>The end.</p>'
    )
    run("add", serve_story_with_pictures(feed_server, body))
    config = tmp_path / "config.toml"
    await open_skies(data_dir, config, clock)  # both fetched into the cache
    second_may_decode = threading.Event()
    decode = pictures_app.prepare

    def slow_second(cached, *how):
        if cached.url.endswith("?2"):
            second_may_decode.wait(10)
        return decode(cached, *how)

    monkeypatch.setattr(pictures_app, "prepare", slow_second)
    app = make_app(load_config(config), data_dir, seeds_dir=Path("/nonexistent"), clock=clock)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")  # open the story: its pictures decode in a thread
        for _ in range(100):
            if "▀" in article_text(app):
                break
            await pilot.pause(0.05)
        lines = article_text(app).splitlines()
        end_before = lines.index("The end.")
        caption = lines.index("[image 1: First]")
        assert "▀" in lines[caption - 1], lines  # the first, drawn
        assert "░" in lines[caption + 2], lines  # the second's place, held
        second_may_decode.set()
        await settle(app, pilot)
        lines = article_text(app).splitlines()
        assert "░" not in "".join(lines) and lines.index("The end.") == end_before


async def test_offline_or_off_means_no_fetch_and_labels_only(
    run, feed_server, tmp_path, data_dir, clock
):
    """`network.offline` fetches nothing; `reader.images = "off"` draws nothing."""
    run("add", serve_story_with_pictures(feed_server))
    for setting in ("[network]\noffline = true\n", '[reader]\nimages = "off"\n'):
        feed_server.requests.clear()
        (tmp_path / "config.toml").write_text(setting)
        shown = await open_skies(data_dir, tmp_path / "config.toml", clock)
        assert "▀" not in shown and "[image 1: A yellow sky]" in shown
        assert picture_requests(feed_server) == []


def test_read_on_a_terminal_draws_the_picture_and_plain_does_not(
    run, feed_server, tmp_path, data_dir
):
    """`read` on a terminal (images = "blocks") fetches and draws it; --plain and a pipe
    print the label as before."""
    run("add", serve_story_with_pictures(feed_server))
    config = tmp_path / "config.toml"
    config.write_text('[reader]\nimages = "blocks"\n')
    story = json.loads(run("list", "--json").stdout)[0]["id"]
    on_terminal = run_on_a_terminal(["read", story], data_dir, config)
    assert on_terminal.status == 0, on_terminal.other
    assert "▀" in on_terminal.screen and "A yellow sky" in on_terminal.screen
    piped = run("read", story)
    assert "▀" not in piped.stdout and "[image 1: A yellow sky]" in piped.stdout
    plain = run_on_a_terminal(["read", "--plain", story], data_dir, config)
    assert "▀" not in plain.screen and "\x1b" not in plain.screen


def test_a_full_text_refresh_keeps_the_story_s_lead_picture_for_offline_reading(
    run, feed_server, tmp_path, data_dir
):
    """With feeds.full_text, `refresh` fetches each full story's lead picture into the
    cache: `read` then draws it with the picture's server gone."""
    from tests.test_pages import story_page, summary_feed

    feed_server.routes["/lead.png"] = lambda h: h.send_plain(200, png(), "image/png")
    lead = f"<meta property='og:image' content='{feed_server.url('/lead.png')}'>"
    page = story_page("Harbour Bridge Reopens").replace(b"<title>", lead.encode() + b"<title>")
    url = summary_feed(feed_server, {"bridge": page})
    config = tmp_path / "config.toml"
    config.write_text(f'[feeds]\nfull_text = ["{url}"]\n[reader]\nimages = "blocks"\n')
    assert run("add", url).returncode == 0
    assert run("refresh").returncode == 0
    assert "/lead.png" in picture_requests(feed_server)
    assert list((data_dir / "images").glob("*.png"))
    del feed_server.routes["/lead.png"]  # gone: from here on only the cache has it
    story = json.loads(run("list", "--json").stdout)[0]["id"]
    shown = run_on_a_terminal(["read", story], data_dir, config)
    assert shown.status == 0 and "▀" in shown.screen


def sent_to_the_terminal(monkeypatch) -> io.StringIO:
    """What textual-image writes straight to the terminal (kitty's images), caught."""
    import sys

    caught = io.StringIO()
    monkeypatch.setattr(sys, "__stdout__", caught)
    return caught


async def test_in_a_kitty_terminal_the_picture_is_sent_once_and_placed_by_its_cells(
    run, feed_server, tmp_path, data_dir, clock, monkeypatch
):
    """kitty's protocol: the image goes to the terminal as one APC transfer and a
    virtual placement; its rows in the pane are placeholder characters, which scroll
    like text; opening the next story frees it in the terminal."""
    run("add", serve_story_with_pictures(feed_server))
    config = tmp_path / "config.toml"
    await open_skies(data_dir, config, clock)  # fetched into the cache
    sent = sent_to_the_terminal(monkeypatch)
    app = make_app(
        load_config(config),
        data_dir,
        seeds_dir=Path("/nonexistent"),
        clock=clock,
        drawn_with="kitty",
    )
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "enter")  # open the story: the picture is made and sent
        await settle(app, pilot)
        lines = article_text(app).splitlines()
        placed = [n for n, line in enumerate(lines) if "\U0010eeee" in line]
        assert placed and "▀" not in "".join(lines), lines
        caption = lines.index("[image 1: A yellow sky]")
        assert placed == list(range(caption - len(placed), caption))  # in place, caption under
        transfer = sent.getvalue()
        assert transfer.startswith("\x1b_G") and "a=p" in transfer and "U=1" in transfer
        assert re.fullmatch(r"(\x1b_G[^\x1b]*\x1b\\)+", transfer)  # only kitty's own sequences
        assert "a=d" not in transfer
        app.release_pictures()  # as opening another story does
        assert "a=d" in sent.getvalue()


async def test_in_a_sixel_terminal_the_picture_is_written_when_all_of_it_is_in_view(
    run, feed_server, tmp_path, data_dir, clock
):
    """Sixel: the pane writes the picture over its cells, from its top left, when it
    is wholly on screen; scrolled part away, its half-blocks show and no Sixel goes out."""
    run("add", serve_story_with_pictures(feed_server))
    config = tmp_path / "config.toml"
    await open_skies(data_dir, config, clock)  # fetched into the cache
    app = make_app(
        load_config(config),
        data_dir,
        seeds_dir=Path("/nonexistent"),
        clock=clock,
        drawn_with="sixel",
    )
    async with app.run_test(size=(100, 18)) as pilot:  # the story is taller than its pane
        await settle(app, pilot)
        await press(app, pilot, "enter")  # open the story
        await settle(app, pilot)
        view = app.reader_screen.article
        painted = [view.render_line(y) for y in range(view.size.height)]
        written = [
            (y, seg.text)
            for y, strip in enumerate(painted)
            for seg in strip
            if seg.text.startswith("\x1bP")
        ]
        assert len(written) == 1, written
        last_row, sixel = written[0]
        assert sixel.endswith("\x1b\\") and "\n" not in sixel
        caption = [n for n, strip in enumerate(painted) if "[image 1: A yellow sky]" in strip.text]
        assert caption == [last_row + 1]  # written on the picture's last row
        assert "▀" in painted[last_row - 1].text  # its other rows: half-blocks under it
        # Textual crops a line to repaint part of it (under a notice that went):
        # a crop short of the end leaves the Sixel out, one to the end has it whole.
        row = painted[last_row]
        assert "\x1bP" not in "".join(seg.text for seg in row.crop(0, row.cell_length - 1))
        assert sixel in [seg.text for seg in row.crop(3)]
        view.scroll_to(y=last_row - 1, animate=False, immediate=True)  # its top goes off
        await pilot.pause()
        again = [view.render_line(y) for y in range(view.size.height)]
        assert not any(seg.text.startswith("\x1bP") for strip in again for seg in strip)
        assert any("▀" in strip.text for strip in again)


@pytest.mark.parametrize(
    ("terminal", "drawn"),
    [
        (SIXEL_TERMINAL, "\x1bP"),  # Sixel's device control string
        (KITTY_TERMINAL, "\U0010eeee"),  # kitty's placeholder cells
        (PLAIN_TERMINAL, "▀"),  # half-blocks
    ],
    ids=["sixel", "kitty", "half-blocks"],
)
async def test_the_app_asks_the_terminal_and_draws_the_way_it_answers(
    run, feed_server, tmp_path, data_dir, clock, terminal, drawn
):
    """`reader.images = "auto"` on a terminal: the app asks it before starting, then
    opening the story sends the picture in that terminal's way and no other."""
    run("add", serve_story_with_pictures(feed_server))
    config = tmp_path / "config.toml"
    await open_skies(data_dir, config, clock)  # fetched into the cache
    got = run_app_on_a_terminal(
        data_dir,
        config,
        terminal,
        keys=[(b"Skies", b"\r"), (drawn.encode(), b"q")],  # open the story; once drawn, quit
    )
    assert "A yellow sky" in got
    others = {"\x1bP": "sixel", "\U0010eeee": "kitty", "▀": "half-blocks"}
    shown = [name for sign, name in others.items() if sign in got]
    # A Sixel picture is written over its half-blocks, which show while it is cut.
    expected = ["sixel", "half-blocks"] if drawn == "\x1bP" else [others[drawn]]
    assert shown == expected, shown
    if drawn == "\x1bP":
        # The Sixel data is written from the picture's top left, the cursor saved
        # before and put back after.
        before, after = got.split("\x1bP", 1)
        assert re.search(r"\x1b7\x1b\[\d+;\d+H$", before), repr(before[-40:])
        assert after.split("\x1b\\", 1)[1].startswith("\x1b8"), repr(after[-40:])
    if drawn == "\U0010eeee":
        assert "a=p" in got and "a=d" in got  # placed, then freed on quitting


async def test_a_kitty_picture_is_made_again_for_the_pane_s_new_width(
    run, feed_server, tmp_path, data_dir, clock, monkeypatch
):
    """The panes trade widths as the keyboard moves: a kitty picture laid out at a
    width it was not made for is made for it, and shows as kitty's cells again."""
    body = '<figure><img src="{sky}" alt="Wide"></figure><p>After it.</p>'
    run("add", serve_story_with_pictures(feed_server, body))
    wide = png(800, 400)  # wider than either pane
    feed_server.routes["/sky.png"] = lambda h: h.send_plain(200, wide, "image/png")
    config = tmp_path / "config.toml"
    await open_skies(data_dir, config, clock)  # fetched into the cache
    sent = sent_to_the_terminal(monkeypatch)
    app = make_app(
        load_config(config),
        data_dir,
        seeds_dir=Path("/nonexistent"),
        clock=clock,
        drawn_with="kitty",
    )

    def placed() -> list[str]:
        return [line for line in article_text(app).splitlines() if "\U0010eeee" in line]

    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "enter")  # open the story: the picture is made and sent
        await settle(app, pilot)
        before = placed()
        assert before and "▀" not in article_text(app)
        await pilot.resize_terminal(90, 40)  # a narrower pane
        await pilot.pause(0.2)  # laid out at its width: a misfit, made in the thread
        await settle(app, pilot)
        after = placed()
        assert after and "▀" not in article_text(app), article_text(app)
        assert len(after) < len(before)  # smaller: fewer rows
        placements = re.findall(r"a=p,i=\d+,c=(\d+),r=(\d+)", sent.getvalue())
        room = app.reader_screen.article.text_room
        assert (str(room), str(len(after))) in placements  # made for the narrow pane
        assert len(placements) == len(set(placements))  # and once a size, not at each paint
