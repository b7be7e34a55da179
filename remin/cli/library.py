"""remin library ... and remin template declaration: the parts library commands.

They only translate between the terminal and ``remin.library``.
"""
from __future__ import annotations

import json
import math

import click
import pandas as pd

from remin.cli._app import ExitError, main, translate_errors
from remin.cli.options import limits_options
from remin.errors import ReminError
from remin.library import DEFAULT_PATH, Library, write_declaration_template

_library_option = click.option(
    "--library", "library_path", type=click.Path(dir_okay=False), default=str(DEFAULT_PATH),
    envvar="REMIN_LIBRARY", show_default=True, show_envvar=True, help="The parts library file.")


@main.group("library")
def library_group() -> None:
    """The parts library: supplier declarations and reviewers' overrides,
    kept with their full history in one SQLite file.

    \b
    Example:
      remin library import magnets.xlsx acme-ipc1752.xml
      remin library show MAG-001
    """


@library_group.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@_library_option
@translate_errors
@limits_options
def import_command(files, library_path) -> None:
    """Import declaration files: the remin declaration template (.xlsx) or
    IPC-1752A/B material declarations (.xml, class C or D).

    Each file is imported whole or not at all: a file with an error imports
    nothing and the error names the row. Importing the same file again does
    nothing. Creates the library if it does not exist.

    \b
    Example:
      remin library import declarations/*.xlsx declarations/*.xml --library parts.db
    """
    failed = 0
    with Library.open(library_path, create=True) as lib:
        for file in files:
            try:
                result = lib.import_file(file)
            except ReminError as e:
                failed += 1
                click.echo(f"error: {e} -- nothing imported from this file", err=True)
                continue
            for f in result.findings:
                click.echo(str(f), err=True)
            if result.status == "unchanged":
                click.echo(f"unchanged {file}: already imported (sha256 {result.sha256[:12]})")
            else:
                extra = (f", {result.overrides} override{'s' if result.overrides != 1 else ''}"
                         if result.overrides else "")
                shown = ", ".join(result.parts[:5]) + (" ..." if len(result.parts) > 5 else "")
                click.echo(f"imported {file}: {len(result.parts)} part{'s' if len(result.parts) != 1 else ''}"
                           f" ({shown}){extra}")
    if failed:
        raise ExitError(f"{failed} of {len(files)} files not imported", 3)


@library_group.command("show")
@click.argument("part")
@_library_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@translate_errors
def show_command(part, library_path, as_json) -> None:
    """Show a part as the engine sees it: its latest declaration with reviewers'
    overrides applied, and its composition per piece.

    \b
    Example:
      remin library show MAG-001
    """
    with Library.open(library_path) as lib:
        _, override_rows = lib.history(part)  # raises a clear error for an unknown part
        parts, composition = lib.current_frames([part])
    row = parts.iloc[0]
    active = _active(override_rows)
    if as_json:
        click.echo(json.dumps({"part": _record(row), "composition": [_record(r) for _, r in composition.iterrows()],
                               "overrides": [_record(r) for _, r in active.iterrows()]}, indent=2))
        return
    click.echo(f"{row['part']}  {_text(row['description'])}")
    click.echo(f"  declaration #{row['decl_id']} of {_text(row['declared_on'])} by {_text(row['supplier'])}, "
               f"from {row['source_file']} (sha256 {row['source_sha256'][:12]})")
    fields = [("unit mass", "unit_mass_kg", _mass(row["unit_mass_kg"])),
              ("rare-earth origin", "re_origin", _text(row["re_origin"])),
              ("made in", "made_in", _text(row["made_in"])),
              ("unit value", "unit_value", f"{_text(row['unit_value'])} {_text(row['currency'], '')}".strip())]
    for label, field, shown in fields:
        note = _override_note(active, field)
        click.echo(f"  {label:<18} {shown}{note}")
    if composition.empty:
        click.echo("  composition        none declared")
        return
    click.echo("  composition (per piece):")
    for _, r in composition.sort_values(["element", "origin"]).iterrows():
        amount = _mass(r["kg_per_unit"]) if pd.notna(r["kg_per_unit"]) else f"{r['fraction'] * 100:.6g} wt%"
        note = _override_note(active, "re_origin", r["element"])
        click.echo(f"    {r['element']:<3} {amount:>14}  origin {_text(r['origin'])}{note}")


@library_group.command("history")
@click.argument("part")
@_library_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@translate_errors
def history_command(part, library_path, as_json) -> None:
    """List every declaration and every override of a part, oldest first.

    \b
    Example:
      remin library history MAG-001
    """
    with Library.open(library_path) as lib:
        decls, overrides = lib.history(part)
    if as_json:
        click.echo(json.dumps({"declarations": [_record(r) for _, r in decls.iterrows()],
                               "overrides": [_record(r) for _, r in overrides.iterrows()]}, indent=2))
        return
    events = [(r["imported_at"], "declaration", r) for _, r in decls.iterrows()]
    events += [(r["created_at"], "override", r) for _, r in overrides.iterrows()]
    for when, kind, r in sorted(events, key=lambda e: (e[0], e[1])):
        if kind == "declaration":
            click.echo(f"{when}  declaration #{r['decl_id']} of {_text(r['declared_on'])} by {_text(r['supplier'])}"
                       f": mass {_mass(r['unit_mass_kg'])}, rare-earth origin {_text(r['re_origin'])}, "
                       f"made in {_text(r['made_in'])}")
            click.echo(f"    from {r['source_file']} ({r['kind']}, {_text(r['source_where'])}, "
                       f"sha256 {r['source_sha256'][:12]}), imported by {_text(r['imported_by'])}")
        else:
            target = r["field"] + (f" of {r['element']}" if pd.notna(r["element"]) else "")
            change = f"{target} = {r['value']}" if pd.notna(r["value"]) else f"{target} override withdrawn"
            click.echo(f"{when}  override #{r['override_id']} by {r['author']}: {change}")
            click.echo(f"    reason: {r['reason']}")


