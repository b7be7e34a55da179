"""User mapping files (``--map FILE``): name the headers of an unusual export.

    [columns]              # field = "header in the file", or a list: first non-blank wins
    part = ["part #", "short name"]
    qty = "# req in assy"
    [defaults]             # a value for a field the file does not carry
    currency = "USD"
    [product]              # a root above the top-level rows or parents
    part = "open-source-rover"
    description = "NASA-JPL Open Source Rover"
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from remin.columns import field_specs
from remin.errors import InputError

_SECTIONS = {"columns", "defaults", "product"}
_PRODUCT_KEYS = {"part", "description", "qty"}


@dataclass(frozen=True)
class Mapping:
    columns: dict[str, list[str]] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)
    product: dict[str, str] = field(default_factory=dict)
    path: str | None = None


def _line_of(text: str, key: str) -> int | None:
    m = re.search(rf"^\s*\[?\s*\"?{re.escape(key)}\"?\s*[\]=]", text, re.MULTILINE)
    return text.count("\n", 0, m.start()) + 1 if m else None


def load_mapping(path: str | Path | None) -> Mapping:
    """Read and validate a mapping file; errors name the file, key and line."""
    if path is None:
        return Mapping()
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"cannot read mapping file: {e}", file=str(path)) from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise InputError(f"not valid TOML: {e}", file=str(path)) from None
    specs = field_specs()
    for section in raw:
        if section not in _SECTIONS:
            raise InputError(f"unknown section; expected one of {sorted(_SECTIONS)}",
                             file=str(path), key=section, line=_line_of(text, section))
    columns: dict[str, list[str]] = {}
    for key, value in raw.get("columns", {}).items():
        if key not in specs:
            raise InputError(f"unknown field; expected one of: {', '.join(specs)}",
                             file=str(path), key=f"columns.{key}", line=_line_of(text, key))
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
            raise InputError("expected a header name or a list of header names",
                             file=str(path), key=f"columns.{key}", line=_line_of(text, key))
        columns[key] = values
    defaults = {}
    for key, value in raw.get("defaults", {}).items():
        if key not in specs or specs[key].role == "structure" and key != "uom":
            raise InputError("unknown or structural field; defaults take per-part fields such as "
                             "currency, uom, mass_unit, re_origin, made_in",
                             file=str(path), key=f"defaults.{key}", line=_line_of(text, key))
        defaults[key] = str(value)
    product = {}
    for key, value in raw.get("product", {}).items():
        if key not in _PRODUCT_KEYS:
            raise InputError(f"expected one of {sorted(_PRODUCT_KEYS)}",
                             file=str(path), key=f"product.{key}", line=_line_of(text, key))
        product[key] = str(value)
    return Mapping(columns, defaults, product, str(path))
