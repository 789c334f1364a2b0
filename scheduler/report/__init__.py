"""What people and other tools read: summary.json, roster.csv, requirements.csv, roster.xlsx, plots, and an
edited roster read back (``plots`` is imported on its own: it loads matplotlib)."""

from scheduler.report.outputs import OUTPUT_FILES, build_summary, write_outputs
from scheduler.report.read_roster import read_roster
from scheduler.report.workbook import write_workbook
from scheduler.report.workbook.kpi_sheet import InputFile

__all__ = ["OUTPUT_FILES", "InputFile", "build_summary", "read_roster", "write_outputs", "write_workbook"]
