"""The CSV report set: the summary CSV plus one CSV per workbook sheet beside it.

``report.csv`` keeps the one-row-per-SKU summary ``remin check --format csv`` has
always written; ``report.contributors.csv``, ``report.where-used.csv``,
``report.findings.csv``, ``report.rules.csv``, ``report.instruments.csv``,
``report.sources.csv`` and ``report.inputs.csv`` carry the rest of the workbook's
facts (masses in kg, shares as fractions, as in the JSON).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from remin.report.frames import ReportFrames
from remin.report.safe import neutralise_frame

#: file suffix -> frame attribute
PARTS = {"contributors": "contributors", "where-used": "where_used", "findings": "findings",
         "rules": "rules", "instruments": "instruments", "sources": "sources", "inputs": "inputs"}


def write_csv_set(frames: ReportFrames, path: str | Path, summary_csv: str) -> list[Path]:
    """Write ``summary_csv`` (the text of the summary CSV) to ``path`` and every other
    frame to ``<stem>.<part>.csv`` beside it; returns the paths written."""
    path = Path(path)
    path.write_text(summary_csv, encoding="utf-8")
    written = [path]
    for suffix, attr in PARTS.items():
        target = path.with_name(f"{path.stem}.{suffix}.csv")
        df: pd.DataFrame = getattr(frames, attr)
        if attr == "inputs":
            df = df.assign(remin_version=frames.meta.get("remin_version"),
                           generated_at=frames.meta.get("generated_at"))
        neutralise_frame(df).to_csv(target, index=False, float_format="%.12g")
        written.append(target)
    return written
