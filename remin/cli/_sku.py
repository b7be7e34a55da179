"""What the one-SKU commands (explain, notice) share: the same inputs and options as
``remin check``, and one call that reads, assesses and returns the SKU's assessment."""
from __future__ import annotations

import click

from remin.cli.options import (as_date, as_of_option, as_written_option, map_option, materials_option,
                               rules_option)
from remin.cli.rules import prices_option, rates_option


def sku_input_options(fn):
    """SKU FILE... plus --as-of, --as-written, --map, --rules, --materials, --currency,
    --prices, --rates (same meaning as in ``remin check``)."""
    for option in (rates_option, prices_option,
                   click.option("--currency", default=None, metavar="ISO",
                                help="Currency of the value test (default: the most common in the BOM)."),
                   materials_option, rules_option, map_option, as_written_option, as_of_option,
                   click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False)),
                   click.argument("sku")):
        fn = option(fn)
    return fn


def assess_sku(sku, files, *, as_of, as_written, mapping, rules_paths, materials_paths, currency,
               prices_path, rates_path):
    """(assessment, prices, rates) with ``sku`` as the reported SKU (any part of the BOM)."""
    from remin.api import run_check  # here, not at the top: the commands' --help need not load the engine
    from remin.currency import load_rates
    from remin.prices import load_prices

    day = as_date(as_of)
    rates = load_rates(rates_path) if rates_path else None
    prices = load_prices(prices_path, day) if prices_path else None
    a = run_check(files, as_of=day, as_written=as_written, mapping=mapping, rules_paths=rules_paths,
                  materials_paths=materials_paths, skus=[sku], currency=currency, rates=rates,
                  prices=prices).assessment
    if prices is None:
        prices = load_prices(None, a.rules.as_of)
    return a, prices, rates
