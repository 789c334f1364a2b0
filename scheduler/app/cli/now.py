"""``paiban now``: the lobby manager's live advice from today's queue export and the week's roster.

Thin: read the files (:func:`scheduler.app.intraday_files.load_today`), advise
(:func:`scheduler.app.intraday.advise`), print the advice in words (:func:`scheduler.app.intraday_text.advice_lines`)
or as JSON (``--json``, :func:`scheduler.app.intraday_text.advice_dict`). ``--watch N`` re-reads the export every
N minutes and prints only what changed (moves already begun count as followed); with ``--at`` the clock it
advises for advances N minutes a round, else it is the wall clock; Ctrl-C ends it with exit status 130 (SIGTERM
143), whatever was logged staying logged.
``--log`` appends the advised lobby handovers to lobby_log.csv beside the roster, which the workbook's
大堂经理工作日志 lists. ``--lobby-away M`` says the lobby manager is called away for M minutes (a complaint).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from constraints.config import fmt_hhmm
from constraints.errors import InputError
from constraints.i18n import tr
from scheduler.app.cli.app import app
from scheduler.app.cli.guard import Interrupted
from scheduler.app.intraday import Advice, LobbyAway, Move, Today, advise
from scheduler.app.intraday_files import load_today, log_moves, reload_tickets
from scheduler.app.intraday_text import advice_dict, advice_items, advice_lines, move_text


@app.command("now")
def now_command(
    tickets: Annotated[
        list[Path], typer.Option("--tickets", help="今天的排队机导出 (today's ticket export)")
    ],
    roster: Annotated[Path, typer.Option("--roster", help="本周排班 roster.csv 或 roster.xlsx")],
    config: Annotated[Path, typer.Option("--config", help="网点配置 branch.toml")],
    staff: Annotated[Path, typer.Option("--staff", help="员工名单 staff.csv")],
    at: Annotated[str | None, typer.Option("--at", help="时刻 HH:MM (默认: 现在)")] = None,
    history: Annotated[
        list[Path] | None, typer.Option("--history", help="取号历史, 用于预测 (ticket history; repeatable)")
    ] = None,
    leave: Annotated[Path | None, typer.Option("--leave", help="请假 leave.csv")] = None,
    events: Annotated[Path | None, typer.Option("--events", help="活动 events.csv")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON (for a screen or a bot)")] = False,
    watch: Annotated[
        float | None, typer.Option("--watch", help="每 N 分钟重读一次, 只显示变化 (re-read every N minutes)")
    ] = None,
    log: Annotated[bool, typer.Option("--log", help="把大堂交接记入 lobby_log.csv (log handovers)")] = False,
    lobby_away: Annotated[
        int | None,
        typer.Option("--lobby-away", help="大堂经理临时离开的分钟数 (lobby manager away, minutes)"),
    ] = None,
    lobby_reason: Annotated[
        str, typer.Option("--lobby-reason", help="离开的原因, 如 处理投诉 (why)")
    ] = "处理投诉",
) -> None:
    """现场调配建议 (live advice: the queue now, the next hour, who should move where)."""
    if watch is not None and not watch > 0:
        raise InputError("--watch 应为正数分钟 (minutes > 0)", argument="--watch", value=watch)
    if lobby_away is not None and lobby_away <= 0:
        raise InputError("--lobby-away 应为正数分钟 (minutes > 0)", argument="--lobby-away", value=lobby_away)
    today, tk, minute = load_today(
        tickets, roster, config, staff, history=history or (), leave=leave, events=events, at=at
    )
    away = LobbyAway(lobby_away, lobby_reason) if lobby_away else None
    advice = advise(today, tk, minute, lobby_away=away)
    _show(advice, as_json)
    if log:
        _log(today, advice.moves, roster, as_json)
    if watch is None:
        return
    try:
        _watch(today, tickets, roster, advice, watch, clock=minute if at is not None else None, as_json=as_json,
               log=log)  # fmt: skip
    except (KeyboardInterrupt, Interrupted) as exc:  # Ctrl-C (SIGTERM: 143) between two rounds: a clean stop
        print(tr("已停止 (stopped)", "stopped"), file=sys.stderr)
        raise typer.Exit(exc.exit_status if isinstance(exc, Interrupted) else 130) from None


def _show(advice: Advice, as_json: bool) -> None:
    if as_json:
        print(json.dumps(advice_dict(advice), ensure_ascii=False))
    else:
        print("\n".join(advice_lines(advice)))
    sys.stdout.flush()


def _log(today: Today, moves: tuple[Move, ...], roster: Path, as_json: bool) -> None:
    path, added = log_moves(today, moves, roster)
    if added and not as_json:
        print(tr(f"已记入大堂交接 {added} 条: {path}", f"logged {added} lobby handovers to {path}"))


def _key(item: dict[str, Any]) -> tuple[str, ...]:
    return tuple(str(item[k]) for k in ("kind", "staff_id", "from", "to", "time", "until"))


def _watch(
    today: Today,
    tickets: list[Path],
    roster: Path,
    first: Advice,
    minutes: float,
    *,
    clock: int | None,
    as_json: bool,
    log: bool,
) -> None:
    """Re-read and re-advise every ``minutes``; print only the advice that changed."""
    oh = today.day.open_hours
    assert oh is not None
    shown = {_key(i): i for i in advice_items(first)}
    followed = [m for m in first.moves if m.start <= first.at]
    pending = [m for m in first.moves if m.start > first.at]
    while True:
        time.sleep(minutes * 60)
        at = clock + round(minutes) if clock is not None else _wall_minute()
        clock = at if clock is not None else None
        if at >= oh.end:
            print(tr("已过营业时间, 停止 (closed: stopping)", "closing time: stopping"))
            return
        followed += [m for m in pending if m.start <= at]
        advice = advise(today, reload_tickets(today, tickets), at, followed=followed)
        pending = [m for m in advice.moves if m.start > at]
        followed += [m for m in advice.moves if m.start <= at]
        items = {_key(i): i for i in advice_items(advice)}
        if items.keys() == shown.keys():
            continue
        if as_json:
            print(json.dumps(advice_dict(advice), ensure_ascii=False))
        else:
            print(advice_lines(advice)[0])
            for move in advice.moves:
                if any(_key(i) not in shown for i in advice_items(advice) if i["staff_id"] in _ids(move)):
                    print(f"  + {move_text(today, move)}")
            for key, item in shown.items():
                if key not in items and key[4] > fmt_hhmm(at):
                    print(tr(f"  − 取消: {item['time']} {item['name']} 到{item['to']}",
                             f"  − withdrawn: {item['time']} {item['name']} to {item['to']}"))  # fmt: skip
        sys.stdout.flush()
        shown = items
        if log:
            _log(today, advice.moves, roster, as_json)


def _ids(move: Move) -> set[str]:
    return {a.staff_id for a in move.assignments}


def _wall_minute() -> int:
    now = time.localtime()
    return now.tm_hour * 60 + now.tm_min
