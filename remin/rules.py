"""Rule data: which rare-earth controls apply on a date, read from dated rule files.

The regulation lives in ``data/rules/*.toml`` (one file per instrument, plus rule-set
files that group them), never in code: announcements change it. This module loads
and validates those files and answers one question, :meth:`RuleSet.evaluate`: on this
date, what is the status of the value test (MOFCOM No. 61 Art. 1(1)), with what
threshold, and which elements are controlled?

Conventions (also stated in the data files' headers):

* Every date range includes its first and last day. No. 70 suspends "until
  2026-11-10": that day is still suspended, the measures can apply from 2026-11-11.
* A suspended instrument counts for nothing on the date, whatever its effective date
  (status ``suspended`` wins over ``not-yet-effective``); ``as_written=True`` ignores
  suspensions.
* After a suspension's last day the data records nothing unless a later file says
  so: remin then treats the suspension as ended, marks the status as not recorded
  and says so in every output ("suspension recorded until ...; later status not
  recorded").
"""
from __future__ import annotations

import copy
import functools

import datetime as _dt
import difflib
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:  # jsonschema is imported when a rule file is validated
    import jsonschema

from remin.datafile import dotted, line_of, read_toml, toml_key_lines
from remin.errors import RulesError, UsageError
from remin.findings import Finding, finding
from remin.paths import data_path

DEFAULT_RULE_SET = "cn-rare-earth"
FORMAT = "remin-rules/1"
SCHEMA_FILE = "remin-rules.schema.json"

NOT_YET_EFFECTIVE, SUSPENDED, IN_FORCE = "not-yet-effective", "suspended", "in-force"
STATUSES = (NOT_YET_EFFECTIVE, SUSPENDED, IN_FORCE)


class UnknownRuleSetError(RulesError):
    """A rule-set id that no rule file defines: a usage mistake (exit 2)."""

    exit_code = 2


# --------------------------------------------------------------------------- data model

@dataclass(frozen=True)
class Source:
    title: str
    url: str
    kind: str  # official | secondary | index
    note: str | None = None

    def to_dict(self) -> dict:
        return {"title": self.title, "url": self.url, "kind": self.kind, "note": self.note}


@dataclass(frozen=True)
class ElementEntry:
    symbol: str
    name: str
    control_code: str
    covers: str | None = None


@dataclass(frozen=True)
class Provision:
    id: str
    article: str
    title: str
    role: str
    effective: _dt.date
    threshold: float | None = None
    comparison: str | None = None
    basis: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class Part1Item:
    """An Annex 1 Part I item of No. 61 (a Chinese-origin input)."""

    id: str
    name: str
    kind: str  # metal | alloy | oxide | compound
    elements: tuple[str, ...]
    control_codes: tuple[str, ...] = ()
    formula: str | None = None
    note: str | None = None

    @property
    def control_code(self) -> str | None:
        """The control code(s) as one string; None where the data does not settle it."""
        return " / ".join(self.control_codes) or None

    def to_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "kind": self.kind, "elements": list(self.elements),
                "control_code": self.control_code, "control_codes": list(self.control_codes),
                "formula": self.formula, "note": self.note}


@dataclass(frozen=True)
class Part2Class:
    """An Annex 1 Part II class of No. 61 (foreign-made items the value test applies to)."""

    id: str
    name: str
    description: str
    elements: tuple[str, ...]
    reaches_assemblies: bool
    aliases: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "description": self.description,
                "elements": list(self.elements), "reaches_assemblies": self.reaches_assemblies,
                "aliases": list(self.aliases)}


@dataclass(frozen=True)
class Suspension:
    instruments: tuple[str, ...]
    start: _dt.date
    until: _dt.date  # last suspended day, inclusive
    after_until: str  # not-recorded | lapses
    by: str  # id of the suspending instrument
    other_instruments: tuple[str, ...] = ()
    note: str | None = None

    def covers(self, day: _dt.date) -> bool:
        return self.start <= day <= self.until


