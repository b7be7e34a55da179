"""The parts library: supplier declarations and reviewer overrides in one SQLite file.

Nothing is ever edited. An import appends one ``imports`` row and its
declarations atomically; an override appends one ``overrides`` row. The
current state of a part is its latest declaration (by declaration date, then
import order) with the latest override of each field applied on top.
"""
from __future__ import annotations

import functools
import getpass
import hashlib
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from remin.countries import to_iso2_one
from remin.errors import InputError, UsageError
from remin.findings import Finding
from remin.currency import normalize_currency
from remin.library import db
from remin.limits import refuse_large_file
from remin.library.declarations import UNKNOWN_COUNTRY_WORDS, OVERRIDE_FIELDS, ParsedFile, prepare, where_text
from remin.units import parse_unit

DEFAULT_PATH = Path("remin.db")

#: Columns of ``Library.current_frames()``.
PARTS_FRAME_COLUMNS = ["part", "description", "unit_mass_kg", "re_origin", "made_in", "unit_value", "currency",
                       "supplier", "decl_id", "declared_on", "source_file", "source_sha256", "overridden"]
COMPOSITION_FRAME_COLUMNS = ["part", "element", "kg_per_unit", "fraction", "origin", "decl_id"]

_STRING_COLUMNS = ("part", "description", "re_origin", "made_in", "currency", "supplier", "declared_on",
                   "source_file", "source_sha256", "element", "origin")


@dataclass
class ImportResult:
    """What one ``import_file`` did. ``status`` is 'imported' or 'unchanged'
    (the same bytes were imported before)."""

    file: str
    sha256: str
    status: str
    kind: str | None = None
    import_id: int | None = None
    parts: list[str] = field(default_factory=list)
    overrides: int = 0
    findings: list[Finding] = field(default_factory=list)


def read_declaration_file(path) -> ParsedFile:
    """Parse a declaration file by its type: ``.xml`` IPC-1752A/B, ``.xlsx``/``.xlsm`` remin template."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".xml", ".xlsx", ".xlsm"):
        refuse_large_file(path)
    if suffix == ".xml":
        from remin.library.ipc1752 import read_ipc1752
        return read_ipc1752(path)
    if suffix in (".xlsx", ".xlsm"):
        from remin.library.template import read_declaration_template
        return read_declaration_template(path)
    raise InputError("not a declaration file remin reads: expected the remin declaration template "
                     "(.xlsx) or an IPC-1752A/B declaration (.xml)", file=str(path))


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "unknown"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _none(value):
    """pandas missing values -> None for sqlite; numpy scalars -> Python."""
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value.item() if isinstance(value, np.generic) else value


def _storage_errors(method):
    """SQLite errors about the file itself (disk full, damaged file, lock held
    too long) become InputError naming the library, with what to do."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as e:
            raise db.storage_error(e, self.path) from None
    return wrapper

