"""remin rules list / show: what the rule data says is controlled on a date.

Also the rule-related options every command shares (``--as-of``, ``--as-written``,
``--rule-set``, ``--rules``, ``--prices``, ``--rates``, ``--end-use``,
``--end-user-listed``), so they read and behave the same everywhere.
"""
from __future__ import annotations

import json
from pathlib import Path

import click

from remin.cli._app import main, translate_errors
from remin.errors import UsageError
from remin.rules import DEFAULT_RULE_SET, RulesOnDate, list_rule_sets, load_rules, parse_date

# ------------------------------------------------------------------ shared options


def _date_callback(ctx, param, value):
    if value is None:
        return None
    try:
        return parse_date(value, option=param.opts[0])
    except UsageError as e:
        raise click.BadParameter(str(e).split(": ", 1)[-1]) from None


as_of_option = click.option(
    "--as-of", "as_of", metavar="DATE", callback=_date_callback,
    help="Evaluate the rules as they stand on this date (YYYY-MM-DD). Default: today.")
as_written_option = click.option(
    "--as-written", is_flag=True,
    help="Ignore suspensions: evaluate the announcements as written.")
rule_set_option = click.option(
    "--rule-set", "rule_set", default=DEFAULT_RULE_SET, show_default=True, metavar="ID",
    help="Rule set to use (see `remin rules list`).")
rules_path_option = click.option(
    "--rules", "rules_paths", multiple=True, metavar="PATH", type=click.Path(path_type=Path),
    help="Extra rule file or folder of *.toml; a file with a shipped id replaces that file, "
         "a new id adds an instrument (e.g. a later announcement). Repeatable.")
prices_option = click.option(
    "--prices", "prices_path", metavar="FILE", type=click.Path(path_type=Path),
    help="Reference element prices (CSV) instead of the shipped estimates.")
rates_option = click.option(
    "--rates", "rates_path", metavar="FILE", type=click.Path(path_type=Path),
    help="Exchange rates (CSV or TOML). None are shipped: without this file, values in "
         "other currencies are not converted.")
end_use_option = click.option(
    "--end-use", "end_use", metavar="USE",
    help="End use for the licensing outlook: civil, military, wmd, advanced-semiconductor, "
         "military-ai or humanitarian (values come from the rule data).")
end_user_listed_option = click.option(
    "--end-user-listed", is_flag=True,
    help="The importer or end user is on MOFCOM's control or watch list (or 50 %-owned by a listed party).")


def rules_options(fn):
    """--as-of, --as-written, --rule-set and --rules on one command."""
    for option in (rules_path_option, rule_set_option, as_written_option, as_of_option):
        fn = option(fn)
    return fn


format_option = click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
    help="Output format.")

# ------------------------------------------------------------------ commands


@main.group("rules")
def rules_group() -> None:
    """The rule data: which instruments, elements and dates remin uses.

    \b
    Example:
      remin rules show --as-of 2026-01-15
    """


@rules_group.command("list")
@as_of_option
@rules_path_option
@format_option
@translate_errors
def list_command(as_of, rules_paths, fmt) -> None:
    """List the rule sets and their instruments, with each one's status on a date.

    \b
    Example:
      remin rules list --as-of 2026-01-15
    """
    day = parse_date(as_of)
    out = []
    for entry in list_rule_sets(rules_paths):
        on = load_rules(entry.id, rules_paths).evaluate(day)
        out.append({"id": entry.id, "title": entry.title, "path": str(entry.path),
                    "as_of": day.isoformat(), "status": on.status, "status_recorded": on.status_recorded,
                    "instruments": [{"id": i.id, "short_title": i.short_title, "status": i.status,
                                     "effective": i.effective.isoformat()} for i in on.instruments]})
    if fmt == "json":
        click.echo(json.dumps({"rule_sets": out}, indent=2, ensure_ascii=False))
        return
    for rs in out:
        mark = "" if rs["status_recorded"] else "  (later status not recorded)"
        click.echo(f"{rs['id']}: {rs['title']}")
        click.echo(f"  value test on {rs['as_of']}: {rs['status']}{mark}")
        click.echo(f"  file: {rs['path']}")
        click.echo(_table(["instrument", "", "effective", f"status on {rs['as_of']}"],
                          [[i["id"], i["short_title"], i["effective"], i["status"]]
                           for i in rs["instruments"]], indent="  "))


