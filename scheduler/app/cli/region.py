"""``paiban region``: every branch folder of a region planned for one week, on Dask, with a live progress view.

Exit status: the worst branch's (0 every roster holds, 1 some week cannot be staffed, 2 some branch's input is
bad, 3 some branch was lost by the cluster or failed unexpectedly); 2 as well when the region folder or the
scheduler address is wrong.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.live import Live
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from constraints.i18n import language, tr
from scheduler.app.cli.app import app
from scheduler.app.pipeline import default_time_limit
from scheduler.app.region import SUMMARY_CSV, RegionProgress, RegionReport, RegionSettings, run_region
from scheduler.report.region_workbook import counts_line, status_label

SLOWEST_SHOWN = 3
"""Running branches the progress view names (the longest-running first)."""


def progress_view(p: RegionProgress) -> Text:
    """``已完成 12/24 (失败 1), 运行中 2: b07 41 秒, b08 12 秒``."""
    slow = ", ".join(tr(f"{name} {s:.0f} 秒", f"{name} {s:.0f} s") for name, s in p.running[:SLOWEST_SHOWN])
    line = tr(
        f"已完成 {p.done}/{p.total} (失败 {p.failed}), 运行中 {len(p.running)}",
        f"done {p.done}/{p.total} ({p.failed} failed), running {len(p.running)}",
    )
    return Text(f"{line}: {slow}" if slow else line)


def report_region(report: RegionReport, out: Path, console: Console) -> None:
    """The failed branches with their reasons, warnings, the files written, and the counts per status."""
    failed = [r for r in report.rows if r.exit_status != 0]
    if failed:
        table = Table(title=tr("未完成的网点", "Branches without a usable roster"))
        for col in (tr("网点", "Branch"), tr("状态", "Status"), tr("退出码", "Exit"), tr("原因", "Reason")):
            table.add_column(col, overflow="fold")
        for r in failed:
            table.add_row(
                escape(r.folder), status_label(r.status, language()), str(r.exit_status), escape(r.message)
            )
        console.print(table)
    for folder, notes in report.warnings.items():
        for note in notes:
            console.print(f"[yellow]{escape(folder)}: {escape(note)}[/yellow]")
    console.print(
        tr(f"已写入 {out}: {SUMMARY_CSV}, region.xlsx", f"Wrote to {out}: {SUMMARY_CSV}, region.xlsx")
    )
    resumed = tr(f"; 沿用上次结果 {len(report.resumed)} 个", f"; {len(report.resumed)} resumed")
    console.print(counts_line(report.rows, language()) + (resumed if report.resumed else ""))


@app.command()
def region(
    branches: Annotated[
        Path,
        typer.Option(
            "--branches", help="区域文件夹, 每个网点一个子文件夹 (region folder: one sub-folder per branch)"
        ),
    ],
    week: Annotated[str, typer.Option("--week", help="排班周的周一 YYYY-MM-DD (the Monday)")],
    out: Annotated[Path, typer.Option("--out", help="输出文件夹 (output folder)")],
    time_limit: Annotated[
        float | None,
        typer.Option("--time-limit", help="每个网点的求解时间上限, 秒 (solver seconds per branch)"),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler", help="已有 Dask 调度器地址 tcp://主机:端口 或 tls://… (existing Dask scheduler)"
        ),
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", help="本机集群的进程数, 默认每核一个 (local cluster processes)")
    ] = None,
    resume: Annotated[
        bool,
        typer.Option(
            "--resume", help="跳过输入未变且已完成的网点 (skip branches finished with the same inputs)"
        ),
    ] = False,
    seed: Annotated[int | None, typer.Option("--seed", help="随机种子 (solver seed)")] = None,
    replications: Annotated[
        int, typer.Option("--replications", help="模拟重复次数 (simulation replications)")
    ] = 20,
) -> None:
    """区域排班: 每个网点文件夹排一周的班, 在 Dask 上并行 (plan every branch folder of a region, on Dask)."""
    console = Console(stderr=True)
    settings = RegionSettings(
        time_limit=time_limit or default_time_limit(),
        seed=seed,
        replications=replications,
        lang=language(),
    )
    shown_dashboard = False
    with Live(Text(tr("正在启动 Dask…", "starting Dask…")), console=console, transient=True) as live:

        def show(p: RegionProgress) -> None:
            nonlocal shown_dashboard
            if p.dashboard and not shown_dashboard:
                live.console.print(tr(f"Dask 仪表板: {p.dashboard}", f"Dask dashboard: {p.dashboard}"))
                shown_dashboard = True
            live.update(progress_view(p))

        report = run_region(
            branches,
            week,
            out,
            scheduler=scheduler,
            workers=workers,
            settings=settings,
            resume=resume,
            on_progress=show,
        )
    report_region(report, out, Console())
    raise typer.Exit(report.exit_status)