@dataclass(frozen=True)
class OutlookRule:
    outcome: str
    article: str
    text: str
    value: str | None = None


@dataclass(frozen=True)
class Licensing:
    """Arts. 2-5 of No. 61 as data: end use / end user -> outlook of a licence application."""

    outcome_order: tuple[str, ...]
    end_user_listed: OutlookRule
    end_use: tuple[OutlookRule, ...]
    no_end_use: str
    instrument: str


@dataclass(frozen=True)
class Instrument:
    id: str
    title: str
    short_title: str
    authority: str
    document_number: str
    published: _dt.date
    effective: _dt.date
    sources: tuple[Source, ...]
    path: Path
    note: str | None = None
    elements: tuple[ElementEntry, ...] = ()
    provisions: tuple[Provision, ...] = ()
    part1_items: tuple[Part1Item, ...] = ()
    part2_classes: tuple[Part2Class, ...] = ()
    technologies: tuple[tuple[str, str], ...] = ()
    suspensions: tuple[Suspension, ...] = ()
    licensing: Licensing | None = None

    def provision(self, provision_id: str) -> Provision | None:
        return next((p for p in self.provisions if p.id == provision_id), None)


@dataclass(frozen=True)
class RuleSetEntry:
    """What ``list_rule_sets`` returns: a rule set's id, title and file."""

    id: str
    title: str
    path: Path


@dataclass(frozen=True)
class ProvisionOnDate:
    instrument: str
    id: str
    article: str
    title: str
    status: str
    effective: _dt.date
    suspended_from: _dt.date | None = None
    suspended_until: _dt.date | None = None

    def to_dict(self) -> dict:
        return {"instrument": self.instrument, "id": self.id, "article": self.article,
                "title": self.title, "status": self.status, "effective": self.effective.isoformat(),
                "suspended_from": _iso(self.suspended_from), "suspended_until": _iso(self.suspended_until)}


@dataclass(frozen=True)
class InstrumentOnDate:
    id: str
    title: str
    short_title: str
    status: str
    published: _dt.date
    effective: _dt.date
    suspended_from: _dt.date | None
    suspended_until: _dt.date | None
    suspended_by: str | None
    status_recorded: bool
    elements: tuple[str, ...]
    sources: tuple[Source, ...]

    def to_dict(self) -> dict:
        return {"id": self.id, "title": self.title, "short_title": self.short_title,
                "status": self.status, "published": self.published.isoformat(),
                "effective": self.effective.isoformat(), "suspended_from": _iso(self.suspended_from),
                "suspended_until": _iso(self.suspended_until), "suspended_by": self.suspended_by,
                "status_recorded": self.status_recorded, "elements": list(self.elements),
                "sources": [s.to_dict() for s in self.sources]}