class Library:
    """A parts library file. Open with :meth:`open`; use as a context manager to close it."""

    def __init__(self, path: Path, con: sqlite3.Connection):
        self.path, self._con = path, con

    # ------------------------------------------------------------ lifecycle

    @classmethod
    def open(cls, path=DEFAULT_PATH, *, create: bool = False) -> "Library":
        """Open the library at ``path`` (migrating an older schema); with ``create``
        make it if missing. Raises InputError if it is missing or not a library."""
        path = Path(path)
        return cls(path, db.connect(path, create=create))

    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> "Library":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return self._con.execute("PRAGMA user_version").fetchone()[0]

    def _query(self, sql: str, params=()) -> pd.DataFrame:
        cur = self._con.execute(sql, params)
        return pd.DataFrame(cur.fetchall(), columns=[d[0] for d in cur.description])

    # ------------------------------------------------------------ writing

    @_storage_errors
    def import_file(self, path) -> ImportResult:
        """Import one declaration file atomically: all its declarations or, on any
        error (raised as InputError naming the row), nothing. Importing the same
        bytes again is a no-op (``status='unchanged'``)."""
        path = Path(path)
        try:
            sha = _sha256(path)
        except OSError as e:
            raise InputError(f"cannot read the file: {e.strerror or e}", file=str(path)) from None
        if self._imported(sha):  # cheap early exit; re-checked under the write lock below
            return ImportResult(str(path), sha, "unchanged")
        parsed, elements = prepare(read_declaration_file(path))
        overrides = [self._checked_override(r.part, r.field, r.value, reason=r.reason, author=r.author,
                                            element=r.element, created_at=r.created_at, where=(path, r))
                     for r in parsed.overrides.itertuples(index=False)]
        with self._write():
            if self._imported(sha):
                return ImportResult(str(path), sha, "unchanged")
            import_id = self._insert_declarations(path, sha, parsed, elements)
            known = set(self._query("SELECT part FROM declarations").part) if overrides else set()
            added = 0
            for row in overrides:
                if row["part"] not in known:
                    raise InputError(f"override for part {row['part']!r}, which is not in the library or "
                                     "this file", file=str(path), sheet="Overrides")
                if not self._override_exists(row):
                    self._insert_override(row, import_id)
                    added += 1
        return ImportResult(str(path), sha, "imported", parsed.kind, import_id,
                            parsed.parts["part"].tolist(), added, parsed.findings)

    def _imported(self, sha: str) -> bool:
        return self._con.execute("SELECT 1 FROM imports WHERE source_sha256 = ?", (sha,)).fetchone() is not None

    def _write(self):
        return _Transaction(self._con)

    def _insert_declarations(self, path: Path, sha: str, parsed: ParsedFile, elements: pd.DataFrame) -> int:
        con = self._con
        cur = con.execute("INSERT INTO imports (source_file, source_sha256, kind, imported_at, imported_by) "
                          "VALUES (?, ?, ?, ?, ?)", (str(path), sha, parsed.kind, _now(), _user()))
        import_id = cur.lastrowid
        # ids are assigned here, under the write lock, so substances and elements can refer to them
        next_decl = con.execute("SELECT coalesce(max(decl_id), 0) + 1 FROM declarations").fetchone()[0]
        next_sub = con.execute("SELECT coalesce(max(substance_id), 0) + 1 FROM substances").fetchone()[0]
        parts = parsed.parts.reset_index(drop=True)
        decl_ids = pd.Series(np.arange(next_decl, next_decl + len(parts)), index=parts["part"].to_numpy())
        con.executemany(
            "INSERT INTO declarations (decl_id, import_id, part, description, unit_mass_kg, re_origin, made_in, "
            "unit_value, currency, supplier, declared_on, source_where) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            [(int(decl_ids.iloc[i]), import_id, *(_none(getattr(r, c)) for c in (
                "part", "description", "unit_mass_kg", "re_origin", "made_in", "unit_value", "currency",
                "supplier", "declared_on")), where_text(r.sheet, r.row, r.line))
             for i, r in enumerate(parts.itertuples(index=False))])
        subs = parsed.substances.reset_index(drop=True)
        sub_ids = np.arange(next_sub, next_sub + len(subs))
        sub_decl = decl_ids.reindex(subs["part"].to_numpy()).to_numpy()
        con.executemany(
            "INSERT INTO substances (substance_id, decl_id, material, substance, cas, amount, amount_unit, "
            "origin, source_where) VALUES (?,?,?,?,?,?,?,?,?)",
            [(int(sub_ids[i]), int(sub_decl[i]), *(_none(getattr(r, c)) for c in (
                "material", "substance", "cas", "amount", "amount_unit", "origin")),
              where_text(r.sheet, r.row, r.line))
             for i, r in enumerate(subs.itertuples(index=False))])
        pos = elements["sub_pos"].to_numpy()
        con.executemany(
            "INSERT INTO elements (decl_id, substance_id, element, kg_per_unit, fraction, origin) "
            "VALUES (?,?,?,?,?,?)",
            [(int(sub_decl[p]), int(sub_ids[p]), e, _none(kg), _none(fr), _none(o))
             for p, e, kg, fr, o in zip(pos, elements["element"], elements["kg_per_unit"],
                                         elements["fraction"], elements["origin"])])
        return import_id

    @_storage_errors
    def add_override(self, part: str, field: str, value, *, reason: str, author: str | None = None,
                     element: str | None = None) -> int:
        """Record a reviewer's decision about ``part``: ``field`` (see
        ``OVERRIDE_FIELDS``) takes ``value`` from now on; ``value=None`` withdraws
        earlier overrides of that field. ``element`` limits an ``re_origin``
        override to one element's composition rows. Returns the override id."""
        row = self._checked_override(part, field, value, reason=reason, author=author or _user(),
                                     element=element, created_at=_now())
        with self._write():
            if self._con.execute("SELECT 1 FROM declarations WHERE part = ?", (row["part"],)).fetchone() is None:
                raise UsageError(f"part {row['part']!r} is not in the library{self._did_you_mean(row['part'])}")
            return self._insert_override(row, None)

    def _checked_override(self, part, field, value, *, reason, author, element, created_at, where=None) -> dict:
        """Validate and normalise one override (from the CLI or an exported workbook)."""
        def fail(message):
            if where is None:
                raise UsageError(message)
            path, r = where
            raise InputError(message, file=str(path), sheet=getattr(r, "sheet", None), row=getattr(r, "row", None))

        part = None if _none(part) is None else str(part).strip()
        field = None if _none(field) is None else str(field).strip()
        if not part:
            fail("an override needs a part number")
        if field not in OVERRIDE_FIELDS:
            fail(f"cannot override {field!r}; fields: {', '.join(OVERRIDE_FIELDS)}")
        if _none(reason) is None or not str(reason).strip():
            fail("an override needs a reason (who decided what, on which evidence)")
        if where is not None and (_none(author) is None or _none(created_at) is None):
            fail("an override read from a file needs who made it (By) and when (At)")
        element = None if _none(element) is None else str(element).strip() or None
        if element is not None:
            if field != "re_origin":
                fail("--element applies only to the rare-earth origin")
            element = _element_symbol(element, fail)
        value = None if _none(value) is None else str(value).strip()
        if value is not None:
            try:
                value = _override_value(field, value)
            except ValueError as e:
                fail(f"{field}: {e}")
        return {"part": part, "field": field, "element": element, "value": value, "reason": str(reason).strip(),
                "author": str(author or _user()).strip(), "created_at": str(created_at)}

    def _override_exists(self, row: dict) -> bool:
        return self._con.execute(
            "SELECT 1 FROM overrides WHERE part = ? AND field = ? AND element IS ? AND value IS ? AND reason = ? "
            "AND author = ? AND created_at = ?",
            (row["part"], row["field"], row["element"], row["value"], row["reason"], row["author"],
             row["created_at"])).fetchone() is not None

    def _insert_override(self, row: dict, import_id: int | None) -> int:
        cur = self._con.execute(
            "INSERT INTO overrides (part, field, element, value, reason, author, created_at, import_id) "
            "VALUES (?,?,?,?,?,?,?,?)",
            (row["part"], row["field"], row["element"], row["value"], row["reason"], row["author"],
             row["created_at"], import_id))
        return cur.lastrowid

    def _did_you_mean(self, part: str) -> str:
        import difflib
        names = self._query("SELECT DISTINCT part FROM declarations").part.tolist()
        close = difflib.get_close_matches(part, names, n=3)
        return f" (did you mean {', '.join(close)}?)" if close else ""

    # ------------------------------------------------------------ reading

    @_storage_errors
    def current_frames(self, parts=None) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The library as the engine uses it, optionally only for ``parts``.

        Returns ``(parts, composition)``. ``parts``: one row per part, its latest
        declaration with overrides applied (columns ``PARTS_FRAME_COLUMNS``;
        ``unit_mass_kg`` is kg per piece, countries ISO alpha-2 or NA).
        ``composition``: per part, element and origin the element mass per piece
        (``kg_per_unit``) or the mass fraction of the part (``fraction``), one of
        the two set per row (columns ``COMPOSITION_FRAME_COLUMNS``). Origins are
        as declared per row (NA = not stated), or as a reviewer overrode them.
        """
        declarations = self._current_declarations(parts)
        decl_ids = declarations["decl_id"].tolist()
        elements = self._elements_of(decl_ids)
        overrides = self.active_overrides(declarations["part"].tolist())
        part_frame = _apply_part_overrides(declarations, overrides)
        composition = _apply_origin_overrides(elements, overrides)
        return part_frame, composition

    def _current_declarations(self, parts=None) -> pd.DataFrame:
        where, params = "", ()
        if parts is not None:
            parts = list(parts)
            where = f"WHERE d.part IN ({','.join('?' * len(parts))})"
            params = tuple(parts)
        frame = self._query(f"""
            SELECT part, description, unit_mass_kg, re_origin, made_in, unit_value, currency, supplier,
                   decl_id, declared_on, source_file, source_sha256
            FROM (SELECT d.*, i.source_file, i.source_sha256,
                         row_number() OVER (PARTITION BY d.part
                             ORDER BY coalesce(d.declared_on, substr(i.imported_at, 1, 10)) DESC,
                                      d.decl_id DESC) AS newest
                  FROM declarations d JOIN imports i USING (import_id) {where})
            WHERE newest = 1 ORDER BY part""", params)
        return _typed(frame)

    def _elements_of(self, decl_ids: list[int]) -> pd.DataFrame:
        if not decl_ids:
            return _typed(pd.DataFrame({c: [] for c in COMPOSITION_FRAME_COLUMNS}))
        self._con.execute("CREATE TEMP TABLE IF NOT EXISTS wanted (decl_id INTEGER PRIMARY KEY)")
        self._con.execute("DELETE FROM temp.wanted")
        self._con.executemany("INSERT INTO temp.wanted VALUES (?)", [(int(i),) for i in decl_ids])
        frame = self._query("""
            SELECT d.part, e.element, e.kg_per_unit, e.fraction, e.origin, e.decl_id
            FROM elements e JOIN temp.wanted w USING (decl_id) JOIN declarations d USING (decl_id)""")
        return _typed(frame)

    def active_overrides(self, parts=None) -> pd.DataFrame:
        """Per (part, field, element) the latest override, unless it withdrew the
        field: the overrides ``current_frames`` applies, with who, when and why."""
        frame = self._query("""
            SELECT part, field, element, value, override_id, reason, author, created_at FROM (
                SELECT o.*, row_number() OVER (PARTITION BY part, field, coalesce(element, '')
                                               ORDER BY override_id DESC) AS newest
                FROM overrides o)
            WHERE newest = 1 AND value IS NOT NULL""")
        if parts is not None:
            frame = frame[frame["part"].isin(parts)]
        return frame

    @_storage_errors
    def history(self, part: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Every declaration of ``part`` (oldest first, with its source file and
        elements) and every override of it. Raises UsageError for an unknown part."""
        decls = self._query("""
            SELECT d.decl_id, d.declared_on, d.description, d.unit_mass_kg, d.re_origin, d.made_in,
                   d.unit_value, d.currency, d.supplier, d.source_where, i.import_id, i.source_file,
                   i.source_sha256, i.kind, i.imported_at, i.imported_by
            FROM declarations d JOIN imports i USING (import_id) WHERE d.part = ? ORDER BY d.decl_id""", (part,))
        if decls.empty:
            raise UsageError(f"part {part!r} is not in the library{self._did_you_mean(part)}")
        overrides = self._query("""
            SELECT override_id, field, element, value, reason, author, created_at, import_id
            FROM overrides WHERE part = ? ORDER BY override_id""", (part,))
        return decls, overrides

    @_storage_errors
    def substances(self, decl_id: int) -> pd.DataFrame:
        """The substances of one declaration as the supplier declared them."""
        return self._query("""SELECT material, substance, cas, amount, amount_unit, origin, source_where
                              FROM substances WHERE decl_id = ? ORDER BY substance_id""", (int(decl_id),))

    @_storage_errors
    def overrides(self) -> pd.DataFrame:
        """Every override row, oldest first."""
        return self._query("SELECT part, field, element, value, reason, author, created_at FROM overrides "
                           "ORDER BY override_id")

    @_storage_errors
    def state_hash(self) -> str:
        """A digest that changes whenever the library's content changes (any
        import or override), and only then."""
        digest = hashlib.sha256(f"schema {self.schema_version}\n".encode())
        queries = ("SELECT import_id, source_sha256 FROM imports ORDER BY import_id",
                   "SELECT count(*), coalesce(max(decl_id), 0) FROM declarations",
                   "SELECT count(*) FROM elements",
                   "SELECT override_id, part, field, element, value, reason, author, created_at "
                   "FROM overrides ORDER BY override_id")
        with _Transaction(self._con, mode="DEFERRED"):  # one consistent snapshot
            for sql in queries:
                for row in self._con.execute(sql):
                    digest.update(repr(row).encode())
                digest.update(b"\x00")
        return digest.hexdigest()

    # ------------------------------------------------------------ export

    @_storage_errors
    def export(self, path) -> Path:
        """Write the current declaration of every part (as the suppliers declared
        it, elements per piece) and all overrides to a declaration workbook.
        Importing it into an empty library reproduces ``current_frames``."""
        from remin.library.template import write_declaration_template
        with _Transaction(self._con, mode="DEFERRED"):
            declarations = self._current_declarations()
            elements = self._elements_of(declarations["decl_id"].tolist())
            overrides = self.overrides()
        parts = declarations.assign(unit_mass=declarations["unit_mass_kg"],
                                    mass_unit=np.where(declarations["unit_mass_kg"].notna(), "kg", None))
        composition = _aggregate(elements)
        is_mass = composition["kg_per_unit"].notna()
        composition = pd.DataFrame({
            "part": composition["part"], "substance": composition["element"], "cas": pd.NA,
            "amount": np.where(is_mass, composition["kg_per_unit"], composition["fraction"]),
            "amount_unit": np.where(is_mass, "kg", "fraction"), "origin": composition["origin"]})
        return write_declaration_template(path, parts=parts, composition=composition, overrides=overrides)


