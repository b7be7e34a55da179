"""The library calls the CLI is built on: read, assess, render."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Sequence

from remin.assess import Assessment, assess
from remin.bom import read_bom
from remin.composition import load_materials
from remin.rules import load_rules


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


def run_check(files: Sequence[str], *, as_of: date | None = None, as_written: bool = False, mapping=None,
              rules_paths: Sequence[str] = (), materials_paths: Sequence[str] = (), skus=(),
              all_levels: bool = False, currency: str | None = None, rates=None) -> CheckResult:
    """Read the files, assess them and return a result that renders as table/json/csv."""
    materials = load_materials(materials_paths) if materials_paths else None
    bom = read_bom(list(files), mapping=mapping, materials=materials)
    rules = load_rules(extra_paths=tuple(rules_paths)) if rules_paths else None
    a = assess(bom, rules=rules, as_of=as_of, as_written=as_written, skus=list(skus) or None,
               all_levels=all_levels, currency=currency, rates=rates)
    return CheckResult(a)
