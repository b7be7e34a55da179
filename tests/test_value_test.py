"""The value test of MOFCOM No. 61 Art. 1(1) (domain.md §2.6), on tiny hand-made BOMs.

Every expected figure is written as arithmetic from the numbers in the BOM rows and
in the test price table below. Conventions (remin/valuetest.py):
numerator = declared value of Chinese-origin Part I items (a flagged part counts once;
its subtree is not descended) + controlled content of the Part I elements that no
flagged part covers, at reference prices ("estimated"); denominator = the SKU's
declared value, else the roll-up of its children's values ("cost-roll-up");
value_share.low = cn / value, .high = (cn + unknown) / value; above if low >= 0.001.
"""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from remin.api import run_check
from remin.cli import main
from remin.report.json import to_dict

AS_OF = date(2026, 11, 22)          # No. 61 Art. 1(1) in force (after No. 70's recorded suspension)
SUSPENDED = date(2026, 1, 15)       # No. 61 suspended by No. 70
G = 1e-3                            # kg per g
T = 0.001                           # the threshold (0.1 %)

# Test reference prices, USD per kg of element contained.
PRICE = {"Dy": 500.0, "Tb": 2000.0, "Sm": 10.0, "Y": 40.0}
PRICES_CSV = "element,basis,price_per_kg,currency,date,source\n" + "".join(
    f"{el},element contained,{p},USD,2025-01-01,test\n" for el, p in PRICE.items())
# 1 EUR = 1.08 USD, 1 CNY = 0.14 USD.
RATES_CSV = "currency,rate,base,date,source\nEUR,1.08,USD,2025-06-30,test\nCNY,0.14,USD,2025-06-30,test\n"

COLUMNS = {  # short key -> CSV header
    "parent": "Parent", "part": "Child", "qty": "Quantity", "g": "Unit Weight (g)", "re": "RE Origin",
    "made": "Country of Origin", "cost": "Unit Cost", "cur": "Currency", "cls": "Part class", "p1": "Part I",
    "code": "Control code", "mat": "Material grade", "tech": "CN technology",
    "Dy": "Dy [wt%]", "Tb": "Tb [wt%]", "Nd": "Nd [wt%]", "Sm": "Sm [wt%]", "Co": "Co [wt%]", "Y": "Y [wt%]",
}


def approx(x):
    return pytest.approx(x, rel=1e-9, abs=1e-12)


def write_bom(tmp_path: Path, rows: list[dict], name: str = "bom.csv", drop: tuple[str, ...] = ()) -> Path:
    """A parent-child CSV; each row a dict of COLUMNS keys (``qty`` defaults to 1, UoM EA)."""
    keys = [k for k in COLUMNS if k not in drop]
    lines = [",".join(["Description", "UoM", *(COLUMNS[k] for k in keys)])]
    for r in rows:
        r = {"qty": 1, **r}
        lines.append(",".join([r["part"], "EA", *(str(r.get(k, "")) for k in keys)]))
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def check(tmp_path, files, *, prices=True, rates=False, **kw) -> dict:
    """run_check on the files and the JSON report as a dict."""
    if prices:
        (tmp_path / "prices.csv").write_text(PRICES_CSV, encoding="utf-8")
        kw["prices"] = tmp_path / "prices.csv"
    if rates:
        (tmp_path / "rates.csv").write_text(RATES_CSV, encoding="utf-8")
        kw["rates"] = tmp_path / "rates.csv"
    return to_dict(run_check([str(f) for f in files], as_of=kw.pop("as_of", AS_OF), **kw).assessment)


def sku(report: dict, name: str) -> dict:
    return next(s for s in report["skus"] if s["sku"] == name)


def codes(report: dict, part: str | None = None) -> set[str]:
    return {f["code"] for f in report["findings"] if part is None or f["part"] == part}


# --------------------------------------------------------------------------- numerator

