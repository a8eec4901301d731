"""`list --filter EXPR` and `search ... --filter EXPR`: the filter language on the command line."""

from __future__ import annotations

import json
from pathlib import Path

from tui_reader.sources.scraped_text import parse_text
from tui_reader.sources.seeds import open_library

SEED_TITLE = "Japan and Canada Forge EV Battery Alliance"


def add_stories(data_dir: Path) -> None:
    with open_library(data_dir) as library:
        for title, author, body in (
            ("Lithium Deal Signed", "Aoki", "Zebras and quaggas too."),
            ("Weather", "Bo", "Rain all week."),
        ):
            article = parse_text(f"{title}\n\n{body}")
            article.author = author
            library.add_articles([article])


def titles_of(stdout: str) -> list[str]:
    return [item["title"] for item in json.loads(stdout)]


def test_list_filter_picks_the_articles(run, data_dir: Path):
    add_stories(data_dir)
    result = run("list", "--json", "--filter", 'title =~ "lithium|weather" and not author = "Bo"')
    assert result.returncode == 0, result.stderr
    assert titles_of(result.stdout) == ["Lithium Deal Signed"]
    # With --unread and the plain columns too.
    result = run("list", "--unread", "--filter", 'author # "o"')
    assert [line[55:] for line in result.stdout.splitlines()] == ["Weather", "Lithium Deal Signed"]


def test_list_filter_on_content_indexes_first(run, data_dir: Path):
    add_stories(data_dir)  # stored unindexed, as a refresh leaves them
    result = run("list", "--json", "--filter", 'content # "quagga"')
    assert result.returncode == 0, result.stderr
    assert titles_of(result.stdout) == ["Lithium Deal Signed"]


def test_a_bad_filter_is_one_line_and_exit_2(run, data_dir: Path):
    add_stories(data_dir)
    for command in (["list"], ["search", "lithium"]):
        result = run(*command, "--filter", 'unread = "yes" and title =~')
        assert result.returncode == 2
        assert result.stdout == ""
        assert result.stderr == (
            'tui-reader: error: filter: expected a value after "=~" at column 28\n'
        )


def test_search_filter_keeps_the_matches_it_picks(run, data_dir: Path):
    add_stories(data_dir)
    result = run("search", "lithium", "--json")
    assert set(titles_of(result.stdout)) == {"Lithium Deal Signed", SEED_TITLE}
    result = run(
        "search", "lithium", "--json", "--filter", 'feedtitle != "Bundled seed" or author = "Aoki"'
    )
    assert result.returncode == 0, result.stderr
    assert titles_of(result.stdout) == ["Lithium Deal Signed"]
    result = run("search", "lithium", "--filter", "starred = yes")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "no matches\n")
