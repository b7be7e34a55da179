"""remin explain on the bundled examples: pruned tree, headroom, unknown-origin ranking.

Hand arithmetic from test_examples.py (masses in kg): the drive unit EDU-3000 holds
EDU kg; its Chinese-origin controlled mass is the Dy of the 42UH magnets and the
Dy2O3 slurry plus the LED board's Y and Eu; its unknown-origin content is the
Tb-NdFeB magnets' Dy and Tb and the MLCCs' Dy and Ho on two sensor boards.
"""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from remin.cli import main
from test_examples import (DY_MLCC_PER_BOARD, DY_TB_MAGNETS_UNKNOWN, EDU, EDU_ELEMENTS, EDU_FILES,
                           HO_MLCC_PER_BOARD, REPO, ROTOR, ROTOR_ELEMENTS, SAP_FILES, SERVO,
                           SERVO_ELEMENTS, TB_MAGNETS_UNKNOWN)

AS_OF = "2026-11-22"
T = 0.001   # threshold: share >= 0.1 % is above


def total(elements, cls):
    return sum(v.get(cls, 0.0) for v in elements.values())


def explain(sku, files, *extra):
    r = CliRunner().invoke(main, ["explain", sku, *[str(REPO / f) for f in files], "--as-of", AS_OF, *extra])
    assert r.exit_code == 0, r.output
    return r.stdout


@pytest.fixture(scope="module")
def edu_json():
    return json.loads(explain("EDU-3000", EDU_FILES, "--format", "json"))


def test_headroom_of_the_drive_unit(edu_json):
    cn, unknown = total(EDU_ELEMENTS, "cn"), total(EDU_ELEMENTS, "unknown")
    mass = next(h for h in edu_json["headroom"] if h["test"] == "mass")
    assert mass["limit"] == pytest.approx(T * EDU, rel=1e-12)              # 0.1 % of 79.336 kg = 79.336 g
    assert mass["headroom"] == pytest.approx(T * EDU - cn, rel=1e-9)       # 79.336 g - 68.190 g = 11.147 g
    assert mass["headroom"] * 1000 == pytest.approx(11.146583, abs=1e-6)
    assert mass["headroom_high"] == pytest.approx(T * EDU - cn - unknown, rel=1e-9)   # -5.501 g: over
    assert mass["headroom_high"] < 0


def test_unknown_origin_ranking(edu_json):
    ranking = edu_json["unknown_origin"]
    assert [r["part"] for r in ranking] == ["MAG-N48TB", "MLCC-0603"]
    magnets, mlcc = ranking
    magnets_kg = DY_TB_MAGNETS_UNKNOWN + TB_MAGNETS_UNKNOWN        # 16 x 30.6 g x (2.5 + 0.9) % = 16.6464 g
    mlcc_kg = 2 * (DY_MLCC_PER_BOARD + HO_MLCC_PER_BOARD)          # 2 boards x 24 x 5.8 mg x 0.55 % = 1.5312 mg
    assert magnets["unknown_kg"] == pytest.approx(magnets_kg, rel=1e-12)
    assert mlcc["unknown_kg"] == pytest.approx(mlcc_kg, rel=1e-12)
    assert magnets["share_delta"] == pytest.approx(magnets_kg / EDU, rel=1e-12)
    assert (magnets["uses"], mlcc["uses"]) == (1, 2)                # the sensor board sits in two places
    low = total(EDU_ELEMENTS, "cn") / EDU
    high = (total(EDU_ELEMENTS, "cn") + total(EDU_ELEMENTS, "unknown")) / EDU
    # The magnets alone decide 'above' if Chinese (0.0860 % + 0.0210 % >= 0.1 %); the MLCCs cannot.
    assert magnets["if_chinese_low"] == pytest.approx(low + magnets_kg / EDU, rel=1e-12)
    assert magnets["decides_above"] and not mlcc["decides_above"]
    # Clearing the magnets as non-Chinese settles 'below': high falls to 0.0860 % + MLCC.
    assert magnets["high_if_cleared"] == pytest.approx(high - magnets_kg / EDU, rel=1e-9)
    assert magnets["settles_below"] and not mlcc["settles_below"]


