"""CSV / TSV reader: encoding, delimiter and decimal mark detected; the header row
found below any title lines; rows broken by an unquoted delimiter rejoined."""
from __future__ import annotations

import csv
import re
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

from remin.columns import header_score
from remin.errors import InputError
from remin.findings import finding
from remin.io.scan import matches
from remin.io.sheet import (HEADER_SEARCH_ROWS, RawSheet, arrow_columns, clean_text, duplicate_headers, find_header,
                            text_frame, unique_headers)
from remin.limits import SETTINGS, current

_SAMPLE_BYTES = 256 * 1024
# The csv module refuses fields over 128 KB ("field larger than field limit") and
# the limit is process-wide: raise it once so a long cell is cut by max_cell_chars
# with a finding instead of failing the sniffing of the whole file.
csv.field_size_limit(max(csv.field_size_limit(), 1 << 30))
_DELIMITERS = [",", ";", "\t", "|"]
_DECIMAL_COMMA = re.compile(r"^\s*[-+]?\d{1,3}(?:\.\d{3})*,\d+\s*$|^\s*[-+]?\d+,\d+\s*$")
_SKIP_WARNING = re.compile(r"Skipping line (\d+): expected (\d+) fields, saw (\d+)")


def detect_encoding(head: bytes) -> str:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    bom_less = _utf16_without_bom(head)
    if bom_less:
        return bom_less
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as e:
        if e.start >= len(head) - 4:   # a character cut by the sample's end
            return "utf-8"
        return "cp1252"


def _utf16_without_bom(head: bytes) -> str | None:
    """'utf-16-le' / 'utf-16-be' for UTF-16 text saved without a byte-order mark
    (ASCII characters then have a zero byte after / before them), else None."""
    sample = head[:4096]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


def _sample_rows(text: str, delimiter: str) -> list[list[str]]:
    lines = text.splitlines()[:HEADER_SEARCH_ROWS]
    return list(csv.reader(lines, delimiter=delimiter))


def sniff(text: str) -> tuple[str, int | None]:
    """(delimiter, header index): the delimiter whose split gives the best header."""
    best = (",", None, 0)
    searched = "\n".join(text.splitlines()[:HEADER_SEARCH_ROWS])
    for d in _DELIMITERS:
        if d not in searched:
            continue                # one cell a row names one field at most: never a header
        rows = _sample_rows(text, d)
        h = find_header(rows)
        score = header_score(rows[h]) if h is not None else 0
        if score > best[2]:
            best = (d, h, score)
    if best[1] is None and "\t" in text.split("\n", 1)[0]:
        return "\t", None
    return best[0], best[1]


def detect_decimal(rows: list[list[str]], delimiter: str) -> str:
    """',' when numbers in the sample are written with a decimal comma (';' or tab files)."""
    if delimiter == ",":
        return "."
    hits = sum(1 for r in rows for c in r if _DECIMAL_COMMA.match(c))
    return "," if hits else "."