@dataclass(frozen=True)
class RulesOnDate:
    """The rules as they stand on one date. ``to_dict()`` is the JSON ``rules`` block."""

    rule_set: str
    title: str
    as_of: _dt.date
    as_written: bool
    status: str  # of the value test (No. 61 Art. 1(1)) on as_of
    threshold: float
    comparison: str  # ">=" : share >= threshold needs a licence
    basis: str
    controlled_elements: tuple[str, ...]
    element_instrument: dict[str, str]
    notes: tuple[str, ...]
    instruments: tuple[InstrumentOnDate, ...]
    part1_items: tuple[Part1Item, ...]
    part2_classes: tuple[Part2Class, ...]
    value_test: ProvisionOnDate
    direct_product_rule: ProvisionOnDate
    status_recorded: bool  # False: the date is past what the data records
    licensing: Licensing | None = None
    _findings: tuple[Finding, ...] = field(default=(), repr=False)

    def findings(self) -> list[Finding]:
        """Findings every report should carry (status not recorded, as-written, overrides)."""
        return list(self._findings)

    def sources(self) -> list[dict]:
        return [{"instrument": i.id, **s.to_dict()} for i in self.instruments for s in i.sources]

    def to_dict(self) -> dict:
        return {
            "id": self.rule_set,
            "as_of": self.as_of.isoformat(),
            "status": self.status,
            "status_recorded": self.status_recorded,
            "threshold": self.threshold,
            "comparison": self.comparison,
            "controlled_elements": list(self.controlled_elements),
            "as_written": self.as_written,
            "notes": list(self.notes),
            "sources": self.sources(),
        }

    def to_detail_dict(self) -> dict:
        """Everything ``remin rules show --format json`` prints."""
        return {
            "rules": self.to_dict(),
            "title": self.title,
            "basis": self.basis,
            "element_instrument": dict(self.element_instrument),
            "value_test": self.value_test.to_dict(),
            "direct_product_rule": self.direct_product_rule.to_dict(),
            "instruments": [i.to_dict() for i in self.instruments],
            "part1_items": [p.to_dict() for p in self.part1_items],
            "part2_classes": [p.to_dict() for p in self.part2_classes],
        }


# --------------------------------------------------------------------------- evaluation

