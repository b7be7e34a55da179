"""Score one BOM file: the unit of work of ``remin batch``, run in worker
processes (or on Dask workers). Everything a worker needs besides the file
travels in one ``ScoringContext`` that is loaded once per batch, so a worker
never re-reads rules, materials, mapping or the parts library per file.
"""
from __future__ import annotations

import functools
import hashlib
import json
import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from remin import __version__
from remin.assess import assess
from remin.bom import read_bom, sha256_of
from remin.currency import normalize_currency
from remin.errors import ReminError
from remin.findings import ERROR, WARNING
from remin.report.table import summary_frame

SCORED, FAILED = "scored", "failed"

#: Output columns before and after the per-SKU summary of ``remin check --format csv``
#: (``remin.report.table.summary_frame``), whose columns sit in between.
LEAD_COLUMNS = ["file", "sha256", "status", "error"]
TRAIL_COLUMNS = ["n_errors", "n_warnings", "error_codes", "warning_codes", "rules_id", "rules_as_of",
                 "rules_status", "library_state"]


@dataclass(frozen=True)
class BatchOptions:
    """What every file of a batch is scored with (the ``remin check`` options).

    ``as_of`` None means today, fixed once when the context is loaded so every
    file of a batch uses the same date. Paths are files the process that loads
    the context can read; workers receive the loaded content, not the paths.
    """

    as_of: date | None = None
    as_written: bool = False
    rule_set: str | None = None
    rules_paths: tuple[str, ...] = ()
    materials_paths: tuple[str, ...] = ()
    mapping: str | None = None
    library: str | None = None
    currency: str | None = None
    all_levels: bool = False
    prices: str | None = None
    rates: str | None = None
    end_use: str | None = None
    end_user_listed: bool = False


@dataclass(frozen=True)
class ScoringContext:
    """Loaded rules, materials, mapping and library snapshot, plus the
    fingerprint that says whether an earlier score of a file is still valid."""

    options: BatchOptions
    as_of: date
    rules: object                      # remin.rules.RuleSet
    materials: object | None           # remin.composition.MaterialsLibrary
    mapping: object                    # remin.mapping.Mapping
    library: object | None             # remin.library.fill.LibrarySnapshot
    prices: object                     # remin.prices.PriceTable on as_of
    rates: object                      # remin.currency.Rates
    rules_fingerprint: str
    fingerprint: str

    @property
    def library_state(self) -> str | None:
        return None if self.library is None else self.library.state


def load_context(options: BatchOptions) -> ScoringContext:
    """Load everything the options name, once. Raises ReminError for a bad rule,
    materials, mapping, price, rate or library file or end use (the batch
    cannot start)."""
    from remin.composition import load_materials
    from remin.currency import load_rates
    from remin.mapping import load_mapping
    from remin.outlook import licensing_outlook
    from remin.prices import load_prices
    from remin.rules import DEFAULT_RULE_SET, load_rules

    as_of = options.as_of or date.today()
    rules = load_rules(options.rule_set or DEFAULT_RULE_SET, tuple(options.rules_paths))
    on_date = rules.evaluate(as_of, as_written=options.as_written)
    if options.end_use and on_date.licensing is not None:
        licensing_outlook(on_date, options.end_use, options.end_user_listed)  # names the valid end uses
    materials = load_materials(options.materials_paths) if options.materials_paths else None
    mapping = load_mapping(options.mapping)
    prices = load_prices(options.prices, as_of)
    rates = load_rates(options.rates)
    library = None
    if options.library is not None:
        from remin.library.fill import LibrarySnapshot
        library = LibrarySnapshot.read(options.library)
    rules_fp = _digest({"rule_set": rules.id, "as_of": as_of.isoformat(), "as_written": options.as_written,
                        "rule_files": _files_digest(options.rules_paths)})
    named_files = {name: _files_digest([path] if path else []) for name, path in (
        ("mapping", options.mapping), ("prices", options.prices), ("rates", options.rates))}
    fingerprint = _digest({
        "remin": __version__, "rules": rules_fp, "shipped_data": _shipped_data_digest(),
        "materials": _files_digest(options.materials_paths), **named_files,
        "library": library.state if library is not None else None,
        "currency": options.currency, "all_levels": options.all_levels, "end_use": options.end_use,
        "end_user_listed": options.end_user_listed})
    return ScoringContext(options, as_of, rules, materials, mapping, library, prices, rates, rules_fp,
                          fingerprint)


