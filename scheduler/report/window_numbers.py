"""Which numbered window (1号窗 …) each person sits at, slot by slot: what the queue machine is set up with.

The roster says how many people work each counter type in a slot; the queue machine numbers the physical
windows (:meth:`~constraints.config.BranchConfig.window_numbers`: ``[counters.<counter>] windows``, by default
1… 高柜 → 低柜 → 对公). :func:`assign_windows` seats people greedily through the day so that a person keeps a
window while they stay at the counter, goes back to the same window after lunch when it is free, and otherwise
takes the lowest free number — the windows a branch opens first. A slot with more people at a counter than it
has windows (an edited roster) leaves the extra people without a number (0).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from constraints.calendar import Day
from constraints.config import COUNTER_TYPES, fmt_hhmm
from constraints.i18n import tr

NO_WINDOW = 0
"""Grid value of a slot not at a counter, or at a counter with no window left."""


def assign_windows(grid: np.ndarray, numbers: Mapping[str, Sequence[int]]) -> np.ndarray:
    """People × slots window numbers for one day's activity grid (``Roster.grid``); :data:`NO_WINDOW` elsewhere.

    Per counter and slot: people already at that counter keep their window; then people returning to the
    counter take their last window of the day when free; then the rest take the lowest free numbers in
    ``numbers`` order (people in row order).
    """
    people, slots = grid.shape if grid.ndim == 2 else (0, 0)
    out = np.full((people, slots), NO_WINDOW, dtype=int)
    last: dict[tuple[int, str], int] = {}  # (person, counter) → their last window at that counter
    for s in range(slots):
        for counter in COUNTER_TYPES:
            here = [p for p in range(people) if grid[p, s] == counter]
            if not here:
                continue
            free = list(numbers.get(counter, ()))
            seated: dict[int, int] = {}
            staying = [p for p in here if s > 0 and grid[p, s - 1] == counter and out[p, s - 1] in free]
            returning = [p for p in here if p not in staying and last.get((p, counter)) in free]
            for group in (staying, returning):
                for p in group:
                    n = out[p, s - 1] if group is staying else last[(p, counter)]
                    if n in free:
                        seated[p] = int(n)
                        free.remove(n)
            for p in here:
                if p not in seated and free:
                    seated[p] = free.pop(0)
            for p, n in seated.items():
                out[p, s] = n
                last[(p, counter)] = n
    return out


@dataclass(frozen=True)
class Seat:
    """One person at one window from ``start`` to ``end`` (minutes after midnight)."""

    window: int
    start: int
    end: int


def seats(row: np.ndarray, day: Day) -> list[Seat]:
    """A person's windows of the day in time order, one :class:`Seat` per run of slots at the same window
    (lunch between two runs at one window makes two seats)."""
    out: list[Seat] = []
    s, n = 0, len(row)
    while s < n:
        w = int(row[s])
        e = s
        while e + 1 < n and int(row[e + 1]) == w:
            e += 1
        if w != NO_WINDOW:
            out.append(Seat(w, day.slot_starts[s], day.slot_starts[e] + day.slot_minutes))
        s = e + 1
    return out


def seats_text(seated: Sequence[Seat], lang: str) -> str:
    """``1号窗`` when one window all day; ``1号窗 → 5号 13:30`` when it changes (the time of each move)."""
    if not seated:
        return ""
    parts = [tr(f"{seated[0].window}号窗", f"W{seated[0].window}", lang)]
    for prev, seat in itertools.pairwise(seated):
        if seat.window != prev.window:
            parts.append(
                tr(f"{seat.window}号 {fmt_hhmm(seat.start)}", f"W{seat.window} {fmt_hhmm(seat.start)}", lang)
            )
    return " → ".join(parts)


__all__ = ["NO_WINDOW", "Seat", "assign_windows", "seats", "seats_text"]
