"""The library file under faults: a full disk (SQLite's own page cap, and a real
tiny tmpfs where the machine allows mounting one), a damaged file, a damaged
write-ahead log. Afterwards the library is consistent, holds everything it held
before, takes the import again once there is room, and the CLI says what happened.
(SIGKILL mid-import and two writers at once: tests/test_library_process.py.)"""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from remin.errors import InputError
from remin.library import Library, write_declaration_template

FIXTURES = Path(__file__).parent / "fixtures" / "library"
SMALL = FIXTURES / "ipc1752b-class-c-terbium-target.xml"


def many_parts_template(path: Path, n: int = 400) -> Path:
    """A declaration workbook of ``n`` parts, large enough that importing it needs
    new database pages (a small import fits into pages the file already has)."""
    parts = pd.DataFrame({"part": [f"BULK-{i:04d}" for i in range(n)],
                          "description": [f"bulk part {i} " + "x" * 60 for i in range(n)],
                          "unit_mass": 1.5, "mass_unit": "g", "re_origin": "JP", "made_in": "VN",
                          "declared_on": "2025-11-03"})
    composition = pd.DataFrame({"part": parts["part"], "substance": "Dy", "cas": pd.NA, "amount": 0.5,
                                "amount_unit": "wt%", "origin": "JP"})
    return write_declaration_template(path, parts=parts, composition=composition)


def integrity(db: Path) -> str:
    con = sqlite3.connect(db)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()


def test_disk_full_inside_sqlite_keeps_the_library_and_says_so(tmp_path):
    db, bulk = tmp_path / "remin.db", many_parts_template(tmp_path / "bulk.xlsx")
    with Library.open(db, create=True) as lib:
        lib.import_file(SMALL)
        before = lib.state_hash()
        pages = lib._con.execute("PRAGMA page_count").fetchone()[0]
        lib._con.execute(f"PRAGMA max_page_count = {pages}")      # the file may not grow: a full disk
        with pytest.raises(InputError, match="the disk is full; nothing of this change was saved"):
            lib.import_file(bulk)
        assert lib.state_hash() == before                           # nothing half-imported
        lib._con.execute("PRAGMA max_page_count = 1073741823")     # room again
        assert lib.import_file(bulk).status == "imported"
        assert len(lib.current_frames()[0]) == 1 + 400
    assert integrity(db) == "ok"


@pytest.fixture
def tiny_disk(tmp_path):
    """A 1 MB tmpfs mounted for the test (skipped where mounting is not allowed)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("needs root to mount a tmpfs")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def fill(disk: Path) -> Path:
    """Write a file until the filesystem is full; returns it (delete it to make room)."""
    filler = disk / "filler"
    with open(filler, "wb", buffering=0) as fh:
        try:
            while True:
                fh.write(b"\0" * 4096)
        except OSError:
            pass
    return filler


def test_a_really_full_disk_keeps_the_library_and_the_cli_says_so(tiny_disk, tmp_path, cli):
    db, bulk = tiny_disk / "remin.db", many_parts_template(tmp_path / "bulk.xlsx", n=1500)
    with Library.open(db, create=True) as lib:
        lib.import_file(SMALL)
        before = lib.state_hash()
    filler = fill(tiny_disk)
    result = cli("library", "import", bulk, "--library", db)
    assert result.exit_code == 3                 # SQLite fails on opening (the WAL index) or on writing
    assert "the disk is full" in result.output and "nothing of this change was saved" in result.output
    filler.unlink()                              # room again (SQLite needs some even to read: the WAL index)
    with Library.open(db) as lib:                 # the same content as before the failed import
        assert lib.state_hash() == before
    result = cli("library", "import", bulk, "--library", db)
    assert result.exit_code == 0, result.output
    with Library.open(db) as lib:
        assert len(lib.current_frames()[0]) == 1 + 1500
    assert integrity(db) == "ok"


def _library_with_two_imports(tmp_path) -> Path:
    db = tmp_path / "remin.db"
    with Library.open(db, create=True) as lib:
        lib.import_file(SMALL)
        lib.import_file(many_parts_template(tmp_path / "bulk.xlsx", n=200))
    con = sqlite3.connect(db)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")    # everything in the main file
    con.close()
    return db


@pytest.mark.parametrize("damage, message", [
    ("pages", "the parts library file is damaged"),          # garbage over table pages
    ("truncated", "the parts library file is damaged"),      # half the file lost
    ("header", "not a readable parts library"),              # not even SQLite any more
])
def test_a_damaged_library_file_is_refused_and_left_alone(tmp_path, cli, damage, message):
    db = _library_with_two_imports(tmp_path)
    data = bytearray(db.read_bytes())
    page = 4096
    if damage == "pages":
        data[2 * page:2 * page + 800] = bytes(range(256)) * 3 + bytes(32)
    elif damage == "truncated":
        data = data[:len(data) // 2]
    else:
        data[:100] = b"\xff" * 100
    db.write_bytes(bytes(data))
    damaged = db.read_bytes()
    with pytest.raises(InputError, match=message):
        Library.open(db)
    for args in (("library", "show", "TGT-TB-300"), ("library", "import", SMALL)):
        result = cli(*args, "--library", db)
        assert result.exit_code == 3 and message in result.output, result.output
        assert "Traceback" not in result.output and "internal error" not in result.output
    assert db.read_bytes() == damaged                       # remin wrote nothing into it


def test_a_damaged_write_ahead_log_loses_nothing_committed(tmp_path):
    db = tmp_path / "remin.db"
    with Library.open(db, create=True) as lib:
        lib.import_file(SMALL)
        before = lib.state_hash()
        # a crash while appending leaves garbage at the end of the WAL: SQLite's frame checksums drop it
        wal = Path(str(db) + "-wal")
        with open(wal, "ab") as fh:
            fh.write(os.urandom(4096 + 24))
    with Library.open(db) as lib:
        assert lib.state_hash() == before
        assert lib.import_file(FIXTURES / "ipc1752a-class-d-rotor-magnet.xml").status == "imported"
    assert integrity(db) == "ok"


def test_a_read_only_library_says_so(tmp_path):
    db = tmp_path / "remin.db"
    with Library.open(db, create=True) as lib:
        lib.import_file(SMALL)
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    lib = Library(db, con)
    with pytest.raises(InputError, match="read-only"):
        lib.add_override("TGT-TB-300", "made_in", "JP", reason="test", author="t")
    con.close()
