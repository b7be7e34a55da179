"""remin explain: one SKU's verdict traced to its parts, and what would change it."""
from __future__ import annotations

import json

import click

from remin.cli._app import main, translate_errors
from remin.cli._sku import assess_sku, sku_input_options


@main.command("explain")
@sku_input_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output format.")
@click.option("--max-nodes", type=click.IntRange(min=1), default=80, show_default=True,
              help="Print at most this many tree nodes.")
@translate_errors
def explain_command(sku, files, as_of, as_written, mapping, rules_paths, materials_paths, currency,
                    prices_path, rates_path, fmt, max_nodes):
    """Explain SKU's verdict from BOM FILES: its BOM tree pruned to the branches that
    carry controlled rare earths, each node with its Chinese-origin and unknown-origin
    content and share of the SKU's mass; the headroom under 0.1 %; and, where origins
    are unknown, the parts ranked by how far each can move the share (the questions to
    send suppliers first).

    SKU may be any part of the BOM (a spare-part assembly too).

    \b
    Examples:
      remin explain EDU-3000 data/examples/ev-drive-unit.xlsx --as-of 2026-11-22
      remin explain 40031005 data/examples/sap-export.csv data/examples/sap-export-composition.csv
      remin explain ROT-150-A data/examples/ev-drive-unit.xlsx --format json
    """
    from remin.explain import explain, render_explanation

    a, prices, rates = assess_sku(sku, files, as_of=as_of, as_written=as_written, mapping=mapping,
                                  rules_paths=rules_paths, materials_paths=materials_paths, currency=currency,
                                  prices_path=prices_path, rates_path=rates_path)
    e = explain(a, sku, prices=prices, rates=rates)
    if fmt == "json":
        click.echo(json.dumps(e.to_dict(), indent=2, ensure_ascii=False, default=str))
    else:
        click.echo(render_explanation(e, max_nodes=max_nodes), nl=False)
