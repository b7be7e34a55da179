"""The library calls the CLI is built on: read, assess, render."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Sequence

from remin.assess import Assessment, assess
from remin.bom import read_bom
from remin.composition import load_materials
from remin.currency import Rates, load_rates, normalize_currency
from remin.outlook import licensing_outlook
from remin.prices import PriceTable, load_prices
from remin.rules import DEFAULT_RULE_SET, load_rules


@dataclass(frozen=True)
class CheckResult:
    assessment: Assessment

    def render(self, fmt: str) -> str:
        if fmt == "json":
            from remin.report.json import to_json
            return to_json(self.assessment) + "\n"
        if fmt == "csv":
            from remin.report.table import to_csv
            return to_csv(self.assessment)
        from remin.report.table import render_table
        return render_table(self.assessment)


def run_check(files: Sequence[str], *, as_of: date | None = None, as_written: bool = False, mapping=None,
              rule_set: str | None = None, rules_paths: Sequence[str] = (), materials_paths: Sequence[str] = (),
              skus=(), all_levels: bool = False, currency: str | None = None,
              rates: Rates | str | Path | None = None, prices: PriceTable | str | Path | None = None,
              end_use: str | None = None, end_user_listed: bool = False) -> CheckResult:
    """Read the files, assess them and return a result that renders as table/json/csv.

    ``rates`` / ``prices``: loaded tables or the paths of a rates file (CSV/TOML; every
    rate's latest date is used) and a price table (read for ``as_of``). ``end_use`` is
    checked against the rule data before the BOM is read.
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
    bom = read_bom(list(files), mapping=mapping, materials=materials)
    a = assess(bom, rules=rules, as_of=day, as_written=as_written, skus=list(skus) or None,
               all_levels=all_levels, currency=normalize_currency(currency), rates=rates, prices=prices,
               materials=materials, end_use=end_use, end_user_listed=end_user_listed)
    return CheckResult(a)
