"""remin rules list / show through the command line."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from remin.cli import main
from remin.paths import data_path

SEVEN = ["Sm", "Gd", "Tb", "Dy", "Lu", "Sc", "Y"]
FIVE = ["Ho", "Er", "Tm", "Eu", "Yb"]


def run(*args):
    return CliRunner().invoke(main, list(args))


@pytest.mark.parametrize("as_of, extra, status, elements", [
    ("2025-03-01", [], "not-yet-effective", []),
    ("2025-06-01", [], "not-yet-effective", SEVEN),
    ("2026-01-15", [], "suspended", SEVEN),
    ("2026-11-22", [], "in-force", SEVEN + FIVE),
    ("2026-01-15", ["--as-written"], "in-force", SEVEN + FIVE),
])
def test_show_json(as_of, extra, status, elements):
    r = run("rules", "show", "--as-of", as_of, "--format", "json", *extra)
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["rules"]["status"] == status
    assert out["rules"]["controlled_elements"] == elements
    assert out["rules"]["as_of"] == as_of
    recorded = as_of != "2026-11-22"
    assert out["rules"]["status_recorded"] is recorded
    assert any(n.startswith("suspension recorded until 2026-11-10; later status not recorded")
               for n in out["rules"]["notes"]) is not recorded


def test_show_table_says_loudly_that_later_status_is_not_recorded():
    r = run("rules", "show", "cn-rare-earth", "--as-of", "2026-11-22")
    assert r.exit_code == 0
    assert "NOT RECORDED" in r.stdout
    assert "suspension recorded until 2026-11-10; later status not recorded" in r.stdout
    assert "Sm Gd Tb Dy Lu Sc Y Ho Er Tm Eu Yb" in r.stdout
    assert "later status not recorded" in r.stderr


def test_show_table_on_a_suspended_date():
    r = run("rules", "show", "--as-of", "2026-01-15")
    assert r.exit_code == 0
    assert "SUSPENDED" in r.stdout and "2025-11-07 .. 2026-11-10" in r.stdout
    assert "NOT RECORDED" not in r.stdout


def test_list():
    r = run("rules", "list", "--as-of", "2026-01-15", "--format", "json")
    assert r.exit_code == 0
    sets = json.loads(r.stdout)["rule_sets"]
    assert [s["id"] for s in sets] == ["cn-rare-earth"]
    assert {i["id"]: i["status"] for i in sets[0]["instruments"]}["cn-mofcom-57-2025"] == "suspended"


def test_rule_file_with_a_typo_exits_3_naming_file_key_and_line(tmp_path):
    text = data_path("rules", "cn-mofcom-70-2025.toml").read_text()
    bad = text.replace("after_until =", "afer_until =")
    f = tmp_path / "no70.toml"
    f.write_text(bad)
    line = next(n for n, ln in enumerate(bad.splitlines(), 1) if ln.startswith("afer_until"))
    r = run("rules", "show", "--rules", str(f), "--as-of", "2026-01-15")
    assert r.exit_code == 3
    assert str(f) in r.output and f"line {line}" in r.output
    assert "suspensions[0].afer_until" in r.output and "did you mean 'after_until'" in r.output
    assert "Traceback" not in r.output


def test_bad_date_is_a_usage_error():
    r = run("rules", "show", "--as-of", "2026-02-30")
    assert r.exit_code == 2 and "YYYY-MM-DD" in r.output


def test_unknown_rule_set_is_a_usage_error():
    r = run("rules", "show", "cn-rare-earths")
    assert r.exit_code == 2 and "valid: cn-rare-earth" in r.output


@pytest.mark.parametrize("cmd", [["rules"], ["rules", "list"], ["rules", "show"]])
def test_help_has_an_example(cmd):
    r = run(*cmd, "--help")
    assert r.exit_code == 0 and "Example" in r.output and "remin rules" in r.output
