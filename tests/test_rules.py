"""Rule data evaluated on dates: element lists, status, notes, overrides, bad files."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest

from remin.datafile import read_toml, toml_key_lines
from remin.errors import RulesError
from remin.paths import data_path
from remin.rules import (IN_FORCE, NOT_YET_EFFECTIVE, SUSPENDED, UnknownRuleSetError, list_rule_sets,
                         load_rules, parse_date)

SEVEN = ("Sm", "Gd", "Tb", "Dy", "Lu", "Sc", "Y")  # No. 18, in control-code order 1C902..1C908
FIVE = ("Ho", "Er", "Tm", "Eu", "Yb")  # No. 57, 1C909..1C913
NOT_RECORDED = "suspension recorded until 2026-11-10; later status not recorded"
RULES_DIR = data_path("rules")


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def on(rules, day: str, as_written: bool = False):
    return rules.evaluate(dt.date.fromisoformat(day), as_written=as_written)


# ------------------------------------------------------------------ the dates

def test_before_any_control(rules):
    r = on(rules, "2025-03-01")  # before No. 18 (2025-04-04) and No. 61 (published 2025-10-09)
    assert r.controlled_elements == ()
    assert r.status == NOT_YET_EFFECTIVE
    assert r.status_recorded


def test_no18_in_force_no61_not_yet(rules):
    r = on(rules, "2025-06-01")
    assert r.controlled_elements == SEVEN
    assert r.status == NOT_YET_EFFECTIVE  # No. 61 Art. 1(1) applies from 2025-12-01
    assert any("applies from 2025-12-01" in n for n in r.notes)
    assert set(r.element_instrument.values()) == {"cn-mofcom-18-2025"}


def test_suspended_by_no70(rules):
    r = on(rules, "2026-01-15")
    assert r.controlled_elements == SEVEN  # No. 57's five suspended too
    assert r.status == SUSPENDED
    assert r.value_test.suspended_from == dt.date(2025, 11, 7)
    assert r.value_test.suspended_until == dt.date(2026, 11, 10)
    no57 = next(i for i in r.instruments if i.id == "cn-mofcom-57-2025")
    assert (no57.status, no57.suspended_by) == (SUSPENDED, "cn-mofcom-70-2025")
    assert any(n.startswith("Ho Er Tm Eu Yb") and "suspended" in n for n in r.notes)
    assert r.findings() == []


def test_after_recorded_suspension_end(rules):
    r = on(rules, "2026-11-22")
    assert r.controlled_elements == SEVEN + FIVE
    assert r.status == IN_FORCE
    assert not r.status_recorded
    assert r.notes[0].startswith(NOT_RECORDED)
    assert r.to_dict()["notes"][0].startswith(NOT_RECORDED)
    assert [f.code for f in r.findings()] == ["rules-status-unknown"]
    assert r.findings()[0].severity == "warning"


def test_as_written_ignores_suspension(rules):
    r = on(rules, "2026-01-15", as_written=True)
    assert r.controlled_elements == SEVEN + FIVE
    assert r.status == IN_FORCE
    assert r.as_written and r.status_recorded
    assert [f.code for f in r.findings()] == ["rules-as-written"]


def test_as_written_before_no57_effective(rules):
    # as written, No. 57 still only takes effect on 2025-11-08
    r = on(rules, "2025-06-01", as_written=True)
    assert r.controlled_elements == SEVEN
    assert r.status == NOT_YET_EFFECTIVE


# ------------------------------------------------------------------ edges and decisions

def test_suspension_end_is_inclusive(rules):
    assert on(rules, "2026-11-10").status == SUSPENDED
    assert on(rules, "2026-11-10").controlled_elements == SEVEN
    assert on(rules, "2026-11-11").status == IN_FORCE
    assert on(rules, "2026-11-11").controlled_elements == SEVEN + FIVE
    assert on(rules, "2025-11-07").status == SUSPENDED  # first day included too
    assert on(rules, "2025-11-06").status == NOT_YET_EFFECTIVE


def test_suspension_wins_over_not_yet_effective(rules):
    # 2025-11-20: Art. 1(1) not effective until 2025-12-01, but already suspended
    assert on(rules, "2025-11-20").status == SUSPENDED
    assert on(rules, "2025-11-20", as_written=True).status == NOT_YET_EFFECTIVE


def test_threshold_and_rule_data(rules):
    r = on(rules, "2026-01-15")
    assert r.threshold == 0.001 and r.comparison == ">="
    assert r.rule_set == "cn-rare-earth"
    assert len(r.part1_items) == 13
    kinds = [p.kind for p in r.part1_items]
    assert (kinds.count("metal"), kinds.count("alloy"), kinds.count("oxide")) == (7, 4, 2)
    by_id = {p.id: p for p in r.part1_items}
    assert by_id["dy-oxide"].control_code == "1C905.b"
    assert by_id["smco-alloy"].control_code == "1C902.a"
    assert by_id["tbdyfe-alloy"].control_code is None  # not settled by the text found
    assert by_id["tbdyfe-alloy"].elements == ("Tb", "Dy")
    assert [c.id for c in r.part2_classes] == ["smco-magnet", "ndfeb-tb-magnet", "ndfeb-dy-magnet",
                                              "sputtering-target"]
    assert r.direct_product_rule.article == "Art. 1(2)"
    assert r.direct_product_rule.status == SUSPENDED
    assert on(rules, "2025-10-20").direct_product_rule.status == NOT_YET_EFFECTIVE


def test_to_dict_contract(rules):
    d = on(rules, "2026-01-15").to_dict()
    assert {"id", "as_of", "status", "threshold", "controlled_elements", "as_written", "notes",
            "sources"} <= set(d)
    assert d["as_of"] == "2026-01-15" and d["status"] == "suspended"
    assert d["controlled_elements"] == list(SEVEN)
    assert all(s["url"].startswith("https://") for s in d["sources"])
    json.dumps(on(rules, "2026-01-15").to_detail_dict())  # serialisable


def test_datetime_as_of_is_a_date(rules):
    assert rules.evaluate(dt.datetime(2026, 1, 15, 12, 0)).as_of == dt.date(2026, 1, 15)


def test_parse_date():
    assert parse_date("2026-01-15") == dt.date(2026, 1, 15)
    assert parse_date(None) == dt.date.today()
    with pytest.raises(Exception) as e:
        parse_date("15.01.2026")
    assert e.value.exit_code == 2


# ------------------------------------------------------------------ rule sets and --rules

def test_unknown_rule_set_lists_valid_ids():
    with pytest.raises(RulesError) as e:
        load_rules("cn-rare-earths")
    assert isinstance(e.value, UnknownRuleSetError)
    assert "cn-rare-earth" in str(e.value)


def test_list_rule_sets():
    assert [e.id for e in list_rule_sets()] == ["cn-rare-earth"]


def test_every_shipped_file_matches_the_schema():
    schema = json.loads((RULES_DIR / "remin-rules.schema.json").read_text())
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    for path in sorted(RULES_DIR.glob("*.toml")):
        doc, _ = read_toml(path)
        assert path.read_text().startswith("# remin rule"), f"{path.name} lacks its header"
        plain = json.loads(json.dumps(doc, default=str))
        cls(schema, format_checker=cls.FORMAT_CHECKER).validate(plain)


EXTENSION = """
format = "remin-rules/1"
kind = "instrument"
id = "cn-mofcom-99-2026"
title = "Hypothetical later announcement extending the suspension"
short_title = "No. 99 of 2026"
authority = "MOFCOM"
document_number = "test"
published = 2026-11-01
effective = 2026-11-01
sources = [{ title = "test", url = "https://example.invalid/99", kind = "secondary" }]