@dataclass(frozen=True)
class RuleSet:
    id: str
    title: str
    description: str | None
    instruments: tuple[Instrument, ...]
    status_of: tuple[str, str]  # (instrument id, provision id)
    direct_product_of: tuple[str, str]
    path: Path
    changes: tuple[str, ...] = ()  # what --rules files replaced or added

    def instrument(self, instrument_id: str) -> Instrument:
        return next(i for i in self.instruments if i.id == instrument_id)

    def _suspensions_of(self, instrument_id: str) -> list[Suspension]:
        return [s for i in self.instruments for s in i.suspensions if instrument_id in s.instruments]

    def _status(self, instrument_id: str, effective: _dt.date, day: _dt.date, as_written: bool):
        """(status, active suspension or None, unrecorded suspension or None) on ``day``."""
        susp = [] if as_written else self._suspensions_of(instrument_id)
        active = [s for s in susp if s.covers(day)]
        if active:
            return SUSPENDED, max(active, key=lambda s: s.until), None
        past = [s for s in susp if s.until < day]
        latest = max(past, key=lambda s: s.until) if past else None
        unrecorded = latest if latest is not None and latest.after_until == "not-recorded" else None
        return (NOT_YET_EFFECTIVE if day < effective else IN_FORCE), None, unrecorded

    def _provision_on(self, ref: tuple[str, str], day: _dt.date, as_written: bool):
        inst = self.instrument(ref[0])
        prov = inst.provision(ref[1])
        status, active, unrecorded = self._status(inst.id, prov.effective, day, as_written)
        return ProvisionOnDate(inst.id, prov.id, prov.article, prov.title, status, prov.effective,
                               active.start if active else None, active.until if active else None), unrecorded

    def evaluate(self, as_of: _dt.date, as_written: bool = False) -> RulesOnDate:
        """The rules on ``as_of``; ``as_written=True`` ignores suspensions."""
        if isinstance(as_of, _dt.datetime):
            as_of = as_of.date()
        notes: list[str] = []
        findings: list[Finding] = []
        unrecorded: dict[int, tuple[Suspension, list[str]]] = {}  # suspension -> instruments past it
        per_instrument: list[InstrumentOnDate] = []
        controlled: list[str] = []
        element_instrument: dict[str, str] = {}
        for inst in self.instruments:
            status, active, past = self._status(inst.id, inst.effective, as_of, as_written)
            if past is not None:
                unrecorded.setdefault(id(past), (past, []))[1].append(inst.short_title)
            symbols = tuple(e.symbol for e in inst.elements)
            per_instrument.append(InstrumentOnDate(
                inst.id, inst.title, inst.short_title, status, inst.published, inst.effective,
                active.start if active else None, active.until if active else None,
                active.by if active else None, past is None, symbols, inst.sources))
            if not symbols:
                continue
            if status == IN_FORCE:
                for s in symbols:
                    if s not in element_instrument:
                        element_instrument[s] = inst.id
                        controlled.append(s)
            elif status == SUSPENDED:
                notes.append(f"{' '.join(symbols)} ({inst.short_title}) not counted: suspended by "
                             f"{self.instrument(active.by).short_title} from {active.start} until "
                             f"{active.until} (inclusive)")
            else:
                notes.append(f"{' '.join(symbols)} ({inst.short_title}) not counted: "
                             f"effective from {inst.effective}")

        value_test, _ = self._provision_on(self.status_of, as_of, as_written)
        direct, _ = self._provision_on(self.direct_product_of, as_of, as_written)
        owner = self.instrument(self.status_of[0])
        prov = owner.provision(self.status_of[1])
        what = f"{owner.short_title} {prov.article}"
        if value_test.status == NOT_YET_EFFECTIVE:
            extra = f"; published {owner.published}" if as_of < owner.published else ""
            notes.insert(0, f"{what} not yet effective on {as_of}: applies from {prov.effective}{extra}")
        elif value_test.status == SUSPENDED:
            by = next(s.by for s in self._suspensions_of(owner.id) if s.covers(as_of))
            notes.insert(0, f"{what} suspended on {as_of} by {self.instrument(by).short_title}: from "
                            f"{value_test.suspended_from} until {value_test.suspended_until} (inclusive)")
        for susp, affected in unrecorded.values():
            names = ", ".join(affected)
            text = (f"suspension recorded until {susp.until}; later status not recorded "
                    f"({self.instrument(susp.by).short_title} suspended {names}). remin treats the "
                    f"suspension as ended after {susp.until}; record any later announcement with "
                    f"--rules PATH")
            notes.insert(0, text)
            findings.append(finding("rules-status-unknown", text))
        if as_written:
            text = "evaluated as written: suspensions ignored (--as-written)"
            notes.append(text)
            findings.append(finding("rules-as-written", text))
        for change in self.changes:
            notes.append(change)
            findings.append(finding("rules-override", change))

        licensing = next((i.licensing for i in self.instruments if i.licensing), None)
        return RulesOnDate(
            rule_set=self.id, title=self.title, as_of=as_of, as_written=as_written,
            status=value_test.status, threshold=float(prov.threshold), comparison=prov.comparison,
            basis=prov.basis, controlled_elements=tuple(controlled),
            element_instrument=element_instrument, notes=tuple(notes),
            instruments=tuple(per_instrument),
            part1_items=tuple(p for i in self.instruments for p in i.part1_items),
            part2_classes=tuple(p for i in self.instruments for p in i.part2_classes),
            value_test=value_test, direct_product_rule=direct,
            status_recorded=not unrecorded, licensing=licensing, _findings=tuple(findings))


# --------------------------------------------------------------------------- loading

def parse_date(text: str | _dt.date | None, *, option: str = "--as-of") -> _dt.date:
    """A date from ``YYYY-MM-DD`` (None: today). A bad date is a usage error."""
    if text is None:
        return _dt.date.today()
    if isinstance(text, _dt.datetime):
        return text.date()
    if isinstance(text, _dt.date):
        return text
    try:
        return _dt.date.fromisoformat(str(text).strip())
    except ValueError:
        raise UsageError(f"{option}: {text!r} is not a date in the form YYYY-MM-DD") from None


def list_rule_sets(extra_paths: Sequence[Path] = ()) -> list[RuleSetEntry]:
    """The rule sets the shipped data (and any ``extra_paths``) define, by id."""
    _, sets, _ = _collect(extra_paths)
    return sorted((RuleSetEntry(d["id"], d["title"], f.path) for f, d in sets.values()),
                  key=lambda e: e.id)


