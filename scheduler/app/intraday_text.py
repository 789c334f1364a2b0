"""Intraday advice in words and as JSON: for a person standing in the lobby, a screen or a messaging bot.

Chinese first, English with ``lang="en"``. One line per move, e.g. ``10:15 起 王丽 从后台到高柜 3 号窗口, 11:15
可回后台 (预计高柜排队 14 人, 平均等候由 23 分钟降到 9 分钟)``; the JSON has one advice item per person moved,
``{time, until, staff_id, name, from, to, reason, wait_before_min, wait_after_min, kind, counter, window}``, where
``from``/``to`` are activities of roster.csv.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from constraints.config import fmt_hhmm
from constraints.i18n import ACTIVITY_LABELS, label, language, tr
from scheduler.app.intraday import Advice, Assignment, Move, Today

PATH_STEP_MINUTES = 15
"""The queue path is shown at this step (the slot boundaries)."""


def _act(activity: str, lang: str | None) -> str:
    text = label(ACTIVITY_LABELS, activity, lang)
    return text.lower() if (lang or language()) == "en" else text


def _mins(x: float) -> str:
    return f"{x:.0f}" if x >= 10 else f"{x:.1f}"


def _queue_reason(move: Move, lang: str | None) -> str:
    """``预计高柜排队 14 人, 平均等候由 23 分钟降到 9 分钟``."""
    c = _act(move.counter, lang)
    return tr(
        f"预计{c}排队 {move.queue_peak:.0f} 人, 平均等候由 {_mins(move.wait_before)} 分钟降到 "
        f"{_mins(move.wait_after)} 分钟",
        f"{c} queue expected to reach {move.queue_peak:.0f}, mean wait from {_mins(move.wait_before)} to "
        f"{_mins(move.wait_after)} min",
        lang,
    )


def _window(move: Move, lang: str | None) -> str:
    c = _act(move.counter, lang)
    if not move.window:
        return c
    return tr(f"{c} {move.window} 号窗口", f"{c} window {move.window}", lang)


def move_text(today: Today, move: Move, lang: str | None = None) -> str:
    """One move in words (see the module doc)."""
    name = today.name
    start, end = fmt_hhmm(move.start), fmt_hhmm(move.end)
    if move.kind == "open_window":
        (a,) = move.assignments
        return tr(
            f"{start} 起 {name(a.staff_id)} 从{_act(a.from_activity, lang)}到{_window(move, lang)}, {end} 可回"
            f"{_act(a.from_activity, lang)} ({_queue_reason(move, lang)})",
            f"from {start} {name(a.staff_id)} moves from {_act(a.from_activity, lang)} to {_window(move, lang)} "
            f"until {end} ({_queue_reason(move, lang)})",
            lang,
        )
    backup, manager = move.assignments
    if move.kind == "cover_lobby":
        return tr(
            f"{start} 起 后备大堂经理 {name(backup.staff_id)} 从{_act(backup.from_activity, lang)}到大堂接班, "
            f"{name(manager.staff_id)} 从大堂到{_window(move, lang)}; {end} 各回原岗 ({_queue_reason(move, lang)})",
            f"from {start} backup lobby manager {name(backup.staff_id)} takes the floor (from "
            f"{_act(backup.from_activity, lang)}) and {name(manager.staff_id)} opens {_window(move, lang)}; back "
            f"at {end} ({_queue_reason(move, lang)})",
            lang,
        )
    why = move.note or tr("临时离开", "called away", lang)
    return tr(
        f"{start} 后备大堂经理 {name(backup.staff_id)} 接班 (大堂经理{why}), {end} 交回 {name(manager.staff_id)}",
        f"{start} backup lobby manager {name(backup.staff_id)} takes over (the lobby manager: {why}), hands back "
        f"to {name(manager.staff_id)} at {end}",
        lang,
    )


def _item_reason(advice: Advice, move: Move, a: Assignment, lang: str | None) -> str:
    """The reason on one person's advice item."""
    if move.kind == "lobby_away":
        why = move.note or tr("临时离开", "called away", lang)
        return tr(f"大堂经理{why}", f"the lobby manager: {why}", lang) if a.to_activity == "lobby" else why
    if move.kind == "cover_lobby" and a.to_activity == "lobby":
        other = advice.today.name(move.assignments[1].staff_id)
        return tr(
            f"后备大堂经理接班, {other} 去{_window(move, lang)}", f"backup on the floor while {other} opens "
            f"{_window(move, lang)}", lang
        )  # fmt: skip
    return _queue_reason(move, lang)


def advice_items(advice: Advice, lang: str | None = None) -> list[dict[str, Any]]:
    """One JSON item per person moved, in the order of the moves."""
    out = []
    for move in advice.moves:
        for a in move.assignments:
            out.append(
                {
                    "time": fmt_hhmm(a.start),
                    "until": fmt_hhmm(a.end),
                    "staff_id": a.staff_id,
                    "name": advice.today.name(a.staff_id),
                    "from": a.from_activity,
                    "to": a.to_activity,
                    "reason": _item_reason(advice, move, a, lang),
                    "wait_before_min": round(float(move.wait_before), 1),
                    "wait_after_min": round(float(move.wait_after), 1),
                    "kind": move.kind,
                    "counter": move.counter or None,
                    "window": move.window or None,
                }
            )
    return out