[[suspensions]]
instruments = ["cn-mofcom-57-2025", "cn-mofcom-61-2025", "cn-mofcom-62-2025"]
from = 2026-11-11
until = 2027-11-10
after_until = "not-recorded"
"""


def test_rules_path_adds_a_later_announcement(tmp_path):
    f = tmp_path / "no99.toml"
    f.write_text(EXTENSION)
    rs = load_rules(extra_paths=[f])
    r = rs.evaluate(dt.date(2026, 11, 22))
    assert r.status == SUSPENDED and r.status_recorded
    assert r.controlled_elements == SEVEN
    assert any("adds instrument 'cn-mofcom-99-2026'" in n for n in r.notes)
    assert [x.code for x in r.findings()] == ["rules-override"]
    later = rs.evaluate(dt.date(2027, 12, 1))
    assert later.status == IN_FORCE and not later.status_recorded
    assert later.notes[0].startswith("suspension recorded until 2027-11-10; later status not recorded")


def test_partial_extension_leaves_the_rest_not_recorded(tmp_path):
    f = tmp_path / "no99.toml"
    f.write_text(EXTENSION.replace(', "cn-mofcom-62-2025"]', "]"))
    r = load_rules(extra_paths=[f]).evaluate(dt.date(2026, 11, 22))
    assert r.status == SUSPENDED  # No. 61 extended ...
    assert not r.status_recorded  # ... but nothing recorded for No. 62 after 2026-11-10
    no62 = next(i for i in r.instruments if i.id == "cn-mofcom-62-2025")
    assert no62.status == IN_FORCE and not no62.status_recorded
    assert r.notes[0].startswith(NOT_RECORDED)


def test_rules_path_replaces_a_shipped_file(tmp_path):
    text = (RULES_DIR / "cn-mofcom-70-2025.toml").read_text()
    f = tmp_path / "no70.toml"
    f.write_text(text.replace('after_until = "not-recorded"', 'after_until = "lapses"'))
    r = load_rules(extra_paths=[tmp_path]).evaluate(dt.date(2026, 11, 22))  # a folder works too
    assert r.status == IN_FORCE and r.status_recorded
    assert not any("not recorded" in n for n in r.notes)
    assert any("replaces the shipped instrument 'cn-mofcom-70-2025'" in n for n in r.notes)


def test_quoted_dates_are_accepted(tmp_path):
    f = tmp_path / "x.toml"
    f.write_text(EXTENSION.replace("from = 2026-11-11", 'from = "2026-11-11"'))
    assert load_rules(extra_paths=[f]).evaluate(dt.date(2026, 11, 22)).status == SUSPENDED


# ------------------------------------------------------------------ malformed files

def _error_for(tmp_path: Path, name: str, old: str, new: str, source: str = "cn-mofcom-61-2025.toml"):
    text = (RULES_DIR / source).read_text()
    assert old in text
    bad = text.replace(old, new, 1)
    f = tmp_path / name
    f.write_text(bad)
    with pytest.raises(RulesError) as e:
        load_rules(extra_paths=[f])
    return e.value, bad.splitlines()


def test_misspelt_key_names_file_key_and_line(tmp_path):
    err, lines = _error_for(tmp_path, "typo.toml", "reaches_assemblies = false", "reaches_assembly = false")
    assert err.exit_code == 3
    assert err.file == tmp_path / "typo.toml"
    assert err.key == "part2_classes[3].reaches_assembly"
    assert lines[err.line - 1] == "reaches_assembly = false"
    assert "did you mean 'reaches_assemblies'" in str(err)
    assert str(err).startswith(f"{tmp_path / 'typo.toml'}, line {err.line}, key ")


def test_misspelt_top_level_key(tmp_path):
    err, lines = _error_for(tmp_path, "t.toml", "published = 2025-10-09", "publishd = 2025-10-09")
    assert err.key == "publishd" and lines[err.line - 1].startswith("publishd")


def test_unknown_element_symbol(tmp_path):
    err, lines = _error_for(tmp_path, "e.toml", 'elements = ["Tb", "Dy"]', 'elements = ["Tb", "Dyy"]')
    assert err.key == "part1_items[10].elements[1]"
    assert lines[err.line - 1] == 'elements = ["Tb", "Dyy"]'


def test_impossible_date_is_a_syntax_error_with_key(tmp_path):
    err, lines = _error_for(tmp_path, "d.toml", "effective = 2025-12-01\nthreshold",
                            "effective = 2025-13-01\nthreshold")
    assert lines[err.line - 1] == "effective = 2025-13-01"
    assert err.key == "provisions.effective"
    assert "valid date" in str(err)


def test_threshold_as_text(tmp_path):
    err, lines = _error_for(tmp_path, "n.toml", "threshold = 0.001", 'threshold = "0.1 %"')
    assert err.key == "provisions[0].threshold" and lines[err.line - 1].startswith("threshold")


def test_suspension_of_unknown_instrument(tmp_path):
    err, lines = _error_for(tmp_path, "s.toml", '"cn-mofcom-62-2025"]', '"cn-mofcom-63-2025"]',
                            source="cn-mofcom-70-2025.toml")
    assert err.key == "suspensions[0].instruments[2]"
    assert "cn-mofcom-63-2025" in lines[err.line - 1]


def test_suspension_ending_before_it_starts(tmp_path):
    err, lines = _error_for(tmp_path, "s.toml", "until = 2026-11-10", "until = 2024-11-10",
                            source="cn-mofcom-70-2025.toml")
    assert err.key == "suspensions[0].until" and lines[err.line - 1] == "until = 2024-11-10"


def test_two_extra_files_with_one_id(tmp_path):
    (tmp_path / "a.toml").write_text(EXTENSION)
    (tmp_path / "b.toml").write_text(EXTENSION)
    with pytest.raises(RulesError, match="also defined in"):
        load_rules(extra_paths=[tmp_path])


def test_missing_rules_path(tmp_path):
    with pytest.raises(RulesError, match="no such rule file"):
        load_rules(extra_paths=[tmp_path / "nope.toml"])


# ------------------------------------------------------------------ the line locator

def test_key_lines_of_tables_arrays_and_inline_tables():
    text = "\n".join([
        'a = 1',                       # 1
        '[t]',                         # 2
        'b = "x # not a comment"',     # 3
        '[[arr]]',                     # 4
        'c = 2',                       # 5
        '[[arr]]',                     # 6
        'c = 3',                       # 7
        'list = [',                    # 8
        '  { k = 1 },',                # 9
        '  { k = 2, m = 3 },',         # 10
        ']',                           # 11
        'doc = """',                   # 12
        'd = 9',                       # 13 (inside a string, not a key)
        '"""',                         # 14
        'e = ["p", "q"]',              # 15
    ])
    lines = toml_key_lines(text)
    assert lines[("a",)] == 1 and lines[("t", "b")] == 3
    assert lines[("arr", 0, "c")] == 5 and lines[("arr", 1, "c")] == 7
    assert lines[("arr", 1, "list", 1, "m")] == 10
    assert ("arr", 1, "d") not in lines
    assert lines[("arr", 1, "e", 1)] == 15
