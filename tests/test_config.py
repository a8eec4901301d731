"""The config file: good values apply, bad ones warn and fall back."""

from __future__ import annotations

from pathlib import Path

from tui_reader.config import KEY_ACTIONS, load_config


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_missing_file_means_defaults(tmp_path: Path):
    config = load_config(tmp_path / "nope.toml")
    assert config.warnings == []
    assert config.keys_for("next_article") == "J"
    assert config.meter_limit is None


def test_good_values_apply(tmp_path: Path):
    config = load_config(
        write(tmp_path, '[keys]\nnext_article = "ctrl+n, N"\n[meter]\nlimit = 3\nperiod_days = 7\n')
    )
    assert config.warnings == []
    assert config.keys_for("next_article") == "ctrl+n,N"
    assert (config.meter_limit, config.meter_period_days) == (3, 7)


def test_bad_values_warn_in_one_line_and_keep_defaults(tmp_path: Path):
    config = load_config(
        write(
            tmp_path,
            "[keys]\nnext_article = 5\nquit = 'not a key'\nfly = 'f'\n"
            "[meter]\nlimit = -1\nperiod_days = 'soon'\ncolour = 1\n[other]\n",
        )
    )
    assert config.keys_for("next_article") == "J"
    assert config.keys_for("quit") == "q"
    assert config.meter_limit is None and config.meter_period_days is None
    assert len(config.warnings) == 7
    assert all("\n" not in w for w in config.warnings)
    assert any("keys.next_article = 5" in w for w in config.warnings)
    assert any("meter.limit = -1" in w for w in config.warnings)


def test_invalid_toml_warns_and_uses_defaults(tmp_path: Path):
    config = load_config(write(tmp_path, "[keys\nquit = q"))
    assert len(config.warnings) == 1
    assert "invalid TOML" in config.warnings[0]
    assert config.keys_for("quit") == "q"


def test_key_names_are_checked_and_spelled_as_textual_does(tmp_path: Path):
    config = load_config(
        write(tmp_path, '[keys]\nopen = "return"\nhelp = "?,f1"\nlast = "shift+end, G"\n')
    )
    assert config.keys_for("open") == "enter,l,right"  # "return" is no key: default kept
    assert config.keys_for("help") == "question_mark,f1"
    assert config.keys_for("last") == "shift+end,G"
    assert len(config.warnings) == 1 and "keys.open = 'return'" in config.warnings[0]


def test_a_key_given_to_two_actions_keeps_both_defaults_and_says_so(tmp_path: Path):
    # n is next_unread's: quit = "n" once left q dead and n quitting.
    config = load_config(write(tmp_path, '[keys]\nquit = "n"\nzoom = "Z"\n'))
    assert config.keys_for("quit") == "q"
    assert config.keys_for("next_unread") == "n"
    assert config.keys_for("zoom") == "Z"  # a setting that shares nothing stands
    assert config.warnings == [
        f"{tmp_path / 'config.toml'}: keys.quit = 'n' is ignored: key 'n' would belong to"
        " both next_unread and quit, so each keeps its default keys (next_unread: n; quit: q)"
    ]


def test_two_settings_giving_one_key_are_both_ignored_in_one_line(tmp_path: Path):
    config = load_config(write(tmp_path, '[keys]\nzoom = "x,y"\nfull_text = "y,x"\n'))
    assert (config.keys_for("zoom"), config.keys_for("full_text")) == ("z", "f")
    [warning] = config.warnings
    assert warning.endswith(
        "keys.zoom = 'x,y' and keys.full_text = 'y,x' are ignored: keys 'x' and 'y' would"
        " belong to both zoom and full_text, so each keeps its default keys (zoom: z; full_text: f)"
    )


def test_a_setting_that_takes_two_actions_keys_is_named_in_each_line(tmp_path: Path):
    config = load_config(write(tmp_path, '[keys]\nquit = "n,p"\n'))
    assert config.keys_for("quit") == "q"
    assert [w.split(": ", 1)[1] for w in config.warnings] == [
        "keys.quit = 'n,p' is ignored: key 'n' would belong to both next_unread and quit,"
        " so each keeps its default keys (next_unread: n; quit: q)",
        "keys.quit = 'n,p' is ignored: key 'p' would belong to both previous_unread and quit,"
        " so each keeps its default keys (previous_unread: p; quit: q)",
    ]


def test_actions_may_trade_keys(tmp_path: Path):
    config = load_config(write(tmp_path, '[keys]\nquit = "n"\nnext_unread = "q"\n'))
    assert (config.keys_for("quit"), config.keys_for("next_unread")) == ("n", "q")
    assert config.warnings == []


def test_an_ignored_setting_gives_its_default_back_before_anyone_else(tmp_path: Path):
    # next_unread and open_browser clash on x: both go back to n and o; zoom = "n"
    # then clashes with next_unread's n and is ignored too: nothing is left shared.
    config = load_config(
        write(tmp_path, '[keys]\nzoom = "n"\nnext_unread = "x"\nopen_browser = "x"\n')
    )
    assert config.keys == {}
    assert len(config.warnings) == 2
    assert "key 'x' would belong to both next_unread and open_browser" in config.warnings[0]
    assert "keys.zoom = 'n' is ignored" in config.warnings[1]


def test_the_default_keys_are_each_one_actions():
    keys = [key for action in KEY_ACTIONS for key in action.keys.split(",")]
    assert len(keys) == len(set(keys))


def test_out_of_range_meter_values_fall_back(tmp_path: Path):
    config = load_config(write(tmp_path, f"[meter]\nperiod_days = {10**30}\nlimit = 100001\n"))
    assert (config.meter_limit, config.meter_period_days) == (None, None)
    assert len(config.warnings) == 2


def test_a_missing_file_is_reported_only_when_named(tmp_path: Path):
    assert load_config(tmp_path / "nope.toml").warnings == []
    [warning] = load_config(tmp_path / "nope.toml", explicit=True).warnings
    assert warning.endswith("nope.toml: no such config file; using defaults")


def test_full_text_feeds_are_read_and_a_bad_value_warns(tmp_path: Path):
    url = "https://example.com/feed.xml"
    config = load_config(write(tmp_path, f'[feeds]\nfull_text = [" {url} "]\n'))
    assert config.warnings == [] and config.full_text_feeds == {url}
    config = load_config(write(tmp_path, '[feeds]\nfull_text = "yes"\nspeed = 1\n'))
    assert config.full_text_feeds == frozenset()
    assert [w.split(": ", 1)[1] for w in config.warnings] == [
        "feeds.full_text must be a list of feed URLs; no full text fetched",
        "unknown setting feeds.speed; ignored",
    ]


def test_reader_text_width_is_read_and_checked(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("[reader]\ntext_width = 64\n")
    assert load_config(path).text_width == 64
    path.write_text("[reader]\ntext_width = 0\n")
    assert load_config(path).text_width == 0  # the pane's width
    for bad in ("5", "-1", '"wide"', "true", "100000"):
        path.write_text(f"[reader]\ntext_width = {bad}\n")
        config = load_config(path)
        assert config.text_width == 80
        assert len(config.warnings) == 1 and "reader.text_width" in config.warnings[0]
    path.write_text("[reader]\nwidth = 3\n")
    assert "unknown setting reader.width" in load_config(path).warnings[0]
