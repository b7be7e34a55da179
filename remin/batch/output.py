"""Writing a batch's rows: CSV (one table, failures as rows with status
``failed``), JSON (rows, failures and what they were scored with) or Excel
(sheets Scores, Failures, About)."""
from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd

from remin import __version__
from remin.batch.score import FAILED, LEAD_COLUMNS, TRAIL_COLUMNS
from remin.errors import UsageError
from remin.report.safe import neutralise_frame

FORMATS = {".csv": "csv", ".json": "json", ".xlsx": "xlsx"}
FAILURE_COLUMNS = ["file", "sha256", "error"]


def output_format(path: str | Path) -> str:
    try:
        return FORMATS[Path(path).suffix.lower()]
    except KeyError:
        raise UsageError(f"--output {path}: expected a .csv, .json or .xlsx file") from None


def rows_frame(rows: list[dict]) -> pd.DataFrame:
    """Rows sorted by file then SKU: file and status first, the per-SKU summary,
    then the findings counts and what the row was scored with."""
    frame = pd.DataFrame(rows)
    fixed = LEAD_COLUMNS + ["sku"] + TRAIL_COLUMNS
    middle = [c for c in frame.columns if c not in fixed]
    frame = frame.reindex(columns=LEAD_COLUMNS + ["sku"] + middle + TRAIL_COLUMNS)
    return frame.sort_values(["file", "sku"], kind="stable", na_position="first", ignore_index=True)


def write_output(path: str | Path, frame: pd.DataFrame, about: dict) -> Path:
    """Write ``frame`` (from ``rows_frame``) to ``path`` in the format its suffix names.

    ``about``: what the rows were scored with (rules, date, library, counts)."""
    path = Path(path)
    fmt = output_format(path)
    failed = frame["status"] == FAILED
    tmp = path.with_name(f".{path.name}.partial")  # never leave a half-written report
    if fmt in ("csv", "xlsx"):      # file names, SKUs, errors from strangers' files: never formulas
        frame = neutralise_frame(frame)
    if fmt == "csv":
        frame.to_csv(tmp, index=False, float_format="%.12g")
    elif fmt == "json":
        doc = {"remin_version": __version__, **about,
               "rows": _records(frame.loc[~failed].drop(columns=["status", "error"])),
               "failures": _records(frame.loc[failed, FAILURE_COLUMNS])}
        tmp.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    else:
        about_frame = neutralise_frame(pd.DataFrame({"key": list(about), "value": [
            json.dumps(v, default=str) if isinstance(v, (dict, list)) else v for v in about.values()]}))
        with pd.ExcelWriter(tmp, engine="openpyxl") as xl:
            frame.loc[~failed].drop(columns=["status", "error"]).to_excel(xl, sheet_name="Scores", index=False)
            frame.loc[failed, FAILURE_COLUMNS].to_excel(xl, sheet_name="Failures", index=False)
            about_frame.to_excel(xl, sheet_name="About", index=False)
    tmp.replace(path)
    return path


def _records(frame: pd.DataFrame) -> list[dict]:
    out = frame.astype(object).where(frame.notna(), None).to_dict("records")
    for rec in out:
        for k, v in rec.items():
            if isinstance(v, float) and not math.isfinite(v):
                rec[k] = None
    return out
