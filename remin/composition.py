"""Element mass fractions of substances and of the shipped materials library.

A composition row names its substance as an element, a chemical formula, a CAS
number or a common name; :func:`substance_fractions` turns it into the mass
fraction of each element (dimensionless, summing to 1). The materials library
(``data/materials.toml`` plus user files) gives named materials — magnet grades,
oxides, targets — as element mass fractions of the material's mass.

How a substance text is read (first match wins; the text is trimmed):

1. an element symbol in its exact case: ``Dy``, ``Co``, ``Y``;
2. an element name, any case: ``dysprosium``, ``COBALT``, ``aluminum``;
3. a CAS number ``NNNNNNN-NN-N`` (check digit verified), looked up in ``data/cas.csv``;
4. a common name from ``data/cas.csv``, any case: ``dysprosium oxide``;
5. a chemical formula. Symbols are **case-sensitive** (``Co`` cobalt, ``CO`` carbon
   monoxide). Accepted: groups ``(...)``/``[...]`` with counts, decimal counts
   ``Tb0.3Dy0.7Fe1.92``, ``(Y0.92Gd0.08)3Al5O12``, and hydrates written
   ``Dy(NO3)3·6H2O``, ``*6H2O`` or ``.6H2O``. Not accepted: isotopes (D, T, [13C]),
   charges, molmass abbreviations (Me, Ph, amino acids), dopant notation
   ``Y2O3:Eu`` (no amount — give the dopant as its own row or as a formula with
   decimal counts), and material shorthands such as ``NdFeB`` or ``SmCo`` that
   look like formulas but are not stoichiometric (use a material from the library);
6. a symbol in another case (``DY``, ``tb``, ``nd``) when the text is not also a
   valid formula. Text that is both (``SC`` = scandium or S+C, ``YB``, ``HO``,
   ``CO``, ``SN``) raises :class:`AmbiguousSubstance` rather than guess: ERP
   exports write element symbols in capitals, and reading ``SC`` as sulfur carbide
   would silently drop a controlled element.

Anything else raises :class:`UnknownSubstance` (a ``ValueError``) saying what is
accepted. Unknown is never read as "contains nothing".
"""
from __future__ import annotations

import csv
import difflib
import math
import re
import tomllib
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Iterable, Mapping

import molmass
import pandas as pd

from .elements import ELEMENTS, element_name, element_symbol
from .errors import InputError
from .paths import data_path

ACCEPTED = ("an element symbol or name (Dy, dysprosium), a chemical formula (Dy2O3, "
            "Tb0.3Dy0.7Fe1.92), a CAS number listed in data/cas.csv (1308-87-8) or a "
            "common name listed there (dysprosium oxide)")


class UnknownSubstance(InputError):
    """A substance text that is not an element, formula, known CAS number or known name."""


class AmbiguousSubstance(UnknownSubstance):
    """A capitalised text that is both an element symbol and a formula (``SC``, ``CO``)."""


class UnknownMaterial(InputError):
    """A material name that is not in the materials library."""


# ---------------------------------------------------------------- CAS numbers

_CAS_RE = re.compile(r"^(\d{2,7})-(\d{2})-(\d)$")


def is_cas_number(text: str) -> bool:
    """True if ``text`` has the CAS shape ``NNNNNNN-NN-N`` and a correct check digit.

    The check digit is the sum of the other digits, each times its position
    counted from the right (1, 2, ...), modulo 10.
    """
    m = _CAS_RE.match(text.strip())
    if not m:
        return False
    digits = (m.group(1) + m.group(2))[::-1]
    return sum(i * int(d) for i, d in enumerate(digits, start=1)) % 10 == int(m.group(3))


@dataclass(frozen=True)
class CasTable:
    """``data/cas.csv``: CAS number -> (display name, formula); normalised name -> formula."""

    by_cas: Mapping[str, tuple[str, str]]
    by_name: Mapping[str, str]