def path_points(advice: Advice) -> list[int]:
    """Indexes of the path's times shown: slot boundaries within the horizon."""
    limit = advice.path_times[0] + 60 if advice.path_times else 0
    last = max((t for t in advice.path_times if t <= limit), default=0)
    return [
        i for i, t in enumerate(advice.path_times) if t <= limit and (t % PATH_STEP_MINUTES == 0 or t == last)
    ]


def advice_dict(advice: Advice, lang: str | None = None) -> dict[str, Any]:
    """The JSON document: at, queue, in_service, open_windows, rest_of_day, path, advice, notes."""
    stamp = dt.datetime.combine(advice.today.day.date, dt.time()) + dt.timedelta(minutes=advice.at)
    counters = list(advice.path_before)
    shown = path_points(advice)
    return {
        "at": stamp.strftime("%Y-%m-%d %H:%M"),
        "queue": {c: advice.queue[c].waiting for c in counters},
        "in_service": {c: advice.queue[c].in_service for c in counters},
        "open_windows": {c: advice.queue[c].open_windows for c in counters},
        "rest_of_day": {
            c: {
                "before": round(lv.rest_before, 1),
                "after": round(lv.rest_after, 1),
                "level": round(lv.multiplier, 3),
                "arrived": round(lv.observed_so_far, 1),
                "expected_so_far": round(lv.expected_so_far, 1),
            }
            for c, lv in advice.reforecast.levels.items()
        },
        "path": {
            "times": [fmt_hhmm(advice.path_times[i]) for i in shown],
            **{
                c: {
                    "roster": [round(float(advice.path_before[c][i]), 1) for i in shown],
                    "advice": [round(float(advice.path_after[c][i]), 1) for i in shown],
                }
                for c in counters
            },
        },
        "advice": advice_items(advice, lang),
        "notes": [tr(zh, en, lang) for zh, en in advice.notes],
    }


def advice_lines(advice: Advice, lang: str | None = None) -> list[str]:
    """The advice for a person standing in the lobby: queue now, rest of day, the next hour, the moves."""
    when = fmt_hhmm(advice.at)
    counters = list(advice.path_before)
    parts = [
        tr(
            f"{_act(c, lang)} 等候 {q.waiting} 人, 办理中 {q.in_service} 人, 开 {q.open_windows} 窗",
            f"{_act(c, lang)} {q.waiting} waiting, {q.in_service} being served, {q.open_windows} "
            f"window{'' if q.open_windows == 1 else 's'}",
            lang,
        )
        for c in counters
        for q in (advice.queue[c],)
    ]
    lines = [
        tr(f"{advice.today.day.date} {when} 排队: ", f"{advice.today.day.date} {when} queue: ", lang)
        + "; ".join(parts)
    ]
    rest = [
        tr(
            f"{_act(c, lang)} {lv.rest_before:.0f} → {lv.rest_after:.0f} 人 (今日水平 ×{lv.multiplier:.2f})",
            f"{_act(c, lang)} {lv.rest_before:.0f} → {lv.rest_after:.0f} (today's level ×{lv.multiplier:.2f})",
            lang,
        )
        for c, lv in advice.reforecast.levels.items()
    ]
    lines.append(tr("今日余下客流预计: ", "Rest of today, forecast → updated: ", lang) + "; ".join(rest))
    shown = path_points(advice)
    times = ", ".join(fmt_hhmm(advice.path_times[i]) for i in shown)
    lines.append(
        tr(
            f"未来一小时预计排队人数 ({times}), 按排班 → 按建议:",
            f"Expected queue ({times}), roster → advice:",
            lang,
        )
    )
    for c in counters:
        before = " ".join(f"{advice.path_before[c][i]:.0f}" for i in shown)
        after = " ".join(f"{advice.path_after[c][i]:.0f}" for i in shown)
        lines.append(f"  {_act(c, lang)}: {before} → {after}")
    if advice.moves:
        lines.append(tr("建议:", "Advice:", lang))
        lines += [f"  {k}. {move_text(advice.today, m, lang)}" for k, m in enumerate(advice.moves, start=1)]
    else:
        worst = max((float(np.max(p, initial=0.0)) for p in advice.path_before.values()), default=0.0)
        lines.append(
            tr(
                f"暂无调整建议 (按排班, 未来一小时各柜台预计排队最多 {worst:.0f} 人)",
                f"No change advised (with the roster, at most {worst:.0f} expected waiting at any counter)",
                lang,
            )
        )
    lines += [tr(zh, en, lang) for zh, en in advice.notes]
    return lines