def test_tree_is_pruned_to_controlled_branches(edu_json):
    tree = [(n["depth"], n["part"]) for n in edu_json["tree"]]
    assert tree == [(0, "EDU-3000"), (1, "MOT-150"), (2, "ROT-150-A"), (3, "RCM-150"), (4, "MAG-N42DY"),
                    (4, "MAG-N48TB"), (4, "CTG-DY2O3"), (2, "RES-40"), (3, "MAG-SC5"), (2, "PSB-12"),
                    (3, "MLCC-0603"), (1, "INV-800"), (2, "PSB-12"), (3, "MLCC-0603"), (1, "LED-STS")]
    root = edu_json["tree"][0]
    assert root["cn_kg"] == pytest.approx(total(EDU_ELEMENTS, "cn"), rel=1e-12)
    assert root["cn_share"] == pytest.approx(total(EDU_ELEMENTS, "cn") / EDU, rel=1e-12)
    inverter = next(n for n in edu_json["tree"] if n["part"] == "INV-800")
    assert inverter["unknown_kg"] == pytest.approx(DY_MLCC_PER_BOARD + HO_MLCC_PER_BOARD, rel=1e-12)


def test_text_output_of_an_indeterminate_sku():
    out = explain("EDU-3000", EDU_FILES)
    assert "Verdict: INDETERMINATE" in out
    assert "so less than 11.147 g more keeps the share under 0.1 %" in out
    assert "over by 5.501 g" in out                     # counting unknown origin as Chinese
    lines = out.splitlines()
    ranked = [ln.split()[:2] for ln in lines if ln.strip()[:2] in ("1 ", "2 ")]
    assert ranked == [["1", "MAG-N48TB"], ["2", "MLCC-0603"]]
    assert "If MAG-N48TB turns out Chinese-origin, the SKU is above on that alone." in out
    assert "Confirming MAG-N48TB as non-Chinese settles the mass test: below (high share 0.0860 %)." in out
    assert "│     ├─ MAG-N42DY" in out and "GBX-91" not in out and "STA-150" not in out


def test_above_sku_shows_how_far_over():
    out = explain("ROT-150-A", EDU_FILES)
    over = total(ROTOR_ELEMENTS, "cn") - T * ROTOR          # 68.187 g - 15.754 g = 52.433 g
    assert f"over by {over * 1000:,.3f} g" in out
    assert "cannot change the mass test, which decides the verdict: already above" in out


def test_sap_servo_any_part_can_be_explained():
    out = explain("40031005", SAP_FILES)
    over = total(SERVO_ELEMENTS, "cn") - T * SERVO           # 11.440 g - 8.486 g = 2.954 g
    assert f"over by {over * 1000:,.3f} g" in out
    # a subassembly is a valid SKU too (the rotor 40031200)
    sub = json.loads(explain("40031200", SAP_FILES, "--format", "json"))
    assert sub["tree"][0]["part"] == "40031200"


def test_unknown_sku_is_a_usage_error():
    r = CliRunner().invoke(main, ["explain", "NOPE", str(REPO / EDU_FILES[0])])
    assert r.exit_code == 2 and "NOPE" in r.output


def test_value_headroom_when_the_value_test_gave_a_share():
    """With value-test columns in the results (as the value test writes them), the
    headroom is threshold x value - Chinese-origin value."""
    import datetime

    from remin.api import run_check
    from remin.explain import explain as explain_sku
    a = run_check([str(REPO / f) for f in EDU_FILES], as_of=datetime.date(2026, 11, 22)).assessment
    a.results.loc["ROT-150-A", ["value_share_low", "value_share_high"]] = [0.002, 0.003]
    e = explain_sku(a, "ROT-150-A")
    value = next(h for h in e.headroom if h.test == "value")
    # 0.1 % of 640 EUR = 0.64 EUR; Chinese-origin value 0.2 % x 640 = 1.28 EUR: over by 0.64 EUR
    assert (value.unit, value.limit, value.numerator) == ("EUR", pytest.approx(0.64), pytest.approx(1.28))
    assert value.headroom == pytest.approx(-0.64) and value.unknown == pytest.approx(0.64)


@pytest.mark.parametrize("command", ["explain", "notice", "check"])
def test_help_has_an_example(command):
    r = CliRunner().invoke(main, [command, "--help"])
    assert r.exit_code == 0 and "Example" in r.output and f"remin {command} " in r.output
