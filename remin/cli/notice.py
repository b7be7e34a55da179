"""remin notice: the Art. 7 compliance notice for the recipient of a SKU."""
from __future__ import annotations

from pathlib import Path

import click

from remin.cli._app import ExitError, main, translate_errors
from remin.cli._sku import assess_sku, sku_input_options
from remin.cli.rules import end_use_option, end_user_listed_option


@main.command("notice")
@sku_input_options
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write the notice to FILE (.md or .html) instead of the terminal.")
@click.option("--format", "fmt", type=click.Choice(["md", "html"]), default=None,
              help="Notice format (default: from the --output file's extension, else md).")
@click.option("--template", type=click.Path(exists=True, dir_okay=False), default=None, metavar="FILE",
              help="Your own Jinja template (start from data/templates/notice.md.j2 or notice.html.j2).")
@click.option("--recipient", default=None, help="Who receives the notice (printed in it).")
@click.option("--issuer", default=None, help="Who issues the notice (printed in it).")
@end_use_option
@end_user_listed_option
@click.option("--force", is_flag=True, help="Render a notice even if the SKU is not above the threshold.")
@translate_errors
def notice_command(sku, files, as_of, as_written, mapping, rules_paths, materials_paths, currency, prices_path,
                   rates_path, output, fmt, template, recipient, issuer, end_use, end_user_listed, force):
    """Render the compliance notice (MOFCOM No. 61 Art. 7) for the recipient of SKU,
    a SKU of BOM FILES that is above the threshold: the SKU, its Chinese-origin
    controlled content by element and part, the rule and its status on the date, and
    the licence requirement. The wording comes from an editable template.

    \b
    Examples:
      remin notice ROT-150-A data/examples/ev-drive-unit.xlsx --as-of 2026-11-22 -o notice.html
      remin notice 40031005 data/examples/sap-export.csv data/examples/sap-export-composition.csv \\
          --recipient "Example GmbH" --end-use civil -o notice.md

    Exit status: 0 written; 1 the SKU is not above (use --force to write one anyway);
    2 usage error; 3 unreadable or invalid input or template.
    """
    from remin.notice import format_for, needs_notice, notice_context, render_notice
    from remin.outlook import licensing_outlook
    from remin.verdicts import ABOVE

    fmt = format_for(output, fmt)
    a, prices, rates = assess_sku(sku, files, as_of=as_of, as_written=as_written, mapping=mapping,
                                  rules_paths=rules_paths, materials_paths=materials_paths, currency=currency,
                                  prices_path=prices_path, rates_path=rates_path)
    verdict = a.results.at[sku, "verdict"]
    if not needs_notice(a, sku) and not force:
        why = ("whether a notice is needed turns on unknown origins (see `remin explain`)"
               if verdict == "indeterminate" else "it is not an Annex 1 Part II item: no notice is needed"
               if verdict == ABOVE else "no notice is needed")
        raise ExitError(f"{sku} is {verdict} on {a.rules.as_of}: {why}; --force writes one anyway", 1)
    outlook = licensing_outlook(a.rules, end_use, end_user_listed) if end_use or end_user_listed else None
    text = render_notice(notice_context(a, sku, recipient=recipient, issuer=issuer, outlook=outlook,
                                        prices=prices, rates=rates), fmt, template)
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=False)
