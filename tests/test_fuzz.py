"""Fuzzing: generated BOM frames written as CSV and xlsx, and byte-level mutations
of the real files in ../shared/corpus/, the bundled examples and the declaration
fixtures, fed to every reader and to `remin check`. Whatever the bytes, remin
either reads them or fails with exit code 3 (InputError) and a message; a run
that succeeds carries finite, non-negative masses and valid JSON.

The examples run here are bounded (40 per test, derandomised, ~1 min on 2 cores);
``REMIN_FUZZ_EXAMPLES=N`` runs N per test with fresh randomness (``make fuzz``).
"""
from __future__ import annotations

import csv
import io
import json
import math
import os
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CORPUS, EXAMPLES
from remin.cli import main
from remin.errors import InputError
from remin.io import read_sheets
from remin.library import Library
from remin.library.store import read_declaration_file

LONG_RUN = int(os.environ.get("REMIN_FUZZ_EXAMPLES", "0") or 0)
FUZZ = settings(max_examples=LONG_RUN or 40, deadline=None, derandomize=not LONG_RUN, database=None,
                suppress_health_check=list(HealthCheck), print_blob=True)
AS_OF = "2026-11-22"
LIBRARY_FIXTURES = Path(__file__).parent / "fixtures" / "library"


# ------------------------------------------------------------------ the property

def assert_handled(path: Path) -> None:
    """Every BOM reader and `remin check` on ``path``: read, or InputError / exit 3."""
    try:
        read_sheets(path)
    except InputError:
        pass
    result = CliRunner().invoke(main, ["check", str(path), "--format", "json", "--as-of", AS_OF])
    assert result.exit_code in (0, 3), (result.exit_code, result.output[-2000:], result.exception)
    if result.exit_code == 3:
        assert result.output.startswith("Error: ") and "Traceback" not in result.output
        return
    report = json.loads(result.stdout, parse_constant=_no_constants)
    for s in report["skus"]:
        for figure in (s["mass_kg"], *s["controlled_mass_kg"].values()):
            assert figure is None or (math.isfinite(figure) and figure >= 0), s


def _no_constants(token):
    raise AssertionError(f"JSON output holds {token}")


def assert_declaration_handled(path: Path, tmp: Path) -> None:
    """The declaration readers and a library import: imported, or InputError."""
    try:
        read_declaration_file(path)
    except InputError:
        pass
    with Library.open(tmp / "fuzz.db", create=True) as lib:
        try:
            lib.import_file(path)
        except InputError:
            pass
        lib.state_hash()


# ------------------------------------------------------------------ generated BOMs

HEADERS = ["Level", "Part Number", "Parent", "Description", "Qty", "UoM", "Unit weight (g)", "Weight",
           "Weight unit", "Material", "RE origin", "Country of origin", "Dy [wt%]", "Nd [ppm]", "Unit price",
           "Currency", "Substance", "Amount", "Qty"]
SPECIAL_NUMBERS = ["1e308", "-1e308", "1e999", "NaN", "nan", "inf", "-inf", "-1", "0", "-0", "0.5", "1,5",
                   "1.234,5", "$12.50", "12,50 EUR", "1e-320", "0x10", "1_000", "１２", "٣"]
WORDS = ["EA", "PC", "g", "kg", "M", "mm", "wt%", "ppm", "fraction", "CN", "China", "JP", "unknown", "Dy", "Dy2O3",
         "NdFeB N42", "steel", "USD", "EUR", ".1", "..2", "1.2.3", "=1+1", "+A", "-B", "@SUM(A1)", '"', ",", ";",
         "\t", "\n", "P1", "P2", "A", "B"]
cells = st.one_of(st.none(), st.integers(-3, 1000).map(str), st.sampled_from(SPECIAL_NUMBERS),
                  st.sampled_from(WORDS), st.text(max_size=12),
                  st.floats(allow_nan=True, allow_infinity=True).map(repr))


@st.composite
def bom_frames(draw):
    headers = draw(st.lists(st.sampled_from(HEADERS), min_size=1, max_size=8))
    if draw(st.booleans()):       # most real files carry a part and a quantity column
        headers = ["Part Number", "Qty", *headers]
    n_rows = draw(st.integers(0, 10))
    part_names = st.sampled_from(["P1", "P2", "A", "B", "C", "", "=X"])
    rows = []
    for _ in range(n_rows):
        row = [draw(part_names) if h in ("Part Number", "Parent") else draw(cells) for h in headers]
        rows.append(row)
    title_lines = draw(st.integers(0, 2))
    return headers, rows, title_lines


def _xml_safe(text):
    if text is None:
        return None
    return "".join(ch for ch in str(text) if ch in "\t\n\r" or ord(ch) >= 0x20 and not 0xD800 <= ord(ch) <= 0xDFFF
                   and ord(ch) not in (0xFFFE, 0xFFFF))


