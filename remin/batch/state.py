"""The resume store of ``remin batch``: per file content (sha256) and scoring
fingerprint, the result already computed. A small SQLite file beside the
output; each result is committed as it arrives, so an interrupted batch
resumes where it stopped.
"""
from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from remin.batch.score import FileResult
from remin.errors import InputError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    sha256      TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status      TEXT NOT NULL,
    file        TEXT NOT NULL,   -- where the content was scored (errors name it)
    rows        TEXT NOT NULL,   -- JSON list of output rows without file and sha256
    error       TEXT,
    scored_at   TEXT NOT NULL,
    PRIMARY KEY (sha256, fingerprint)
)"""


def state_path_for(output: str | Path) -> Path:
    """``scores.xlsx`` -> ``scores.batch-state.sqlite`` (shared by every output format)."""
    output = Path(output)
    return output.with_name(f"{output.stem}.batch-state.sqlite")


class BatchState:
    """Results already computed, keyed by (sha256, fingerprint)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        try:
            self._con = sqlite3.connect(self.path, timeout=30)
            self._con.execute("PRAGMA journal_mode=WAL")
            self._con.execute("PRAGMA synchronous=NORMAL")
            self._con.execute(_SCHEMA)
        except sqlite3.DatabaseError as e:
            raise InputError(f"not a remin batch state file ({e}); delete it or give another --state",
                             file=str(self.path)) from None

    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> "BatchState":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def known(self, shas, fingerprint: str) -> dict[str, FileResult]:
        """Stored results for the given digests, keyed by sha256 (``file``: where
        that content was scored)."""
        shas = sorted({s for s in shas if s})
        out: dict[str, FileResult] = {}
        for start in range(0, len(shas), 900):  # SQLite's bound-parameter limit
            chunk = shas[start:start + 900]
            cur = self._con.execute(
                f"SELECT sha256, status, file, rows, error FROM results WHERE fingerprint = ? "
                f"AND sha256 IN ({','.join('?' * len(chunk))})", (fingerprint, *chunk))
            for sha, status, file, rows, error in cur:
                out[sha] = FileResult(file, sha, status, tuple(json.loads(rows)), error)
        return out

    def save(self, result: FileResult, fingerprint: str) -> None:
        """Record one result (replacing an earlier one of the same content and fingerprint)."""
        if not result.sha256:
            return  # unreadable before it could be hashed: nothing to key it by, try again next time
        rows = [{k: v for k, v in r.items() if k not in ("file", "sha256")} for r in result.rows]
        with self._con:
            self._con.execute("INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?, ?, ?)",
                              (result.sha256, fingerprint, result.status, result.file, json.dumps(rows),
                               result.error,
                               datetime.now(timezone.utc).isoformat(timespec="seconds")))
