"""大堂经理工作日志: per day the lobby manager on duty per period, the backup, every handover, blanks to sign.

From the branch plan: every handover is written in the log by the lobby manager on duty; a backup who never
takes over need not write — except the branch president, who must log it whenever standing in as backup
while the lobby manager is on duty, or taking the floor.

Handovers recorded live (``paiban now --log``) are kept in :data:`LOG_FILE` beside the roster, columns
:data:`LOG_COLUMNS`; :func:`read_lobby_log` reads them back and the sheet lists them under each day, marked
现场记录 (live log).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd
from openpyxl.styles import Alignment, PatternFill
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from constraints.config import fmt_hhmm, parse_hhmm
from constraints.errors import InputError
from constraints.handovers import (
    PRESIDENT_POST,
    Handover,
    describe_handover,
    handover_is_president,
    lobby_periods,
    reason_label,
)
from constraints.i18n import tr
from constraints.io import read_table, write_csv
from constraints.problem import Problem
from constraints.roster import Roster
from scheduler.report.workbook.style import (
    BORDER,
    CENTER,
    LEFT,
    SUBHEADER_FILL,
    day_title,
    day_type_label,
    font,
    header_cell,
    print_setup,
    set_widths,
    sheet_name,
    title,
)

PRESIDENT_FILL = PatternFill("solid", fgColor="FFF2CC")  # yellow: the president must log these

LOG_FILE = "lobby_log.csv"
"""The live lobby log, beside roster.csv."""

LOG_COLUMNS: tuple[str, ...] = (
    "date",
    "time",
    "from_staff",
    "from_name",
    "to_staff",
    "to_name",
    "reason",
    "president",
)
"""Columns of :data:`LOG_FILE` (names for people reading it; ids are what counts)."""


def read_lobby_log(path: str | Path) -> list[Handover]:
    """The handovers in a live lobby log (:data:`LOG_COLUMNS`); a bad cell raises ``InputError`` naming it."""
    df = read_table(path)
    for col in ("date", "time", "from_staff", "to_staff"):
        if col not in df.columns:
            raise InputError(f"缺少列 (missing column) {col}", file=path, row=1, column=col)
    out = []
    for i, rec in enumerate(df.to_dict("records"), start=2):
        try:
            date = dt.date.fromisoformat(str(rec["date"]))
        except ValueError:
            raise InputError(
                "无法识别的日期 (unparsable date)", file=path, row=i, column="date", value=rec["date"]
            ) from None
        try:
            time = parse_hhmm(str(rec["time"]))
        except ValueError as exc:
            raise InputError(str(exc), file=path, row=i, column="time", value=rec["time"]) from None
        out.append(
            Handover(
                date,
                time,
                str(rec["from_staff"]) or None,
                str(rec["to_staff"]) or None,
                str(rec.get("reason", "")),
                str(rec.get("president", "")).lower() in ("1", "true", "yes", "是"),
            )
        )
    return out


def append_lobby_log(path: str | Path, handovers: Sequence[Handover], names: Mapping[str, str]) -> int:
    """Add the handovers not yet in the log (same date, time, from and to), atomically; how many were added."""
    p = Path(path)
    old = read_table(p) if p.exists() else pd.DataFrame(columns=list(LOG_COLUMNS))
    have = {
        tuple(str(r.get(c, "")) for c in ("date", "time", "from_staff", "to_staff"))
        for r in old.to_dict("records")
    }
    rows = []
    for h in handovers:
        key = (h.date.isoformat(), fmt_hhmm(h.time), h.from_staff or "", h.to_staff or "")
        if key in have:
            continue
        have.add(key)
        date, time, giver, taker = key
        rows.append(
            {
                "date": date,
                "time": time,
                "from_staff": giver,
                "from_name": names.get(giver, ""),
                "to_staff": taker,
                "to_name": names.get(taker, ""),
                "reason": h.reason,
                "president": "1" if h.president else "0",
            }
        )
    if rows:
        write_csv(pd.concat([old, pd.DataFrame(rows, columns=list(LOG_COLUMNS))], ignore_index=True), p)
    return len(rows)


def write_lobby_sheet(
    wb: Workbook,
    roster: Roster,
    problem: Problem,
    handovers: Sequence[Handover],
    *,
    lang: str,
    log: Sequence[Handover] = (),
) -> Worksheet:
    """Add the lobby-manager log; ``handovers`` come from the solver's result or :func:`derive_handovers`,
    ``log`` from :func:`read_lobby_log` (handovers recorded during the day)."""
    ws = wb.create_sheet(sheet_name("lobby", lang))
    names = {p.staff_id: p.name for p in problem.staff}
    president = {p.staff_id for p in problem.staff if p.post == PRESIDENT_POST}

    def who(sid: str | None) -> str:
        if not sid:
            return tr("(无人)", "(nobody)", lang)
        return names.get(sid, sid) + (tr("【支行长】", " [president]", lang) if sid in president else "")

    headers = [
        tr("日期", "Date", lang),
        tr("时段", "Period", lang),
        tr("当班大堂经理", "Lobby manager", lang),
        tr("后备大堂经理", "Backup", lang),
        tr("交接时间", "Handover at", lang),
        tr("交接 (交出 → 接班)", "Handover (from → to)", lang),
        tr("原因", "Reason", lang),
        tr("支行长须登记", "President logs", lang),
        tr("值班记录", "Duty notes", lang),
        tr("签字", "Signature", lang),
    ]
    title(ws, f"{problem.config.branch.name}  {sheet_name('lobby', lang)}")
    note = tr(
        "填写要求: 每日当班大堂经理必须认真记录; 只要有交接班, 当班大堂经理须填写本人的当班时段; 未发生交接时后备大堂无需填写, "
        "但第一大堂在岗时如支行长担任后备大堂, 必须填写日志 (标黄行)。",
        "Rules: the lobby manager on duty writes the log; every handover is logged with its period; a backup who "
        "does not take over need not write — except the branch president, who must log standing in (yellow rows).",
        lang,
    )
    c = ws.cell(row=2, column=1, value=note)
    c.font, c.alignment = font(9, color="595959"), Alignment(wrap_text=True, vertical="top")
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(headers))
    ws.row_dimensions[2].height = 30
    for col, text in enumerate(headers, start=1):
        header_cell(ws, 3, col, text)
    ws.row_dimensions[3].height = 22

    by_day: dict[dt.date, list[Handover]] = {}
    for h in handovers:
        by_day.setdefault(h.date, []).append(h)
    r = 4
    for day in problem.open_days:
        oh = day.open_hours
        assert oh is not None
        c = ws.cell(
            row=r,
            column=1,
            value=f"{day_title(day.date, lang)}  {day.date.isoformat()}  {day_type_label(day, lang)}  "
            f"{fmt_hhmm(oh.start)}–{fmt_hhmm(oh.end)}",
        )
        c.font, c.fill, c.alignment = font(10, bold=True), SUBHEADER_FILL, LEFT
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=len(headers))
        r += 1
        periods = lobby_periods(roster, problem, day)
        pending = sorted(by_day.get(day.date, []), key=lambda h: h.time)
        rows: list[list[object]] = []
        flags: list[bool] = []
        for per in periods:
            here = [h for h in pending if h.time == per.start]
            pending = [h for h in pending if h.time != per.start]
            backups = "; ".join(
                f"{who(sid)} {fmt_hhmm(a)}–{fmt_hhmm(b)}" if (a, b) != (per.start, per.end) else who(sid)
                for sid, a, b in per.backups
            ) or tr("(无)", "(none)", lang)
            pres_backup = per.manager is not None and any(sid in president for sid, _, _ in per.backups)
            pres = (
                per.manager in president
                or pres_backup
                or any(handover_is_president(h, problem) for h in here)
            )
            rows.append(
                [
                    day_title(day.date, lang),
                    f"{fmt_hhmm(per.start)}–{fmt_hhmm(per.end)}",
                    who(per.manager),
                    backups,
                    ", ".join(fmt_hhmm(h.time) for h in here),
                    "; ".join(describe_handover(h, problem, lang).split(" ", 1)[1] for h in here),
                    "; ".join(reason_label(str(h.reason), lang) for h in here),
                    _president_note(per.manager in president, pres_backup, here, problem, lang)
                    if pres
                    else "",
                    None,
                    None,
                ]
            )
            flags.append(pres)
        live = sorted((h for h in log if h.date == day.date), key=lambda h: h.time)
        live_note = tr("现场记录", "live log", lang)
        extra: list[tuple[Handover, str | None]] = [(h, None) for h in pending] + [
            (h, live_note) for h in live
        ]
        # handovers the roster's periods do not start with: the solver's, and the live log's
        for h, duty in extra:
            rows.append(
                [
                    day_title(day.date, lang),
                    "",
                    "",
                    "",
                    fmt_hhmm(h.time),
                    describe_handover(h, problem, lang).split(" ", 1)[1],
                    reason_label(str(h.reason), lang),
                    tr("支行长接班", "president takes over", lang)
                    if handover_is_president(h, problem)
                    else "",
                    duty,
                    None,
                ]
            )
            flags.append(handover_is_president(h, problem))
        for values, flag in zip(rows, flags, strict=True):
            for col, v in enumerate(values, start=1):
                c = ws.cell(row=r, column=col, value=v)
                c.font, c.border = font(9), BORDER
                c.alignment = LEFT if col in (4, 6, 9) else CENTER
                if flag and col <= 8:
                    c.fill = PRESIDENT_FILL
            ws.row_dimensions[r].height = 30
            r += 1
        if not rows:
            ws.cell(
                row=r, column=1, value=tr("(当天无大堂安排)", "(no lobby cover planned)", lang)
            ).font = font(9)
            r += 1
    set_widths(ws, {1: 10, 2: 12, 3: 14, 4: 36, 5: 9, 6: 24, 7: 12, 8: 14, 9: 34, 10: 10})
    ws.freeze_panes = "A4"
    print_setup(
        ws, header=f"{problem.config.branch.name} {sheet_name('lobby', lang)}", title_rows="3:3", fit_tall=0
    )
    return ws


def _president_note(
    manager: bool, backup: bool, here: Sequence[Handover], problem: Problem, lang: str
) -> str:
    parts = []
    if manager or any(handover_is_president(h, problem) for h in here):
        parts.append(tr("支行长担任大堂经理", "president on the floor", lang))
    if backup:
        parts.append(tr("支行长担任后备", "president as backup", lang))
    return "; ".join(parts)
