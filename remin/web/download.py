"""The Excel report as a download.

``remin.report.excel`` is imported only when a report is asked for, so the app
runs (and says clearly why there is no report) where that module is missing.
"""
from __future__ import annotations

import importlib
from pathlib import Path

from remin.assess import Assessment

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ReportUnavailable(Exception):
    """This installation cannot write the Excel report (HTTP 501)."""


def excel_report(assessment: Assessment, folder: Path) -> bytes:
    """The .xlsx report of ``assessment`` as bytes, written via ``folder`` (the
    request's temporary folder, deleted with it)."""
    try:
        excel = importlib.import_module("remin.report.excel")
        to_excel = excel.to_excel
    except (ImportError, AttributeError):
        raise ReportUnavailable("the Excel report is not available in this version of remin "
                                "(remin.report.excel is missing); the JSON download has every figure") from None
    path = folder / "remin-report.xlsx"
    written = to_excel(assessment, path)
    if isinstance(written, (bytes, bytearray)):      # a writer that returns the bytes
        return bytes(written)
    return path.read_bytes()


def report_filename(as_of: str | None) -> str:
    """remin-report-2026-11-22.xlsx (the date is the rules' as-of date, ISO)."""
    return f"remin-report-{as_of}.xlsx" if as_of else "remin-report.xlsx"
