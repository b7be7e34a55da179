"""The parts library's SQLite file: connection settings, schema and versioned migrations.

Schema version lives in ``PRAGMA user_version``; ``PRAGMA application_id``
marks the file as a remin library so a foreign SQLite file is refused rather
than altered. Every table is append-only (triggers refuse UPDATE and DELETE):
supplier data is never edited, reviewer decisions are separate override rows.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

from remin.errors import InputError

#: "REMN" as a 32-bit integer: identifies a remin library file.
APPLICATION_ID = 0x52454D4E

#: Seconds a writer waits for another writer's lock before giving up.
BUSY_TIMEOUT_S = 60.0

_APPEND_ONLY_TABLES = ("imports", "declarations", "substances", "elements", "overrides")


def _append_only(table: str) -> str:
    return f"""
CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
BEGIN SELECT RAISE(ABORT, 'the library is append-only: {table} rows are never changed'); END;
CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
BEGIN SELECT RAISE(ABORT, 'the library is append-only: {table} rows are never deleted'); END;
"""


# Each migration takes the schema from version i to i + 1. Never edit a shipped
# one: add the next. They run inside one BEGIN IMMEDIATE transaction each.
MIGRATIONS: tuple[str, ...] = (
    # 1: imports, declarations, declared substances, resolved elements, overrides.
    """
