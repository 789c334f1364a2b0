"""``paiban forecast`` (the week's customer flow, peaks and troughs) and ``paiban backtest`` (accuracy).

Thin: parse the arguments, read tickets and config, call :func:`forecasts.weekly.forecast_week` or
:func:`forecasts.backtest.backtest`, write the CSV atomically (UTF-8 with BOM) and print a short table.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from constraints.calendar import BranchCalendar, parse_week
from constraints.config import load_config
from constraints.errors import InputError
from constraints.i18n import ACTIVITY_LABELS, label, language, tr, weekday_label
from constraints.io import write_csv
from forecasts.arrivals import count_arrivals
from forecasts.backtest import backtest as run_backtest
from forecasts.backtest import summarize
from forecasts.peaks import summarize_peaks
from forecasts.tickets import read_tickets
from forecasts.weekly import HistoryNote, check_history, forecast_csv, forecast_week
from scheduler.app.cli.app import app
from scheduler.app.cli.guard import check_out_dir, check_week

BACKTEST_CSV_COLUMNS: tuple[str, ...] = ("model", "origin", "counter", "wape", "rmse", "mae", "coverage80")

TicketsOpt = Annotated[
    list[Path], typer.Option("--tickets", help="排队机导出文件, 可重复 (ticket export; repeatable)")
]
ConfigOpt = Annotated[Path, typer.Option("--config", help="branch.toml")]
OutOpt = Annotated[Path, typer.Option("--out", help="输出文件夹 (output folder)")]
ExcludeOpt = Annotated[
    str, typer.Option("--exclude", help="不计入的日期, 逗号分隔 (days to leave out, YYYY-MM-DD,...)")
]


def parse_dates(text: str, argument: str = "--exclude") -> list[dt.date]:
    """Comma-separated ``YYYY-MM-DD`` dates; ``InputError`` naming the argument otherwise."""
    out = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        try:
            out.append(dt.date.fromisoformat(part))
        except ValueError:
            raise InputError(
                "日期格式应为 YYYY-MM-DD (date must be YYYY-MM-DD)", argument=argument, value=part
            ) from None
    return out


def load_history(
    tickets: list[Path], config_path: Path, exclude: str, before: dt.date | None = None
) -> tuple[BranchCalendar, pd.DataFrame]:
    """Calendar and arrivals per slot from the ticket files (a forecast uses the days before ``before``); what
    is thin or odd in them is printed (:func:`forecasts.weekly.check_history`) and gaps are left out."""
    skip = parse_dates(exclude)
    config = load_config(config_path)
    calendar = BranchCalendar(config)
    frame = read_tickets(tickets, config, calendar)
    usable = frame if before is None else frame[frame["issued_at"] < pd.Timestamp(before)]
    if usable.empty:
        raise InputError(
            "没有可用的取号历史 (no ticket history to learn from"
            + (f" before {before})" if before is not None else ")"),
            argument="--tickets",
        )
    arrivals = count_arrivals(frame, calendar, exclude=skip)
    last = max(arrivals["date"])
    checked = check_history(arrivals, before or last + dt.timedelta(days=1))
    warn_notes(checked.notes, Console(stderr=True))
    return calendar, checked.history


def warn_notes(notes: tuple[HistoryNote, ...], console: Console) -> None:
    """Print each note on the history, one line each, before the work that uses it."""
    lang = language()
    for note in notes:
        console.print(
            tr("[yellow]注意[/yellow]: ", "[yellow]Warning[/yellow]: ") + note.message(lang), soft_wrap=True
        )


@app.command()
def forecast(
    tickets: TicketsOpt,
    config: ConfigOpt,
    week: Annotated[str, typer.Option("--week", help="排班周的周一 YYYY-MM-DD (the plan week's Monday)")],
    out: OutOpt,
    exclude: ExcludeOpt = "",
) -> None:
    """预测一周客流, 标出高峰与低谷 (forecast the week's arrivals per slot; peaks and troughs)."""
    monday = parse_week(week)
    check_out_dir(out)
    calendar, history = load_history(tickets, config, exclude, before=monday)
    check_week(calendar, monday)
    fc = forecast_week(history, calendar, monday)
    write_csv(forecast_csv(fc), out / "forecast.csv")
    summary = summarize_peaks(fc, calendar.config.grid.slot_minutes)
    table = Table(title=tr(f"{monday} 起一周客流预测", f"Forecast for the week of {monday}"))
    for col in (tr("日期", "Date"), tr("柜台", "Counter")):
        table.add_column(col, no_wrap=True)
    table.add_column(tr("预计取号", "Expected"), justify="right")
    table.add_column(tr("高峰与低谷", "Peaks and troughs"))
    for day, counter, total, text in summary[["date", "counter", "total", "text"]].itertuples(index=False):
        table.add_row(
            f"{day} {weekday_label(dt.date.fromisoformat(str(day)).weekday())}",
            label(ACTIVITY_LABELS, str(counter)),
            f"{float(total):.0f}",
            str(text).split(" ", 1)[1],
        )
    console = Console()
    console.print(table)
    console.print(tr(f"已写入 {out / 'forecast.csv'}", f"Wrote {out / 'forecast.csv'}"))


@app.command()
def backtest(
    tickets: TicketsOpt,
    config: ConfigOpt,
    out: OutOpt,
    weeks: Annotated[int, typer.Option("--weeks", help="回测周数 (origins: the last N weeks)")] = 4,
    exclude: ExcludeOpt = "",
) -> None:
    """回测预测模型 (rolling-origin one-week-ahead backtest: main model against the baselines)."""
    if weeks < 1:
        raise InputError("回测周数至少为 1 (--weeks must be at least 1)", argument="--weeks", value=weeks)
    check_out_dir(out)
    calendar, history = load_history(tickets, config, exclude)
    results = run_backtest(history, calendar, weeks=weeks)
    if results.empty:
        raise InputError(
            "历史太短, 无法回测: 至少需要两周 (history too short to backtest: at least two weeks needed)",
            argument="--tickets",
        )
    csv = results[list(BACKTEST_CSV_COLUMNS)].copy()
    for col in ("wape", "rmse", "mae", "coverage80"):
        csv[col] = csv[col].round(4)
    write_csv(csv, out / "backtest.csv")
    summary = summarize(results)
    table = Table(
        title=tr(
            f"回测: 最近 {summary['origins'].max()} 周, 每次预测下一周",
            f"Backtest: last {summary['origins'].max()} weeks, one week ahead each",
        )
    )
    for col in (tr("模型", "Model"), "WAPE", "RMSE", "MAE", tr("80%区间覆盖率", "80% coverage")):
        table.add_column(col, justify="left" if col in ("模型", "Model") else "right")
    for r in summary.itertuples(index=False):
        table.add_row(str(r.model), f"{r.wape:.3f}", f"{r.rmse:.2f}", f"{r.mae:.2f}", f"{r.coverage80:.1%}")
    console = Console()
    console.print(table)
    console.print(tr(f"已写入 {out / 'backtest.csv'}", f"Wrote {out / 'backtest.csv'}"))
