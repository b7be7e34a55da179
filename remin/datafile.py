"""Reading remin's small, self-documenting data files with line numbers for errors.

Two shapes: TOML (rule files, rate files) and CSV with ``#`` comment lines (price
and rate tables). Errors name the file, the line and, for TOML, the key, so a user
who edits a file sees exactly where the typo is.
"""
from __future__ import annotations

import csv
import io
import re
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:  # pandas is imported inside the CSV readers, so importing datafile stays cheap
    import pandas as pd

from remin.errors import InputError

# --------------------------------------------------------------------------- TOML

_TOML_POS = re.compile(r"\(at line (\d+), column (\d+)\)")


def read_toml(path: Path, error: type[InputError] = InputError) -> tuple[dict, str]:
    """Parse a TOML file; return (document, text). Syntax errors name file and line."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise error(f"not UTF-8 text ({e.reason} at byte {e.start})", file=path) from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as e:
        msg = str(e)
        m = _TOML_POS.search(msg)
        line = int(m.group(1)) if m else None
        msg = _TOML_POS.sub("", msg).strip()
        key, hint = _key_at(text, line)
        raise error(f"TOML syntax error: {msg}{hint}", file=path, line=line, key=key) from None


_DATEISH = re.compile(r"^\s*\d{4}-\d{1,2}-\d{1,2}")


def _key_at(text: str, line: int | None) -> tuple[str | None, str]:
    """(dotted key defined on ``line``, a hint) for a syntax error message."""
    if not line:
        return None, ""
    all_lines = text.splitlines()
    if line > len(all_lines):
        return None, ""
    m = _KEYLINE.match(all_lines[line - 1])
    if not m:
        return None, ""
    table = next((h.group(2) for h in map(_HEADER.match, reversed(all_lines[:line - 1])) if h), None)
    key = ".".join(((table,) if table else ()) + _parts(m.group(1)))
    hint = " (is it a valid date, written YYYY-MM-DD?)" if _DATEISH.match(m.group(2)) else \
        " (text values need quotes)" if re.match(r"^\s*[A-Za-z]", m.group(2)) else ""
    return key, hint


_STRING = re.compile(r'"""|\'\'\'|"(?:[^"\\]|\\.)*"|\'[^\']*\'')
_KEYPART = re.compile(r'[A-Za-z0-9_-]+|"[^"]*"|\'[^\']*\'')
_HEADER = re.compile(r"^\s*(\[\[|\[)\s*([^\[\]]+?)\s*\]\]?\s*$")
_KEYLINE = re.compile(r'^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|\'[^\']*\')'
                      r'(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|\'[^\']*\'))*)\s*=(.*)$')
_INLINE_KEY = re.compile(r'([A-Za-z0-9_-]+)\s*=')


def _parts(dotted: str) -> tuple[str, ...]:
    return tuple(p.strip("\"'") for p in _KEYPART.findall(dotted))


def _blank_strings(line: str) -> str:
    """The line with string literals replaced by ``S`` and any comment removed."""
    out = _STRING.sub("S", line)
    return out.split("#", 1)[0]


def toml_key_lines(text: str) -> dict[tuple, int]:
    """Map each key path of a TOML document to the 1-based line that defines it.

    Paths use the parsed document's shape: table names and keys as strings,
    array-of-tables and array items as integer indices, e.g.
    ``("part1_items", 3, "control_codes")``. Covers the layouts remin's files use
    (tables, arrays of tables, dotted keys, arrays with one inline table per line);
    anything it cannot follow simply falls back to the nearest enclosing key.
    """
    lines: dict[tuple, int] = {}
    array_counts: dict[tuple, int] = {}
    current: tuple = ()
    in_multiline: str | None = None
    open_array: dict | None = None  # {"path", "depth", "expect", "index"} while an array spans lines

    def resolve(parts: tuple[str, ...], is_array_header: bool) -> tuple:
        path: tuple = ()
        for i, p in enumerate(parts):
            path = path + (p,)
            last = i == len(parts) - 1
            if is_array_header and last:
                array_counts[path] = array_counts.get(path, 0) + 1
                path = path + (array_counts[path] - 1,)
            elif path in array_counts:
                path = path + (array_counts[path] - 1,)
        return path

    def scan(value: str, state: dict, lineno: int) -> None:
        """Follow brackets in an array value, registering each item's line."""
        for ch in value:
            if ch in "[{":
                if state["depth"] == 1 and state["expect"]:
                    state["index"] += 1
                    state["expect"] = False
                    lines.setdefault(state["path"] + (state["index"],), lineno)
                state["depth"] += 1
            elif ch in "]}":
                state["depth"] -= 1
            elif ch == ",":
                if state["depth"] == 1:
                    state["expect"] = True
            elif not ch.isspace() and state["depth"] == 1 and state["expect"]:
                state["index"] += 1
                state["expect"] = False
                lines.setdefault(state["path"] + (state["index"],), lineno)
        if state["index"] >= 0:  # keys of an inline table item on this line
            for k in _INLINE_KEY.findall(value):
                lines.setdefault(state["path"] + (state["index"], k), lineno)

    for lineno, raw in enumerate(text.splitlines(), start=1):
        if in_multiline:
            if raw.count(in_multiline) % 2 == 1:
                in_multiline = None
            continue
        clean = _blank_strings(raw)
        if open_array is not None:
            scan(clean, open_array, lineno)
            if open_array["depth"] <= 0:
                open_array = None
            continue
        m = _HEADER.match(clean)
        if m:
            current = resolve(_parts(m.group(2)), m.group(1) == "[[")
            lines.setdefault(current, lineno)
            continue
        m = _KEYLINE.match(raw)
        if not m:
            continue
        path = current + _parts(m.group(1))
        lines.setdefault(path, lineno)
        value = m.group(2)
        for q in ('"""', "'''"):
            if value.count(q) % 2 == 1:
                in_multiline = q
        value_clean = _blank_strings(value)
        stripped = value_clean.lstrip()
        if stripped.startswith("["):
            state = {"path": path, "depth": 0, "expect": False, "index": -1}
            for ch in stripped:
                scan(ch, state, lineno)
                if state["depth"] == 1 and ch == "[":
                    state["expect"] = True
            if state["index"] >= 0:
                for k in _INLINE_KEY.findall(stripped):
                    lines.setdefault(path + (state["index"], k), lineno)
            if state["depth"] > 0:
                open_array = state
        elif stripped.startswith("{"):
            for k in _INLINE_KEY.findall(stripped):
                lines.setdefault(path + (k,), lineno)
    return lines


