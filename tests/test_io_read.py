"""The read stage's fast paths (remin/io): Arrow text cells, the RE2 scans that decide
when cells need trimming or a sheet a closer count, and the grid bound of the guard."""
from __future__ import annotations

import zipfile

import openpyxl
import pandas as pd
import pyarrow as pa
import pytest

from hostile_files import BOM_ROWS, rows_xml, sheet_xml, write_xlsx
from remin import limits
from remin.errors import InputError
from remin.io import read_sheets
from remin.io.delimited import _edge_whitespace
from remin.io.guard import _NOTABLE, check_workbook
from remin.io.scan import matches
from remin.io.sheet import _longest_bytes
from remin.io.states import sheet_states

HEADER = "Level,Part Number,Description,Qty\n"


def cells(sheet) -> list[list]:
    """The frame's cells as lists, None for NA."""
    return [[None if pd.isna(c) else c for c in row] for row in sheet.frame.itertuples(index=False)]


# ------------------------------------------------------------------ text files

@pytest.mark.parametrize("body, trimmed", [
    ("0,P1,Product,1\n1,M1,Magnet ring,2\n", False),          # spaces inside cells only
    ("0,P1,Product,1\n1, M1 ,Magnet ring ,2\n", True),        # spaces at cell edges
    ('0,P1,Product,1\n1,M1," Magnet",2\n', True),             # ... inside quotes
    ("0,P1,Product,1\r\n1,M1,Magnet ring,2\r\n", False),      # CRLF line ends are not whitespace
    ("0,P1,Product,1\r\n1,M1,Magnet ring ,2\r\n", True),
    ("0,P1,Product,1\n1,M1,Magnet\xa0,2\n", True),            # not ASCII: NBSP may be at an edge
])
def test_cells_are_trimmed_only_when_an_edge_holds_whitespace(write, body, trimmed):
    path = write("b.csv", HEADER + body)
    raw = path.read_bytes()
    assert _edge_whitespace(raw, ",") is trimmed
    sheet = read_sheets(path)[0]
    assert cells(sheet)[1][1] == "M1"
    assert cells(sheet)[1][2] in ("Magnet ring", "Magnet")          # never with the edge space


def test_blank_and_whitespace_only_cells_are_na_and_blank_rows_dropped(write):
    # row 3 (",  ,,") is blank once trimmed; quoted "" is blank too
    path = write("b.csv", HEADER + '0,P1,"",1\n,  ,,\n1,M1,  ,2\n')
    sheet = read_sheets(path)[0]
    assert cells(sheet) == [["0", "P1", None, "1"], ["1", "M1", None, "2"]]
    assert sheet.rows.tolist() == [2, 4]                               # line 3 dropped, lines kept
    assert all(isinstance(dt, pd.StringDtype) and dt.storage == "pyarrow" for dt in sheet.frame.dtypes)


def test_tab_separated_cells_next_to_tabs_are_not_edge_whitespace():
    assert _edge_whitespace(b"Level\tPart Number\n0\tP1\n", "\t") is False
    assert _edge_whitespace(b"Level\tPart Number\n0\t P1\n", "\t") is True


def test_a_long_cell_counts_characters_not_bytes(write):
    # 6 two-byte characters = 12 bytes: over a 10-byte bound, within the 10-character limit
    path = write("b.csv", HEADER + "0,P1,ØØØØØØ,1\n1,M1,ØØØØØØØØØØØØ,2\n")
    with limits.using(max_cell_chars=10):
        sheet = read_sheets(path)[0]
    assert cells(sheet)[0][2] == "ØØØØØØ"
    assert cells(sheet)[1][2] == "Ø" * 10
    [cut] = sheet.findings
    assert cut.code == "cell-truncated" and "1 cell(s) longer than 10" in cut.message
    assert "the longest has 12" in cut.message and cut.source.row == 3 and cut.source.column == "Description"


# ------------------------------------------------------------------ workbooks

