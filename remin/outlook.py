"""Licensing outlook: what a licence application for a SKU can expect (No. 61 Arts. 2-5).

Only for a SKU that needs a licence. The mapping from end use and end user to an
outcome and its article is rule data (``[licensing]`` in the No. 61 rule file), not
code: this module only picks the applicable entries and, where several apply, the
most restrictive by the data's ``outcome_order`` (a listed end user makes even a
humanitarian export a presumption of denial).
"""
from __future__ import annotations

from dataclasses import dataclass

from remin.errors import UsageError
from remin.rules import IN_FORCE, RulesOnDate

#: Outcome when the rule is not in force on the date (suspended or not yet effective).
NOT_APPLICABLE = "not-applicable"
#: Outcome when neither an end use nor a listed end user is given.
NOT_STATED = "not-stated"


@dataclass(frozen=True)
class Outlook:
    outcome: str  # presumption-of-denial | case-by-case | ordinary-review | exempt | not-applicable | not-stated
    article: str | None
    text: str

    def to_dict(self) -> dict:
        return {"outcome": self.outcome, "article": self.article, "text": self.text}


def end_use_values(rules_on_date: RulesOnDate) -> tuple[str, ...]:
    """The ``--end-use`` values the rule data knows."""
    lic = rules_on_date.licensing
    return tuple(r.value for r in lic.end_use) if lic else ()


def licensing_outlook(rules_on_date: RulesOnDate, end_use: str | None,
                      end_user_listed: bool = False) -> Outlook:
    """The outlook of a licence application under the rules on that date.

    ``end_use`` is one of :func:`end_use_values` (e.g. civil, military, wmd,
    advanced-semiconductor, military-ai, humanitarian) or None; ``end_user_listed``
    says the importer or end user is on MOFCOM's control or watch list (or is a
    50 %-owned subsidiary of a listed party). An unknown end use is a UsageError
    listing the valid values.
    """
    lic = rules_on_date.licensing
    if lic is None:
        raise UsageError(f"rule set {rules_on_date.rule_set!r} has no licensing data ([licensing])")
    valid = end_use_values(rules_on_date)
    use = end_use.strip().lower() if end_use else None
    if use is not None and use not in valid:
        raise UsageError(f"--end-use: {end_use!r} is not one of: {', '.join(valid)}")
    if rules_on_date.status != IN_FORCE:
        return Outlook(NOT_APPLICABLE, rules_on_date.value_test.article,
                       f"{rules_on_date.value_test.article} is {rules_on_date.status} on "
                       f"{rules_on_date.as_of}: no licence is required under it on that date")
    candidates = []
    if end_user_listed:
        candidates.append(lic.end_user_listed)
    if use is not None:
        candidates.append(next(r for r in lic.end_use if r.value == use))
    if not candidates:
        return Outlook(NOT_STATED, None, lic.no_end_use)
    rank = {o: n for n, o in enumerate(lic.outcome_order)}
    chosen = min(candidates, key=lambda r: rank[r.outcome])
    others = [r for r in candidates if r is not chosen]
    text = chosen.text
    if others:
        text += " " + " ".join(f"({r.article} would give {r.outcome}; the stricter outcome applies.)"
                               for r in others)
    return Outlook(chosen.outcome, chosen.article, text)
