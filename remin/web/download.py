"""The Excel report as a download: remin's workbook (remin.report.excel) for one check."""
from __future__ import annotations

from pathlib import Path

from remin.api import CheckResult
from remin.report.excel import write_workbook

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def excel_report(result: CheckResult, folder: Path) -> bytes:
    """The .xlsx report of ``result`` as bytes, written via ``folder`` (the request's
    temporary folder, deleted with it)."""
    path = folder / "remin-report.xlsx"
    write_workbook(result.frames(command="remin serve"), path)
    return path.read_bytes()


def report_filename(as_of: str | None) -> str:
    """remin-report-2026-11-22.xlsx (the date is the rules' as-of date, ISO)."""
    return f"remin-report-{as_of}.xlsx" if as_of else "remin-report.xlsx"
