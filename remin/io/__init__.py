"""Readers: one module per file format, each returning RawSheets (text cells with
their file, sheet and row) that remin.bom turns into a Bom."""
from __future__ import annotations

from pathlib import Path

from remin.errors import InputError
from remin.limits import refuse_large_file
from remin.io.delimited import read_delimited
from remin.io.excel import read_excel
from remin.io.sheet import RawSheet

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
TEXT_SUFFIXES = {".csv", ".tsv", ".txt"}


def read_sheets(path: str | Path) -> list[RawSheet]:
    """Read any supported file into RawSheets; the format follows the file name."""
    path = Path(path)
    if not path.exists():
        raise InputError("no such file", file=str(path))
    if path.is_dir():
        raise InputError("is a folder; expected a BOM file (.xlsx, .xls, .ods, .csv, .tsv)", file=str(path))
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES or suffix in TEXT_SUFFIXES:
        refuse_large_file(path)
    if suffix in EXCEL_SUFFIXES:
        return read_excel(path)
    if suffix in TEXT_SUFFIXES:
        return read_delimited(path)
    raise InputError(f"unsupported file type {suffix or '(none)'!r}; expected one of "
                     f"{', '.join(sorted(EXCEL_SUFFIXES | TEXT_SUFFIXES))}", file=str(path))


__all__ = ["RawSheet", "read_sheets", "read_delimited", "read_excel"]
