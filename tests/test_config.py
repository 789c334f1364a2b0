"""Tests of constraints.config: branch.toml into frozen models, every key defaulted, one sentence per error."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from constraints.config import RULE_NAMES, BranchConfig, TimeRange, load_config
from constraints.errors import InputError


def test_example_config_loads_as_it_stands(examples: Path) -> None:
    """The shared example branch.toml is accepted and its values read."""
    c = load_config(examples / "branch.toml")
    assert c.branch.name == "示例支行"
    assert c.hours.workday == TimeRange.parse("09:00-17:00")
    assert c.hours.holiday is None
    assert c.windows == {"high_counter": 4, "low_counter": 2, "corporate_counter": 1}
    assert c.counter_of("对公业务") == "corporate_counter"
    assert c.counter_of("外汇") == "high_counter"
    assert c.rules.noon_two_at_high_counter.window == TimeRange.parse("11:30-13:30")
    assert c.rules.permission_holder.require == "any"
    assert c.counters == {} and c.counter_serves(
        "corporate_counter", 5, "weekend"
    )  # every counter, every day


def test_empty_file_takes_every_default(tmp_path: Path) -> None:
    """An empty branch.toml equals the defaults."""
    p = tmp_path / "b.toml"
    p.write_text("")
    c = load_config(p)
    assert c.model_dump(exclude={"base_dir"}) == BranchConfig().model_dump(exclude={"base_dir"})


def test_config_is_frozen() -> None:
    """Problem data cannot be mutated; a what-if is a copy."""
    c = BranchConfig()
    with pytest.raises(ValidationError):
        c.grid = c.grid  # type: ignore[misc]
    d = c.copy_with(**{"windows": {"high_counter": 5}, "rules.noon_two_at_high_counter.count": 3})
    assert d.windows["high_counter"] == 5 and d.windows["low_counter"] == 2
    assert d.rules.noon_two_at_high_counter.count == 3
    assert c.windows["high_counter"] == 4


@pytest.mark.parametrize(
    ("text", "column", "words"),
    [
        ('[hours]\nworkday = "17:00-09:00"', "hours.workday", "不晚于"),
        ("[windows]\nvip_counter = 2", "windows", "vip_counter"),
        ('[services]\n"外汇" = "fx_counter"', "services", "fx_counter"),
        ("[grid]\nslot_minutes = 7", "grid.slot_minutes", "整除 60"),
        ("[rules.no_such_rule]\ncount = 1", "rules.no_such_rule", "unknown rule name"),
        ('[rules.permission_holder]\nauthorities = ["king"]', "rules.permission_holder.authorities", "king"),
        ('[lunch]\nwindow = "11:00-11:30"\nminutes = 60', "lunch", "does not fit"),
        (
            '[counters.corporate_counter]\ndays = ["mon", "someday"]',
            "counters.corporate_counter.days",
            "someday",
        ),
        ('[counters.vip_counter]\ndays = ["mon"]', "counters", "vip_counter"),
        ('[counters.corporate_counter]\nopen = ["mon"]', "counters.corporate_counter.open", "unknown key"),
        (
            '[lunch]\nwindow = "06:00-07:30"',
            "lunch.window",
            "leaves no room for a 60-min lunch within the workday",
        ),
        ('[lunch]\nwindow = "17:00-18:30"', "lunch.window", "nobody could work over 6 h"),
        ('[hours]\nweekend = "13:00-20:00"', "lunch.window", "weekend staff day 12:30–20:30"),
    ],
)
def test_bad_values_name_key_and_value(tmp_path: Path, text: str, column: str, words: str) -> None:
    """Each bad value is one InputError naming the file and the key."""
    p = tmp_path / "branch.toml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as ei:
        load_config(p)
    e = ei.value
    assert e.file == str(p)
    assert e.column == column
    assert words in e.describe()


def test_toml_syntax_error_names_line(tmp_path: Path) -> None:
    """A TOML syntax error reports its line."""
    p = tmp_path / "branch.toml"
    p.write_text('[branch]\nname = "x"\n[hours\n', encoding="utf-8")
    with pytest.raises(InputError) as ei:
        load_config(p)
    assert ei.value.row == 3


def test_rule_names_are_the_registry_sections() -> None:
    """The config knows every rule by its registry name."""
    assert "noon_two_at_high_counter" in RULE_NAMES and "lobby_manager" in RULE_NAMES


@pytest.mark.parametrize(
    ("days", "serves"),
    [
        (
            ["workday", "makeup_workday"],
            {(0, "workday"): True, (5, "weekend"): False, (5, "makeup_workday"): True},
        ),
        (["周一", "周三", "sat"], {(0, "workday"): True, (1, "workday"): False, (5, "weekend"): True}),
        (["weekend", "节假日"], {(0, "workday"): False, (6, "weekend"): True, (2, "holiday"): True}),
    ],
)
def test_counter_service_calendar(
    tmp_path: Path, days: list[str], serves: dict[tuple[int, str], bool]
) -> None:
    """[counters.<counter>] days lists weekdays and day types (English or Chinese); a counter serves on a day
    whose weekday or day type is listed, the other counters every day."""
    p = tmp_path / "branch.toml"
    p.write_text(f"[counters.corporate_counter]\ndays = {days!r}".replace("'", '"'), encoding="utf-8")
    c = load_config(p)
    for (weekday, day_type), expected in serves.items():
        assert c.counter_serves("corporate_counter", weekday, day_type) is expected
        assert c.counter_serves("low_counter", weekday, day_type)