COUNTED_ONCE = [
    {"part": "MOTOR-A", "made": "DE", "cost": 10000, "cur": "USD"},
    # a Part I kit (flag column) holding two more Part I items: counts 4.00 once per kit
    {"parent": "MOTOR-A", "part": "DYFE-KIT", "qty": 2, "re": "CN", "cost": 4.00, "cur": "USD", "p1": "yes"},
    {"parent": "DYFE-KIT", "part": "DY-METAL", "g": 1, "re": "CN", "cost": 3.00, "cur": "USD", "p1": "yes",
     "Dy": 100},
    {"parent": "DYFE-KIT", "part": "TB-OX", "g": 0.5, "re": "CN", "cost": 1.50, "cur": "USD",
     "code": "1C904.b", "Tb": 85},                                  # flagged by its control code
    # a Part II magnet, not a Part I item: its Dy is valued at the reference price (estimated)
    {"parent": "MOTOR-A", "part": "MAG-DY", "qty": 4, "g": 10, "re": "CN", "cost": 2.00, "cur": "USD",
     "cls": "ndfeb-dy-magnet", "Dy": 5, "Nd": 30},
    # SmCo5 from the materials library (part1 = true there), made in DE, no RE origin: unknown
    {"parent": "MOTOR-A", "part": "SMCO-RING", "g": 3, "made": "DE", "cost": 5.00, "cur": "USD",
     "mat": "smco5"},
    {"parent": "MOTOR-A", "part": "HOUSING", "g": 5000, "made": "DE", "cost": 40, "cur": "USD"},
]


def test_flagged_item_counts_once_with_estimated_content(tmp_path):
    r = sku(check(tmp_path, [write_bom(tmp_path, COUNTED_ONCE)]), "MOTOR-A")
    kit = 2 * 4.00                            # the kit's own value, not 2 x (4.00 + 3.00 + 1.50) = 17.00
    magnets = 4 * 10 * G * 5 / 100 * PRICE["Dy"]   # 4 x 10 g x 5 wt% Dy = 2 g x 500 USD/kg = 1.00 USD
    smco = 1 * 5.00                           # unknown origin
    assert magnets == approx(1.00)
    assert r["value"] == 10000 and r["currency"] == "USD" and r["value_basis"] == "declared"
    assert r["value_part1"]["cn"] == approx(kit + magnets)          # 9.00
    assert r["value_part1"]["unknown"] == approx(smco)              # 5.00
    assert r["value_estimated"] == {"cn": approx(magnets), "other": 0.0, "unknown": 0.0}
    # low = 9.00 / 10000 = 0.09 % < 0.1 % <= high = 14.00 / 10000 = 0.14 %
    assert r["value_share"]["low"] == approx((kit + magnets) / 10000)
    assert r["value_share"]["high"] == approx((kit + magnets + smco) / 10000)
    assert r["value_verdict"] == "indeterminate"
    # counted twice it would be (17.00 + 1.00) / 10000 = 0.18 %: above
    assert (2 * (4.00 + 3.00 + 1.50) + magnets) / 10000 >= T
    assert r["part2_scope"] is True and r["part1_cn_present"] is True
    assert (r["verdict"], r["decided_by"]) == ("indeterminate", "value")


def test_estimated_content_value_from_the_price_table(tmp_path):
    rows = [
        {"part": "ACT-1", "made": "DE", "cost": 300, "cur": "USD"},
        # 6 x 12 g, 4 wt% Dy (CN) and 0.8 wt% Tb (no RE origin, made in VN: unknown)
        {"parent": "ACT-1", "part": "MAG-T", "qty": 6, "g": 12, "re": "CN", "cost": 1.20, "cur": "USD",
         "cls": "ndfeb-dy-magnet", "Dy": 4, "Nd": 28},
        {"parent": "ACT-1", "part": "MAG-U", "qty": 6, "g": 12, "made": "VN", "cost": 1.20, "cur": "USD",
         "cls": "NdFeB magnet (Tb)", "Tb": 0.8, "Nd": 28},           # an alias of ndfeb-tb-magnet
        {"parent": "ACT-1", "part": "COIL", "g": 200, "made": "DE", "cost": 12, "cur": "USD"},
    ]
    r = sku(check(tmp_path, [write_bom(tmp_path, rows)]), "ACT-1")
    dy_cn = 6 * 12 * G * 4 / 100 * PRICE["Dy"]        # 2.88 g Dy x 500 USD/kg = 1.44 USD
    tb_unknown = 6 * 12 * G * 0.8 / 100 * PRICE["Tb"]  # 0.576 g Tb x 2000 USD/kg = 1.152 USD
    assert r["value_estimated"]["cn"] == approx(dy_cn)
    assert r["value_estimated"]["unknown"] == approx(tb_unknown)
    assert r["value_part1"]["cn"] == approx(dy_cn)      # nothing flagged: the whole numerator is estimated
    assert r["value_share"]["low"] == approx(dy_cn / 300)                  # 0.48 %
    assert r["value_share"]["high"] == approx((dy_cn + tb_unknown) / 300)  # 0.864 %
    assert (r["value_verdict"], r["verdict"], r["decided_by"]) == ("above", "above", "value")
    assert r["part1_cn_present"] is False               # no flagged Part I item, only content