@given(frame=bom_frames(), delimiter=st.sampled_from([",", ";", "\t", "|"]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16", "utf-16-le"]))
@FUZZ
def test_generated_bom_as_csv(tmp_path_factory, frame, delimiter, encoding):
    headers, rows, title_lines = frame
    buf = io.StringIO()
    for i in range(title_lines):
        buf.write(f"Export {i}\n")
    writer = csv.writer(buf, delimiter=delimiter)
    writer.writerow(headers)
    writer.writerows(["" if c is None else c for c in row] for row in rows)
    path = tmp_path_factory.mktemp("csv") / "bom.csv"
    path.write_bytes(buf.getvalue().encode(encoding, errors="replace"))
    assert_handled(path)


@given(frame=bom_frames(), merge=st.booleans(), hidden=st.booleans(), offset=st.integers(0, 3))
@FUZZ
def test_generated_bom_as_xlsx(tmp_path_factory, frame, merge, hidden, offset):
    headers, rows, title_lines = frame
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "BOM"
    top = 1 + offset + title_lines
    for i in range(title_lines):
        ws.cell(row=1 + offset + i, column=1 + offset, value=f"Export {i}")
    for r, values in enumerate([headers, *rows]):
        for c, v in enumerate(values):
            text = _xml_safe(v)
            if text:
                cell = ws.cell(row=top + r, column=1 + offset + c, value=text)
                cell.data_type = "s"                                   # as text, even '=1+1'
    if merge and rows:
        ws.merge_cells(start_row=top + 1, start_column=1 + offset, end_row=top + len(rows),
                       end_column=1 + offset)
    if hidden:
        ws.sheet_state = "hidden"
        wb.create_sheet("Visible")
    path = tmp_path_factory.mktemp("xlsx") / "bom.xlsx"
    wb.save(path)
    assert_handled(path)


# ------------------------------------------------------------------ mutated real files

INTERESTING = [b",", b";", b'"', b"\n", b"\r", b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b"\t", b"1e308", b"NaN",
               b"-", b"=", b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"<", b">", b"&", b"]]>", b"<!ENTITY a 'b'>",
               b"\xc3", b"\x80", b"99999999999999999999", b"r=\"XFD1048576\"", b"uniqueCount=\"4000000000\""]


@st.composite
def mutations(draw, data: bytes):
    """Up to five edits of ``data``: bit flips, inserted tokens, deletions, truncation,
    duplicated runs."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 5))):
        if not out:
            out += draw(st.sampled_from(INTERESTING))
            continue
        pos = draw(st.integers(0, len(out) - 1))
        op = draw(st.sampled_from(["flip", "insert", "delete", "truncate", "duplicate", "byte"]))
        if op == "flip":
            out[pos] ^= 1 << draw(st.integers(0, 7))
        elif op == "byte":
            out[pos] = draw(st.integers(0, 255))
        elif op == "insert":
            out[pos:pos] = draw(st.one_of(st.sampled_from(INTERESTING), st.binary(min_size=1, max_size=8)))
        elif op == "delete":
            del out[pos:pos + draw(st.integers(1, 64))]
        elif op == "truncate":
            del out[pos:]
        else:
            run = out[pos:pos + draw(st.integers(1, 256))]
            out[pos:pos] = run * draw(st.integers(1, 4))
    return bytes(out)


def _text_sources() -> list[Path]:
    files = sorted(CORPUS.glob("*.csv")) + sorted(EXAMPLES.glob("*.csv"))
    assert files, "no corpus or example CSV files found"
    return files


def _workbook_sources() -> list[Path]:
    return sorted(EXAMPLES.glob("*.xlsx"))


@given(data=st.data())
@FUZZ
def test_mutated_csv_files(tmp_path_factory, data):
    source = data.draw(st.sampled_from(_text_sources()), label="source")
    mutated = data.draw(mutations(source.read_bytes()), label="bytes")
    path = tmp_path_factory.mktemp("mut") / source.name
    path.write_bytes(mutated)
    assert_handled(path)


def _mutate_zip_part(data, source: Path, out: Path) -> None:
    """Mutate the bytes of one XML part inside a workbook and zip it again (the
    zip stays valid, so the mutation reaches the XML readers)."""
    with zipfile.ZipFile(source) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    name = data.draw(st.sampled_from(sorted(n for n in parts if n.endswith(".xml"))), label="part")
    parts[name] = data.draw(mutations(parts[name]), label="xml")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for n, b in parts.items():
            z.writestr(n, b)


@given(data=st.data())
@FUZZ
def test_mutated_workbooks(tmp_path_factory, data):
    source = data.draw(st.sampled_from(_workbook_sources()), label="source")
    path = tmp_path_factory.mktemp("mut") / source.name
    if data.draw(st.booleans(), label="inside the zip"):
        _mutate_zip_part(data, source, path)
    else:
        path.write_bytes(data.draw(mutations(source.read_bytes()), label="bytes"))
    assert_handled(path)


@given(data=st.data())
@FUZZ
def test_mutated_declarations(tmp_path_factory, data):
    tmp = tmp_path_factory.mktemp("decl")
    kind = data.draw(st.sampled_from(["xml", "template"]), label="kind")
    if kind == "xml":
        source = data.draw(st.sampled_from(sorted(LIBRARY_FIXTURES.glob("*.xml"))), label="source")
        path = tmp / source.name
        path.write_bytes(data.draw(mutations(source.read_bytes()), label="bytes"))
    else:
        from remin.library import write_declaration_template
        source = write_declaration_template(tmp / "source.xlsx")
        path = tmp / "declaration.xlsx"
        _mutate_zip_part(data, source, path)
    assert_declaration_handled(path, tmp)


def test_the_sources_exist():
    """The fuzz sources are the real files: the corpus beside the repository and the examples."""
    assert len(list(CORPUS.glob("*.csv"))) >= 3
    assert _workbook_sources()


@pytest.mark.skipif(not LONG_RUN, reason="set REMIN_FUZZ_EXAMPLES for the long run (make fuzz)")
def test_long_run_is_configured():
    assert FUZZ.max_examples == LONG_RUN