def _name_key(text: str) -> str:
    """Name as compared: "Terbium (III,IV)  Oxide" -> "terbium(iii,iv) oxide"."""
    return re.sub(r"\s+\(", "(", " ".join(text.split()).lower())


def read_cas_table(path: Path | str | None = None) -> CasTable:
    """Read and check a CAS table (default: the shipped ``data/cas.csv``).

    Raises :class:`~remin.errors.InputError` naming the file and line for a bad
    check digit, a duplicate number or name, or a formula remin cannot read.
    """
    path = Path(path) if path is not None else data_path("cas.csv")
    by_cas: dict[str, tuple[str, str]] = {}
    by_name: dict[str, str] = {}
    with open(path, newline="", encoding="utf-8") as fh:
        lines = [(n, line) for n, line in enumerate(fh, start=1) if line.strip() and not line.startswith("#")]
    reader = csv.DictReader(line for _, line in lines)
    if reader.fieldnames is None or not {"cas", "name", "formula", "source"} <= set(reader.fieldnames):
        raise InputError("header must have the columns cas, name, formula, source", file=path)
    for (lineno, _), row in zip(lines[1:], reader):
        cas = row["cas"].strip()
        if not is_cas_number(cas):
            raise InputError(f"{cas!r} is not a valid CAS number (shape or check digit)", file=path, line=lineno)
        if cas in by_cas:
            raise InputError(f"CAS number {cas} is listed twice", file=path, line=lineno)
        formula = row["formula"].strip()
        try:
            _formula_fractions(formula)
        except UnknownSubstance as exc:
            raise InputError(f"formula {formula!r}: {exc.detail}", file=path, line=lineno) from None
        names = [n.strip() for n in row["name"].split("|") if n.strip()]
        if not names:
            raise InputError(f"CAS number {cas} has no name", file=path, line=lineno)
        for name in names:
            key = _name_key(name)
            if key in by_name and by_name[key] != formula:
                raise InputError(f"name {name!r} is already used for {by_name[key]}", file=path, line=lineno)
            by_name[key] = formula
        by_cas[cas] = (names[0], formula)
    return CasTable(MappingProxyType(by_cas), MappingProxyType(by_name))


@lru_cache(maxsize=1)
def _shipped_cas_table() -> CasTable:
    return read_cas_table()


# ------------------------------------------------------------------ formulas

# Non-stoichiometric shorthand names of material families: reading them as
# formulas (NdFeB as Nd1Fe1B1) would give confidently wrong fractions.
_MATERIAL_SHORTHANDS = {"ndfeb", "ndprfeb", "ndfeb magnet", "smco", "smfen", "tbfe", "dyfe", "tbdyfe", "alnico"}

_HYDRATE_DOTS = "·•∙⋅*"
_TOKEN_RE = re.compile(r"([A-Z][a-z]*)|([(\[])|([)\]])|(\d+(?:\.\d+)?)|(\s+)|(.)")


def _split_hydrate(text: str) -> list[str]:
    """Split ``A·nB`` parts. A '.' is a separator unless it sits between two digits —
    except a trailing water term ``.6H2O`` / ``.0.5H2O``, whose dot always separates."""
    for ch in _HYDRATE_DOTS:
        text = text.replace(ch, "·")
    water = re.search(r"\.(?=(?:\d+(?:\.\d+)?)?(?:H2O|\(H2O\))$)", text)
    if water:
        text = text[:water.start()] + "·" + text[water.end():]
    text = re.sub(r"(?<!\d)\.|\.(?!\d)", "·", text)
    return [p.strip() for p in text.split("·")]


