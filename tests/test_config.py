"""The config file: good values apply, bad ones warn and fall back."""

from __future__ import annotations

from pathlib import Path

from tui_reader.config import load_config


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


def test_a_key_given_to_two_actions_is_reported(tmp_path: Path):
    config = load_config(write(tmp_path, '[keys]\nquit = "?"\n'))
    assert config.warnings == [
        f"{tmp_path / 'config.toml'}: key 'question_mark' is bound to help and quit;"
        " only one of them will get it"
    ]


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
