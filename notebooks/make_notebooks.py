"""Write the what-if notebooks (01-quickstart, 02-supplier-switch,
03-portfolio-screening) from the cell texts below, without outputs.

    python notebooks/make_notebooks.py

The notebooks are committed as written here and executed by
tests/test_notebooks.py, so edit this file and rerun it rather than editing
the .ipynb files in Jupyter (or clear their outputs before committing).
They use only the example BOMs shipped with remin (data/examples/).
"""
from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

QUICKSTART = [
    ("md", """# remin quickstart: one BOM, every SKU, the 0.1 % line

Read a bundled example BOM (an EV drive unit, indented Excel export), test every SKU
against China's rare-earth export controls as they stand on a date, and see which
parts carry the controlled content. Shares are fractions of the SKU's mass
(0.001 = 0.1 %); masses are in kg. See `data/examples/README.md` for the
hand-computed figures."""),
    ("code", """import remin

bom = remin.read_bom(remin.example_path("ev-drive-unit.xlsx"))
bom.parts[["description", "mass_kg", "re_origin", "made_in"]].head(12)"""),
    ("md", """## Assess on a date

On 2026-11-22 the suspension of Announcement No. 57 (recorded until 2026-11-10) has
ended, so all twelve elements are controlled. `low` counts unknown origin as not
Chinese, `high` as Chinese."""),
    ("code", """a = remin.assess(bom, as_of="2026-11-22")
a.skus[["description", "mass_kg", "controlled_cn_kg", "controlled_unknown_kg",
        "mass_share_low", "mass_share_high", "verdict"]]"""),
    ("code", """# the drive unit straddles the line; the spare rotor is clearly above
assert a.skus.loc["EDU-3000", "verdict"] == "indeterminate"
assert a.skus.loc["ROT-150-A", "verdict"] == "above"
print(a.rules.to_dict()["controlled_elements"])"""),
    ("md", "Findings say what the result rests on and what to ask suppliers:"),
    ("code", """for f in a.findings:
    print(f)"""),
    ("md", "## Where the controlled content comes from"),
    ("code", """a.contributors("EDU-3000")[["extended_qty", "cn_kg", "unknown_kg", "other_kg", "description"]]"""),
    ("code", """remin.plots.pareto(a, "EDU-3000");"""),
    ("md", """## Every assembly against the line

With `all_levels=True` every assembly gets a verdict, not only the roots: the motor
alone is above although the whole drive unit is indeterminate."""),
    ("code", """levels = remin.assess(bom, as_of="2026-11-22", all_levels=True)
remin.plots.shares(levels);"""),
    ("md", """## Headroom

How much more Chinese-origin controlled mass each SKU can take before it reaches
the line (kg, at constant SKU mass); negative means it is already over."""),
    ("code", """remin.headroom(a)[["mass_kg", "limit_kg", "headroom_kg", "headroom_if_unknown_cn_kg"]]"""),
]

SUPPLIER_SWITCH = [
    ("md", """# What if we switch this magnet to a Japanese supplier?

Scenarios are new BOMs: `bom.with_origin(...)`, `bom.with_composition(...)`,
`bom.replace_part(...)` and `bom.with_value(...)` each return a changed copy and
never touch the BOM they start from. `remin.compare` puts two assessments side by
side and says which verdicts flip."""),
    ("code", """import remin

bom = remin.read_bom(remin.example_path("ev-drive-unit.xlsx"))
AS_OF = "2026-11-22"
base = remin.assess(bom, as_of=AS_OF)
base.skus[["mass_share_low", "mass_share_high", "verdict"]]"""),
    ("md", """## The Dy-NdFeB magnets from a Japanese supplier

`MAG-N42DY` (48 per rotor, 4.5 wt% Dy, rare-earth origin China) is the largest
contributor. Give it Japanese-origin rare earths:"""),
    ("code", """japan = bom.with_origin("MAG-N42DY", "JP")
switch = remin.compare(base, remin.assess(japan, as_of=AS_OF))
switch.skus[["mass_share_low_before", "mass_share_high_before",
             "mass_share_low_after", "mass_share_high_after", "flip"]]"""),
    ("code", """switch.plot();"""),
    ("code", """# the BOM we started from is unchanged
assert bom.parts.at["MAG-N42DY", "re_origin"] == "CN"
assert switch.skus.loc["EDU-3000", "flip"] == "indeterminate → below"
print(japan.label)"""),
    ("md", """## Which parts can move the verdict?

Each part's origin resolved either way (all of its controlled content Chinese, or
none of it), the rest of the BOM as it is. `decides` marks parts whose origin alone
settles the SKU's verdict."""),
    ("code", """remin.sensitivity(base, "EDU-3000")[["swing", "verdict_if_not_cn", "verdict_if_cn", "decides",
                                      "share_per_wt_pct"]]"""),
    ("md", """## How much Dy can this grade carry before the motor crosses 0.1 %?

The share is linear in the Dy fraction of the magnet, so the break-even is solved
in closed form: share(f) = (N0 + x·m·f) / M with x = 48 magnets, m = 30.6 g each,
M = the motor's mass and N0 the motor's other Chinese-origin controlled mass."""),
    ("code", """be = remin.break_even(base, "MOT-150", "MAG-N42DY", "Dy")
print(be)
be.fraction"""),
    ("code", """# check: the motor with exactly that much Dy sits on the line (share >= 0.1 % counts as above)
at_line = remin.assess(bom.with_composition("MAG-N42DY", {"Dy": be.fraction}), as_of=AS_OF, skus=["MOT-150"])
at_line.skus[["mass_share_low", "mass_verdict"]]"""),
    ("code", """assert abs(at_line.skus.at["MOT-150", "mass_share_low"] - 0.001) < 1e-12
print(remin.break_even(base, "MOT-150", "MAG-N42DY", "Dy", bound="high"))"""),
    ("md", """## A different magnet altogether

Replace the Tb-diffused magnet of unknown origin by a new grain-boundary-diffused
grade from a Japanese supplier (a copy of the old part with new attributes, then a
new composition), on top of the Japanese Dy magnets:"""),
    ("code", """both = (japan
        .replace_part("MAG-N48TB", "MAG-N48TB-JP", re_origin="JP", supplier="Example Magnetics KK")
        .with_composition("MAG-N48TB-JP", {"Dy": "0.5 wt%", "Tb": "0.6 wt%"}))
both_cmp = remin.compare(base, remin.assess(both, as_of=AS_OF))
print(both.label)
both_cmp.skus[["mass_share_low_after", "mass_share_high_after", "flip"]]"""),
    ("code", """both_cmp.plot();"""),
    ("md", """## Values

`with_value` sets a part's unit value (per piece, per kg or per m, in its currency)
for the value test; here a dearer drive unit."""),
    ("code", """dearer = bom.with_value("EDU-3000", 3100, "EUR")
remin.compare(base, remin.assess(dearer, as_of=AS_OF)).skus[["value_before", "value_after"]]"""),
]

