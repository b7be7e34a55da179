"""The audit workbook of ``remin check --output report.xlsx``.

Sheets (each with a frozen, filterable header row and number formats):

* Summary — one row per SKU: verdict (coloured), decided_by, the mass and value
  tests' shares as low/high percentages, masses in kg and g, value, rule status.
* Contributors — one row per SKU, path, element and origin class: every part that
  brings controlled content, with extended quantity, mass, value and shares. Per
  SKU, the Chinese-origin rows sum to the Summary's figures.
* Where-used — per controlled part, every SKU and path using it.
* Findings — code, severity, part, file, sheet, row, column, message.
* Rules — the rules on the date, the note on what happens after the recorded
  suspension, instruments with dates and status, sources.
* Inputs — files with SHA-256 and size, remin version, time of the report.
* Pareto — for each SKU that is above or indeterminate, its contributors largest
  first with a stacked bar chart (Chinese-origin, unknown-origin) and a cumulative
  share line.

Written with openpyxl in write-only mode (rows streamed to disk), so a large BOM's
detail does not have to fit in memory as cell objects.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from remin.report.safe import protected_row

from remin.report.frames import ReportFrames

#: Excel's row limit less the header: longer tables are cut and the cut is stated.
MAX_ROWS = 1_048_575
#: At most this many SKUs get a Pareto chart; at most this many parts per chart.
PARETO_SKUS = 50
PARETO_PARTS = 15
PARETO_BLOCK_ROWS = 22

G = "#,##0.000 \"g\""
KG = "#,##0.000 \"kg\""
PCT = "0.0000%"
QTY = "#,##0.######"

VERDICT_STYLE = {  # fill, font colour
    "above": ("FFC7CE", "9C0006"),
    "indeterminate": ("FFEB9C", "9C5700"),
    "below": ("C6EFCE", "006100"),
    "no-data": ("D9D9D9", "404040"),
}
HEADER_FILL = "1F4E78"


@dataclass(frozen=True)
class Col:
    """A column: frame key, header text, width (characters), number format, and a
    scale applied to the value (1000 turns kg into g); ``kind`` 'verdict' colours the
    cell by its text, 'money' formats it in the row's currency."""

    key: str
    header: str
    width: float = 12
    fmt: str | None = None
    scale: float = 1.0
    kind: str | None = None


SUMMARY = (
    Col("sku", "SKU", 16), Col("description", "Description", 40), Col("verdict", "Verdict", 14, kind="verdict"),
    Col("decided_by", "Decided by", 11), Col("mass_verdict", "Mass test", 14, kind="verdict"),
    Col("value_verdict", "Value test", 14, kind="verdict"),
    Col("mass_share_low", "Mass share low (%)", 13, PCT), Col("mass_share_high", "Mass share high (%)", 13, PCT),
    Col("value_share_low", "Value share low (%)", 13, PCT),
    Col("value_share_high", "Value share high (%)", 13, PCT),
    Col("mass_kg", "Mass (kg)", 13, KG),
    Col("cn_controlled_kg", "Chinese-origin controlled (g)", 15, G, 1000),
    Col("unknown_controlled_kg", "Unknown-origin controlled (g)", 15, G, 1000),
    Col("other_controlled_kg", "Other-origin controlled (g)", 15, G, 1000),
    Col("value", "Value", 14, kind="money"), Col("currency", "Currency", 9),
    Col("value_basis", "Value basis", 16), Col("part2_scope", "Part II item", 10),
    Col("cn_technology", "Chinese RE technology", 11), Col("top_contributor", "Top contributor", 16),
    Col("rule_set", "Rule set", 14), Col("as_of", "As of", 11), Col("rule_status", "Rule status on date", 24),
    Col("threshold", "Threshold (%)", 10, "0.0##%"),
)
CONTRIBUTORS = (
    Col("sku", "SKU", 16), Col("path", "Path from the SKU", 50), Col("depth", "Depth", 6),
    Col("part", "Part", 16), Col("description", "Description", 36),
    Col("extended_qty", "Extended qty", 11, QTY), Col("base_unit", "Unit", 6),
    Col("element", "Element", 8), Col("origin_class", "Origin class", 10),
    Col("mass_kg", "Controlled mass (g)", 14, G, 1000), Col("mass_share", "Share of SKU mass (%)", 13, PCT),
    Col("value", "Value", 13, kind="money"), Col("currency", "Currency", 9),
    Col("value_basis", "Value basis", 14), Col("value_share", "Share of SKU value (%)", 13, PCT),
    Col("re_origin", "RE origin", 9), Col("made_in", "Made in", 8), Col("supplier", "Supplier", 16),
    Col("part1", "Part I item", 9), Col("src_file", "Source file", 28), Col("src_sheet", "Sheet", 12),
    Col("src_row", "Row", 6),
)
WHERE_USED = (
    Col("part", "Part", 16), Col("description", "Description", 36), Col("sku", "SKU", 16),
    Col("path", "Path from the SKU", 50), Col("depth", "Depth", 6), Col("extended_qty", "Extended qty", 11, QTY),
    Col("base_unit", "Unit", 6), Col("counted", "Counted", 8),
    Col("cn_kg", "Chinese-origin (g)", 14, G, 1000), Col("unknown_kg", "Unknown-origin (g)", 14, G, 1000),
    Col("other_kg", "Other-origin (g)", 14, G, 1000), Col("elements", "Elements", 12),
    Col("re_origin", "RE origin", 9), Col("made_in", "Made in", 8), Col("supplier", "Supplier", 16),
)
FINDINGS = (
    Col("severity", "Severity", 9), Col("code", "Code", 24), Col("part", "Part", 16), Col("file", "File", 30),
    Col("sheet", "Sheet", 12), Col("row", "Row", 6), Col("column", "Column", 12), Col("message", "Message", 90),
)
INSTRUMENTS = (
    Col("instrument", "Instrument", 20), Col("short_title", "Short title", 16), Col("published", "Published", 11),
    Col("effective", "Effective", 11), Col("status", "Status on date", 16),
    Col("status_recorded", "Status recorded", 9), Col("suspended_from", "Suspended from", 12),
    Col("suspended_until", "Suspended until", 12), Col("suspended_by", "Suspended by", 18),
    Col("elements", "Elements", 20), Col("title", "Title", 60),
)
SOURCES = (Col("instrument", "Instrument", 20), Col("title", "Source", 60), Col("url", "Address", 60),
           Col("kind", "Kind", 10), Col("note", "Note", 40))