class _Transaction:
    """``BEGIN IMMEDIATE`` (take the write lock now, waiting up to the busy
    timeout) ... COMMIT, or ROLLBACK on any exception, including a COMMIT that
    fails (a full disk fails there, when the write-ahead log grows)."""

    def __init__(self, con: sqlite3.Connection, mode: str = "IMMEDIATE"):
        self.con, self.mode = con, mode

    def __enter__(self):
        self.con.execute(f"BEGIN {self.mode}")
        return self.con

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            try:
                self.con.execute("COMMIT")
                return False
            except sqlite3.Error:
                self._rollback()
                raise
        self._rollback()
        return False

    def _rollback(self) -> None:
        if self.con.in_transaction:     # SQLite rolls back by itself after some errors (SQLITE_FULL)
            try:
                self.con.execute("ROLLBACK")
            except sqlite3.Error:
                pass                    # the original error says more; the transaction is gone either way



# ---------------------------------------------------------------- helpers

def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """SQL rows -> the frame dtypes the engine relies on (string / float64 / int64)."""
    frame = frame.copy()
    for column in frame.columns:
        if column in _STRING_COLUMNS:
            frame[column] = frame[column].astype("string")
        elif column in ("unit_mass_kg", "unit_value", "kg_per_unit", "fraction"):
            frame[column] = pd.to_numeric(frame[column]).astype("float64")
        elif column == "decl_id":
            frame[column] = frame[column].astype("int64")
    return frame