CREATE TABLE imports (
    import_id     INTEGER PRIMARY KEY,
    source_file   TEXT NOT NULL,            -- path as given to `remin library import`
    source_sha256 TEXT NOT NULL UNIQUE,     -- same bytes imported twice = no-op
    kind          TEXT NOT NULL,            -- 'template' | 'ipc1752'
    imported_at   TEXT NOT NULL,            -- UTC, ISO 8601
    imported_by   TEXT
);
CREATE TABLE declarations (
    decl_id       INTEGER PRIMARY KEY,
    import_id     INTEGER NOT NULL REFERENCES imports(import_id),
    part          TEXT NOT NULL,
    description   TEXT,
    unit_mass_kg  REAL CHECK (unit_mass_kg IS NULL OR unit_mass_kg >= 0),  -- kg per piece
    re_origin     TEXT,                     -- ISO alpha-2
    made_in       TEXT,                     -- ISO alpha-2
    unit_value    REAL CHECK (unit_value IS NULL OR unit_value >= 0),
    currency      TEXT,                     -- ISO 4217
    supplier      TEXT,
    declared_on   TEXT,                     -- ISO date, the supplier's
    source_where  TEXT                      -- sheet/row or XML line inside the source file
);
CREATE INDEX declarations_by_part ON declarations(part, declared_on, decl_id);
CREATE TABLE substances (                   -- as the supplier declared them
    substance_id  INTEGER PRIMARY KEY,
    decl_id       INTEGER NOT NULL REFERENCES declarations(decl_id),
    material      TEXT,                     -- homogeneous material (IPC-1752A class D)
    substance     TEXT,
    cas           TEXT,
    amount        REAL,
    amount_unit   TEXT,
    origin        TEXT,                     -- ISO alpha-2 of this row's rare-earth content
    source_where  TEXT
);
CREATE INDEX substances_by_decl ON substances(decl_id);
CREATE TABLE elements (                     -- substances resolved to elements, per piece of the part
    decl_id       INTEGER NOT NULL REFERENCES declarations(decl_id),
    substance_id  INTEGER NOT NULL REFERENCES substances(substance_id),
    element       TEXT NOT NULL,            -- symbol
    kg_per_unit   REAL,                     -- kg of element per piece, or
    fraction      REAL,                     -- mass fraction of the part
    origin        TEXT,
    CHECK ((kg_per_unit IS NULL) <> (fraction IS NULL))
);
CREATE INDEX elements_by_decl ON elements(decl_id);
CREATE TABLE overrides (                    -- a reviewer's decision; never edits supplier data
    override_id   INTEGER PRIMARY KEY,
    part          TEXT NOT NULL,
    field         TEXT NOT NULL,            -- re_origin | made_in | unit_mass_kg | unit_value | currency
    element       TEXT,                     -- re_origin only: limit to one element's rows
    value         TEXT,                     -- NULL = withdraw earlier overrides of this field
    reason        TEXT NOT NULL,
    author        TEXT NOT NULL,
    created_at    TEXT NOT NULL,            -- UTC, ISO 8601
    import_id     INTEGER REFERENCES imports(import_id)  -- set when read from an exported file
);
CREATE INDEX overrides_by_part ON overrides(part, override_id);
""" + "".join(_append_only(t) for t in _APPEND_ONLY_TABLES),
)

SCHEMA_VERSION = len(MIGRATIONS)


def connect(path: Path, *, create: bool) -> sqlite3.Connection:
    """Open (or with ``create`` make) a library file and bring its schema up to date.

    WAL lets readers work while one writer writes; the busy timeout makes a
    second writer wait for the first instead of failing.
    """
    path = Path(path)
    if not create and not path.exists():
        raise InputError("no parts library here (create one with `remin library import FILE`)", file=path)
    try:
        con = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    except sqlite3.Error as e:
        raise InputError(f"cannot open the parts library: {e}", file=path) from None
    try:
        con.execute("PRAGMA foreign_keys = ON")
        app_id = con.execute("PRAGMA application_id").fetchone()[0]
        version = con.execute("PRAGMA user_version").fetchone()[0]
        if app_id not in (0, APPLICATION_ID) or (app_id == 0 and _has_tables(con)):
            raise InputError("this SQLite file is not a remin parts library", file=path)
        if version > SCHEMA_VERSION:
            raise InputError(f"this library has schema version {version}, newer than this remin "
                             f"understands ({SCHEMA_VERSION}); upgrade remin", file=path)
        if con.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            con.execute("PRAGMA journal_mode = WAL")
        if version > 0:
            quick_check(con, path)
        if version < SCHEMA_VERSION:
            migrate(con)
    except sqlite3.DatabaseError as e:
        con.close()
        if getattr(e, "sqlite_errorname", "") == "SQLITE_NOTADB":
            raise InputError(f"not a readable parts library: {e}", file=path) from None
        raise storage_error(e, path) from None
    except BaseException:
        con.close()
        raise
    return con


def storage_error(e: sqlite3.Error, path) -> InputError:
    """A clear message for what SQLite reports about the library file itself:
    a full disk, an I/O error, a damaged file, a lock held too long, a read-only file."""
    name = getattr(e, "sqlite_errorname", "") or ""
    text = " ".join(str(e).split())
    if name == "SQLITE_FULL" or "disk is full" in text or (name.startswith("SQLITE_IOERR") and _disk_full(path)):
        message = ("cannot write the parts library: the disk is full; nothing of this change was saved "
                   "and the library is as it was. Free some space and run the command again")
    elif name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in text or "not a database" in text:
        message = (f"the parts library file is damaged ({text}); remin changed nothing. Restore it from a backup, "
                   "or import the declaration files again into a new library")
    elif name.startswith("SQLITE_IOERR") or "disk I/O error" in text:
        message = (f"cannot read or write the parts library: {text} (a failing or full disk?); nothing of this "
                   "change was saved")
    elif name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text:
        message = (f"another remin is writing the parts library and did not finish within {BUSY_TIMEOUT_S:g} s; "
                   "try again")
    elif name.startswith("SQLITE_READONLY") or "readonly" in text:
        message = "cannot write the parts library: the file or its folder is read-only"
    elif name.startswith("SQLITE_CANTOPEN"):
        message = "cannot open the parts library file (does its folder exist, may remin write there?)"
    else:
        message = f"parts library error: {text}"
    return InputError(message, file=str(path))


def _disk_full(path) -> bool:
    """SQLite reports a full disk as an I/O error when the WAL index cannot grow."""
    import shutil
    try:
        return shutil.disk_usage(Path(path).resolve().parent).free < 1 << 16
    except OSError:
        return False


def quick_check(con: sqlite3.Connection, path) -> None:
    """Refuse a damaged file before anything reads from it or writes to it: a
    damaged index can return wrong rows without any error. Reads every page
    once (about 0.3 s per 100 MB)."""
    rows = con.execute("PRAGMA quick_check(5)").fetchall()
    if rows != [("ok",)]:
        problems = "; ".join(" ".join(str(r[0]).split()) for r in rows)[:300]
        raise InputError(f"the parts library file is damaged ({problems}); remin changed nothing. Restore it "
                         "from a backup, or import the declaration files again into a new library", file=str(path))


def _has_tables(con: sqlite3.Connection) -> bool:
    return con.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0


def migrate(con: sqlite3.Connection) -> int:
    """Apply the migrations this file lacks, each atomically; returns the new version.

    Re-reads the version under the write lock, so two processes opening an old
    file at once migrate it once.
    """
    while True:
        con.execute("BEGIN IMMEDIATE")
        try:
            version = con.execute("PRAGMA user_version").fetchone()[0]
            if version >= SCHEMA_VERSION:
                con.execute("COMMIT")
                return version
            # executescript would COMMIT our transaction first; run statement by statement.
            for statement in _statements(MIGRATIONS[version]):
                con.execute(statement)
            con.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            con.execute(f"PRAGMA user_version = {version + 1}")
            con.execute("COMMIT")
        except BaseException:
            if con.in_transaction:      # SQLite may have rolled back itself (a full disk)
                con.execute("ROLLBACK")
            raise


def _statements(script: str) -> list[str]:
    """Split a migration script into complete statements (triggers contain ';')."""
    out, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            if current.strip():
                out.append(current.strip())
            current = ""
    if current.strip():
        out.append(current.strip())
    return out
