"""remin check: BOM files in, a verdict per SKU out."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from remin.api import run_check
from remin.cli._app import ExitError, main, translate_errors
from remin.cli.options import (as_date, as_of_option, as_written_option, limits_options, map_option,
                               materials_option, rules_option)

FORMATS = ("table", "json", "csv")


@main.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@as_of_option
@as_written_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="Output format (default: table, or from the --output file's extension).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write the report to FILE instead of the terminal (.json, .csv, .txt).")
@map_option
@rules_option
@materials_option
@click.option("--sku", "skus", multiple=True, metavar="PART", help="Report this part (repeatable; default: "
              "every root of the BOM).")
@click.option("--all-levels", is_flag=True, help="Report every assembly, not only the roots.")
@click.option("--currency", default=None, metavar="ISO", help="Currency of the value test (default: the "
              "most common in the BOM).")
@click.option("--fail-on", type=click.Choice(["above", "indeterminate"]), default=None,
              help="Exit with status 1 if a SKU is above (or above or indeterminate).")
@translate_errors
@limits_options
def check(files, as_of, as_written, fmt, output, mapping, rules_paths, materials_paths, skus, all_levels,
          currency, fail_on):
    """Screen BOM FILES: the Chinese-origin controlled rare-earth share of every SKU
    against the 0.1 % threshold.

    FILES are BOM exports (xlsx, xlsm, xls, ods, csv, tsv); part-master and
    composition sheets or files given beside them are merged in.

    \b
    Examples:
      remin check data/examples/ev-drive-unit.xlsx
      remin check bom.csv composition.csv --as-of 2026-01-15 --format json -o result.json
      remin check parts_list.csv --map rover.map.toml --all-levels

    Exit status: 0 ran (whatever the verdicts), 1 a verdict met --fail-on,
    2 usage error, 3 unreadable or invalid input.
    """
    fmt = fmt or _format_from_suffix(output)
    result = run_check(files, as_of=as_date(as_of), as_written=as_written, mapping=mapping,
                       rules_paths=rules_paths, materials_paths=materials_paths, skus=skus,
                       all_levels=all_levels, currency=currency)
    text = result.render(fmt)
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=False)
    if fail_on:
        bad = {"above"} if fail_on == "above" else {"above", "indeterminate"}
        hits = [s for s, v in result.assessment.skus["verdict"].items() if v in bad]
        if hits:
            raise ExitError(f"--fail-on {fail_on}: {', '.join(map(str, hits[:10]))}", 1)


def _format_from_suffix(output) -> str:
    if not output:
        return "table"
    return {".json": "json", ".csv": "csv"}.get(Path(output).suffix.lower(), "table")