def test_cost_based_denominator_and_generic_ndfeb_class(tmp_path):
    rows = [
        {"part": "KIT-C", "made": "DE"},                                  # no value of its own
        {"parent": "KIT-C", "part": "MAG-C", "qty": 2, "g": 20, "re": "CN", "cost": 3.00, "cur": "USD",
         "cls": "ndfeb-magnet", "Dy": 4, "Nd": 29},                      # plain NdFeB with Dy: Part II
        {"parent": "KIT-C", "part": "FRAME", "g": 1000, "cost": 20.00, "cur": "USD", "cls": "frame"},
        {"parent": "KIT-C", "part": "SCREW", "qty": 10, "g": 5, "cost": 0.10, "cur": "USD", "cls": "fastener"},
        {"part": "KIT-N", "made": "DE", "cost": 50, "cur": "USD"},
        {"parent": "KIT-N", "part": "MAG-N", "qty": 2, "g": 20, "re": "CN", "cost": 2.00, "cur": "USD",
         "cls": "ndfeb-magnet", "Nd": 30},                               # plain NdFeB, no Dy/Tb: not Part II
    ]
    report = check(tmp_path, [write_bom(tmp_path, rows)])
    c = sku(report, "KIT-C")
    cost = 2 * 3.00 + 20.00 + 10 * 0.10                  # 27.00 USD from the children
    dy = 2 * 20 * G * 4 / 100 * PRICE["Dy"]              # 1.6 g Dy x 500 USD/kg = 0.80 USD
    assert (c["value"], c["value_basis"]) == (approx(cost), "cost-roll-up")
    assert c["value_share"]["low"] == approx(dy / cost)  # 2.96 %
    assert c["part2_scope"] is True and c["value_verdict"] == "above"
    n = sku(report, "KIT-N")
    assert n["part2_scope"] is False and n["value_verdict"] == "not-applicable"
    assert n["value_basis"] == "declared"


def test_missing_rate_makes_the_value_test_no_data(tmp_path):
    rows = [
        {"part": "PUMP-EU", "made": "DE", "cost": 2000, "cur": "EUR"},
        # Dy oxide, flagged by its control code, priced in CNY
        {"parent": "PUMP-EU", "part": "DY-OX", "g": 50, "re": "CN", "cost": 100, "cur": "CNY",
         "code": "1C905.b", "Dy": 87.13},
        {"parent": "PUMP-EU", "part": "MAG-S", "g": 30, "re": "JP", "cost": 5, "cur": "EUR",
         "cls": "SmCo magnet", "Sm": 30, "Co": 60},                      # alias of smco-magnet: Part II
        {"parent": "PUMP-EU", "part": "BODY", "g": 9000, "cost": 60, "cur": "EUR"},
    ]
    path = write_bom(tmp_path, rows)
    r = check(tmp_path, [path])
    p = sku(r, "PUMP-EU")
    assert p["currency"] == "EUR" and p["part2_scope"] is True
    assert p["value_part1"]["cn"] is None and p["value_share"] is None   # never a made-up number
    assert p["value_verdict"] == "no-data"
    assert "missing-rate" in codes(r, "DY-OX") and "value-no-data" in codes(r, "PUMP-EU")
    # mass: 50 g x 87.13 % Dy = 43.565 g cn / 9080 g = 0.48 %: the headline falls back to the mass test
    assert p["mass_share"]["low"] == approx(50 * 87.13 / 100 / (50 + 30 + 9000))
    assert (p["verdict"], p["decided_by"]) == ("above", "mass")

    with_rates = sku(check(tmp_path, [path], rates=True), "PUMP-EU")
    dy_ox_eur = 100 * 0.14 / 1.08                      # 100 CNY -> 14 USD -> 12.96 EUR
    assert with_rates["value_part1"]["cn"] == approx(dy_ox_eur)
    assert with_rates["value_share"]["low"] == approx(dy_ox_eur / 2000)   # 0.648 %
    assert (with_rates["verdict"], with_rates["decided_by"]) == ("above", "value")


