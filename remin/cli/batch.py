"""remin batch: many BOM files in, one row per file and SKU out."""
from __future__ import annotations

import sys

import click

from remin.cli._app import ExitError, main, translate_errors
from remin.cli.options import library_fill_option, map_option, materials_option
from remin.cli.rules import (end_use_option, end_user_listed_option, prices_option, rates_option,
                             rules_options)


@main.command("batch")
@click.argument("inputs", nargs=-1, required=True, metavar="PATH|GLOB...")
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False, writable=True),
              help="Report to write: .csv, .json or .xlsx (one row per file and SKU).")
@library_fill_option
@rules_options
@map_option
@materials_option
@click.option("--currency", default=None, metavar="ISO", help="Currency of the value test (default: the "
              "most common in each BOM).")
@prices_option
@rates_option
@end_use_option
@end_user_listed_option
@click.option("--all-levels", is_flag=True, help="A row for every assembly, not only the roots.")
@click.option("--workers", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: the number of CPUs).")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Score on a Dask cluster (e.g. tcp://10.0.0.5:8786) instead of local processes.")
@click.option("--state", type=click.Path(dir_okay=False), default=None,
              help="Resume store (default: OUTPUT's name + .batch-state.sqlite, beside it).")
@click.option("--force", is_flag=True, help="Score every file again, even if it was scored before with the "
              "same rules, data and library.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary.")
@click.option("--fail-on", type=click.Choice(["above", "indeterminate", "failure"]), default=None,
              help="Exit with status 1 if a SKU is above (or above or indeterminate), or if any file failed.")
@translate_errors
def batch(inputs, output, library_path, as_of, as_written, rule_set, rules_paths, mapping, materials_paths,
          currency, prices_path, rates_path, end_use, end_user_listed, all_levels, workers, scheduler, state,
          force, quiet, fail_on):
    """Score many BOM files: every file in PATH (folders are searched
    recursively for .xlsx/.xlsm/.xls/.ods/.csv/.tsv) or matching GLOB.

    Each file is one BOM; files are scored in parallel and a file that
    cannot be read becomes a failure row without stopping the batch. Files
    already scored (same content, rules, date, data and library state) are
    taken from the state file and not read again, unless --force.

    \b
    Examples:
      remin batch boms/ --output scores.xlsx
      remin batch 'exports/**/*.csv' --library parts.db --as-of 2026-01-15 -o scores.csv
      remin batch /shared/boms --scheduler tcp://scheduler:8786 -o scores.json

    Exit status: 0 done, 1 --fail-on met, 2 usage error, 3 bad rules,
    mapping or library file (nothing scored).
    """
    from remin.batch import BatchOptions, run_batch  # here: `remin batch --help` need not load the engine

    options = BatchOptions(as_of=as_of, as_written=as_written, rule_set=rule_set,
                           rules_paths=tuple(map(str, rules_paths)), materials_paths=tuple(materials_paths),
                           mapping=mapping, library=library_path, currency=currency, all_levels=all_levels,
                           prices=str(prices_path) if prices_path else None,
                           rates=str(rates_path) if rates_path else None, end_use=end_use,
                           end_user_listed=end_user_listed)
    report = run_batch(inputs, options, output=output, state=state, force=force, workers=workers,
                       scheduler=scheduler, progress=not quiet and sys.stderr.isatty())
    if not quiet:
        a = report.about
        rate = f", {report.files_per_second:.1f} files/s" if report.files_per_second else ""
        click.echo(f"{a['files']} files: {a['scored']} scored, {a['failed']} failed "
                   f"({report.reused} from earlier runs){rate}; wrote {report.output}", err=True)
        for failure in report.failures[:20]:
            click.echo(f"  failed: {failure.error}", err=True)
        if len(report.failures) > 20:
            click.echo(f"  ... and {len(report.failures) - 20} more (see the report)", err=True)
    if fail_on:
        _check_fail_on(report, fail_on)


def _check_fail_on(report, fail_on: str) -> None:
    if fail_on == "failure":
        if report.failures:
            raise ExitError(f"--fail-on failure: {len(report.failures)} files not scored", 1)
        return
    bad = {"above"} if fail_on == "above" else {"above", "indeterminate"}
    hits = report.frame[report.frame["verdict"].isin(bad)]
    if len(hits):
        shown = ", ".join(f"{r.file}:{r.sku}" for r in hits.head(10).itertuples())
        raise ExitError(f"--fail-on {fail_on}: {len(hits)} SKUs ({shown})", 1)