def _workbook(path, rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "BOM"
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_a_workbook_is_read_as_trimmed_arrow_text_with_excel_rows(tmp_path):
    path = _workbook(tmp_path / "b.xlsx", [["exported by a tool"], [],
                                           ["Level", "Part Number", "Description", "Qty"],
                                           [0, " P1 ", "Product", 1], [None, "   ", None, None],
                                           [1, "M1", "x" * 40, 2.5]])
    with limits.using(max_cell_chars=30):
        sheet = read_sheets(path)[0]
    assert sheet.header_row == 3
    assert cells(sheet) == [["0", "P1", "Product", "1"], ["1", "M1", "x" * 30, "2.5"]]
    assert sheet.rows.tolist() == [4, 6]                               # Excel row 5 is blank once trimmed
    [cut] = sheet.findings
    assert cut.code == "cell-truncated" and cut.source.row == 6 and "the longest has 40" in cut.message


def test_the_row_limit_counts_data_rows_below_the_header(tmp_path):
    path = _workbook(tmp_path / "b.xlsx", [["title"], ["Level", "Part Number", "Qty"],
                                           [0, "P1", 1], [1, "M1", 2], [1, "M2", 3]])
    with limits.using(max_rows=3):
        assert len(read_sheets(path)[0].frame) == 3
    with limits.using(max_rows=2), pytest.raises(InputError, match="more than 2 data rows"):
        read_sheets(path)


# ------------------------------------------------------------------ the workbook guard

@pytest.mark.parametrize("tag, notable", [
    ('<c r="A1">', False), ('<c r="Z999999" s="1">', False),
    ('<c r="A1000000">', True),               # 7 digits
    ('<c r="AA1">', True),                    # 2 letters
    ("<c>", True), ('<c s="1" r="A1">', True), ("<c r='A1'>", True), ('<c\nr="A1">', True),
    ('<x:c r="A1">', True), ('<mergeCell ref="A1:B2"/>', True), ('<sst uniqueCount="3">', True),
    ('<col min="1" max="3"/>', False), ('<cols>', False),
])
def test_only_cells_beyond_z999999_or_written_oddly_are_notable(tag, notable):
    assert matches(b"<sheetData>" + tag.encode() + b"</sheetData>", _NOTABLE) is notable


def test_a_row_of_seven_digits_is_counted_exactly(tmp_path):
    # A1..E3 and A1048576: 1,048,576 rows x 5 columns = 5,242,880 cells
    far = '<row r="1048576"><c r="A1048576"><v>1</v></c></row>'
    path = write_xlsx(tmp_path / "deep.xlsx", sheet_xml(rows_xml(BOM_ROWS) + far))
    check_workbook(path, "deep.xlsx")                                  # within 50,000,000
    with limits.using(max_cells=5_000_000), pytest.raises(InputError, match="spans 1,048,576 rows x 5 columns"):
        check_workbook(path, "deep.xlsx")


@pytest.mark.parametrize("far_cell", ['<c r="AAAA4">', "<c r = 'AAAA4'>"])   # plain; odd (counted by expat)
def test_a_column_of_four_letters_is_counted(tmp_path, far_cell):
    # AAAA = 26^3 + 26^2 + 26 + 1 = 18,279: 4 rows x 18,279 columns = 73,116 cells
    far = f'<row r="4">{far_cell}<v>1</v></c></row>'
    path = write_xlsx(tmp_path / "wide.xlsx", sheet_xml(rows_xml(BOM_ROWS) + far))
    check_workbook(path, "wide.xlsx")
    with limits.using(max_cells=73_115), pytest.raises(InputError, match="spans 4 rows x 18,279 columns"):
        check_workbook(path, "wide.xlsx")


def test_a_limit_below_the_cheap_bound_reads_the_references(tmp_path):
    # 999,999 x 26 is over 100 cells; the references say 3 rows x 5 columns = 15
    path = write_xlsx(tmp_path / "ok.xlsx", sheet_xml(rows_xml(BOM_ROWS)))
    with limits.using(max_cells=15):
        check_workbook(path, "ok.xlsx")
    with limits.using(max_cells=14), pytest.raises(InputError, match="spans 3 rows x 5 columns"):
        check_workbook(path, "ok.xlsx")


def test_merged_cells_are_seen_past_the_first_block(tmp_path, monkeypatch):
    # blocks of 64 bytes: the <mergeCell> sits blocks after the sheet's first cells
    monkeypatch.setattr("remin.io.guard._CHUNK", 64)
    body = rows_xml(BOM_ROWS) + '</sheetData><mergeCells count="1"><mergeCell ref="A2:A3"/></mergeCells><sheetData>'
    path = write_xlsx(tmp_path / "merged.xlsx", sheet_xml(body))
    assert check_workbook(path, "merged.xlsx").merged
    plain = write_xlsx(tmp_path / "plain.xlsx", sheet_xml(rows_xml(BOM_ROWS)))
    assert not check_workbook(plain, "plain.xlsx").merged


def test_sheet_states_come_from_the_workbook_part(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "A&B <x>"                                         # escaped in workbook.xml
    wb.create_sheet("H").sheet_state = "hidden"
    wb.create_sheet("V").sheet_state = "veryHidden"
    for ws in wb.worksheets:
        ws.append(["Level", "Part Number", "Qty"])
        ws.append([0, "P1", 1])
    path = tmp_path / "states.xlsx"
    wb.save(path)
    assert sheet_states(path) == {"A&B <x>": "visible", "H": "hidden", "V": "veryhidden"}
    said = {s.sheet: [f.message for f in s.findings if f.code == "hidden-sheet"] for s in read_sheets(path)}
    assert said == {"A&B <x>": [], "H": ["the sheet is hidden in Excel; it is read like any other"],
                    "V": ["the sheet is veryhidden in Excel; it is read like any other"]}


def test_sheet_states_are_unknown_without_a_plain_workbook_part(tmp_path, write):
    assert sheet_states(write("fake.xlsx", "Part Number,Qty\n")) == {}
    for name, workbook in [("odd.xlsx", '<workbook><sheets><sheet name="BOM" state="odd"/></sheets></workbook>'),
                           ("twice.xlsx", '<workbook><sheets><sheet name="B"/><sheet name="B"/></sheets></workbook>'),
                           ("entity.xlsx", '<!DOCTYPE w [<!ENTITY e "x">]><workbook><sheet name="&e;"/></workbook>')]:
        with zipfile.ZipFile(tmp_path / name, "w") as z:
            z.writestr("xl/workbook.xml", workbook)
        assert sheet_states(tmp_path / name) == {}


def test_the_longest_cell_is_read_from_the_offsets():
    cells = pa.array(["ab", None, "xyz12", ""])                          # 2, 0, 5, 0 bytes
    assert _longest_bytes(cells) == 5
    assert _longest_bytes(cells.slice(0, 2)) == 2                       # a slice keeps its own offsets
    assert _longest_bytes(pa.chunked_array([cells.slice(3), cells.slice(0, 1)])) == 2
    assert _longest_bytes(pa.array(["ééé"], pa.string_view())) == 6     # 3 two-byte characters