def load_rules(rule_set: str = DEFAULT_RULE_SET, extra_paths: Sequence[Path] = ()) -> RuleSet:
    """Load a rule set; files in ``extra_paths`` (files or folders of ``*.toml``) replace
    shipped instruments with the same id and add new instruments to the set.

    Raises RulesError naming file, key and line for a malformed file, and
    UnknownRuleSetError (a RulesError) listing the valid ids for an unknown ``rule_set``.
    """
    instruments, sets, changes = _collect(extra_paths)
    if rule_set not in sets:
        valid = ", ".join(sorted(sets)) or "(none)"
        raise UnknownRuleSetError(f"unknown rule set {rule_set!r}; valid: {valid}")
    rs_file, rs = sets[rule_set]
    ids = list(rs["instruments"])
    for inst_id, (f, _) in instruments.items():  # instruments added with --rules join the set
        if f.extra and inst_id not in ids:
            ids.append(inst_id)
    for n, inst_id in enumerate(ids):
        if inst_id not in instruments:
            raise rs_file.error(f"no rule file defines instrument {inst_id!r}; known: "
                                f"{', '.join(sorted(instruments))}", ("instruments", n))
    chosen = [instruments[i] for i in ids]
    built = tuple(_build_instrument(f, d) for f, d in chosen)
    for f, d in chosen:
        for k, susp in enumerate(d.get("suspensions", [])):
            for n, target in enumerate(susp["instruments"]):
                if target not in ids:
                    raise f.error(f"suspends {target!r}, which is not in rule set {rule_set!r} "
                                  f"({', '.join(ids)})", ("suspensions", k, "instruments", n))
    status_of = _provision_ref(rs_file, rs, "status_of", built, need_threshold=True)
    direct = _provision_ref(rs_file, rs, "direct_product_of", built, need_threshold=False)
    relevant = [c for c in changes if c[0] in ids or c[0] == rule_set]
    return RuleSet(rs["id"], rs["title"], rs.get("description"), built, status_of, direct,
                   rs_file.path, tuple(text for _, text in relevant))


@dataclass
class _RuleFile:
    path: Path
    key_lines: dict
    extra: bool

    def error(self, message: str, key_path: Sequence = ()) -> RulesError:
        key = dotted(key_path) or None
        return RulesError(message, file=self.path, key=key, line=line_of(self.key_lines, key_path))


def _collect(extra_paths: Sequence[Path]):
    """Read shipped and extra rule files: ({instrument id: (file, doc)},
    {rule-set id: (file, doc)}, [(id, description of a change made by --rules)])."""
    instruments: dict[str, tuple[_RuleFile, dict]] = {}
    sets: dict[str, tuple[_RuleFile, dict]] = {}
    changes: list[tuple[str, str]] = []
    shipped = sorted(data_path("rules").glob("*.toml"))
    extra = [p for path in extra_paths for p in _expand(Path(path))]
    for extra_flag, paths in ((False, shipped), (True, extra)):
        seen_here: dict[str, Path] = {}
        for path in paths:
            f, doc = _read_rule_file(path, extra_flag)
            table = instruments if doc["kind"] == "instrument" else sets
            if doc["id"] in seen_here:
                raise f.error(f"{doc['kind']} id {doc['id']!r} is also defined in {seen_here[doc['id']]}",
                              ("id",))
            seen_here[doc["id"]] = path
            if doc["id"] in table:
                changes.append((doc["id"], f"rule file {path} replaces the shipped {doc['kind']} "
                                           f"{doc['id']!r} ({table[doc['id']][0].path.name})"))
            elif extra_flag:
                changes.append((doc["id"], f"rule file {path} adds {doc['kind']} {doc['id']!r}"))
            table[doc["id"]] = (f, doc)
    return instruments, sets, changes