def test_missing_price_makes_the_value_test_no_data(tmp_path):
    rows = [
        {"part": "ACT-2", "made": "DE", "cost": 100, "cur": "USD"},
        {"parent": "ACT-2", "part": "MAG-TB", "qty": 2, "g": 10, "re": "CN", "cost": 1, "cur": "USD",
         "cls": "ndfeb-tb-magnet", "Tb": 1, "Nd": 29},
    ]
    path = write_bom(tmp_path, rows)
    prices = tmp_path / "no-tb.csv"
    prices.write_text(PRICES_CSV.replace("Tb,element contained,2000.0,USD,2025-01-01,test\n", ""), encoding="utf-8")
    r = to_dict(run_check([str(path)], as_of=AS_OF, prices=prices).assessment)
    a = sku(r, "ACT-2")
    assert a["value_verdict"] == "no-data" and a["decided_by"] == "mass"
    assert any(f["code"] == "missing-price" and f["part"] == "MAG-TB" and "Tb" in f["message"]
               for f in r["findings"])


# --------------------------------------------------------------------------- scope


def test_out_of_scope_sku_shows_its_shares(tmp_path):
    rows = [
        {"part": "LAMP", "made": "DE", "cost": 10.00, "cur": "USD"},
        {"parent": "LAMP", "part": "Y-BIT", "g": 0.1, "re": "CN", "cost": 1.00, "cur": "USD", "p1": "yes",
         "cls": "metal", "Y": 100},
        {"parent": "LAMP", "part": "LENS", "g": 20, "cost": 9.00, "cur": "USD", "cls": "optics"},
    ]
    r = sku(check(tmp_path, [write_bom(tmp_path, rows)]), "LAMP")
    assert r["part2_scope"] is False
    assert r["value_share"] == {"low": approx(1.00 / 10.00), "high": approx(1.00 / 10.00)}   # 10 %, shown
    assert r["value_verdict"] == "not-applicable"
    assert r["part1_cn_present"] is True
    # mass: 0.1 g Y / 20.1 g = 0.50 % -> above, decided by the mass test
    assert (r["mass_verdict"], r["verdict"], r["decided_by"]) == ("above", "above", "mass")
    assert r["licensing_outlook"] is None               # outside Part II: Art. 1(1) does not reach it


def test_sputtering_target_does_not_reach_its_assembly(tmp_path):
    rows = [
        {"part": "COATER-KIT", "made": "DE", "cost": 500, "cur": "USD"},
        {"parent": "COATER-KIT", "part": "GD-TGT", "g": 400, "re": "CN", "cost": 300, "cur": "USD",
         "mat": "gd-target"},                     # materials library: class sputtering-target
        {"parent": "COATER-KIT", "part": "FLANGE", "g": 2000, "cost": 200, "cur": "USD", "cls": "flange"},
    ]
    report = check(tmp_path, [write_bom(tmp_path, rows)], all_levels=True, skus=["COATER-KIT", "GD-TGT"])
    assert sku(report, "GD-TGT")["part2_scope"] is True         # the target itself is Part II
    assert sku(report, "COATER-KIT")["part2_scope"] is False     # reaches_assemblies = false for targets


