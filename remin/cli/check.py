"""remin check: BOM files in, a verdict per SKU out."""
from __future__ import annotations

import json
from pathlib import Path

import click

from remin import timing
from remin.cli._app import ExitError, main, translate_errors
from remin.cli.options import library_fill_option, limits_options, map_option, materials_option
from remin.cli.rules import (end_use_option, end_user_listed_option, prices_option, rates_option,
                             rules_options)

FORMATS = ("table", "json", "csv", "xlsx")


@main.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@rules_options
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="Output format (default: table, or from the --output file's extension).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write the report to FILE instead of the terminal (.json, .csv, .txt, or .xlsx for the "
              "audit workbook; .csv also writes FILE's contributors, where-used, findings, rules and inputs "
              "CSVs beside it).")
@map_option
@materials_option
@click.option("--sku", "skus", multiple=True, metavar="PART", help="Report this part (repeatable; default: "
              "every root of the BOM).")
@click.option("--all-levels", is_flag=True, help="Report every assembly, not only the roots.")
@click.option("--currency", default=None, metavar="ISO", help="Currency of the value test (default: the "
              "most common in the BOM).")
@prices_option
@rates_option
@end_use_option
@end_user_listed_option
@library_fill_option
@click.option("--detail/--no-detail", default=True, show_default=True,
              help="JSON and CSV files carry the workbook's detail: contributors per SKU, where-used, "
              "rule instruments.")
@click.option("--fail-on", type=click.Choice(["above", "indeterminate"]), default=None,
              help="Exit with status 1 if a SKU is above (or above or indeterminate).")
@click.option("--profile-stages", type=click.Path(dir_okay=False, writable=True), default=None,
              metavar="FILE", help="Write the seconds spent per stage (read, units, model, rollup, tests, "
              "output) to FILE as JSON (for benchmarks).")
@translate_errors
@limits_options
def check(files, as_of, as_written, rule_set, rules_paths, fmt, output, mapping, materials_paths, skus,
          all_levels, currency, prices_path, rates_path, end_use, end_user_listed, library_path, detail, fail_on,
          profile_stages):
    """Screen BOM FILES: the Chinese-origin share of every SKU against the 0.1 %
    threshold, by value (Announcement 61 Art. 1(1), for Annex 1 Part II items) and by
    mass (screening).

    The headline verdict follows the value test where it could be decided, else the
    mass test (column "by"). SKUs that need a licence get the licensing outlook for
    --end-use / --end-user-listed.

    FILES are BOM exports (xlsx, xlsm, xls, ods, csv, tsv); part-master and
    composition sheets or files given beside them are merged in.

    \b
    Examples:
      remin check data/examples/ev-drive-unit.xlsx
      remin check bom.csv composition.csv --as-of 2026-01-15 --format json -o result.json
      remin check parts_list.csv --map rover.map.toml --all-levels
      remin check bom.xlsx --rates rates.csv --prices my-prices.csv --end-use civil
      remin check bom.xlsx --rules my-announcement.toml --as-of 2026-12-01
      remin check data/examples/ev-drive-unit.xlsx --as-of 2026-11-22 --output report.xlsx
      remin check bom.xlsx --library parts.db

    Exit status: 0 ran (whatever the verdicts), 1 a verdict met --fail-on,
    2 usage error, 3 unreadable or invalid input.
    """
    from remin.api import run_check  # here, not at the top: `remin check --help` need not load the engine

    if profile_stages:
        timing.enable()
    fmt = fmt or _format_from_suffix(output)
    if fmt == "xlsx" and not output:
        raise ExitError("--format xlsx writes a workbook: give its file with --output FILE.xlsx", 2)
    result = run_check(files, as_of=as_of, as_written=as_written, mapping=mapping, rule_set=rule_set,
                       rules_paths=rules_paths, materials_paths=materials_paths, skus=skus,
                       all_levels=all_levels, currency=currency, prices=prices_path, rates=rates_path,
                       end_use=end_use, end_user_listed=end_user_listed, library=library_path)
    with timing.stage("output"):
        frames = result.frames() if fmt == "xlsx" or (detail and (fmt == "json" or fmt == "csv" and output)) \
            else None
        if fmt == "xlsx":
            from remin.report.excel import write_workbook
            click.echo(f"wrote {write_workbook(frames, output)}", err=True)
        elif fmt == "csv" and frames is not None:
            from remin.report.csvset import write_csv_set
            for path in write_csv_set(frames, output, result.render("csv")):
                click.echo(f"wrote {path}", err=True)
        elif output:
            Path(output).write_text(result.render(fmt, frames), encoding="utf-8")
            click.echo(f"wrote {output}", err=True)
        else:
            click.echo(result.render(fmt, frames), nl=False)
    if profile_stages:
        Path(profile_stages).write_text(json.dumps({"stages": timing.totals()}, indent=2), encoding="utf-8")
    if fail_on:
        bad = {"above"} if fail_on == "above" else {"above", "indeterminate"}
        hits = [s for s, v in result.assessment.skus["verdict"].items() if v in bad]
        if hits:
            raise ExitError(f"--fail-on {fail_on}: {', '.join(map(str, hits[:10]))}", 1)


def _format_from_suffix(output) -> str:
    if not output:
        return "table"
    return {".json": "json", ".csv": "csv", ".xlsx": "xlsx"}.get(Path(output).suffix.lower(), "table")

