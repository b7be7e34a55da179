"""Checks a workbook must pass before calamine opens it.

calamine (the Rust reader under fastexcel) trusts what a workbook declares: a
1.5 KB xlsx with one cell at A1 and one at XFD1048576 makes it allocate a
17-billion-cell grid, and a shared-string table declaring four billion
strings makes it reserve 96 GB; either aborts the whole process, which no
``except`` can catch. So before it sees a file, remin:

- refuses password-protected workbooks (an OLE file with an EncryptedPackage
  stream) with a message that says what to do;
- refuses a zip whose parts unzip to more than ``max_unzipped_mb`` in total,
  or whose large parts are compressed beyond any real spreadsheet (zip bombs);
- unzips every part once (zipfile checks each part's CRC, so a part that
  lies about its size is caught) and bounds the grid each sheet spans, and
  the shared-string count, by what the bytes can hold.

The grid bound costs one RE2 pass per 16 MB block for files written the usual
way (every ``<c>`` with ``r="A1"`` first, as Excel, LibreOffice and openpyxl
write): cells up to Z999999 need no count, the few others (columns of two or
more letters, rows of seven or more digits) are read exactly; a part whose bound
passes the limit is bounded again from every reference it names, and anything
else (cells without references, namespace prefixes) gets an exact count with
expat. ODS files are left to calamine, which caps their cells itself; legacy
.xls files cannot span more than 65,536 x 256 cells.
"""
from __future__ import annotations

import re
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from xml.parsers import expat

from remin.errors import InputError
from remin.io.scan import matches
from remin.limits import SETTINGS, Limits, current

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
PASSWORD_MESSAGE = ("password-protected: save it without a password (in Excel: File > Info > Protect Workbook > "
                    "Encrypt with Password, clear the password, save) and run again")

#: A part larger than this (bytes, unzipped) may not be compressed more than MAX_RATIO : 1.
RATIO_FLOOR = 20_000_000
#: Real sheets compress about 5-15 : 1; even empty styled grids stay far below this.
MAX_RATIO = 200
_CHUNK = 1 << 24
# A cell written <c r="A1"> .. <c r="Z999999"> lies within 999,999 rows x 26 columns; only the
# others need a closer look. RE2 (through pyarrow) spots them with one linear pass, together
# with everything else a chunk is checked for: namespace-prefixed cells or rows, merged cells,
# a shared-string count. What it spells out is the complement of a "simple" cell tag: <c then
# no attribute, other whitespace, another first attribute, or a reference of 2+ letters or 7+ digits.
_SIMPLE_ROWS, _SIMPLE_COLS = 999_999, 26
_NOTABLE = (r'<c(?:[>/\t\r\n]| (?:[^r]|r[^=]|r=[^"]|r="[^A-Z]|r="[A-Z][^0-9]|r="[A-Z][0-9]{1,6}[^"0-9]'
            r'|r="[A-Z][0-9]{7}))|:(?:c|row)[ \t\r\n>/]|mergeCell |uniqueCount')
# cells not written <c r="letters digits">, or namespace-prefixed cells or rows: count them exactly
_ODD_TAGS = (re.compile(rb'<c(?:[>/\t\r\n]| (?!r="[A-Za-z]+\d+"))'), re.compile(rb':(?:c|row)[\s>/]'))
_WIDE_COLS = re.compile(rb'<c r="([A-Za-z]{2,})\d')
_DEEP_ROWS = re.compile(rb'<c r="[A-Za-z]+(\d{7,})"')
_ANY_ROWS = re.compile(rb'<c r="[A-Za-z]+(\d+)"')
_ANY_COLS = re.compile(rb'<c r="([A-Za-z]+)\d')
_UNIQUE_COUNT = re.compile(rb'<(?:\w+:)?sst\b[^>]*?\buniqueCount\s*=\s*["\'](\d+)')


def _hint(name: str) -> str:
    var, option, _ = SETTINGS[name]
    return f"raise it with {option} or {var}"


@dataclass
class WorkbookFacts:
    """What the check saw on the way: ``merged`` if any sheet has merged cells
    (always True for a legacy .xls, which is not looked into)."""

    merged: bool = False


def check_workbook(path: str | Path, name: str) -> WorkbookFacts:
    """Raise InputError (naming ``name``) if calamine must not open the file at ``path``."""
    with open(path, "rb") as fh:
        magic = fh.read(8)
    if magic == OLE_MAGIC:
        if _has_encrypted_package(path):
            raise InputError(PASSWORD_MESSAGE, file=name)
        return WorkbookFacts(merged=True)   # a legacy .xls (BIFF): its format bounds it to 65,536 x 256
    if not magic.startswith(b"PK"):
        return WorkbookFacts()              # not a zip: calamine says what it is not
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, ValueError, OSError) as e:
        raise InputError(f"cannot open as a spreadsheet: the workbook is damaged (not a readable zip archive: "
                         f"{e})", file=name) from None
    facts = WorkbookFacts()
    with archive:
        _check_archive(archive, name, current(), facts)
    return facts