def _parse_counts(part: str) -> dict[str, Fraction]:
    """Element -> atom count (exact fraction) of one formula part, groups expanded."""
    coefficient = Fraction(1)
    m = re.match(r"^(\d+(?:\.\d+)?)\s*(?=[A-Z(\[])", part)
    if m:
        coefficient = Fraction(m.group(1))
        part = part[m.end():]
    stack: list[dict[str, Fraction]] = [{}]
    opener: list[str] = []
    last: dict[str, Fraction] | None = None  # what a following count multiplies
    for m in _TOKEN_RE.finditer(part):
        symbol, open_, close, number, space, other = m.groups()
        if symbol:
            if symbol not in ELEMENTS:
                raise UnknownSubstance(f"{symbol!r} is not an element symbol (symbols are case-sensitive in formulas)")
            last = {symbol: Fraction(1)}
            _add(stack[-1], last)
        elif open_:
            stack.append({})
            opener.append(open_)
            last = None
        elif close:
            if not opener or {"(": ")", "[": "]"}[opener.pop()] != close:
                raise UnknownSubstance(f"unbalanced {close!r}")
            group = stack.pop()
            _add(stack[-1], group)
            last = group
        elif number:
            if last is None:
                raise UnknownSubstance(f"a count {number} with nothing before it to count")
            n = Fraction(number)
            if n == 0:
                raise UnknownSubstance("a count of zero")
            _add(stack[-1], {el: c * (n - 1) for el, c in last.items()})
            last = None
        elif space:
            raise UnknownSubstance("a space inside the formula")
        else:
            raise UnknownSubstance(f"the character {other!r} cannot appear in a formula")
    if opener:
        raise UnknownSubstance(f"unclosed {opener[-1]!r}")
    if not stack[0]:
        raise UnknownSubstance("no element in the formula")
    return {el: c * coefficient for el, c in stack[0].items()}


def _add(into: dict[str, Fraction], counts: Mapping[str, Fraction]) -> None:
    for el, c in counts.items():
        into[el] = into.get(el, Fraction(0)) + c


@lru_cache(maxsize=4096)
def _formula_fractions(formula: str) -> tuple[tuple[str, float], ...]:
    """Element mass fractions of a formula, via molmass's standard atomic weights.

    Decimal counts are made whole (times the common denominator) before molmass
    sees the formula, which leaves mass fractions unchanged.
    """
    if ":" in formula:
        raise UnknownSubstance("dopant notation 'host:dopant' gives no dopant amount; give the dopant as "
                               "its own composition row, or a formula with decimal counts such as Y1.9Eu0.1O3")
    counts: dict[str, Fraction] = {}
    for part in _split_hydrate(formula):
        if not part:
            raise UnknownSubstance("an empty part around a hydrate dot")
        _add(counts, _parse_counts(part))
    scale = math.lcm(*(c.denominator for c in counts.values()))
    whole = "".join(f"{el}{int(c * scale)}" for el, c in counts.items())
    composition = molmass.Formula(whole).composition()
    return tuple(sorted((el, float(item.fraction)) for el, item in composition.items()))


# ----------------------------------------------------------------- substances

def substance_fractions(text: str) -> dict[str, float]:
    """Element mass fractions (dimensionless, summing to 1) of a substance text.

    ``substance_fractions("Dy2O3")`` -> ``{"Dy": 0.8713..., "O": 0.1286...}``.
    See the module docstring for the forms accepted and the case rules. Raises
    :class:`UnknownSubstance` (or :class:`AmbiguousSubstance`).
    """
    return dict(_substance_fractions(text))


