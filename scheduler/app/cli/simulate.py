"""``paiban simulate``: run a roster's week through the queue simulator and report waits per slot.

Thin: read the config, the roster and the tickets; estimate service times and patience from the tickets
(:func:`forecasts.service.estimate_profiles`); replay the tickets of the days the file holds and sample the
other days from the forecast fitted on the history before the week (:func:`forecasts.weekly.forecast_week`);
simulate (:func:`scheduler.simulation.simulate.simulate_week`); write simulation.csv (UTF-8 with BOM, atomic) and print
one row per day and counter.

Rosters: roster.csv as paiban writes it (``Roster.from_frame``). With ``--staff`` the roster goes through
:func:`scheduler.report.read_roster.read_roster`, which checks staff ids and also reads an edited roster.xlsx (that
needs ``--week`` too, as the workbook's day sheets carry no year).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from constraints.calendar import BranchCalendar, Day, parse_week
from constraints.config import BranchConfig, load_config
from constraints.errors import InputError
from constraints.i18n import ACTIVITY_LABELS, label, tr, weekday_label
from constraints.io import EXCEL_SUFFIXES, read_table, write_csv
from constraints.roster import Roster
from constraints.staff import read_staff
from forecasts.arrivals import count_arrivals
from forecasts.service import estimate_profiles
from forecasts.tickets import read_tickets
from forecasts.weekly import forecast_week
from scheduler.app.cli.app import app
from scheduler.app.cli.guard import check_out_dir
from scheduler.report.kpis import fmt
from scheduler.simulation.simulate import SimulationResult, simulate_week

ROUNDING = {
    "arrivals": 2,
    "mean_wait_min": 2,
    "share_within_target": 3,
    "p90_wait_min": 2,
    "abandoned": 2,
    "utilization": 3,
}


def load_roster(
    path: Path, calendar: BranchCalendar, staff: Path | None, week: str | None
) -> tuple[Roster, list[Day]]:
    """The roster and the days it covers (whole weeks from the Monday of its first date, or ``--week``)."""
    monday = parse_week(week) if week else None
    if path.suffix.lower() in EXCEL_SUFFIXES:
        if staff is None or monday is None:
            raise InputError(
                "Excel 排班表需要同时给出 --staff 和 --week (an .xlsx roster needs --staff and --week)",
                argument="--roster",
                value=str(path),
            )
        from scheduler.report.read_roster import read_roster

        days = calendar.week(monday)
        return read_roster(path, read_staff(staff), days), days
    roster = Roster.from_frame(read_table(path), source=path)
    if not roster.blocks:
        raise InputError("排班表没有任何班次 (the roster has no rows)", file=path)
    dates = roster.dates()
    first = monday or dates[0] - dt.timedelta(days=dates[0].weekday())
    days = [calendar.day(first + dt.timedelta(days=k)) for k in range((dates[-1] - first).days // 7 * 7 + 7)]
    if staff is not None:
        from scheduler.report.read_roster import read_roster

        roster = read_roster(path, read_staff(staff), days)
    return roster, days


def forecast_days(tickets: pd.DataFrame, calendar: BranchCalendar, days: list[Day]) -> pd.DataFrame:
    """The forecast of the weeks of ``days``, each fitted on the tickets before its Monday."""
    parts = []
    for monday in sorted({d.date - dt.timedelta(days=d.date.weekday()) for d in days}):
        past = tickets[tickets["issued_at"] < pd.Timestamp(monday)]
        if past.empty:
            raise InputError(
                f"{monday} 之前没有取号历史, 无法预测 (no ticket history before {monday} to forecast from)",
                argument="--tickets",
            )
        parts.append(forecast_week(count_arrivals(past, calendar), calendar, monday))
    return pd.concat(parts, ignore_index=True)


def run(
    roster_path: Path,
    tickets_paths: list[Path],
    config: BranchConfig,
    *,
    replications: int,
    seed: int,
    staff: Path | None = None,
    week: str | None = None,
    vip_priority: bool = False,
) -> SimulationResult:
    """Read the inputs and simulate (the library half of the command)."""
    calendar = BranchCalendar(config)
    roster, days = load_roster(roster_path, calendar, staff, week)
    tickets = read_tickets(tickets_paths, config, calendar)
    profiles = estimate_profiles(tickets, config)
    have = set(tickets["issued_at"].dt.date.unique())
    missing = [d for d in days if d.is_open and d.date not in have]
    forecast = forecast_days(tickets, calendar, missing) if missing else None
    return simulate_week(
        roster,
        days,
        config,
        profiles,
        tickets=tickets,
        forecast=forecast,
        replications=replications,
        seed=seed,
        vip_priority=vip_priority,
    )


def _table(result: SimulationResult, config: BranchConfig) -> Table:
    target = config.service_level.target_wait_minutes
    modes = {tr("回放", "replay"): "replay", tr("预测", "forecast"): "forecast"}
    caption = "; ".join(
        f"{name} {', '.join(f'{d:%m-%d}' for d in sorted(result.modes) if result.modes[d] == mode)}"
        for name, mode in modes.items()
        if mode in result.modes.values()
    )
    table = Table(
        title=tr(
            f"排队仿真 ({result.replications} 次, 种子 {result.seed})",
            f"Queue simulation ({result.replications} replications, seed {result.seed})",
        ),
        caption=tr(f"客户来源: {caption}", f"Customers: {caption}"),
    )
    heads = [
        tr("日期", "Date"),
        tr("柜台", "Counter"),
        tr("到达", "Arr."),
        tr("窗口时", "Win-h"),
        tr("平均等候", "Mean wait"),
        tr(f"≤{target:g}分", f"≤{target:g}m"),
        "P90",
        tr("弃号", "Left"),
        tr("利用率", "Util."),
    ]
    for i, head in enumerate(heads):
        table.add_column(head, justify="left" if i < 2 else "right", no_wrap=True)
    order = {c: i for i, c in enumerate(config.windows)}
    daily = result.per_day()
    if daily.empty:
        return table
    daily = daily.assign(_o=daily["counter"].map(order)).sort_values(["date", "_o"])
    absent = pd.Series(float("nan"), index=daily.index)  # no customers: the per-day frame has no waits
    waits = {
        c: daily.get(c, absent).to_numpy(float)
        for c in ("mean_wait_min", "share_within_target", "p90_wait_min", "utilization")
    }
    for i, (date, counter, arrivals, window_hours, abandoned) in enumerate(
        zip(
            daily["date"],
            daily["counter"],
            daily["arrivals"],
            daily["window_hours"],
            daily["abandoned"],
            strict=True,
        )
    ):
        day = dt.date.fromisoformat(str(date))
        table.add_row(
            f"{day:%m-%d} {weekday_label(day.weekday())}",
            label(ACTIVITY_LABELS, str(counter)),
            f"{arrivals:.0f}",
            f"{window_hours:.1f}",
            fmt(waits["mean_wait_min"][i], "{:.1f}"),
            fmt(waits["share_within_target"][i], "{:.0%}"),
            fmt(waits["p90_wait_min"][i], "{:.1f}"),
            f"{abandoned:.1f}",
            fmt(waits["utilization"][i], "{:.0%}"),
        )
    return table


@app.command("simulate")
def simulate_command(
    roster: Annotated[Path, typer.Option("--roster", help="roster.csv (或 .xlsx, 需 --staff --week)")],
    tickets: Annotated[
        list[Path], typer.Option("--tickets", help="排队机导出文件, 可重复 (ticket export; repeatable)")
    ],
    config: Annotated[Path, typer.Option("--config", help="branch.toml")],
    out: Annotated[Path, typer.Option("--out", help="输出文件夹 (output folder)")],
    replications: Annotated[int, typer.Option("--replications", help="仿真次数 (replications)")] = 20,
    seed: Annotated[int, typer.Option("--seed", help="随机种子 (random seed)")] = 0,
    staff: Annotated[Path | None, typer.Option("--staff", help="员工名单, 核对工号 (staff list)")] = None,
    week: Annotated[str | None, typer.Option("--week", help="周一 YYYY-MM-DD (the Monday)")] = None,
    vip_priority: Annotated[
        bool, typer.Option("--vip-priority", help="贵宾优先叫号 (VIPs called first)")
    ] = False,
) -> None:
    """按排班仿真排队 (simulate the queues of a roster's week: waits, abandonment, utilization per slot)."""
    if replications < 1:
        raise InputError(
            "仿真次数至少为 1 (--replications must be at least 1)",
            argument="--replications",
            value=replications,
        )
    if seed < 0:
        raise InputError("随机种子不能为负 (--seed must be ≥ 0)", argument="--seed", value=seed)
    check_out_dir(out)
    cfg = load_config(config)
    result = run(
        roster,
        tickets,
        cfg,
        replications=replications,
        seed=seed,
        staff=staff,
        week=week,
        vip_priority=vip_priority,
    )
    csv = result.slots.round(ROUNDING)
    write_csv(csv, out / "simulation.csv")
    console = Console()
    console.print(_table(result, cfg))
    console.print(tr(f"已写入 {out / 'simulation.csv'}", f"Wrote {out / 'simulation.csv'}"))