def _aggregate(elements: pd.DataFrame) -> pd.DataFrame:
    """One row per part, declaration, element, origin and kind (mass or fraction)."""
    if elements.empty:
        return elements.reindex(columns=COMPOSITION_FRAME_COLUMNS)
    kind = np.where(elements["kg_per_unit"].notna(), "kg", "fraction")
    keys = ["part", "decl_id", "element", "origin", "_kind"]
    out = (elements.assign(_kind=kind)
           .groupby(keys, dropna=False, sort=True)[["kg_per_unit", "fraction"]].sum(min_count=1)
           .reset_index())
    return _typed(out[COMPOSITION_FRAME_COLUMNS])


def _apply_part_overrides(declarations: pd.DataFrame, overrides: pd.DataFrame) -> pd.DataFrame:
    frame = declarations.copy()
    part_level = overrides[overrides["element"].isna()]
    for field_name, rows in part_level.groupby("field"):
        values = rows.set_index("part")["value"]
        hit = frame["part"].isin(values.index)
        new = frame.loc[hit, "part"].map(values)
        if field_name in ("unit_mass_kg", "unit_value"):
            new = pd.to_numeric(new).astype("float64")
        else:  # "unknown" was recorded for a country the reviewer says is not known
            new = new.replace("unknown", pd.NA).astype("string")
        frame.loc[hit, field_name] = new
    frame["overridden"] = frame["part"].isin(overrides["part"]).astype(bool)
    return frame[PARTS_FRAME_COLUMNS]


