"""A good ``paiban plan`` run to spoil: the folder later runs (failed, interrupted, mistyped) must leave as it was.

The session fixture ``good_plan`` (tests/conftest.py) builds it once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from scheduler.sample.generator import SampleBranch


@dataclass(frozen=True)
class GoodPlan:
    """A small sample branch and a folder holding the outputs of a good ``paiban plan`` run of its week."""

    sample: SampleBranch
    out: Path

    def plan_args(self, out: Path, time_limit: str = "5", *extra: str) -> list[str]:
        """``paiban plan`` of the sample's week into ``out``."""
        s = self.sample
        return [
            "plan",
            *("--tickets", str(s.tickets), "--staff", str(s.staff), "--config", str(s.config)),
            *("--leave", str(s.leave), "--week", s.plan_week.isoformat(), "--out", str(out)),
            *("--time-limit", time_limit, "--replications", "1", *extra),
        ]


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file in ``folder`` (hidden ones too) with its bytes and modification time."""
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}