def read_delimited(path: str | Path, display_name: str | None = None) -> list[RawSheet]:
    """Read a CSV/TSV file into one RawSheet of text cells."""
    path = Path(path)
    name = display_name or str(path)
    try:
        with open(path, "rb") as f:
            head = f.read(_SAMPLE_BYTES)
    except OSError as e:
        raise InputError(f"cannot read file: {e.strerror}", file=name) from None
    if not head.strip():
        raise InputError("the file is empty", file=name)
    encoding = detect_encoding(head)
    if b"\x00" in head and not encoding.startswith("utf-16"):
        raise InputError("this is not a text (CSV) file; expected comma, semicolon or tab separated text",
                         file=name)
    if encoding.startswith("utf-16") and len(head) == _SAMPLE_BYTES:
        head = head[:len(head) // 2 * 2]     # whole code units only
    text = head.decode(encoding, errors="replace")
    delimiter, h = sniff(text)
    if h is None:
        raise InputError("no header row found in the first 50 rows: expected headers such as "
                         "'Part Number', 'Qty', 'Level' or 'Parent' (or name them in a --map file)",
                         file=name)
    sample = _sample_rows(text, delimiter)
    lim = current()
    if len(sample[h]) > lim.max_columns:
        raise InputError(f"the header row has {len(sample[h]):,} columns, more than the limit of "
                         f"{lim.max_columns:,} (raise it with --max-columns or {SETTINGS['max_columns'][0]})",
                         file=name, row=h + 1)
    header = unique_headers(sample[h])
    decimal = detect_decimal(sample[h + 1:], delimiter)
    # Lines before the header are counted to keep row numbers as the user sees them.
    header_line = len(text.splitlines()[:h]) + 1
    findings = duplicate_headers(sample[h], header, name, None, header_line)
    fast = _read_with_arrow(path, delimiter, header, header_line) if encoding.startswith("utf-8") else None
    if fast is not None:
        columns, rows = fast
        if len(rows) > lim.max_rows:
            raise _too_many_rows(name, lim)
        frame, rows, cut = text_frame(columns, rows, name, None, lim.max_cell_chars)
        return [RawSheet(name, None, frame, rows, header_line, decimal, findings + cut)]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            try:
                frame = _read_csv(path, delimiter, header, header_line, encoding, lim.max_rows + 1)
            except UnicodeDecodeError:
                encoding = "cp1252"
                frame = _read_csv(path, delimiter, header, header_line, encoding, lim.max_rows + 1)
        except (pd.errors.ParserError, ValueError, UnicodeDecodeError) as e:
            raise InputError(f"cannot parse as {_delim_name(delimiter)}-separated text: {_first_line(e)}",
                             file=name) from None
    if len(frame) > lim.max_rows:
        raise _too_many_rows(name, lim)
    bad_lines = _skipped_lines(caught)
    first_data_line = header_line + 1
    all_lines = np.arange(first_data_line, first_data_line + len(frame) + len(bad_lines))
    rows = all_lines[~np.isin(all_lines, list(bad_lines))] if bad_lines else all_lines
    if bad_lines:
        repaired, repair_findings = _repair_lines(path, encoding, delimiter, header, bad_lines, name)
        findings += repair_findings
        if len(repaired):
            frame = pd.concat([frame, repaired.drop(columns="_line")], ignore_index=True)
            rows = np.concatenate([rows, repaired["_line"].to_numpy()])
            order = np.argsort(rows, kind="stable")
            frame, rows = frame.iloc[order].reset_index(drop=True), rows[order]
    frame = frame.apply(lambda s: s.str.strip()).replace("", pd.NA) if len(frame) else frame
    frame, rows, cut = text_frame(arrow_columns(frame), rows, name, None, lim.max_cell_chars)
    return [RawSheet(name, None, frame, rows, header_line, decimal, findings + cut)]


def _too_many_rows(name: str, lim) -> InputError:
    return InputError(f"the file has more than {lim.max_rows:,} data rows, the limit (raise it with "
                      f"--max-rows or {SETTINGS['max_rows'][0]})", file=name)


def _read_csv(path, delimiter, header, header_line, encoding, nrows):
    # cp1252 leaves five bytes undefined: read them as the Latin-1 characters they are, not as an error
    strict = "strict" if encoding != "cp1252" else "replace"
    return pd.read_csv(path, sep=delimiter, header=None, names=header, skiprows=header_line, nrows=nrows,
                       dtype=str, keep_default_na=False, na_values=[""], encoding=encoding,
                       on_bad_lines="warn", skip_blank_lines=False, engine="c", quotechar='"',
                       encoding_errors=strict, index_col=False)


def _first_line(e: Exception) -> str:
    text = str(e).strip()
    return (text.splitlines()[0] if text else type(e).__name__)[:200]


#: From this many bytes the whitespace scan runs in a thread beside Arrow's reader.
_THREAD_FROM = 1 << 20


def _read_with_arrow(path: Path, delimiter: str, header: list[str], header_line: int):
    """The fast path: Arrow's multithreaded CSV reader, all columns as text, cells
    trimmed and blanks made NA in Arrow. Used only when every line after the header is
    exactly one row of the right width (no blank lines, no line breaks inside quotes,
    no broken rows), so row numbers stay exact; otherwise None and the careful
    pandas path below takes over. Returns (columns, row numbers)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    invalid = []

    def on_invalid(row):
        invalid.append(row)
        return "skip"

    try:
        raw = path.read_bytes()
    except OSError:
        return None
    # Blank cells are made null by the reader; cells are trimmed in Arrow only if some cell
    # may start or end with whitespace, which an RE2 scan of the bytes rules out for most
    # files while the reader parses them (both release the GIL).
    def parse():
        try:
            return pacsv.read_csv(
                pa.py_buffer(raw),
                read_options=pacsv.ReadOptions(skip_rows=header_line, column_names=header, block_size=1 << 24),
                parse_options=pacsv.ParseOptions(delimiter=delimiter, quote_char='"', newlines_in_values=False,
                                                 ignore_empty_lines=False, invalid_row_handler=on_invalid),
                convert_options=pacsv.ConvertOptions(column_types={h: pa.large_string() for h in header},
                                                     strings_can_be_null=True, quoted_strings_can_be_null=True,
                                                     null_values=[""]))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, UnicodeDecodeError, OSError):
            return None

    if len(raw) < _THREAD_FROM:   # a small file: a thread costs more than the scan
        trim, table = _edge_whitespace(raw, delimiter), parse()
    else:
        with ThreadPoolExecutor(max_workers=1) as pool:
            edge = pool.submit(_edge_whitespace, raw, delimiter)
            table = parse()
            trim = edge.result()
    if table is None:
        return None
    if invalid:
        return None
    data_lines = raw.count(b"\n") + (0 if raw.endswith(b"\n") else 1) - header_line
    if table.num_rows != data_lines:
        return None
    columns = {h: clean_text(col) if trim else col for h, col in zip(header, table.columns)}
    rows = np.arange(header_line + 1, header_line + 1 + table.num_rows)
    return columns, rows


#: ASCII whitespace that trimming removes, as an RE2 class body (besides the line end \n).
_EDGE_SPACE = r" \t\x0b\x0c\x1c-\x1f"


def _edge_whitespace(raw: bytes, delimiter: str) -> bool:
    """False only if no cell can start or end with whitespace: an ASCII file where no space,
    tab, ... stands next to a delimiter, a quote or a line end, and \r only ends lines.
    One RE2 pass over the bytes, cheaper than trimming every cell."""
    if not raw.isascii():
        return True                        # Unicode spaces (NBSP, ...): trim
    space = _EDGE_SPACE.replace(r"\t", "") if delimiter == "\t" else _EDGE_SPACE
    edge = re.escape(delimiter) if delimiter != "\t" else r"\t"
    pattern = rf'[{edge}\n"][{space}]|[{space}]([{edge}\r\n"]|$)|\r([^\n]|$)'
    return matches(raw, pattern)


def _delim_name(d: str) -> str:
    return {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}[d]


def _skipped_lines(caught) -> dict[int, tuple[int, int]]:
    out = {}
    for w in caught:
        for m in _SKIP_WARNING.finditer(str(w.message)):
            out[int(m.group(1))] = (int(m.group(2)), int(m.group(3)))
    return out


def _repair_lines(path, encoding, delimiter, header, bad_lines, name):
    """Rejoin rows that carry extra fields because a text cell held an unquoted
    delimiter: the extra fields are glued back into the text column where the
    remaining cells still fit their columns (numbers stay in numeric columns)."""
    wanted = set(bad_lines)
    rows, findings = [], []
    with open(path, encoding=encoding, errors="replace", newline="") as f:
        for lineno, line in enumerate(f, start=1):
            if lineno not in wanted:
                continue
            fields = next(csv.reader([line], delimiter=delimiter))
            joined, col = _rejoin(fields, header, delimiter)
            if joined is None:
                findings.append(finding("bad-row", f"expected {len(header)} fields, found {len(fields)}; "
                                        "quote text that contains the delimiter", file=name, row=lineno))
                continue
            rows.append(joined + [lineno])
            findings.append(finding("row-repaired", f"expected {len(header)} fields, found {len(fields)}: "
                                    f"the extra fields were joined back into column {col!r}",
                                    file=name, row=lineno, column=col))
    return pd.DataFrame(rows, columns=[*header, "_line"], dtype=object), findings


def _looks_numeric(text: str) -> bool:
    return bool(re.fullmatch(r"\s*[$€£]?\s*[-+]?[\d.,]+\s*%?\s*", text or "")) or not text


def _rejoin(fields: list[str], header: list[str], delimiter: str):
    extra = len(fields) - len(header)
    if extra <= 0:
        return None, None
    # Columns whose header names a number (qty, cost...) must receive numeric text.
    from remin.columns import map_headers  # local: only needed on the rare repair path
    hm = map_headers(header)
    numeric = {h for f, hs in hm.fields.items() if f in ("qty", "unit_value", "unit_mass", "parent_qty")
               for h in hs}
    described = set(hm.fields.get("description", []))
    candidates = []
    for i in range(len(header)):
        pieces = fields[i:i + extra + 1]
        merged = fields[:i] + [delimiter.join(pieces)] + fields[i + extra + 1:]
        ok = all(_looks_numeric(merged[j]) for j, h in enumerate(header) if h in numeric)
        if ok and header[i] not in numeric:
            # prose continues after a comma with a space: "Grid Plate (3 x 5 Hole, 24 x 40mm)"
            prose = all(p[:1] == " " for p in pieces[1:])
            candidates.append(((prose, header[i] in described, len(merged[i])), i, merged))
    if not candidates:
        return None, None
    _, i, merged = max(candidates, key=lambda c: c[0])
    return merged, header[i]
