"""Window numbers: a person keeps a window while at the counter, returns to it after lunch, never shares one."""

from __future__ import annotations

import factories as f
import numpy as np
import pytest

from constraints.config import BranchConfig, load_config
from constraints.errors import InputError
from scheduler.app.intraday_files import window_ids
from scheduler.report.window_numbers import NO_WINDOW, Seat, assign_windows, seats, seats_text

H, L, B, X = "high_counter", "low_counter", "break", ""
NUMBERS = {"high_counter": (1, 2), "low_counter": (5,), "corporate_counter": ()}


def test_stays_at_a_window_and_returns_to_it_after_lunch() -> None:
    """C opens window 1; D joins at 2; C lunches (D keeps 2) and comes back to 1, not to the lowest free."""
    grid = np.array(
        [
            [H, H, B, H, H],  # C
            [X, H, H, H, H],  # D
        ],
        dtype=object,
    )
    got = assign_windows(grid, NUMBERS)
    assert got.tolist() == [[1, 1, 0, 1, 1], [0, 2, 2, 2, 2]]


def test_never_two_people_at_one_window_and_extra_people_get_none() -> None:
    """Three at a two-window counter (an edited roster): two numbers, the third none; counters keep their own."""
    grid = np.array([[H, H], [H, L], [H, H]], dtype=object)
    got = assign_windows(grid, NUMBERS)
    assert sorted(got[:, 0].tolist()) == [0, 1, 2]
    assert got[1, 1] == 5
    for s in range(2):
        taken = [w for w in got[:, s] if w != NO_WINDOW]
        assert len(taken) == len(set(taken))


def test_seats_and_their_text() -> None:
    """A row of window numbers becomes seats; one window all day reads 1号窗, a move names its time."""
    day = f.days_of(f.tiny_config(), [f.MONDAY])[0]  # 30-minute slots from 08:30
    row = np.array([0, 1, 1, 0, 5, 5] + [0] * (len(day.slot_starts) - 6))
    got = seats(row, day)
    assert got == [Seat(1, 540, 600), Seat(5, 630, 690)]
    assert seats_text(got, "zh") == "1号窗 → 5号 10:30"
    assert seats_text(got[:1], "zh") == "1号窗"
    assert seats_text([], "zh") == ""


def test_window_numbers_default_and_configured() -> None:
    """Default 1–4 高柜, 5–6 低柜, 7 对公; ``[counters.low_counter] windows`` renumbers one counter, the rest
    take the lowest numbers left; a list longer than the windows is cut."""
    assert BranchConfig().window_numbers() == {
        "high_counter": (1, 2, 3, 4),
        "low_counter": (5, 6),
        "corporate_counter": (7,),
    }
    cfg = BranchConfig().copy_with(counters={"low_counter": {"windows": [9, 8, 10]}})
    assert cfg.window_numbers()["low_counter"] == (9, 8)
    assert cfg.window_numbers()["corporate_counter"] == (5,)


def test_a_window_number_used_twice_is_named(tmp_path) -> None:
    """Two counters claiming window 1 is one clear InputError naming the file and the counter."""
    path = tmp_path / "branch.toml"
    path.write_text(
        "[counters.high_counter]\nwindows = [1, 2, 3, 4]\n[counters.low_counter]\nwindows = [1, 6]\n"
    )
    with pytest.raises(InputError) as err:
        load_config(path)
    assert "窗口号 1" in str(err.value) and "branch.toml" in str(err.value)


def test_paiban_now_names_windows_as_the_day_sheets_when_tickets_name_none() -> None:
    """Early in the day no ticket has named a 低柜 window yet: `paiban now` takes the config's numbers (5, 6);
    a counter whose tickets name windows keeps those names."""
    tickets = f.tickets_of(f.MONDAY, 5).assign(window="12")
    got = window_ids(tickets, BranchConfig())
    assert got["high_counter"] == ("12",)
    assert got["low_counter"] == ("5", "6")
