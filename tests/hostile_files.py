"""Builders for hostile workbooks: raw xlsx zips whose parts say whatever a test
needs (openpyxl cannot write a lying file), used by test_hostile.py and test_fuzz.py."""
from __future__ import annotations

import struct
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
    'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.worksheet+xml"/>{sst}</Types>')
_SST_TYPE = ('<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
             'officedocument.spreadsheetml.sharedStrings+xml"/>')
_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
         '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
         'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK = ('<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="' + MAIN_NS + '" xmlns:r="http://schemas.'
             'openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="BOM" sheetId="1" '
             'r:id="rId1"/></sheets></workbook>')
_WORKBOOK_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                  'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                  'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>{sst}'
                  '</Relationships>')
_SST_REL = ('<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'sharedStrings" Target="sharedStrings.xml"/>')


def cell(ref: str, value) -> str:
    """One <c> element: numbers as numbers, anything else as an inline string."""
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def rows_xml(rows: list[list], first_row: int = 1) -> str:
    """<row> elements for a grid of values starting at A{first_row}."""
    out = []
    for i, values in enumerate(rows, start=first_row):
        cells = "".join(cell(f"{chr(65 + j)}{i}", v) for j, v in enumerate(values) if v is not None)
        out.append(f'<row r="{i}">{cells}</row>')
    return "".join(out)


def sheet_xml(body: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}"><sheetData>{body}</sheetData></worksheet>'


def write_xlsx(path: Path, sheet: str, shared_strings: str | None = None, extra: dict | None = None,
               compression=zipfile.ZIP_DEFLATED) -> Path:
    """A minimal workbook with one sheet 'BOM' whose XML is ``sheet`` (raw)."""
    sst = shared_strings is not None
    with zipfile.ZipFile(path, "w", compression) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES.format(sst=_SST_TYPE if sst else ""))
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS.format(sst=_SST_REL if sst else ""))
        z.writestr("xl/worksheets/sheet1.xml", sheet)
        if sst:
            z.writestr("xl/sharedStrings.xml", shared_strings)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return path


BOM_ROWS = [["Level", "Part Number", "Description", "Qty", "Unit weight (g)"],
            [0, "P1", "Product", 1, None],
            [1, "M1", "Magnet", 2, 10]]


def small_bom_xlsx(path: Path) -> Path:
    """A valid three-row BOM: P1 holds 2 x M1 of 10 g = 20 g."""
    return write_xlsx(path, sheet_xml(rows_xml(BOM_ROWS)))


def set_declared_size(path: Path, member: str, size: int) -> Path:
    """Rewrite the uncompressed size a zip declares for ``member`` (local header and
    central directory) without touching the data: a file that lies about its size."""
    data = bytearray(path.read_bytes())
    # (signature, offset of the name length, of the name, of the uncompressed size)
    for signature, len_at, name_at, size_at in ((b"PK\x03\x04", 26, 30, 22), (b"PK\x01\x02", 28, 46, 24)):
        pos = 0
        while (pos := data.find(signature, pos)) >= 0:
            n_len = struct.unpack_from("<H", data, pos + len_at)[0]
            if data[pos + name_at:pos + name_at + n_len] == member.encode():
                struct.pack_into("<I", data, pos + size_at, size)
            pos += 4
    path.write_bytes(bytes(data))
    return path