INPUTS = (Col("path", "Input file", 50), Col("sha256", "SHA-256", 66), Col("bytes", "Bytes", 12, "#,##0"))

SHEETS = ("Summary", "Contributors", "Where-used", "Findings", "Rules", "Inputs", "Pareto")


def write_workbook(frames: ReportFrames, path: str | Path) -> Path:
    """Write the workbook to ``path`` (.xlsx); returns the path."""
    path = Path(path)
    wb = Workbook(write_only=True)
    wb.properties.creator = f"remin {frames.meta.get('remin_version', '')}".strip()
    wb.properties.title = "remin rare-earth export-control screening"
    styles = _Styles()
    _table_sheet(wb, styles, "Summary", SUMMARY, frames.summary)
    _table_sheet(wb, styles, "Contributors", CONTRIBUTORS, frames.contributors,
                 note="cut: path limit reached" if frames.truncated else None)
    _table_sheet(wb, styles, "Where-used", WHERE_USED, frames.where_used)
    _table_sheet(wb, styles, "Findings", FINDINGS, frames.findings)
    _rules_sheet(wb, styles, frames)
    _inputs_sheet(wb, styles, frames)
    _pareto_sheet(wb, styles, frames)
    wb.save(path)
    return path


# --------------------------------------------------------------------------- cells


class _Styles:
    """Cells with shared style records: one style built per look, reused by every
    cell that has it (write-only cells are otherwise costly to style one by one)."""

    def __init__(self):
        self._cache: dict[tuple, object] = {}

    def cell(self, ws, value, fmt=None, verdict=None, bold=False, header=False, wrap=False, link=None):
        key = (fmt, verdict, bold, header, wrap)
        style = self._cache.get(key)
        if style is None:
            c = WriteOnlyCell(ws)  # styles live in the workbook: any of its sheets will do
            if fmt:
                c.number_format = fmt
            if header:
                c.font = Font(bold=True, color="FFFFFF")
                c.fill = PatternFill("solid", fgColor=HEADER_FILL)
            elif verdict in VERDICT_STYLE:
                fill, colour = VERDICT_STYLE[verdict]
                c.fill = PatternFill("solid", fgColor=fill)
                c.font = Font(bold=True, color=colour)
            elif bold:
                c.font = Font(bold=True)
            if wrap:
                c.alignment = Alignment(wrap_text=True, vertical="top")
            style = self._cache[key] = c._style
        out = WriteOnlyCell(ws, value)
        out._style = style
        if link:
            out.hyperlink = link
        return out