def _apply_origin_overrides(elements: pd.DataFrame, overrides: pd.DataFrame) -> pd.DataFrame:
    """A part-level re_origin override sets the origin of all the part's rows; an
    element-level one (more specific) sets that element's rows."""
    origin = overrides[overrides["field"] == "re_origin"]
    frame = elements.copy()
    part_level = origin[origin["element"].isna()].set_index("part")["value"]
    hit = frame["part"].isin(part_level.index)
    frame.loc[hit, "origin"] = frame.loc[hit, "part"].map(part_level)
    element_level = origin[origin["element"].notna()]
    if len(element_level):
        keyed = element_level.set_index(["part", "element"])["value"]
        index = pd.MultiIndex.from_arrays([frame["part"], frame["element"]])
        hit = index.isin(keyed.index)
        frame.loc[hit, "origin"] = keyed.reindex(index[hit]).to_numpy()
    frame["origin"] = frame["origin"].astype("string").replace("unknown", pd.NA)
    return _aggregate(frame)


def _override_value(field: str, value: str) -> str:
    """Normalised text of an override value; raises ValueError with the reason."""
    if field in ("re_origin", "made_in"):
        if value.strip().lower() in UNKNOWN_COUNTRY_WORDS:
            return "unknown"
        code = to_iso2_one(value)
        if code is None:
            raise ValueError(f"{value!r} is not a country remin knows (use an ISO code such as CN, JP, US)")
        return code
    if field == "currency":
        code = normalize_currency(value) or ""
        if len(code) != 3 or not code.isalpha():
            raise ValueError(f"{value!r} is not an ISO 4217 currency code (USD, EUR, JPY, CNY ...)")
        return code
    if field == "unit_mass_kg":
        return repr(_mass_kg(value))
    number = _number(value)
    if number < 0:
        raise ValueError("must be zero or more")
    return repr(number)


def _number(text: str) -> float:
    try:
        number = float(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a number") from None
    if not np.isfinite(number):
        raise ValueError(f"{text!r} is not a finite number")
    return number


def _mass_kg(text: str) -> float:
    """'12 g', '0.5kg' or a bare number of kg -> kg."""
    text = text.strip()
    split = len(text) - len(text.lstrip("0123456789.eE+-"))
    number, unit = text[:split].strip(), text[split:].strip() or "kg"
    value = _number(number)
    info = parse_unit(unit)
    if info.kind != "mass":
        raise ValueError(f"{unit!r} is not a mass unit (g, kg, mg, lb, oz)")
    if value < 0:
        raise ValueError("a mass must be zero or more")
    return value * info.factor


def _element_symbol(text: str, fail) -> str:
    import molmass
    try:
        return molmass.ELEMENTS[text.strip().capitalize() if len(text.strip()) <= 3 else text.strip().title()].symbol
    except (KeyError, ValueError):
        fail(f"{text!r} is not a chemical element")
