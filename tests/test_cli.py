"""The command line, run as a user runs it: a real process on a temp data dir."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import make_article_file


def seed_id(run) -> str:
    return json.loads(run("list", "--json").stdout)[0]["id"]


def test_version_and_help(run):
    assert run("--version").stdout.startswith("tui-reader ")
    result = run("--help")
    assert result.returncode == 0
    for command in ("list", "read", "import", "quota"):
        assert command in result.stdout


def test_list_json_has_the_documented_fields(run):
    result = run("list", "--json")
    assert result.returncode == 0
    [item] = json.loads(result.stdout)
    assert set(item) >= {"id", "title", "source", "published", "read", "starred", "url"}
    assert item["title"] == "Japan and Canada Forge EV Battery Alliance"
    assert item["published"] is None and item["read"] is False
    assert "body" not in item and "standfirst" not in item


def test_read_plain_counts_once_and_marks_read(run):
    article_id = seed_id(run)
    result = run("read", article_id[:6], "--plain")
    assert result.returncode == 0
    assert result.stdout.startswith("Japan and Canada Forge EV Battery Alliance\n")
    assert "\x1b" not in result.stdout
    assert "Background" in result.stdout
    assert "No menu items" not in result.stdout
    assert result.stderr.strip() == "You have 4 free articles remaining"
    assert run("read", article_id, "--plain").stderr.strip() == "You have 4 free articles remaining"
    assert json.loads(run("list", "--json").stdout)[0]["read"] is True
    assert run("list", "--unread").stdout == ""


def test_read_withheld_prints_teaser_and_exits_3(run):
    article_id = seed_id(run)
    assert run("quota", "limit", "0").returncode == 0
    result = run("read", article_id)
    assert result.returncode == 3
    paragraphs = [p for p in result.stdout.split("\n\n") if p.strip()]
    # Title and meta, two paragraphs, the paywall line: nothing more.
    assert len(paragraphs) == 4
    assert paragraphs[-1].strip() == (
        "You have 0 free articles remaining. Subscribe for unlimited access."
    )
    assert "Background" not in result.stdout
    assert "quota subscribe" in result.stderr


def test_quota_json_subscribe_and_reset(run):
    article_id = seed_id(run)
    run("read", article_id)
    state = json.loads(run("quota", "--json").stdout)
    assert state == {"limit": 5, "period_days": 30, "used": 1, "remaining": 4, "subscribed": False}
    assert json.loads(run("quota", "--json", "subscribe").stdout)["subscribed"] is True
    assert json.loads(run("quota", "--json", "reset").stdout)["used"] == 0
    assert json.loads(run("quota", "--json", "period", "7").stdout)["period_days"] == 7


def test_import_reports_each_bad_file_and_imports_the_rest(run, tmp_path: Path):
    good = make_article_file(tmp_path, "good.txt", "An Imported Story")
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    result = run("import", str(empty), str(tmp_path / "missing.txt"), str(good))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"tui-reader: {empty}: empty file",
        f"tui-reader: {tmp_path / 'missing.txt'}: no such file",
    ]
    assert "imported" in result.stdout
    titles = [a["title"] for a in json.loads(run("list", "--json").stdout)]
    assert "An Imported Story" in titles


@pytest.mark.parametrize(
    ("args", "status", "message"),
    [
        (("read", "ffffffff"), 1, "no article with id"),
        (("read",), 2, "the following arguments are required"),
        (("frobnicate",), 2, "invalid choice"),
        (("quota", "limit", "many"), 2, "invalid int value"),
        (("quota", "limit", "-3"), 1, "the limit must be a whole number from 0 to 100,000"),
        (("quota", "period", "9" * 400), 1, "the period must be a whole number of days"),
    ],
)
def test_user_mistakes_get_one_line_and_no_traceback(run, args, status, message):
    result = run(*args)
    assert result.returncode == status
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_damaged_library_is_set_aside_with_one_line(run, data_dir: Path):
    data_dir.mkdir(parents=True)
    (data_dir / "library.sqlite3").write_bytes(b"garbage" * 1000)
    result = run("list")
    assert result.returncode == 0
    assert result.stderr.count("\n") == 1
    assert "was damaged" in result.stderr and "Traceback" not in result.stderr
    assert "Japan and Canada" in result.stdout
    assert len(list(data_dir.glob("library.sqlite3.damaged-*"))) == 1


def test_a_newer_library_is_refused_and_untouched(run, data_dir: Path):
    import sqlite3

    data_dir.mkdir(parents=True)
    db = sqlite3.connect(data_dir / "library.sqlite3")
    db.execute("PRAGMA user_version = 99")
    db.close()
    before = (data_dir / "library.sqlite3").read_bytes()
    result = run("quota", "reset")
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "newer than this tui-reader knows" in result.stderr
    assert (data_dir / "library.sqlite3").read_bytes() == before


def test_a_data_dir_that_cannot_be_made_is_one_line(run, tmp_path: Path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = run("--data-dir", str(blocker / "library"), "list")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"tui-reader: error: cannot create data directory {blocker / 'library'}: Not a directory"
    )


def test_bad_config_warns_but_runs(run, tmp_path: Path):
    (tmp_path / "config.toml").write_text("[meter]\nlimit = 'lots'\n")
    result = run("quota", "--json")
    assert result.returncode == 0
    assert json.loads(result.stdout)["limit"] == 5
    assert "meter.limit = 'lots'" in result.stderr


def test_a_key_given_to_two_actions_is_one_warning_line(run, tmp_path: Path):
    (tmp_path / "config.toml").write_text('[keys]\nquit = "n"\n')
    result = run("quota", "--json")
    assert result.returncode == 0
    [line] = result.stderr.splitlines()
    assert line.startswith("tui-reader: warning: ") and "keys.quit = 'n' is ignored" in line


def test_data_dir_option_wins_over_environment(run, tmp_path: Path):
    other = tmp_path / "other"
    run("--data-dir", str(other), "quota", "limit", "2")
    assert json.loads(run("--data-dir", str(other), "quota", "--json").stdout)["limit"] == 2
    assert json.loads(run("quota", "--json").stdout)["limit"] == 5


def test_an_ambiguous_id_prefix_says_so(run, tmp_path: Path):
    # Import stories until two ids share their first four hex digits.
    ids: dict[str, str] = {}
    n = 0
    while True:
        n += 1
        path = make_article_file(tmp_path, f"s{n}.txt", f"Story {n}", paragraphs=1)
        from tui_reader.sources.scraped_text import read_article_file

        article_id = read_article_file(path).content_id()
        if article_id[:4] in ids:
            break
        ids[article_id[:4]] = article_id
    run("import", *(str(tmp_path / f"s{i}.txt") for i in range(1, n + 1)))
    result = run("read", article_id[:4])
    assert result.returncode == 1
    assert "matches more than one article" in result.stderr


def test_a_named_config_file_that_is_missing_is_reported(run, tmp_path: Path):
    result = run("--config", str(tmp_path / "typo.toml"), "quota", "--json")
    assert result.returncode == 0
    assert "typo.toml: no such config file; using defaults" in result.stderr