def _value(v, scale=1.0):
    """A cell value: NaN/NA become empty cells (never 0), numpy scalars plain Python."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, (float, np.floating)):
        return None if np.isnan(v) else float(v) * scale
    if isinstance(v, (np.integer,)):
        return int(v) * scale if scale != 1.0 else int(v)
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, (int,)):
        return v * scale if scale != 1.0 else v
    return str(v)


def _create_sheet(wb, title: str):
    """A write-only sheet whose rows pass through remin.report.safe: supplier text that
    begins with '=', '+', '-' or '@' is written as text, never as a formula."""
    ws = wb.create_sheet(title)
    append = ws.append
    ws.append = lambda row: append(protected_row(ws, row))
    return ws


def _money_format(currency) -> str:
    cur = _value(currency)
    return f"#,##0.00 \"{cur}\"" if cur else "#,##0.00"


def _table_sheet(wb, styles: _Styles, title: str, cols, df: pd.DataFrame, note: str | None = None):
    ws = _create_sheet(wb, title)
    _setup(ws, cols, len(df))
    ws.append([styles.cell(ws, c.header, header=True) for c in cols])
    present = [c for c in cols if c.key in df.columns]
    arrays = {c.key: df[c.key].to_numpy(dtype=object) for c in present}
    currency = df["currency"].to_numpy(dtype=object) if "currency" in df.columns else None
    for i in range(min(len(df), MAX_ROWS)):
        row = []
        for c in cols:
            if c.key not in arrays:
                row.append(None)
                continue
            v = _value(arrays[c.key][i], c.scale)
            if c.kind == "verdict":
                row.append(styles.cell(ws, v, verdict=v))
            elif c.kind == "money":
                row.append(styles.cell(ws, v, fmt=_money_format(currency[i] if currency is not None else None)))
            elif c.fmt and v is not None and not isinstance(v, str):
                row.append(styles.cell(ws, v, fmt=c.fmt))
            else:
                row.append(v)
        ws.append(row)
    if len(df) > MAX_ROWS or note:
        ws.append([f"{len(df) - MAX_ROWS} more rows not shown (Excel's row limit); see the CSV or JSON output"
                   if len(df) > MAX_ROWS else note])


def _setup(ws, cols, n_rows):
    """Widths, a frozen header row and an autofilter over the table (before any row)."""
    for i, c in enumerate(cols, start=1):
        # wide enough for the one-line header (write-only rows cannot be made taller)
        ws.column_dimensions[get_column_letter(i)].width = max(c.width, len(c.header) + 3)
    ws.freeze_panes = "A2"
    _print_setup(ws)
    last = get_column_letter(len(cols))
    ws.auto_filter.ref = f"A1:{last}{max(min(n_rows, MAX_ROWS) + 1, 2)}"


def _print_setup(ws, header_rows: str | None = "1:1"):
    """Landscape, one page wide, header repeated: a printout or PDF an auditor can read."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = 9  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if header_rows:
        ws.print_title_rows = header_rows


# --------------------------------------------------------------------------- Rules, Inputs


def _rules_sheet(wb, styles: _Styles, frames: ReportFrames):
    ws = _create_sheet(wb, "Rules")
    widths = [34, 90, 12, 12, 16, 9, 12, 12, 18, 20, 60]
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "A2"
    _print_setup(ws)
    n = len(frames.rules)
    ws.auto_filter.ref = f"A1:B{n + 1}"
    ws.append([styles.cell(ws, "Field", header=True), styles.cell(ws, "Value", header=True)])
    for field, value in frames.rules.itertuples(index=False):
        v = _value(value)
        cell = styles.cell(ws, v, fmt="0.0##%") if field == "Threshold" else \
            styles.cell(ws, v, wrap=True, bold=field.startswith("Status after"))
        ws.append([styles.cell(ws, field, bold=True), cell])
    for title, cols, df in (("Instruments", INSTRUMENTS, frames.instruments), ("Sources", SOURCES, frames.sources)):
        ws.append([])
        ws.append([styles.cell(ws, title, bold=True)])
        ws.append([styles.cell(ws, c.header, header=True) for c in cols])
        for rec in df.itertuples(index=False):
            rec = rec._asdict()
            ws.append([styles.cell(ws, _value(rec[c.key]), link=rec[c.key]) if c.key == "url" and rec[c.key]
                       else _value(rec[c.key]) for c in cols])


def _inputs_sheet(wb, styles: _Styles, frames: ReportFrames):
    ws = _create_sheet(wb, "Inputs")
    _setup(ws, INPUTS, len(frames.inputs))
    ws.append([styles.cell(ws, c.header, header=True) for c in INPUTS])
    for rec in frames.inputs.itertuples(index=False):
        ws.append([_value(rec.path), _value(rec.sha256), styles.cell(ws, _value(rec.bytes), fmt="#,##0")])
    ws.append([])
    meta = frames.meta
    for label, key in (("remin version", "remin_version"), ("Generated (UTC)", "generated_at"),
                       ("Command", "command")):
        if meta.get(key):
            ws.append([styles.cell(ws, label, bold=True), meta[key]])