def _has_encrypted_package(path) -> bool:
    """An OOXML file saved with a password is an OLE container holding an
    'EncryptedPackage' stream; its UTF-16 name sits in the OLE directory."""
    with open(path, "rb") as fh:
        return _ENCRYPTED_STREAM in fh.read()


def _check_archive(archive: zipfile.ZipFile, name: str, lim: Limits, facts: WorkbookFacts) -> None:
    infos = [i for i in archive.infolist() if not i.is_dir()]
    declared = sum(i.file_size for i in infos)
    if declared > lim.max_unzipped_bytes:
        raise InputError(f"the workbook unzips to {declared / 1e6:,.0f} MB, more than the limit of "
                         f"{lim.max_unzipped_mb:g} MB (a zip bomb, or a very large workbook: "
                         f"{_hint('max_unzipped_mb')})", file=name)
    for info in infos:
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise InputError(f"refused: the part {info.filename!r} claims to unzip {info.compress_size:,} bytes "
                             f"into {info.file_size:,} (more than {MAX_RATIO}:1): a zip bomb", file=name)
    is_ods = any(i.filename == "content.xml" for i in infos)
    for info in infos:
        try:
            facts.merged |= _check_part(archive, info, name, lim, scan=not is_ods)
        except InputError:
            raise
        except Exception as e:  # noqa: BLE001 - zipfile, zlib, struct and lzma each raise their own
            raise InputError(f"cannot open as a spreadsheet: the workbook is damaged, its part {info.filename!r} "
                             "cannot be unzipped "
                             f"({str(e)[:120] or type(e).__name__})", file=name) from None


def _chunks(archive, info):
    """The unzipped part in blocks of about _CHUNK bytes, each cut after its last '>' so that no
    tag straddles two blocks. zipfile checks the CRC and size once the part is read to its end."""
    carry = b""
    with archive.open(info) as fh:
        while True:
            block = fh.read(_CHUNK)
            if not block:
                if carry:
                    yield carry
                return
            cut = block.rfind(b">") + 1
            if cut == 0:                   # no tag ends in this block: carry all of it
                carry += block
                continue
            data, carry = b"".join((carry, memoryview(block)[:cut])), block[cut:]   # one copy, not two
            yield data


def _notable(data: bytes) -> bool:
    """True if the block holds anything but simple cells (see _NOTABLE): one RE2 pass."""
    return matches(data, _NOTABLE)


@dataclass
class _Bound:
    """What the blocks of one part showed: an upper bound of the grid its cells span."""

    cells: bool = False       # any <c r="..."> at all
    odd: bool = False         # cells placed other than by a plain reference: count exactly
    rows: int = 0             # largest row of 7+ digits seen
    cols: int = 0             # largest column of 2+ letters seen
    merged: bool = False
    sst_seen: bool = False

    def add(self, data: bytes, notable: bool, info, name: str) -> None:
        """Take in one block; ``notable`` is what _notable(data) said."""
        self.cells = self.cells or b'<c r="' in data
        if not notable:
            return
        if not self.sst_seen and b"uniqueCount" in data:
            self.sst_seen = _check_unique_count(data, info, name)
        self.merged = self.merged or b"mergeCell " in data
        if self.odd:
            return
        if any(p.search(data) is not None for p in _ODD_TAGS):
            self.odd = True
            return
        wide = set(_WIDE_COLS.findall(data))
        if wide:
            self.cols = max(self.cols, max(column_number(c) for c in wide))
        deep = _DEEP_ROWS.findall(data)
        if deep:
            self.rows = max(self.rows, max(map(int, deep)))

    def extent(self) -> tuple[int, int]:
        """(rows, columns) no cell goes beyond: every cell is written <c r="..."> (not odd) and
        placed by its reference; the simple ones lie within 999,999 x 26."""
        if not self.cells:
            return 0, 0
        return max(self.rows, _SIMPLE_ROWS), max(self.cols, _SIMPLE_COLS)


def _check_part(archive, info, name: str, lim: Limits, scan: bool) -> bool:
    """Unzip one part (zipfile verifies its CRC and size) and bound its grid;
    True if it has merged cells."""
    bound = _Bound()
    if not scan:
        for _ in _chunks(archive, info):
            pass
    elif info.file_size <= _CHUNK:
        for data in _chunks(archive, info):
            bound.add(data, _notable(data), info, name)
    else:
        # unzip the next block while RE2 scans this one: zlib and Arrow both release the GIL
        with ThreadPoolExecutor(max_workers=1) as pool:
            pending = None
            for data in _chunks(archive, info):
                scanned = (data, pool.submit(_notable, data))
                if pending is not None:
                    bound.add(pending[0], pending[1].result(), info, name)
                pending = scanned
            if pending is not None:
                bound.add(pending[0], pending[1].result(), info, name)
    if not scan or not (bound.cells or bound.odd):
        return bound.merged
    rows, cols = bound.extent()
    if not bound.odd and rows * cols > lim.max_cells:
        rows, cols = _reference_extent(archive, info)      # the largest row and column any reference names
    if bound.odd or rows * cols > lim.max_cells:
        rows, cols = _exact_extent(archive, info)           # parsed the way calamine places cells
    if rows * cols > lim.max_cells:
        raise InputError(f"the sheet part {info.filename!r} spans {rows:,} rows x {cols:,} columns (to cell "
                         f"{column_letters(cols)}{rows}) = {rows * cols:,} cells, more than the limit of "
                         f"{lim.max_cells:,}; if far-away cells hold only formatting, clear them in Excel, or "
                         f"{_hint('max_cells')}", file=name)
    return bound.merged