@library_group.command("override")
@click.argument("part")
@click.option("--origin", help="Rare-earth origin (ISO code or country name; 'unknown' allowed).")
@click.option("--element", help="Limit --origin to one element's composition rows (e.g. Dy).")
@click.option("--made-in", help="Country of manufacture.")
@click.option("--unit-mass", help="Mass of one piece, e.g. '7.5 g' (a bare number is kg).")
@click.option("--unit-value", help="Value of one piece (with --currency unless the part has one).")
@click.option("--currency", help="ISO 4217 currency code of the unit value.")
@click.option("--withdraw", "withdraw", multiple=True,
              type=click.Choice(["origin", "made-in", "unit-mass", "unit-value", "currency"]),
              help="Withdraw earlier overrides of this field (the supplier's value applies again).")
@click.option("--reason", required=True, help="Why: the evidence for the decision.")
@click.option("--by", "author", envvar="REMIN_USER", help="Who decided (default: $REMIN_USER or the login name).")
@_library_option
@translate_errors
def override_command(part, origin, element, made_in, unit_mass, unit_value, currency, withdraw, reason, author,
                     library_path) -> None:
    """Record a reviewer's decision about a part. The supplier's declaration is
    never changed: the override is a separate record with who, when and why,
    and the latest override of a field wins.

    \b
    Example:
      remin library override MAG-001 --origin JP --reason "mill certificate 2025-118 confirms JP separation"
      remin library override MAG-001 --withdraw origin --reason "certificate withdrawn"
    """
    option_field = {"origin": "re_origin", "made-in": "made_in", "unit-mass": "unit_mass_kg",
                    "unit-value": "unit_value", "currency": "currency"}
    changes = [(f, v) for f, v in (("re_origin", origin), ("made_in", made_in), ("unit_mass_kg", unit_mass),
                                   ("unit_value", unit_value), ("currency", currency)) if v is not None]
    changes += [(option_field[w], None) for w in withdraw]
    if not changes:
        raise click.UsageError("give at least one of --origin, --made-in, --unit-mass, --unit-value, "
                               "--currency or --withdraw")
    if element and not any(f == "re_origin" for f, _ in changes):
        raise click.UsageError("--element goes with --origin (or --withdraw origin)")
    with Library.open(library_path) as lib:
        for field, value in changes:
            override_id = lib.add_override(part, field, value, reason=reason, author=author,
                                           element=element if field == "re_origin" else None)
            target = field + (f" of {element}" if element and field == "re_origin" else "")
            what = f"{target} = {value}" if value is not None else f"{target} override withdrawn"
            click.echo(f"override #{override_id}: {part} {what}")


@library_group.command("export")
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False), help="Workbook to write (.xlsx).")
@_library_option
@translate_errors
def export_command(output, library_path) -> None:
    """Write every part's current declaration and all overrides to a declaration
    workbook; `remin library import` reads it back.

    \b
    Example:
      remin library export --output parts-library.xlsx
    """
    with Library.open(library_path) as lib:
        path = lib.export(output)
    click.echo(f"wrote {path}")


@main.group("template")
def template_group() -> None:
    """Blank templates to send to suppliers.

    \b
    Example:
      remin template declaration --output remin-declaration.xlsx
    """


@template_group.command("declaration")
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False), help="Workbook to write (.xlsx).")
@translate_errors
def declaration_template_command(output) -> None:
    """Write the remin declaration template: instructions, a Parts and a
    Composition sheet with drop-down lists. Suppliers fill it in; import it with
    `remin library import`.

    \b
    Example:
      remin template declaration --output remin-declaration.xlsx
    """
    click.echo(f"wrote {write_declaration_template(output)}")


# ---------------------------------------------------------------- formatting

def _text(value, missing: str = "-") -> str:
    return missing if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _mass(kg) -> str:
    if kg is None or pd.isna(kg):
        return "-"
    kg = float(kg)
    if kg == 0:
        return "0 g"
    if kg >= 1:
        return f"{kg:.6g} kg"
    if kg >= 1e-3:
        return f"{kg * 1e3:.6g} g"
    return f"{kg * 1e6:.6g} mg"


def _record(row: pd.Series) -> dict:
    out = {}
    for key, value in row.items():
        if value is None or (not isinstance(value, (str, bool)) and pd.isna(value)):
            out[key] = None
        elif hasattr(value, "item"):
            out[key] = value.item()
        else:
            out[key] = value
        if isinstance(out[key], float) and not math.isfinite(out[key]):
            out[key] = None
    return out


def _active(overrides: pd.DataFrame) -> pd.DataFrame:
    """Latest override per field and element, unless it withdrew the field."""
    if overrides.empty:
        return overrides
    key = overrides["field"] + "|" + overrides["element"].fillna("")
    latest = overrides.loc[overrides.groupby(key)["override_id"].idxmax()]
    return latest[latest["value"].notna()]


def _override_note(active: pd.DataFrame, field: str, element=None) -> str:
    rows = active[(active["field"] == field) & (active["element"].isna() if element is None
                                                else active["element"] == element)] if len(active) else active
    if not len(rows):
        return ""
    r = rows.iloc[-1]
    return f"   [override #{r['override_id']} by {r['author']}, {r['created_at'][:10]}: {r['reason']}]"