@lru_cache(maxsize=65536)
def _substance_fractions(text: str) -> tuple[tuple[str, float], ...]:
    if not isinstance(text, str):
        raise UnknownSubstance(f"{text!r} is not text; expected {ACCEPTED}")
    t = " ".join(text.split())
    if not t:
        raise UnknownSubstance(f"the substance is empty; expected {ACCEPTED}")
    if t in ELEMENTS:
        return ((t, 1.0),)
    symbol = element_symbol(t)
    if symbol is not None and t.lower() != symbol.lower():  # a name, not a symbol
        return ((symbol, 1.0),)
    table = _shipped_cas_table()
    if _CAS_RE.match(t):
        if not is_cas_number(t):
            raise UnknownSubstance(f"{t!r} looks like a CAS number but its check digit is wrong")
        if t not in table.by_cas:
            raise UnknownSubstance(f"CAS number {t} is not in remin's table (data/cas.csv); give the chemical "
                                   f"formula instead, or add the number to the table")
        return _formula_fractions(table.by_cas[t][1])
    named = table.by_name.get(_name_key(t))
    if named is not None:
        return _formula_fractions(named)
    if t.lower() in _MATERIAL_SHORTHANDS:
        raise UnknownSubstance(f"{t!r} names a family of materials, not a formula with amounts; give its "
                               f"elements (e.g. Dy, Tb) as composition rows or name a material from the "
                               f"materials library")
    try:
        fractions = _formula_fractions(t)
    except UnknownSubstance as exc:
        if symbol is not None:  # DY, tb, nd: not a formula, so the element
            return ((symbol, 1.0),)
        raise UnknownSubstance(f"{t!r} is not a substance remin can read ({exc.detail}); expected {ACCEPTED}") from None
    if symbol is not None:
        raise AmbiguousSubstance(
            f"{t!r} is ambiguous: the element {symbol} ({element_name(symbol)}) or the formula "
            f"{'+'.join(el for el, _ in fractions)}; write {symbol!r} or {element_name(symbol)!r} for the element")
    return fractions


def resolve_substances(series: pd.Series) -> tuple[pd.DataFrame, pd.Series]:
    """Element fractions of every distinct substance in ``series`` (each read once).

    Returns ``(fractions, unknown)``:

    - ``fractions``: long frame with columns ``substance`` (the distinct text as
      given), ``element``, ``fraction`` (of the substance's mass) for the substances
      that could be read;
    - ``unknown``: Series indexed by every distinct substance, holding the reason
      text where the substance could not be read and missing (NA) where it could;
      ``unknown.notna()`` is the boolean "was unknown".

    Missing and blank values are skipped (the caller reports missing substances).
    """
    values = series.dropna()
    distinct = [v for v in pd.unique(values) if not (isinstance(v, str) and not v.strip())]
    rows: list[tuple[str, str, float]] = []
    reasons: dict = {}
    for value in distinct:
        try:
            fractions = _substance_fractions(value if isinstance(value, str) else str(value))
        except UnknownSubstance as exc:
            reasons[value] = exc.detail
            continue
        reasons[value] = None
        rows.extend((value, el, f) for el, f in fractions)
    frame = pd.DataFrame(rows, columns=["substance", "element", "fraction"])
    frame["fraction"] = frame["fraction"].astype("float64")
    unknown = pd.Series(list(reasons.values()), index=pd.Index(list(reasons.keys()), name="substance"),
                        dtype="string", name="unknown_reason")
    return frame, unknown


# ------------------------------------------------------------ materials library

PART_CLASSES = ("ndfeb-magnet", "smco-magnet", "sputtering-target", "phosphor", "ceramic", "alloy",
                "oxide", "metal", "other")
_KEY_RE = re.compile(r"^[a-z0-9][a-z0-9.+-]*$")
_ENTRY_FIELDS = {"name", "description", "formula", "wt_percent", "part_class", "part1", "control_code",
                 "typical", "source"}
_INFO_COLUMNS = ["name", "description", "part_class", "part1", "control_code", "source", "typical", "file"]
#: Tolerance on "fractions sum to at most 1" for rounding in declared wt%.
SUM_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Material:
    """One library material: its descriptive fields and element mass fractions."""

    key: str
    name: str
    description: str
    part_class: str
    part1: bool
    control_code: str | None
    source: str
    typical: bool
    fractions: Mapping[str, float]