def line_of(key_lines: dict[tuple, int], path: Sequence) -> int | None:
    """Line of ``path``, else of its nearest enclosing key that has a line."""
    path = tuple(path)
    while path:
        if path in key_lines:
            return key_lines[path]
        path = path[:-1]
    return None


def dotted(path: Sequence) -> str:
    """``("a", 2, "b")`` -> ``"a[2].b"`` (indices 0-based, as in the TOML array)."""
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


# --------------------------------------------------------------------------- CSV

def read_commented_csv(path: Path, required: Sequence[str], *,
                       error: type[InputError] = InputError) -> pd.DataFrame:
    """Read a small CSV whose ``#`` lines are comments; all cells stay strings.

    The delimiter is ``,`` or ``;`` (taken from the header line). Column names are
    matched case-insensitively and returned lower-case. A ``_line`` column holds each
    row's 1-based line number in the file, for error messages.
    """
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as e:
        raise error(f"not UTF-8 text ({e.reason} at byte {e.start})", file=path) from None
    numbered = [(i, ln) for i, ln in enumerate(text.splitlines(), start=1)
                if ln.strip() and not ln.lstrip().startswith("#")]
    if not numbered:
        raise error("no header line (only comments or blank lines)", file=path)
    header_line = numbered[0][1]
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    rows = list(csv.reader(io.StringIO("\n".join(ln for _, ln in numbered)), delimiter=delimiter))
    header = [h.strip().lower() for h in rows[0]]
    missing = [c for c in required if c not in header]
    if missing:
        raise error(f"missing column(s) {', '.join(missing)}; the header has {', '.join(header)}",
                    file=path, line=numbered[0][0])
    body = rows[1:]
    for (lineno, _), r in zip(numbered[1:], body):
        if len(r) != len(header):
            raise error(f"{len(r)} fields where the header has {len(header)} "
                        f"(quote a text that contains {delimiter!r})", file=path, line=lineno)
    import pandas as pd  # here: `remin rules` and the CLI's help import this module, not pandas

    df = pd.DataFrame(body, columns=header, dtype=object)
    df = df.apply(lambda s: s.str.strip())
    df["_line"] = [n for n, _ in numbered[1:]]
    df.attrs["delimiter"] = delimiter
    return df


def parse_numbers(df: pd.DataFrame, column: str, path: Path, *,
                  error: type[InputError] = InputError, positive: bool = True) -> pd.Series:
    """Column of a :func:`read_commented_csv` frame as floats; a bad cell is an error
    naming file, line and column. With ``;`` files a decimal comma is accepted."""
    import numpy as np
    import pandas as pd

    text = df[column].fillna("")
    if df.attrs.get("delimiter") == ";":
        text = text.str.replace(",", ".", regex=False)
    values = pd.to_numeric(text, errors="coerce").astype(float)
    bad = ~np.isfinite(values.to_numpy())
    if positive:
        bad |= values.to_numpy() <= 0
    if bad.any():
        i = values.index[bad.argmax()]
        want = "a positive number" if positive else "a number"
        raise error(f"{df.at[i, column]!r} is not {want}", file=path, line=int(df.at[i, "_line"]),
                    column=column)
    return values


def parse_dates(df: pd.DataFrame, column: str, path: Path, *,
                error: type[InputError] = InputError) -> pd.Series:
    """Column of ISO dates (YYYY-MM-DD) as ``datetime.date``; a bad cell names its line."""
    import pandas as pd

    parsed = pd.to_datetime(df[column], format="%Y-%m-%d", errors="coerce")
    if parsed.isna().any():
        i = parsed.isna().idxmax()
        raise error(f"{df.at[i, column]!r} is not a date in the form YYYY-MM-DD", file=path,
                    line=int(df.at[i, "_line"]), column=column)
    return parsed.dt.date