def test_part2_inferred_from_composition_without_classes(tmp_path):
    rows = [
        {"part": "FAN-1", "made": "MY", "cost": 20, "cur": "USD"},
        {"parent": "FAN-1", "part": "RING", "g": 5, "re": "CN", "cost": 0.5, "cur": "USD", "Dy": 1, "Nd": 29},
        {"parent": "FAN-1", "part": "SHELL", "g": 100, "cost": 1, "cur": "USD"},
        {"part": "FAN-2", "made": "MY", "cost": 20, "cur": "USD"},
        {"parent": "FAN-2", "part": "SHELL2", "g": 100, "cost": 1, "cur": "USD", "Y": 0.01},
        {"parent": "FAN-2", "part": "SM-DOPED", "g": 1, "cost": 1, "cur": "USD", "Sm": 2},   # Sm, no Co
        {"part": "FAN-3", "made": "MY", "cost": 20, "cur": "USD"},
        {"parent": "FAN-3", "part": "SMCO-R", "g": 2, "cost": 1, "cur": "USD", "Sm": 25, "Co": 50},
    ]
    report = check(tmp_path, [write_bom(tmp_path, rows, drop=("cls",))])
    assert sku(report, "FAN-1")["part2_scope"] is True
    assert "part2-inferred" in codes(report, "RING")
    assert sku(report, "FAN-2")["part2_scope"] is False
    assert sku(report, "FAN-3")["part2_scope"] is True and "part2-inferred" in codes(report, "SMCO-R")
    only_fan2 = check(tmp_path, [write_bom(tmp_path, rows[3:6], "fan2.csv", drop=("cls",))])
    assert "part2-unclassified" in codes(only_fan2)


def test_explicit_no_in_the_part1_column_wins_over_the_materials_library(tmp_path):
    rows = [
        {"part": "ENC", "made": "DE", "cost": 1000, "cur": "USD"},
        {"parent": "ENC", "part": "RING", "g": 3, "re": "CN", "cost": 5.00, "cur": "USD", "mat": "smco5",
         "p1": "no"},
    ]
    r = sku(check(tmp_path, [write_bom(tmp_path, rows)]), "ENC")
    sm = 3 * G * 36 / 100 * PRICE["Sm"]        # smco5 is 36 wt% Sm: 1.08 g x 10 USD/kg, estimated
    assert r["value_part1"]["cn"] == approx(sm) and r["value_estimated"]["cn"] == approx(sm)
    assert r["part1_cn_present"] is False


def test_unknown_origin_part1_item_leaves_the_presence_flag_open(tmp_path):
    rows = [
        {"part": "ENC2", "made": "DE", "cost": 1000, "cur": "USD"},
        {"parent": "ENC2", "part": "RING2", "g": 3, "made": "DE", "cost": 5.00, "cur": "USD", "mat": "smco5"},
    ]
    r = sku(check(tmp_path, [write_bom(tmp_path, rows)]), "ENC2")
    assert r["part1_cn_present"] is None                 # unknown origin is not "not Chinese"
    assert r["value_part1"]["unknown"] == approx(5.00)
    assert r["value_share"] == {"low": 0.0, "high": approx(5.00 / 1000)}   # 0 % .. 0.5 %


# --------------------------------------------------------------------------- flags and headline


def test_direct_product_flag_reaches_the_sku(tmp_path):
    rows = [
        {"part": "DRIVE", "made": "DE", "cost": 100, "cur": "USD"},
        {"parent": "DRIVE", "part": "SUB", "made": "DE"},
        {"parent": "SUB", "part": "SENSOR", "g": 10, "made": "DE", "cost": 5, "cur": "USD", "tech": "yes"},
        {"parent": "DRIVE", "part": "CASE", "g": 500, "cost": 20, "cur": "USD", "cls": "case"},
    ]
    report = check(tmp_path, [write_bom(tmp_path, rows)], all_levels=True, end_use="civil")
    drive, sub = sku(report, "DRIVE"), sku(report, "SUB")
    assert drive["cn_technology"] is True and sub["cn_technology"] is True
    assert drive["verdict"] == "below"                  # nothing controlled inside, no Part II part
    # Art. 1(2) has no threshold: the SKU gets the licensing outlook anyway
    assert drive["licensing_outlook"]["outcome"] == "ordinary-review"