@dataclass(frozen=True, eq=False)  # frames inside: compare and hash by identity
class MaterialsLibrary:
    """Named materials as element mass fractions of the material's mass.

    ``fractions``: columns ``material`` (key), ``element``, ``fraction``.
    ``info``: indexed by material key; columns ``name``, ``description``,
    ``part_class``, ``part1`` (bool), ``control_code`` (text, missing where not set), ``source``,
    ``typical`` (bool), ``file`` (the file that defined the entry).
    """

    fractions: pd.DataFrame
    info: pd.DataFrame
    _by_name: dict[str, str] = field(init=False, repr=False)  # normalised key or name -> key

    def __post_init__(self):
        by_name = {_name_key(n): k for k, n in self.info["name"].items()}
        by_name.update({_name_key(k): k for k in self.info.index})  # keys win over names
        object.__setattr__(self, "_by_name", by_name)

    def names(self) -> list[str]:
        """The material keys, sorted."""
        return sorted(self.info.index)

    def key_for(self, name: str) -> str | None:
        """The key of a material given by key or display name (any case, spaces collapsed), else None."""
        return self._by_name.get(_name_key(name)) if isinstance(name, str) else None

    def lookup(self, name: str) -> Material:
        """The material with this key or display name (case-insensitive).

        Raises :class:`UnknownMaterial` listing the closest and all valid names.
        """
        key = self.key_for(name)
        if key is None:
            raise UnknownMaterial(self._unknown_message(name))
        row = self.info.loc[key]
        code = row["control_code"]
        sub = self.fractions[self.fractions["material"] == key]
        return Material(key=key, name=row["name"], description=row["description"], part_class=row["part_class"],
                        part1=bool(row["part1"]), control_code=code if isinstance(code, str) else None,
                        source=row["source"], typical=bool(row["typical"]),
                        fractions=MappingProxyType(dict(zip(sub["element"], sub["fraction"]))))

    def resolve(self, series: pd.Series) -> pd.Series:
        """Material key for every value of ``series`` (looked up once per distinct value);
        missing (NaN) where the value is not a material of the library."""
        mapping = {v: self.key_for(v) for v in pd.unique(series.dropna())}
        return series.map(mapping)

    def _unknown_message(self, name) -> str:
        keys = self.names()
        close = difflib.get_close_matches(str(name).lower(), keys, n=3, cutoff=0.6)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        return (f"{name!r} is not a material in the materials library.{hint} "
                f"Valid names (keys; display names also work): {', '.join(keys)}")


def load_materials(extra_paths: Iterable[Path | str] = ()) -> MaterialsLibrary:
    """The shipped ``data/materials.toml`` plus user TOML files in the same syntax.

    Later files add materials or replace a shipped material of the same key
    entirely (not field by field). Raises :class:`~remin.errors.InputError` naming
    the file and material key for anything invalid.
    """
    entries: dict[str, tuple[dict, Path]] = {}
    for path in (data_path("materials.toml"), *map(Path, extra_paths)):
        for key, entry in _read_materials_file(path).items():
            entries[key] = (entry, path)
    info_rows, fraction_rows = [], []
    for key, (entry, path) in entries.items():
        fractions = _entry_fractions(entry, path, key)
        fraction_rows.extend((key, el, f) for el, f in fractions.items())
        info_rows.append({"material": key, "name": entry["name"], "description": entry.get("description", ""),
                          "part_class": entry["part_class"], "part1": entry.get("part1", False),
                          "control_code": entry.get("control_code") or None, "source": entry.get("source", ""),
                          "typical": entry.get("typical", False), "file": str(path)})
    _check_unique_names(info_rows)
    info = pd.DataFrame(info_rows, columns=["material", *_INFO_COLUMNS]).set_index("material").sort_index()
    info["part1"] = info["part1"].astype(bool)
    info["typical"] = info["typical"].astype(bool)
    fractions = pd.DataFrame(fraction_rows, columns=["material", "element", "fraction"])
    fractions = fractions.sort_values(["material", "element"], ignore_index=True)
    fractions["fraction"] = fractions["fraction"].astype("float64")
    return MaterialsLibrary(fractions=fractions, info=info)