# --------------------------------------------------------------------------- Pareto


def pareto_table(frames: ReportFrames) -> pd.DataFrame:
    """Chinese-origin and unknown-origin controlled kg per (SKU, part), all paths and
    elements summed: one grouping for every chart."""
    c = frames.contributors
    c = c[c["origin_class"].isin(["cn", "unknown"])]
    by = c.groupby(["sku", "part", "origin_class"], sort=False)["mass_kg"].sum(min_count=1).unstack(fill_value=0.0)
    return by.reindex(columns=["cn", "unknown"], fill_value=0.0)


def pareto_data(table: pd.DataFrame, sku: str, limit: int = PARETO_PARTS) -> pd.DataFrame:
    """One SKU's parts from ``pareto_table``, largest (cn + unknown) first, the rest as
    one 'other parts' row, with the cumulative share of the SKU's (cn + unknown) mass."""
    if sku not in table.index.get_level_values(0):
        return pd.DataFrame(columns=["part", "cn", "unknown", "total", "cumulative_share"])
    by = table.xs(sku, level="sku").copy()
    by["total"] = by["cn"] + by["unknown"]
    by = by.sort_values("total", ascending=False, kind="stable")
    if len(by) > limit:
        rest = by.iloc[limit - 1:].sum()
        by = pd.concat([by.iloc[:limit - 1], rest.to_frame(f"other parts ({len(by) - limit + 1})").T])
    total = by["total"].sum()
    by["cumulative_share"] = by["total"].cumsum() / total if total > 0 else np.nan
    return by.rename_axis("part").reset_index()


def _pareto_sheet(wb, styles: _Styles, frames: ReportFrames):
    ws = _create_sheet(wb, "Pareto")
    _print_setup(ws, None)
    for i, w in enumerate([22, 16, 16, 14], start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    s = frames.summary
    wanted = s.loc[s["verdict"].isin(["above", "indeterminate"]), ["sku", "verdict"]]
    ws.append([styles.cell(ws, "Contributors of each SKU that is above or indeterminate, largest first "
                               "(controlled mass per SKU; the line is the cumulative share)", bold=True)])
    row = 2
    table = pareto_table(frames)
    for sku, verdict in list(wanted.itertuples(index=False))[:PARETO_SKUS]:
        data = pareto_data(table, sku)
        if data.empty:
            continue
        ws.append([styles.cell(ws, f"{sku}: {verdict}", verdict=verdict)])
        ws.append([styles.cell(ws, h, header=True) for h in
                   ("Part", "Chinese-origin (g)", "Unknown-origin (g)", "Cumulative (%)")])
        first = row + 2
        for rec in data.itertuples(index=False):
            ws.append([str(rec.part), styles.cell(ws, rec.cn * 1000, fmt=G),
                       styles.cell(ws, rec.unknown * 1000, fmt=G),
                       styles.cell(ws, _value(rec.cumulative_share), fmt="0.0%")])
        last = first + len(data) - 1
        ws.add_chart(_pareto_chart(ws, sku, first, last), f"F{row}")
        used = 2 + len(data)
        for _ in range(max(PARETO_BLOCK_ROWS - used, 1)):
            ws.append([])
        row += max(PARETO_BLOCK_ROWS, used + 1)
    if wanted.empty:
        ws.append(["No SKU is above or indeterminate: no chart."])
    if len(wanted) > PARETO_SKUS:
        ws.append([f"{len(wanted) - PARETO_SKUS} more SKUs above or indeterminate have no chart here; "
                   "their contributors are on the Contributors sheet"])


def _pareto_chart(ws, sku: str, first: int, last: int) -> BarChart:
    bars = BarChart()
    bars.type = "col"
    bars.grouping = "stacked"
    bars.overlap = 100
    bars.title = f"{sku}: controlled content by part"
    bars.y_axis.title = "g per SKU"
    bars.y_axis.majorGridlines = None
    bars.add_data(Reference(ws, min_col=2, max_col=3, min_row=first - 1, max_row=last), titles_from_data=True)
    bars.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
    line = LineChart()
    line.add_data(Reference(ws, min_col=4, min_row=first - 1, max_row=last), titles_from_data=True)
    line.y_axis.axId = 200
    line.y_axis.title = "cumulative"
    line.y_axis.number_format = "0%"
    line.y_axis.scaling.min = 0
    line.y_axis.scaling.max = 1
    line.y_axis.crosses = "max"
    for axis in (bars.x_axis, bars.y_axis, line.y_axis):
        axis.delete = False  # openpyxl 3.1 hides axes unless told otherwise
    bars += line
    bars.height, bars.width = 9, 18
    return bars