@pytest.mark.parametrize("value_share_cn, decided_by", [(0.002, "value"), (None, "mass")])
def test_decided_by_value_or_mass(tmp_path, value_share_cn, decided_by):
    """With a value the headline is the value test's (below, although the mass share
    0.5 % is above); with no value anywhere it is the mass test's."""
    cost = {"cost": 1000, "cur": "USD"} if value_share_cn else {}
    rows = [
        {"part": "GEN", "made": "DE", **cost},
        {"parent": "GEN", "part": "MAG-G", "g": 10, "re": "CN", "cls": "ndfeb-dy-magnet", "Dy": 5, "Nd": 28,
         **({"cost": 1.0, "cur": "USD"} if value_share_cn else {})},
        {"parent": "GEN", "part": "IRON", "g": 90},
    ]
    r = sku(check(tmp_path, [write_bom(tmp_path, rows)]), "GEN")
    assert r["mass_share"]["low"] == approx(10 * 5 / 100 / 100)   # 0.5 g Dy / 100 g = 0.5 %
    assert r["mass_verdict"] == "above"
    if value_share_cn:
        # 0.5 g Dy x 500 USD/kg = 0.25 USD / 1000 USD = 0.025 %
        assert r["value_share"]["low"] == approx(0.5 * G * PRICE["Dy"] / 1000)
        assert r["value_verdict"] == "below"
    else:
        assert r["value"] is None and r["value_basis"] is None and r["value_verdict"] == "no-data"
    assert r["decided_by"] == decided_by
    assert r["verdict"] == ("below" if decided_by == "value" else "above")


# --------------------------------------------------------------------------- licensing outlook via the CLI

ABOVE_SKU = [
    {"part": "SERVO", "made": "DE", "cost": 400, "cur": "USD"},
    {"parent": "SERVO", "part": "DY-FE", "g": 2, "re": "CN", "cost": 2.00, "cur": "USD", "mat": "dyfe-alloy"},
    {"parent": "SERVO", "part": "MAG-SV", "qty": 8, "g": 5, "re": "CN", "cost": 0.5, "cur": "USD",
     "cls": "ndfeb-dy-magnet", "Dy": 3, "Nd": 28},
    {"parent": "SERVO", "part": "STATOR", "g": 3000, "cost": 60, "cur": "USD"},
]
# value share low = (2.00 + 8 x 5 g x 3 % x 500 USD/kg) / 400 = (2.00 + 0.60) / 400 = 0.65 %: above

# From data/rules/cn-mofcom-61-2025.toml [licensing]: end use -> (outcome, article)
END_USES = {
    "civil": ("ordinary-review", "Art. 1"),
    "military": ("presumption-of-denial", "Art. 3(3)"),
    "wmd": ("presumption-of-denial", "Art. 3(1)"),
    "advanced-semiconductor": ("case-by-case", "Art. 4"),
    "military-ai": ("case-by-case", "Art. 4"),
    "humanitarian": ("exempt", "Art. 5"),
}


