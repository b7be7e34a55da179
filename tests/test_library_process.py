"""The library file under real processes: a writer killed mid-import, two writers at once."""
from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path


import pytest

from remin.library import Library

FIXTURES = Path(__file__).parent / "fixtures" / "library"
WORKER = FIXTURES / "import_worker.py"
ROOT = Path(__file__).resolve().parents[1]




def start_worker(db: Path, file: Path, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, str(WORKER), str(db), str(file), *extra], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for(path: Path, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if proc.poll() is not None:
            pytest.fail(f"worker ended early: {proc.communicate()}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("worker never reached its write transaction")
        time.sleep(0.05)


def imported_files(db: Path) -> list[str]:
    con = sqlite3.connect(db)
    try:
        return sorted(Path(r[0]).name for r in con.execute("SELECT source_file FROM imports"))
    finally:
        con.close()


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_sigkill_during_an_import_leaves_a_consistent_library(tmp_path):
    db = tmp_path / "remin.db"
    first = start_worker(db, FIXTURES / "ipc1752b-class-c-terbium-target.xml")
    assert first.wait(120) == 0, first.communicate()
    with Library.open(db) as lib:
        hash_before, frames_before = lib.state_hash(), lib.current_frames()

    ready = tmp_path / "ready"
    victim = start_worker(db, FIXTURES / "ipc1752a-class-d-rotor-magnet.xml", "--hold", "60", "--ready", str(ready))
    wait_for(ready, victim)                       # its rows are written, the transaction is open
    victim.send_signal(signal.SIGKILL)
    victim.wait(30)

    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()
    with Library.open(db) as lib:                 # still opens; nothing of the killed import
        assert lib.state_hash() == hash_before
        assert lib.current_frames()[0].equals(frames_before[0])
        assert lib.import_file(FIXTURES / "ipc1752a-class-d-rotor-magnet.xml").status == "imported"
    assert imported_files(db) == ["ipc1752a-class-d-rotor-magnet.xml", "ipc1752b-class-c-terbium-target.xml"]


def test_two_imports_at_once_both_land(tmp_path):
    db = tmp_path / "remin.db"
    Library.open(db, create=True).close()
    ready = tmp_path / "ready"
    holder = start_worker(db, FIXTURES / "ipc1752a-class-d-rotor-magnet.xml", "--hold", "1.5", "--ready", str(ready))
    wait_for(ready, holder)                       # the first writer holds the write lock ...
    second = start_worker(db, FIXTURES / "ipc1752b-class-c-terbium-target.xml")   # ... the second must wait
    out_first, out_second = holder.communicate(timeout=120), second.communicate(timeout=120)
    assert holder.returncode == 0 and out_first[0].strip() == "imported", out_first
    assert second.returncode == 0 and out_second[0].strip() == "imported", out_second
    assert imported_files(db) == ["ipc1752a-class-d-rotor-magnet.xml", "ipc1752b-class-c-terbium-target.xml"]


def test_two_imports_of_the_same_file_at_once_land_once(tmp_path):
    db = tmp_path / "remin.db"
    Library.open(db, create=True).close()
    file = tmp_path / "same.xml"
    shutil.copy(FIXTURES / "ipc1752b-class-c-terbium-target.xml", file)
    ready = tmp_path / "ready"
    holder = start_worker(db, file, "--hold", "1.0", "--ready", str(ready))
    wait_for(ready, holder)
    second = start_worker(db, file)
    statuses = sorted([holder.communicate(timeout=120)[0].strip(), second.communicate(timeout=120)[0].strip()])
    assert statuses == ["imported", "unchanged"]
    assert imported_files(db) == ["same.xml"]
