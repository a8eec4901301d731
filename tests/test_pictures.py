"""Pictures in the article: where they are found in the HTML, how big they are drawn, and
what reaches the terminal (half-blocks in the app; kitty, Sixel or half-blocks for `read`)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image as PILImage
from rich.console import Console

from tui_reader.article import Article, Block, BlockKind, Link
from tui_reader.pictures import (
    MAX_ROWS,
    BlockPicture,
    Placeholder,
    picture_cells,
    prepare,
    terminal_picture,
)
from tui_reader.render import render_article, render_plain
from tui_reader.sources.html_convert import html_to_blocks
from tui_reader.sources.image_cache import CachedImage

RED, BLUE = (220, 20, 20), (20, 20, 220)


def two_colour_png(path: Path, width: int = 64, height: int = 32) -> CachedImage:
    """A picture red above, blue below, as the cache would hold it."""
    image = PILImage.new("RGB", (width, height), BLUE)
    image.paste(RED, (0, 0, width, height // 2))
    image.save(path)
    return CachedImage(
        url="https://pics.example/a.png", path=path, width=width, height=height, format="PNG"
    )


def drawn(renderable: object, width: int = 80) -> list[str]:
    console = Console(width=width, color_system="truecolor", file=io.StringIO(), record=True)
    console.print(renderable)
    return console.export_text(styles=False).splitlines()


def test_lazy_loaded_and_srcset_pictures_are_found():
    """data-src, data-lazy-src and srcset give the real picture; a data: stand-in none."""
    html = (
        '<p><img src="data:image/gif;base64,R0lGOD" data-src="/big.jpg" alt="A cat"></p>'
        '<p><img srcset="/s.jpg 320w, /m.jpg 800w, /l.jpg 1600w, /xl.jpg 3200w" alt="Set"></p>'
        '<p><img src="/spinner.gif" data-lazy-src="/lazy.png" alt="Lazy"></p>'
        '<p><img srcset="/one.jpg 1x, /two.jpg 2x" alt="Dense"></p>'
        '<p><img src="data:image/png;base64,xx" alt="Pixel"></p>'
    )
    found = {
        b.text: [link.url for link in b.links]
        for b in html_to_blocks(html, "https://news.example/story/")
        if b.kind is BlockKind.IMAGE
    }
    assert found == {
        "A cat": ["https://news.example/big.jpg"],
        "Set": ["https://news.example/l.jpg"],
        "Lazy": ["https://news.example/lazy.png"],
        "Dense": ["https://news.example/two.jpg"],
        "Pixel": [],
    }


def test_a_picture_is_at_most_the_text_wide_and_bounded_in_height():
    """Wide pictures fill the text width; tall ones stop at MAX_ROWS; small ones stay small."""
    assert picture_cells(1600, 900, 80) == (80, 22) or picture_cells(1600, 900, 80)[1] <= MAX_ROWS
    wide = picture_cells(1600, 400, 80)
    assert wide == (80, 10)
    tall = picture_cells(600, 2400, 80)
    assert tall[1] == MAX_ROWS and tall[0] == 10  # shape kept: 10 cells x 20 rows
    assert picture_cells(64, 32, 80) == (8, 2)  # 64 px is about 8 cells, not 80


def test_half_blocks_draw_the_top_and_bottom_pixels_of_each_cell(tmp_path):
    """Each cell is an upper half block in the top pixel's colour on the bottom one's."""
    picture = prepare(two_colour_png(tmp_path / "a.png", 64, 64))
    lines = picture.lines(4, 4)  # 4 cells x 4 rows: 8 pixel rows, red above blue
    assert [len(line) for line in lines] == [4, 4, 4, 4]
    top, bottom = lines[0][0].style, lines[3][0].style
    assert top is not None and bottom is not None
    assert top.color and top.bgcolor and bottom.color and bottom.bgcolor
    assert top.color.triplet == RED and top.bgcolor.triplet == RED
    assert bottom.color.triplet == BLUE and bottom.bgcolor.triplet == BLUE
    assert {segment.text for line in lines for segment in line} == {"▀"}


def test_the_caption_line_sits_under_the_picture_and_plain_text_is_unchanged(tmp_path):
    """With a picture, the story shows it, its `[image 1: caption]` right under it; --plain
    still prints the label alone."""
    cached = two_colour_png(tmp_path / "a.png", 160, 80)
    label = "[image: A red sky]"
    article = Article(
        title="Skies",
        blocks=[
            Block(BlockKind.PARAGRAPH, "Before."),
            Block(BlockKind.IMAGE, "A red sky", (Link(0, len(label), cached.url),)),
            Block(BlockKind.PARAGRAPH, "After."),
        ],
    )
    with_picture = drawn(render_article(article, pictures={cached.url: prepare(cached)}))
    first = with_picture.index(next(line for line in with_picture if "▀" in line))
    _, rows = picture_cells(160, 80, 80)
    assert all(set(line.strip()) == {"▀"} for line in with_picture[first : first + rows])
    assert with_picture[first + rows].strip() == "[image 1: A red sky]"
    assert with_picture[first - 1] == ""  # a blank line above, none below
    placeholder = drawn(render_article(article, pictures={cached.url: Placeholder(160, 80)}))
    assert len(placeholder) == len(with_picture)  # the text below never jumps
    assert "[image 1: A red sky]" in render_plain(article)
    assert "▀" not in render_plain(article)


def test_each_protocol_sends_only_its_own_sequences(tmp_path, capfd):
    """kitty's graphics protocol, Sixel and half-blocks each give their output; a caption
    or metadata never reaches the terminal through them."""
    path = tmp_path / "evil.png"
    image = PILImage.new("RGB", (40, 40), RED)
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "\x1b]0;owned\x07\x1b[2J")
    image.save(path, pnginfo=info)
    cached = CachedImage(
        url="https://pics.example/e.png", path=path, width=40, height=40, format="PNG"
    )
    outputs = {}
    for mode in ("kitty", "sixel", "blocks"):
        console = Console(width=80, force_terminal=True, color_system="truecolor", record=True)
        with console.capture() as capture:
            console.print(terminal_picture(cached, mode, 80))
        outputs[mode] = capture.get()
    # kitty: the picture goes to the terminal as an APC graphics command (straight to
    # stdout), then Rich prints its placeholder cells.
    outputs["kitty"] += capfd.readouterr().out
    assert "\x1b_G" in outputs["kitty"] and "\U0010eeee" in outputs["kitty"]
    assert "\x1bP" in outputs["sixel"] and "q" in outputs["sixel"]  # a DCS sixel stream
    assert "▀" in outputs["blocks"] and "\x1b_G" not in outputs["blocks"]
    for out in outputs.values():
        assert "owned" not in out and "\x1b]0;" not in out and "\x1b[2J" not in out


def test_a_block_picture_is_laid_out_once_per_width(tmp_path):
    """Drawing again at a width seen before reuses the cells (the panes trade widths)."""
    picture = prepare(two_colour_png(tmp_path / "a.png", 320, 160))
    assert isinstance(picture, BlockPicture)
    assert picture.lines(40, 10) is picture.lines(40, 10)


def test_bad_picture_settings_are_one_warning_each(tmp_path):
    """`reader.images = "huge"` and `image_cache_mb = -1` warn and keep the defaults."""
    from tui_reader.config import load_config

    path = tmp_path / "config.toml"
    path.write_text('[reader]\nimages = "huge"\nimage_cache_mb = -1\n')
    config = load_config(path)
    assert (config.images, config.image_cache_mb) == ("auto", 200)
    assert len([w for w in config.warnings if "reader.image" in w]) == 2
    path.write_text('[reader]\nimages = "sixel"\nimage_cache_mb = 50\n')
    assert (load_config(path).images, load_config(path).image_cache_mb) == ("sixel", 50)


@pytest.mark.parametrize(
    ("answer", "drawn"),
    [
        (b"\x1b_Gi=31;OK\x1b\\\x1b[?62;c", "kitty"),  # kitty, Ghostty
        (b"\x1b_Gi=31;OK\x1b\\\x1b[?65;4;6;18;22c", "sixel"),  # WezTerm, Konsole: both
        (b"\x1b[?62;4;22c", "sixel"),  # foot, xterm -ti vt340, tmux built with Sixel
        (b"\x1b[?64;1;2;6;9;15;18;21;22c", "blocks"),  # xterm, VTE: neither
        (b"\x1b[?1;2c", "blocks"),  # tmux 3.3
        (b"\x1b_Gi=31;ENOENT:unsupported\x1b\\\x1b[?62c", "blocks"),  # kitty's no
        (b"", "blocks"),  # no answer at all
    ],
)
def test_the_terminal_s_answer_says_how_pictures_are_drawn(answer: bytes, drawn: str):
    from tui_reader.terminal_graphics import what_it_draws

    assert what_it_draws(answer) == drawn


def test_a_terminal_that_never_answers_gets_half_blocks_and_its_mode_back():
    """The question times out into half-blocks, and the terminal's settings are restored."""
    import os
    import pty
    import termios

    from tui_reader.terminal_graphics import ask_terminal

    leader, follower = pty.openpty()
    try:
        before = termios.tcgetattr(follower)
        assert ask_terminal(follower, follower, timeout=0.2) == "blocks"
        assert termios.tcgetattr(follower) == before
        asked = os.read(leader, 1024)
        assert asked.startswith(b"\x1b_G") and asked.endswith(b"\x1b[c")  # kitty's, then DA1
    finally:
        os.close(leader)
        os.close(follower)
