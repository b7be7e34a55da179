"""The library calls the CLI is built on: read, assess, render."""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Sequence

from remin.assess import Assessment
from remin.assess import assess as _assess_engine
from remin.bom import Bom, read_bom
from remin.errors import UsageError
from remin.composition import load_materials
from remin.currency import Rates, load_rates, normalize_currency
from remin.outlook import licensing_outlook
from remin.prices import PriceTable, load_prices
from remin.rules import DEFAULT_RULE_SET, load_rules
from remin.timing import stage


@dataclass(frozen=True)
class CheckResult:
    assessment: Assessment

    def render(self, fmt: str, frames=None) -> str:
        """table / json / csv text; ``frames`` (see ``frames()``) adds the detail to json."""
        if fmt == "json":
            from remin.report.json import to_json
            return to_json(self.assessment, frames=frames) + "\n"
        if fmt == "csv":
            from remin.report.table import to_csv
            return to_csv(self.assessment)
        from remin.report.table import render_table
        return render_table(self.assessment)

    def frames(self, *, prices=None, rates=None, command: str | None = None):
        """The full report's frames (contributors, where-used, rules, inputs …) for the
        workbook, the CSV set and the JSON detail: remin.report.frames.ReportFrames."""
        from remin.report.frames import report_frames
        return report_frames(self.assessment, prices=prices, rates=rates, command=command)


def assess(bom: Bom, *, rules=None, as_of: date | str | None = None, as_written: bool = False,
           library=None, skus: Sequence[str] | None = None, all_levels: bool = False,
           currency: str | None = None, rates=None, **options) -> Assessment:
    """Test every SKU of ``bom`` against the rules on ``as_of``; the call ``remin check`` makes.

    bom: from :func:`read_bom` (or a scenario of it, e.g. ``bom.with_origin(...)``).
    rules: a rule-set id (default ``"cn-rare-earth"``) or a RuleSet from :func:`load_rules`.
    as_of: the evaluation date (``datetime.date`` or ``"YYYY-MM-DD"``; default today).
    as_written: ignore suspensions (e.g. "what if No. 57 comes back?").
    library: a parts library (path or ``remin.library.Library``); its declarations
        complete the BOM's through the hook ``remin.library.apply_library(bom, library)``.
    skus: part numbers to report (default the roots); all_levels: report every assembly.
    currency: ISO 4217 code of the value test (default the BOM's most common one);
    rates: exchange rates (``remin.currency.load_rates``) for values in other currencies.
    options: passed to the engine (``remin.assess.assess``) unchanged.

    Returns an :class:`~remin.assess.Assessment`: ``.skus`` (one row per SKU; masses in
    kg, shares as fractions, 0.001 = 0.1 %), ``.findings``, ``.contributors(sku)``.
    """
    if library is not None:
        bom = _with_library(bom, library)
    return _assess_engine(bom, rules=rules, as_of=_as_date(as_of), as_written=as_written,
                          skus=list(skus) if skus else None, all_levels=all_levels, currency=currency,
                          rates=rates, **options)


def _as_date(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise UsageError(f"as_of {value!r} is not a date (YYYY-MM-DD)") from None


def _with_library(bom: Bom, library) -> Bom:
    """The BOM completed from the parts library, through the library's own hook."""
    try:
        parts_library = importlib.import_module("remin.library")
    except ModuleNotFoundError as exc:
        if exc.name != "remin.library":
            raise
        parts_library = None
    hook = getattr(parts_library, "apply_library", None)
    if hook is None:
        raise NotImplementedError("library= needs remin.library.apply_library(bom, library) -> Bom, which this "
                                  "version of remin does not have")
    return hook(bom, library)


def run_check(files: Sequence[str], *, as_of: date | None = None, as_written: bool = False, mapping=None,
              rule_set: str | None = None, rules_paths: Sequence[str] = (), materials_paths: Sequence[str] = (),
              skus=(), all_levels: bool = False, currency: str | None = None,
              rates: Rates | str | Path | None = None, prices: PriceTable | str | Path | None = None,
              end_use: str | None = None, end_user_listed: bool = False, library=None,
              labels: Sequence[str] | None = None) -> CheckResult:
    """Read the files, assess them and return a result that renders as table/json/csv.

    ``rates`` / ``prices``: loaded tables or the paths of a rates file (CSV/TOML; every
    rate's latest date is used) and a price table (read for ``as_of``). ``end_use`` is
    checked against the rule data before the BOM is read. ``library``: a parts library
    (path, Library or LibrarySnapshot) that fills what the BOM leaves blank; the BOM's
    own data wins (``remin.library.fill``). ``labels``: the name each file is shown
    under in the results (default: its path).
    """
    day = as_of or date.today()
    rules = load_rules(rule_set or DEFAULT_RULE_SET, tuple(rules_paths))
    on_date = rules.evaluate(day, as_written=as_written)
    if end_use and on_date.licensing is not None:
        licensing_outlook(on_date, end_use, end_user_listed)   # a UsageError names the valid end uses
    if isinstance(rates, (str, Path)):
        rates = load_rates(rates)
    if isinstance(prices, (str, Path)):
        prices = load_prices(prices, day)
    materials = load_materials(materials_paths) if materials_paths else None
    bom = read_bom(list(files), mapping=mapping, materials=materials, labels=labels)
    with stage("tests"):
        a = assess(bom, rules=rules, as_of=day, as_written=as_written, library=library,
                   skus=list(skus) or None,
                   all_levels=all_levels, currency=normalize_currency(currency), rates=rates, prices=prices,
                   materials=materials, end_use=end_use, end_user_listed=end_user_listed)
    return CheckResult(a)
