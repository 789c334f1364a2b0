"""The tiny branches of tests/factories.py are what its docstring says they are."""

from __future__ import annotations

from factories import MONDAY, SATURDAY, TINY_STAFF, TINY_WEEK_STAFF, tiny_config, tiny_problem


def test_tiny_config_has_the_documented_windows_slots_and_lunch() -> None:
    """Two high-counter windows, one low, no corporate; 30-minute slots, 18 on a workday and 15 on a weekend
    day; lunch 60 min within 11:00–13:30."""
    cfg = tiny_config()
    assert dict(cfg.windows) == {"high_counter": 2, "low_counter": 1, "corporate_counter": 0}
    monday, saturday = tiny_problem([MONDAY, SATURDAY]).days
    assert (monday.slot_minutes, len(monday.slot_starts), len(saturday.slot_starts)) == (30, 18, 15)
    assert (monday.slot_starts[0], saturday.slot_starts[0]) == (8 * 60 + 30, 9 * 60)
    assert (cfg.lunch.minutes, cfg.lunch.window.start, cfg.lunch.window.end) == (60, 11 * 60, 13 * 60 + 30)


def test_tiny_staff_are_the_documented_six_and_nine() -> None:
    """Six people for a day; the week's nine: four for the lobby, four holding branch or operations authority,
    five for the high counter."""
    assert len(TINY_STAFF) == 6 and len(TINY_WEEK_STAFF) == 9
    week = list(TINY_WEEK_STAFF)
    assert sum(p.can("lobby") for p in week) == 4
    assert sum(p.holds("branch") or p.holds("operations") for p in week) == 4
    assert sum(p.can("high_counter") for p in week) == 5