def cli_json(tmp_path, *args) -> dict:
    bom = write_bom(tmp_path, ABOVE_SKU, "servo.csv")
    (tmp_path / "prices.csv").write_text(PRICES_CSV, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(bom), "--format", "json", "--prices",
                                       str(tmp_path / "prices.csv"), *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_the_above_sku_is_above_by_value(tmp_path):
    s = sku(cli_json(tmp_path, "--as-of", AS_OF.isoformat()), "SERVO")
    assert s["value_share"]["low"] == approx((2.00 + 8 * 5 * G * 3 / 100 * PRICE["Dy"]) / 400)
    assert (s["verdict"], s["decided_by"]) == ("above", "value")
    assert s["value_estimated"]["cn"] == approx(0.60)
    assert s["licensing_outlook"]["outcome"] == "not-stated"      # no --end-use given


@pytest.mark.parametrize("end_use", list(END_USES))
def test_licensing_outlook_for_each_end_use(tmp_path, end_use):
    report = cli_json(tmp_path, "--as-of", AS_OF.isoformat(), "--end-use", end_use)
    outlook = sku(report, "SERVO")["licensing_outlook"]
    assert (outlook["outcome"], outlook["article"]) == END_USES[end_use]
    assert outlook["text"]
    assert report["valuation"]["end_use"] == end_use


def test_listed_end_user_makes_even_humanitarian_a_denial(tmp_path):
    report = cli_json(tmp_path, "--as-of", AS_OF.isoformat(), "--end-use", "humanitarian", "--end-user-listed")
    outlook = sku(report, "SERVO")["licensing_outlook"]
    assert (outlook["outcome"], outlook["article"]) == ("presumption-of-denial", "Art. 2")


def test_outlook_while_suspended_and_as_written(tmp_path):
    suspended = sku(cli_json(tmp_path, "--as-of", SUSPENDED.isoformat(), "--end-use", "military"), "SERVO")
    assert suspended["licensing_outlook"]["outcome"] == "not-applicable"
    written = sku(cli_json(tmp_path, "--as-of", SUSPENDED.isoformat(), "--as-written", "--end-use", "military"),
                  "SERVO")
    assert written["licensing_outlook"]["outcome"] == "presumption-of-denial"


def test_unknown_end_use_is_a_usage_error(tmp_path):
    bom = write_bom(tmp_path, ABOVE_SKU, "servo.csv")
    result = CliRunner().invoke(main, ["check", str(bom), "--end-use", "space"])
    assert result.exit_code == 2
    assert "civil" in result.output


def test_table_and_csv_show_the_value_test(tmp_path):
    bom = write_bom(tmp_path, ABOVE_SKU, "servo.csv")
    (tmp_path / "prices.csv").write_text(PRICES_CSV, encoding="utf-8")
    base = ["check", str(bom), "--as-of", AS_OF.isoformat(), "--prices", str(tmp_path / "prices.csv"),
            "--end-use", "military"]
    table = CliRunner().invoke(main, base)
    assert table.exit_code == 0, table.output
    assert "0.6500 % *" in table.output and "ABOVE (value)" in table.output
    assert "presumption-of-denial (Art. 3(3))" in table.output
    csv = CliRunner().invoke(main, [*base, "--format", "csv"])
    header, row = csv.output.splitlines()[:2]
    assert "value_basis" in header and "licensing_outcome" in header
    assert "presumption-of-denial" in row


# --------------------------------------------------------------------------- docs and bundled examples

REPO = Path(__file__).resolve().parents[1]
SAP = [str(REPO / "data/examples/sap-export.csv"), str(REPO / "data/examples/sap-export-composition.csv")]


def test_the_documented_announcement_example_works(tmp_path):
    """docs/value-test.md's my-announcement.toml, run as the doc says."""
    doc = (REPO / "docs" / "value-test.md").read_text(encoding="utf-8")
    toml = doc.split("```toml\n", 1)[1].split("```", 1)[0]
    rules = tmp_path / "my-announcement.toml"
    rules.write_text(toml, encoding="utf-8")
    args = ["check", *SAP, "--as-of", "2026-12-01", "--end-use", "civil", "--format", "json"]
    before = json.loads(CliRunner().invoke(main, args).output)
    after = json.loads(CliRunner().invoke(main, [*args, "--rules", str(rules)]).output)
    assert before["rules"]["status"] == "in-force" and after["rules"]["status"] == "suspended"
    b, a = before["skus"][0], after["skus"][0]
    assert (b["verdict"], b["decided_by"]) == (a["verdict"], a["decided_by"]) == ("above", "mass")
    assert b["licensing_outlook"]["outcome"] == "ordinary-review"
    assert (a["licensing_outlook"]["outcome"], a["licensing_outlook"]["article"]) == ("not-applicable", "Art. 1(1)")
    assert "rules-override" in codes(after) and "Ho" not in after["rules"]["controlled_elements"]


def test_consumer_example_value_share_as_documented():
    """docs/value-test.md: the vacuum's numerator is estimated at the shipped prices
    (Dy 700, Y 7.6 USD/kg) over its declared 89.00 USD."""
    r = to_dict(run_check([str(REPO / "data/examples/consumer-device.csv")], as_of=AS_OF).assessment)
    s = sku(r, "HV-210")
    numerator = 6.8 * G * 0.5 / 100 * 700 + 4 * 0.032 * G * 1.4 / 100 * 7.6   # 0.0238 + 0.0000136 USD
    assert s["value_estimated"]["cn"] == approx(numerator)
    assert s["value_share"]["low"] == approx(numerator / 89.0)                  # 0.0268 %
    assert (s["part2_scope"], s["verdict"], s["decided_by"]) == (True, "below", "value")
    assert "part2-inferred" in codes(r, "MAG-R11")
