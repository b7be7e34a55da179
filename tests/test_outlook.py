"""Licensing outlook (No. 61 Arts. 2-5) from rule data, one case per end-use value."""
from __future__ import annotations

import datetime as dt

import pytest

from remin.errors import UsageError
from remin.outlook import NOT_APPLICABLE, NOT_STATED, end_use_values, licensing_outlook
from remin.paths import data_path
from remin.rules import load_rules


@pytest.fixture(scope="module")
def in_force():
    return load_rules().evaluate(dt.date(2026, 1, 15), as_written=True)


@pytest.mark.parametrize("end_use, outcome, article", [
    ("civil", "ordinary-review", "Art. 1"),
    ("military", "presumption-of-denial", "Art. 3(3)"),
    ("wmd", "presumption-of-denial", "Art. 3(1)"),
    ("advanced-semiconductor", "case-by-case", "Art. 4"),
    ("military-ai", "case-by-case", "Art. 4"),
    ("humanitarian", "exempt", "Art. 5"),
])
def test_each_end_use(in_force, end_use, outcome, article):
    o = licensing_outlook(in_force, end_use, end_user_listed=False)
    assert (o.outcome, o.article) == (outcome, article)
    assert o.text


def test_the_six_values_come_from_the_rule_data(in_force):
    assert end_use_values(in_force) == ("civil", "military", "wmd", "advanced-semiconductor",
                                        "military-ai", "humanitarian")


def test_listed_end_user(in_force):
    o = licensing_outlook(in_force, None, end_user_listed=True)
    assert (o.outcome, o.article) == ("presumption-of-denial", "Art. 2")


def test_listed_end_user_beats_humanitarian_exemption(in_force):
    o = licensing_outlook(in_force, "humanitarian", end_user_listed=True)
    assert (o.outcome, o.article) == ("presumption-of-denial", "Art. 2")
    assert "Art. 5 would give exempt" in o.text


def test_listed_and_case_by_case(in_force):
    assert licensing_outlook(in_force, "military-ai", True).outcome == "presumption-of-denial"


def test_no_inputs(in_force):
    o = licensing_outlook(in_force, None, False)
    assert o.outcome == NOT_STATED and o.article is None and "--end-use" in o.text


def test_case_and_space_insensitive(in_force):
    assert licensing_outlook(in_force, " Civil ", False).outcome == "ordinary-review"


def test_unknown_end_use_lists_values(in_force):
    with pytest.raises(UsageError, match="advanced-semiconductor") as e:
        licensing_outlook(in_force, "space", False)
    assert e.value.exit_code == 2


def test_not_applicable_while_suspended():
    suspended = load_rules().evaluate(dt.date(2026, 1, 15))
    o = licensing_outlook(suspended, "military", False)
    assert o.outcome == NOT_APPLICABLE and "suspended" in o.text


def test_mapping_is_rule_data_not_code(tmp_path):
    text = data_path("rules", "cn-mofcom-61-2025.toml").read_text()
    old = 'value = "civil"\noutcome = "ordinary-review"'
    assert old in text
    f = tmp_path / "no61.toml"
    f.write_text(text.replace(old, 'value = "civil"\noutcome = "case-by-case"'))
    r = load_rules(extra_paths=[f]).evaluate(dt.date(2026, 1, 15), as_written=True)
    assert licensing_outlook(r, "civil", False).outcome == "case-by-case"