PORTFOLIO = [
    ("md", """# Portfolio screening: every product at once

All three bundled examples read into one BOM: an EV drive unit (with a spare rotor
sold on its own), a cordless vacuum and an AC servo motor (SAP export with a
separate composition file)."""),
    ("code", """import remin

files = [remin.example_path(name) for name in
         ("ev-drive-unit.xlsx", "consumer-device.csv", "sap-export.csv", "sap-export-composition.csv")]
bom = remin.read_bom(files)
a = remin.assess(bom, as_of="2026-11-22")
a.skus[["description", "mass_kg", "mass_share_low", "mass_share_high", "verdict"]]"""),
    ("code", """remin.plots.shares(a);"""),
    ("code", """remin.headroom(a)[["mass_kg", "headroom_kg", "headroom_if_unknown_cn_kg"]]"""),
    ("md", """## Which SKUs flip if No. 57 comes back?

On 2026-01-15 Announcement No. 57 (Ho, Er, Tm, Eu, Yb) is suspended. Reading the
rules as written ignores the suspension:"""),
    ("code", """during = remin.assess(bom, as_of="2026-01-15")
as_written = remin.assess(bom, as_of="2026-01-15", as_written=True)
no57 = remin.compare(during, as_written)
print("\\n".join(no57.notes))
no57.skus[["mass_share_high_before", "mass_share_high_after", "flip"]]"""),
    ("code", """print("flip:", list(no57.flipped.index) or "none")"""),
    ("md", """## Worst case: every unknown origin turns out Chinese

The parts with controlled content of unknown origin are named by `unknown-origin`
findings; resolve them all to China in one scenario:"""),
    ("code", """unknown = sorted({f.part for f in a.findings if f.code == "unknown-origin"})
worst = remin.compare(a, remin.assess(bom.with_origin(unknown, "CN"), as_of="2026-11-22"))
print(unknown)
worst.skus[["mass_share_low_before", "mass_share_low_after", "flip"]]"""),
    ("code", """worst.plot();"""),
    ("md", "## The parts that decide each SKU"),
    ("code", """import pandas as pd

deciding = pd.concat({sku: remin.sensitivity(a, sku).query("decides")[["swing", "verdict_if_not_cn", "verdict_if_cn"]]
                      for sku in a.sku_list})
deciding"""),
]


def notebook(cells) -> nbformat.NotebookNode:
    nb = new_notebook(cells=[new_markdown_cell(text) if kind == "md" else new_code_cell(text)
                             for kind, text in cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i:02d}"       # stable ids: rewriting gives identical files
    return nb


NOTEBOOKS = {"01-quickstart": QUICKSTART, "02-supplier-switch": SUPPLIER_SWITCH,
             "03-portfolio-screening": PORTFOLIO}


def main() -> None:
    for name, cells in NOTEBOOKS.items():
        nbformat.write(notebook(cells), HERE / f"{name}.ipynb")


if __name__ == "__main__":
    main()