@rules_group.command("show")
@click.argument("rule_set", required=False, default=DEFAULT_RULE_SET, metavar="[ID]")
@as_of_option
@as_written_option
@rules_path_option
@format_option
@translate_errors
def show_command(rule_set, as_of, as_written, rules_paths, fmt) -> None:
    """Show what a rule set controls on a date: status, elements, suspensions, sources.

    ID defaults to cn-rare-earth. For dates after the last recorded suspension end
    (2026-11-10 in the shipped data) the output says loudly that later status is not
    recorded.

    \b
    Examples:
      remin rules show --as-of 2026-11-22
      remin rules show cn-rare-earth --as-of 2026-01-15 --as-written --format json
      remin rules show --rules my-extension.toml --as-of 2027-01-01
    """
    on = load_rules(rule_set, rules_paths).evaluate(parse_date(as_of), as_written=as_written)
    if fmt == "json":
        click.echo(json.dumps(on.to_detail_dict(), indent=2, ensure_ascii=False))
        return
    click.echo(render_rules(on))
    if not on.status_recorded:
        click.echo("warning: " + next(n for n in on.notes if "not recorded" in n), err=True)


# ------------------------------------------------------------------ rendering


def render_rules(on: RulesOnDate) -> str:
    """The rules on a date as text (also usable as a report header)."""
    mode = "as written (suspensions ignored)" if on.as_written else "suspensions honoured"
    short = {i.id: i.short_title for i in on.instruments}
    pct = f"{on.threshold * 100:g} %"
    lines = [
        f"Rule set {on.rule_set} on {on.as_of} ({mode})",
        f"  {on.title}",
        f"Value test ({short[on.value_test.instrument]} {on.value_test.article}): {on.status.upper()}"
        + ("" if on.status_recorded else " (assumed: later status not recorded)"),
        f"  licence needed when share {on.comparison} {pct} (threshold {on.threshold:g})",
        f"  share = {on.basis}",
        f"Direct-product rule ({on.direct_product_rule.article}): {on.direct_product_rule.status}",
        f"Controlled elements ({len(on.controlled_elements)}): "
        + (" ".join(on.controlled_elements) or "none"),
    ]
    if not on.status_recorded:
        lines.append("!! STATUS AFTER THE RECORDED SUSPENSION END IS NOT RECORDED: see notes")
    if on.notes:
        lines.append("Notes:")
        lines += [f"  - {n}" for n in on.notes]
    lines.append("")
    lines.append("Instruments:")
    lines.append(_table(
        ["id", "", "published", "effective", "status", "suspended", "elements"],
        [[i.id, i.short_title, str(i.published), str(i.effective),
          i.status + ("" if i.status_recorded else " (not recorded)"),
          f"{i.suspended_from} .. {i.suspended_until} ({i.suspended_by})" if i.suspended_from else "",
          " ".join(i.elements)] for i in on.instruments], indent="  "))
    lines.append("")
    lines.append(f"Annex 1 Part I items ({len(on.part1_items)}):")
    lines.append(_table(["id", "name", "kind", "elements", "control code"],
                        [[p.id, p.name, p.kind, " ".join(p.elements), p.control_code or "(not settled)"]
                         for p in on.part1_items], indent="  "))
    lines.append("")
    lines.append(f"Annex 1 Part II classes ({len(on.part2_classes)}):")
    lines += [f"  {p.id}: {p.description}" for p in on.part2_classes]
    lines.append("")
    lines.append("Sources:")
    lines += [f"  {s['instrument']}: {s['title']} <{s['url']}>" for s in on.sources()]
    return "\n".join(lines)


def _table(header: list[str], rows: list[list[str]], indent: str = "") -> str:
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows)]
    fmt = indent + "  ".join(f"{{:<{w}}}" for w in widths)
    out = [fmt.format(*header).rstrip()]
    out += [fmt.format(*map(str, r)).rstrip() for r in rows]
    return "\n".join(out)