_cached_context = functools.lru_cache(maxsize=4)(load_context)


@dataclass(frozen=True)
class FileResult:
    """The outcome for one file: ``rows`` (one per SKU) if scored, else ``error``."""

    file: str
    sha256: str | None
    status: str
    rows: tuple[dict, ...] = ()
    error: str | None = None

    def to_rows(self) -> list[dict]:
        """Output rows; a failure is one row with the error and no figures."""
        if self.status == SCORED:
            return [dict(r, file=self.file, sha256=self.sha256) for r in self.rows]
        return [{**dict.fromkeys(LEAD_COLUMNS + TRAIL_COLUMNS), "file": self.file, "sha256": self.sha256,
                 "status": FAILED, "error": self.error}]


def score_file(path: str, context: "ScoringContext | BatchOptions", sha256: str | None = None) -> FileResult:
    """Read, fill from the library, assess and summarise one BOM file.

    ``context``: a loaded ScoringContext, or BatchOptions (loaded once per
    process and cached).

    Never raises for a bad file: a ReminError (or any other error, reported as
    an internal error) becomes a failed FileResult naming the problem.
    ``sha256``: the digest the caller already took (kept if the file cannot
    be read at all).
    """
    try:
        if isinstance(context, BatchOptions):
            context = _cached_context(context)
        return _score(str(path), context)
    except ReminError as e:
        return FileResult(str(path), sha256, FAILED, error=str(e))
    except OSError as e:
        return FileResult(str(path), sha256, FAILED, error=f"{e.strerror or e}")
    except MemoryError:
        return FileResult(str(path), sha256, FAILED, error="out of memory: the file is larger than a worker can hold")
    except Exception as e:  # a bug in remin: report it for this file, keep the batch going
        return FileResult(str(path), sha256, FAILED,
                          error=f"internal error ({type(e).__name__}: {e}); please report it with the file")


def _score(path: str, ctx: ScoringContext) -> FileResult:
    bom = read_bom(path, mapping=ctx.mapping, materials=ctx.materials)
    if ctx.library is not None:
        from remin.library.fill import fill_from_library
        bom = fill_from_library(bom, ctx.library)
    o = ctx.options
    a = assess(bom, rules=ctx.rules, as_of=ctx.as_of, as_written=o.as_written, all_levels=o.all_levels,
               currency=normalize_currency(o.currency), rates=ctx.rates, prices=ctx.prices,
               materials=ctx.materials, end_use=o.end_use, end_user_listed=o.end_user_listed)
    # a few findings per file: plain Python, not pandas (whose per-call cost a 50-line file notices)
    errors = [f.code for f in a.findings if f.severity == ERROR]
    warnings = [f.code for f in a.findings if f.severity == WARNING]
    common = {
        "status": SCORED, "error": None,
        "n_errors": len(errors), "n_warnings": len(warnings),
        "error_codes": " ".join(sorted(set(errors))), "warning_codes": " ".join(sorted(set(warnings))),
        "rules_id": a.rules.rule_set, "rules_as_of": a.rules.as_of.isoformat(), "rules_status": a.rules.status,
        "library_state": ctx.library_state,
    }
    summary = summary_frame(a)
    rows = tuple({"file": None, "sha256": None, **{k: _plain(v) for k, v in rec.items()}, **common}
                 for rec in summary.to_dict("records"))
    return FileResult(path, bom.inputs[0].sha256, SCORED, rows)


def _plain(value):
    """JSON-safe Python scalars: NaN/NA -> None, numpy -> Python."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


# ---------------------------------------------------------------- fingerprints

def _digest(obj) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()


def _files_digest(paths) -> list[str]:
    return [sha256_of(p) for p in paths]


def _shipped_data_digest() -> str:
    """Content of the shipped reference data (rules, materials, units, columns ...)."""
    from remin.paths import DATA_DIR
    digest = hashlib.sha256()
    for path in sorted(p for p in Path(DATA_DIR).rglob("*") if p.is_file() and "examples" not in p.parts):
        digest.update(str(path.relative_to(DATA_DIR)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()