def _reference_extent(archive, info) -> tuple[int, int]:
    """The largest row and column named by any <c r="..."> of a part whose cells all have one:
    an upper bound of where calamine places them (text in comments counts too)."""
    rows = cols = 0
    for data in _chunks(archive, info):
        found = _ANY_ROWS.findall(data)
        if found:
            rows = max(rows, max(map(int, found)))
        letters = set(_ANY_COLS.findall(data))
        if letters:
            cols = max(cols, max(column_number(c) for c in letters))
    return rows, cols


def _check_unique_count(data: bytes, info, name: str) -> bool:
    """calamine reserves room for the declared number of shared strings up front."""
    m = _UNIQUE_COUNT.search(data)
    if m is None:
        return False
    if int(m.group(1)) > max(info.file_size // 8, 1000):
        raise InputError(f"refused: the shared-string table declares {int(m.group(1)):,} strings in "
                         f"{info.file_size:,} bytes: a damaged or hostile workbook", file=name)
    return True


def column_number(letters: bytes | str) -> int:
    """'A' -> 1, 'Z' -> 26, 'AA' -> 27, 'XFD' -> 16384 (case-insensitive)."""
    n = 0
    for ch in (letters.decode() if isinstance(letters, bytes) else letters).upper():
        n = n * 26 + ord(ch) - 64
    return n


def column_letters(n: int) -> str:
    out = ""
    while n > 0:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out or "A"


_REF = re.compile(r"\s*([A-Za-z]+)?\s*(\d+)?")


def _exact_extent(archive, info) -> tuple[int, int]:
    """Largest row and column a cell can land on, read the way calamine places
    cells: by their ``r`` reference, else one right of the previous cell (and
    rows by ``r``, else one below the previous row)."""
    state = {"row": 0, "col": 0, "max_row": 0, "max_col": 0}

    def start(tag, attrs):
        local = tag.rpartition(":")[2]
        if local == "row":
            r = attrs.get("r")
            state["row"] = int(r) if r and r.strip().isdigit() else state["row"] + 1
            state["col"] = 0
        elif local == "c":
            m = _REF.match(attrs.get("r") or "")
            letters, digits = (m.group(1), m.group(2)) if m else (None, None)
            state["col"] = column_number(letters) if letters else state["col"] + 1
            if digits:
                state["row"] = int(digits)
            state["max_row"] = max(state["max_row"], state["row"] or 1)
            state["max_col"] = max(state["max_col"], state["col"])

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    # a hostile part may declare entities; refuse to expand any
    parser.EntityDeclHandler = _refuse_entities
    try:
        with archive.open(info) as fh:
            parser.ParseFile(fh)
    except expat.ExpatError:
        # calamine reads on past XML errors that stop expat: bound the rest without parsing
        rows, cols = _tolerant_extent(archive, info)
        return max(rows, state["max_row"]), max(cols, state["max_col"], 1)
    return state["max_row"], max(state["max_col"], 1)


_ANY_REF = re.compile(rb'\br\s*=\s*["\']\s*([A-Za-z]*)\s*(\d+)')
_ANY_CELL = re.compile(rb'<(?:\w+:)?c[\s>/]')
_CELL_WITH_REF = re.compile(rb'<(?:\w+:)?c\s[^>]*?\br\s*=')
_ANY_ROW = re.compile(rb'<(?:\w+:)?row[\s>/]')


def _tolerant_extent(archive, info) -> tuple[int, int]:
    """An upper bound of the grid of a part that is not well-formed XML, from its
    bytes alone: the largest row and column any reference names, every row tag a
    row, and every cell without a reference one more column."""
    max_row = max_col = n_rows = n_cells = n_refs = 0
    for data in _chunks(archive, info):
        for m in _ANY_REF.finditer(data):
            if m.group(1):
                max_col = max(max_col, column_number(m.group(1)))
            max_row = max(max_row, int(m.group(2)))
        n_rows += len(_ANY_ROW.findall(data))
        n_cells += len(_ANY_CELL.findall(data))
        n_refs += len(_CELL_WITH_REF.findall(data))
    return max(max_row, n_rows), max_col + max(n_cells - n_refs, 0)


def _refuse_entities(*_args):
    raise expat.ExpatError("entity declarations are not read")
