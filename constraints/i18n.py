"""Bilingual labels: Chinese first, English available.

The language is chosen once per run (``--lang`` on the CLI, ``set_language`` in a notebook, or the
``PAIBAN_LANG`` environment variable); :func:`tr` picks the text to show.
"""

from __future__ import annotations

import os
from typing import Literal

Lang = Literal["zh", "en"]

_current: Lang = "en" if os.environ.get("PAIBAN_LANG", "zh").lower().startswith("en") else "zh"


def set_language(lang: str) -> None:
    """Select the language of every label and message shown from now on."""
    global _current
    if lang not in ("zh", "en"):
        raise ValueError(f"language must be 'zh' or 'en', not {lang!r}")
    _current = lang  # type: ignore[assignment]


def language() -> Lang:
    """The language in force."""
    return _current


def tr(zh: str, en: str, lang: str | None = None) -> str:
    """The Chinese or English text, by the given or the current language."""
    return en if (lang or _current) == "en" else zh


ACTIVITY_LABELS: dict[str, tuple[str, str]] = {
    "high_counter": ("高柜", "High counter"),
    "low_counter": ("低柜", "Low counter"),
    "corporate_counter": ("对公", "Corporate counter"),
    "lobby": ("大堂", "Lobby"),
    "back_office": ("后台", "Back office"),
    "outreach": ("营销外拓", "Outreach"),
    "talk": ("谈话", "Talk"),
    "meeting": ("晨会", "Meeting"),
    "break": ("午餐", "Lunch"),
}

DAY_TYPE_LABELS: dict[str, tuple[str, str]] = {
    "workday": ("工作日", "Workday"),
    "weekend": ("周末", "Weekend"),
    "holiday": ("节假日", "Holiday"),
    "makeup_workday": ("调休", "Make-up workday"),
    "closed": ("休业", "Closed"),
}

HOLIDAY_LABELS: dict[str, tuple[str, str]] = {
    "New Year's Day": ("元旦", "New Year's Day"),
    "Spring Festival": ("春节", "Spring Festival"),
    "Tomb-sweeping Day": ("清明节", "Qingming"),
    "Labour Day": ("劳动节", "Labour Day"),
    "Dragon Boat Festival": ("端午节", "Dragon Boat Festival"),
    "National Day": ("国庆节", "National Day"),
    "Mid-autumn Festival": ("中秋节", "Mid-Autumn Festival"),
    "Anti-Fascist 70th Day": ("抗战胜利纪念日", "Victory Day"),
}
"""Statutory holidays by chinesecalendar's names (:func:`constraints.calendar.holiday_name`)."""

STATUS_LABELS: dict[str, tuple[str, str]] = {
    "OPTIMAL": ("最优", "optimal"),
    "FEASIBLE": ("可行", "feasible"),
    "INFEASIBLE": ("不可行", "infeasible"),
    "UNKNOWN": ("未求得", "unknown"),
    "MODEL_INVALID": ("模型无效", "model invalid"),
}
"""Solver statuses as a person reads them (summary.json keeps the ids)."""

WEEKDAY_LABELS: list[tuple[str, str]] = [
    ("周一", "Mon"),
    ("周二", "Tue"),
    ("周三", "Wed"),
    ("周四", "Thu"),
    ("周五", "Fri"),
    ("周六", "Sat"),
    ("周日", "Sun"),
]


def label(table: dict[str, tuple[str, str]], key: str, lang: str | None = None) -> str:
    """Look a key up in one of the label tables, falling back to the key itself."""
    pair = table.get(key)
    return tr(pair[0], pair[1], lang) if pair else key


def weekday_label(weekday: int, lang: str | None = None) -> str:
    """周一…周日 (or Mon…Sun) for Python's weekday number 0…6."""
    zh, en = WEEKDAY_LABELS[weekday]
    return tr(zh, en, lang)
