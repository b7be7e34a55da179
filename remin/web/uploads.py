"""Uploaded files: checked, saved under names the server chooses in a temporary
folder, and shown under their sanitised original names.

Nothing a client sends becomes part of a path: the stored name is ``input-N``
plus an extension taken from remin's own list, never the client's text.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath

from remin.io import EXCEL_SUFFIXES, TEXT_SUFFIXES
from remin.io.delimited import detect_encoding

#: Extensions accepted as BOM, part-master or composition files (remin.io reads these).
SPREADSHEET_SUFFIXES = frozenset(EXCEL_SUFFIXES | TEXT_SUFFIXES)
MAPPING_SUFFIXES = frozenset({".toml"})
#: Workbook formats that are zip packages (Office Open XML, OpenDocument).
ZIP_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xlsb", ".ods"})
#: A mapping file is a few lines of TOML; anything bigger is not one.
MAPPING_MAX_BYTES = 1 << 20
NAME_MAX_CHARS = 120
CHUNK_BYTES = 1 << 20

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"   # legacy .xls (BIFF in a compound file)
#: Formats people upload by mistake, by their first bytes (for a message that names them).
_FOREIGN = {b"%PDF": "a PDF document", b"\x89PNG": "a PNG image", b"\xff\xd8\xff": "a JPEG image",
            b"GIF8": "a GIF image", b"\x7fELF": "a program", b"MZ": "a Windows program",
            b"\x1f\x8b": "a gzip archive", b"7z\xbc\xaf": "a 7-Zip archive", b"Rar!": "a RAR archive"}
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")     # Excel's "Unicode text" export


class UploadRejected(Exception):
    """An upload the server will not read; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 415):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class SavedUpload:
    path: Path      # where the server stored it (inside the request's temporary folder)
    label: str      # the sanitised original name, for display only


def display_name(filename: str | None, fallback: str) -> str:
    """The client's file name made safe to show: last path component only, no control
    characters, at most NAME_MAX_CHARS characters (keeping the extension)."""
    name = unicodedata.normalize("NFC", filename or "")
    name = PureWindowsPath(PurePosixPath(name).name).name       # drop folders, / or \ style
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r"\s+", " ", name).strip(" .")
    if not name:
        return fallback
    if len(name) > NAME_MAX_CHARS:
        stem, dot, ext = name.rpartition(".")
        ext = f".{ext}" if dot and len(ext) <= 8 else ""
        name = name[:NAME_MAX_CHARS - len(ext) - 1] + "…" + ext
    return name


def suffix_of(label: str, allowed: frozenset[str], what: str) -> str:
    """The extension of ``label`` as the member of ``allowed`` it equals (so the stored
    name is built from remin's own strings), or UploadRejected naming what is accepted."""
    suffix = PurePosixPath(label).suffix.lower()
    for ok in allowed:
        if suffix == ok:
            return ok
    raise UploadRejected(f"{label}: not {what} (extension {suffix or '(none)'}); "
                         f"accepted: {', '.join(sorted(allowed))}")


def check_spreadsheet_bytes(head: bytes, suffix: str, label: str) -> None:
    """Reject content that cannot be the spreadsheet its extension promises.

    The readers give the precise error for a damaged file; this catches the common
    mistakes (a PDF or image, a renamed archive, a binary file called .csv) early."""
    for magic, kind in _FOREIGN.items():
        if head.startswith(magic):
            raise UploadRejected(f"{label}: this is {kind}, not a spreadsheet; upload the BOM export "
                                 f"({', '.join(sorted(SPREADSHEET_SUFFIXES))})")
    # an OLE file called .xlsx is usually a workbook saved with a password: the reader says so
    if suffix in ZIP_SUFFIXES and not head.startswith(_ZIP) and not head.startswith(_OLE):
        raise UploadRejected(f"{label}: not a {suffix} workbook (a {suffix} file is a zip package; this one "
                             "is not). Was it renamed? Save it from the spreadsheet program as .xlsx or .csv")
    if suffix in TEXT_SUFFIXES:
        if head.startswith(_ZIP) or head.startswith(_OLE):
            raise UploadRejected(f"{label}: this is an Excel workbook, not {suffix} text; "
                                 "upload it with its real extension (.xlsx or .xls)")
        if b"\x00" in head and not head.startswith(_UTF16_BOMS) and not detect_encoding(head).startswith("utf-16"):
            raise UploadRejected(f"{label}: binary content, not {suffix} text")


async def save_uploads(uploads, folder: Path, *, kind: str, start: int = 0) -> list[SavedUpload]:
    """Copy each UploadFile into ``folder`` as ``input-N<ext>`` after checking its name and
    first bytes. ``kind`` is "spreadsheet" or "mapping". Labels are made unique."""
    allowed = SPREADSHEET_SUFFIXES if kind == "spreadsheet" else MAPPING_SUFFIXES
    what = "a spreadsheet" if kind == "spreadsheet" else "a mapping file"
    saved: list[SavedUpload] = []
    for i, upload in enumerate(uploads, start):
        label = display_name(upload.filename, f"upload-{i + 1}")
        suffix = suffix_of(label, allowed, what)
        path = folder / f"input-{i}{suffix}"
        size = await _copy(upload, path, suffix, label, kind)
        if size == 0:
            raise UploadRejected(f"{label}: the file is empty", status=400)
        saved.append(SavedUpload(path, label))
    return _unique_labels(saved)


async def _copy(upload, path: Path, suffix: str, label: str, kind: str) -> int:
    size = 0
    with open(path, "xb") as out:
        while chunk := await upload.read(CHUNK_BYTES):
            if size == 0:
                if kind == "spreadsheet":
                    check_spreadsheet_bytes(chunk[:4096], suffix, label)
                elif b"\x00" in chunk[:4096]:
                    raise UploadRejected(f"{label}: binary content, not a TOML mapping file")
            size += len(chunk)
            if kind == "mapping" and size > MAPPING_MAX_BYTES:
                raise UploadRejected(f"{label}: {size} bytes is too big for a mapping file "
                                     f"(at most {MAPPING_MAX_BYTES // 1024} KB)", status=413)
            out.write(chunk)
    return size


def _unique_labels(saved: list[SavedUpload]) -> list[SavedUpload]:
    """'bom.csv', 'bom (2).csv' … so two uploads with one name stay apart in findings."""
    seen: dict[str, int] = {}
    out = []
    for s in saved:
        n = seen[s.label.lower()] = seen.get(s.label.lower(), 0) + 1
        if n > 1:
            p = PurePosixPath(s.label)
            s = SavedUpload(s.path, f"{p.stem} ({n}){p.suffix}")
        out.append(s)
    return out