def _read_materials_file(path: Path) -> dict[str, dict]:
    try:
        with open(path, "rb") as fh:
            doc = tomllib.load(fh)
    except OSError as exc:
        raise InputError(f"cannot read materials file: {exc.strerror or exc}", file=path) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", file=path) from None
    unexpected = set(doc) - {"materials"}
    if unexpected:
        raise InputError(f"unexpected top-level key(s) {sorted(unexpected)}; materials go in [materials.KEY] tables",
                         file=path)
    materials = doc.get("materials", {})
    if not isinstance(materials, dict):
        raise InputError("'materials' must be a table of [materials.KEY] entries", file=path)
    for key, entry in materials.items():
        _check_entry(entry, path, key)
    return materials


def _check_entry(entry, path: Path, key: str) -> None:
    def fail(message: str):
        raise InputError(message, file=path, key=key)

    if not _KEY_RE.match(key):
        fail("material keys are kebab-case: lower-case letters, digits, '-', '.', '+' (e.g. ndfeb-dy-7.5)")
    if not isinstance(entry, dict):
        fail("must be a table with name, part_class and formula or wt_percent")
    unknown = set(entry) - _ENTRY_FIELDS
    if unknown:
        nested = " (a '.' in a bare TOML key makes a nested table: quote the key, e.g. [materials.\"x-7.5\"])" \
            if any(isinstance(entry[f], dict) for f in unknown) else ""
        fail(f"unknown field(s) {sorted(unknown)}; allowed: {', '.join(sorted(_ENTRY_FIELDS))}{nested}")
    for attr in ("name", "part_class"):
        if not isinstance(entry.get(attr), str) or not entry[attr].strip():
            fail(f"needs a text field {attr!r}")
    for attr in ("description", "control_code", "source", "formula"):
        if attr in entry and not isinstance(entry[attr], str):
            fail(f"{attr!r} must be text")
    for attr in ("part1", "typical"):
        if attr in entry and not isinstance(entry[attr], bool):
            fail(f"{attr!r} must be true or false")
    if entry["part_class"] not in PART_CLASSES:
        fail(f"part_class {entry['part_class']!r} is not one of {', '.join(PART_CLASSES)}")
    if ("formula" in entry) == ("wt_percent" in entry):
        fail("give exactly one of 'formula' or a [wt_percent] table")


def _entry_fractions(entry: dict, path: Path, key: str) -> dict[str, float]:
    """Element mass fractions (0..1) of one checked entry."""
    if "formula" in entry:
        try:
            return substance_fractions(entry["formula"])
        except UnknownSubstance as exc:
            raise InputError(f"formula: {exc.detail}", file=path, key=key) from None
    table = entry["wt_percent"]
    if not isinstance(table, dict) or not table:
        raise InputError("wt_percent must be a table of element = percent", file=path, key=key)
    fractions: dict[str, float] = {}
    for element, pct in table.items():
        symbol = element_symbol(element)
        if symbol is None:
            raise InputError(f"wt_percent: {element!r} is not an element symbol or name", file=path, key=key)
        if symbol in fractions:
            raise InputError(f"wt_percent: {symbol} is given twice", file=path, key=key)
        if isinstance(pct, bool) or not isinstance(pct, (int, float)) or not math.isfinite(pct):
            raise InputError(f"wt_percent: {element} must be a number (percent), not {pct!r}", file=path, key=key)
        if not 0 <= pct <= 100:
            raise InputError(f"wt_percent: {element} = {pct} is outside 0..100 %", file=path, key=key)
        fractions[symbol] = pct / 100.0
    total = sum(fractions.values())
    if total > 1 + SUM_TOLERANCE:
        raise InputError(f"wt_percent adds up to {total * 100:g} %, more than 100 %", file=path, key=key)
    return fractions


def _check_unique_names(info_rows: list[dict]) -> None:
    seen: dict[str, dict] = {}
    for row in info_rows:
        name = _name_key(row["name"])
        other = seen.get(name)
        if other is not None:
            raise InputError(f"display name {row['name']!r} is also used by material {other['material']!r} "
                             f"({other['file']}); names must be unique", file=row["file"], key=row["material"])
        seen[name] = row
