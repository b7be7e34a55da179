"""The Excel report as a download.

The workbook writer (``remin.report.excel``, fed by ``remin.report.frames``) is
imported only when a report is asked for, so the app runs, and says clearly why
there is no report, where those modules are missing.
"""
from __future__ import annotations

from pathlib import Path

from remin.api import CheckResult

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ReportUnavailable(Exception):
    """This installation cannot write the Excel report (HTTP 501)."""


def excel_report(result: CheckResult, folder: Path) -> bytes:
    """The .xlsx report of ``result`` as bytes, written via ``folder`` (the request's
    temporary folder, deleted with it)."""
    try:
        from remin.report.excel import write_workbook
        from remin.report.frames import report_frames
    except ImportError:
        raise ReportUnavailable("the Excel report is not available in this version of remin "
                                "(remin.report.excel is missing); the JSON download has every figure") from None
    path = folder / "remin-report.xlsx"
    write_workbook(report_frames(result.assessment, command="remin serve"), path)
    return path.read_bytes()


def report_filename(as_of: str | None) -> str:
    """remin-report-2026-11-22.xlsx (the date is the rules' as-of date, ISO)."""
    return f"remin-report-{as_of}.xlsx" if as_of else "remin-report.xlsx"