def _expand(path: Path) -> list[Path]:
    if path.is_dir():
        found = sorted(path.glob("*.toml"))
        if not found:
            raise RulesError("folder contains no *.toml rule file", file=path)
        return found
    if not path.exists():
        raise RulesError("no such rule file", file=path)
    return [path]


@lru_cache(maxsize=1)
def _validator() -> jsonschema.protocols.Validator:
    import jsonschema  # here: importing remin.rules (for the CLI's options) should not load jsonschema

    schema = json.loads(data_path("rules", SCHEMA_FILE).read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def _read_rule_file(path: Path, extra: bool) -> tuple[_RuleFile, dict]:
    """Read and validate one rule file; cached per (path, mtime, size) because schema
    validation costs more than a whole small check, and batch runs load rules per file."""
    st = Path(path).stat()
    f, doc = _read_rule_file_cached(Path(path), st.st_mtime_ns, st.st_size, extra)
    return f, copy.deepcopy(doc)


@functools.lru_cache(maxsize=128)
def _read_rule_file_cached(path: Path, mtime_ns: int, size: int, extra: bool) -> tuple[_RuleFile, dict]:
    doc, text = read_toml(path, RulesError)
    f = _RuleFile(path, toml_key_lines(text), extra)
    plain = _jsonable(doc)
    from jsonschema.exceptions import best_match

    error = best_match(_validator().iter_errors(plain))
    if error is not None:
        message, key_path = _explain(error)
        raise f.error(message, key_path)
    doc = _native_dates(doc)
    _check_semantics(f, doc)
    return f, doc


_DATE_KEYS = frozenset({"published", "effective", "from", "until"})


def _native_dates(value, key: str | None = None):
    """Dates written as quoted strings become ``datetime.date`` like TOML dates (the
    schema has already checked their form)."""
    if isinstance(value, dict):
        return {k: _native_dates(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_native_dates(v) for v in value]
    if key in _DATE_KEYS and isinstance(value, str):
        return _dt.date.fromisoformat(value)
    return value


def _jsonable(value):
    """TOML values as JSON values (dates as ISO strings) for schema validation."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, (_dt.date, _dt.time)):
        return value.isoformat()
    return value


_PATTERN_HINTS = {
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}$": "expected a date written YYYY-MM-DD without quotes (e.g. 2025-04-04)",
    "^[a-z0-9][a-z0-9-]*$": "expected an id of lower-case letters, digits and hyphens",
    "^[0-9][A-E][0-9]{3}(\\.[a-z])?$": "expected a control code like 1C902 or 1C902.a",
    "^https?://": "expected a web address starting with http:// or https://",
}


def _explain(error: jsonschema.ValidationError) -> tuple[str, tuple]:
    """A user-facing message and the key path for a schema error."""
    path = tuple(error.absolute_path)
    kind, value, inst = error.validator, error.validator_value, error.instance
    if kind == "additionalProperties" and isinstance(inst, dict):
        allowed = list(error.schema.get("properties", {}))
        extras = [k for k in inst if k not in allowed]
        key = extras[0] if extras else "?"
        guess = difflib.get_close_matches(key, allowed, n=1)
        hint = f" (did you mean {guess[0]!r}?)" if guess else ""
        return f"unknown key {key!r}{hint}; allowed here: {', '.join(allowed)}", path + (key,)
    if kind == "required":
        missing = [k for k in value if k not in inst]
        return f"missing key {missing[0]!r}", path + (missing[0],)
    if kind == "enum":
        return f"{inst!r} is not one of: {', '.join(map(str, value))}", path
    if kind == "const":
        return f"{inst!r} must be {value!r}", path
    if kind == "pattern":
        return f"{inst!r}: {_PATTERN_HINTS.get(value, 'does not match ' + value)}", path
    if kind == "format" and value == "date":
        return f"{inst!r} is not a calendar date", path
    if kind == "type":
        return f"{inst!r} has the wrong type: expected {value}", path
    return error.message, path


def _check_semantics(f: _RuleFile, doc: dict) -> None:
    """Checks a schema cannot express: date order and unique ids."""
    if doc["kind"] != "instrument":
        return
    if doc["effective"] < doc["published"]:
        raise f.error(f"effective date {doc['effective']} is before the publication date "
                      f"{doc['published']}", ("effective",))
    for n, susp in enumerate(doc.get("suspensions", [])):
        if susp["until"] < susp["from"]:
            raise f.error(f"suspension ends ({susp['until']}) before it starts ({susp['from']})",
                          ("suspensions", n, "until"))
    for table, key in (("provisions", "id"), ("part1_items", "id"), ("part2_classes", "id"),
                       ("elements", "symbol")):
        seen: set = set()
        for n, row in enumerate(doc.get(table, [])):
            if row[key] in seen:
                raise f.error(f"{key} {row[key]!r} appears twice", (table, n, key))
            seen.add(row[key])
    lic = doc.get("licensing")
    if lic:
        values = [r["value"] for r in lic["end_use"]]
        for n, v in enumerate(values):
            if v in values[:n]:
                raise f.error(f"end use {v!r} appears twice", ("licensing", "end_use", n, "value"))


def _provision_ref(f: _RuleFile, rs: dict, key: str, built: tuple[Instrument, ...],
                   need_threshold: bool) -> tuple[str, str]:
    ref = rs[key]
    inst = next((i for i in built if i.id == ref["instrument"]), None)
    if inst is None:
        raise f.error(f"instrument {ref['instrument']!r} is not in this rule set", (key, "instrument"))
    prov = inst.provision(ref["provision"])
    if prov is None:
        raise f.error(f"{inst.id} has no provision {ref['provision']!r}; it has "
                      f"{', '.join(p.id for p in inst.provisions) or 'none'}", (key, "provision"))
    if need_threshold and prov.threshold is None:
        raise f.error(f"provision {prov.id!r} of {inst.id} has no threshold", (key, "provision"))
    return inst.id, prov.id


def _build_instrument(f: _RuleFile, d: dict) -> Instrument:
    eff = d["effective"]
    lic = d.get("licensing")
    licensing = None
    if lic:
        licensing = Licensing(
            tuple(lic["outcome_order"]), OutlookRule(**lic["end_user_listed"]),
            tuple(OutlookRule(**r) for r in lic["end_use"]), lic["no_end_use"], d["id"])
    return Instrument(
        id=d["id"], title=d["title"], short_title=d["short_title"], authority=d["authority"],
        document_number=d["document_number"], published=d["published"], effective=eff,
        sources=tuple(Source(**s) for s in d["sources"]), path=f.path, note=d.get("note"),
        elements=tuple(ElementEntry(**e) for e in d.get("elements", [])),
        provisions=tuple(Provision(**{**p, "effective": p.get("effective", eff)})
                         for p in d.get("provisions", [])),
        part1_items=tuple(Part1Item(p["id"], p["name"], p["kind"], tuple(p["elements"]),
                                    tuple(p.get("control_codes", ())), p.get("formula"), p.get("note"))
                          for p in d.get("part1_items", [])),
        part2_classes=tuple(Part2Class(p["id"], p["name"], p["description"], tuple(p.get("elements", ())),
                                       p["reaches_assemblies"], tuple(p.get("aliases", ())))
                            for p in d.get("part2_classes", [])),
        technologies=tuple((t["control_code"], t["description"]) for t in d.get("technologies", [])),
        suspensions=tuple(Suspension(tuple(s["instruments"]), s["from"], s["until"], s["after_until"],
                                     d["id"], tuple(s.get("other_instruments", ())), s.get("note"))
                          for s in d.get("suspensions", [])),
        licensing=licensing,
    )


def _iso(day: _dt.date | None) -> str | None:
    return day.isoformat() if day else None
