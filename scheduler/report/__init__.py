"""What people and other tools read: the week's figures (one KPI module), summary.json, roster.csv,
requirements.csv, roster.xlsx, plots, and an edited roster read back (``plots`` is imported on its own: it loads
matplotlib)."""

from scheduler.report.kpis import DayKpis, WeekKpis, week_kpis
from scheduler.report.outputs import OUTPUT_FILES, build_summary, write_outputs
from scheduler.report.read_roster import read_roster
from scheduler.report.workbook import write_workbook
from scheduler.report.workbook.kpi_sheet import InputFile

__all__ = [
    "OUTPUT_FILES",
    "DayKpis",
    "InputFile",
    "WeekKpis",
    "build_summary",
    "read_roster",
    "week_kpis",
    "write_outputs",
    "write_workbook",
]
