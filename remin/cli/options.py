"""Options shared by several commands (one definition, one help text)."""
from __future__ import annotations

import click

as_of_option = click.option(
    "--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, metavar="YYYY-MM-DD",
    help="Evaluate the rules as of this date (default: today).")
as_written_option = click.option(
    "--as-written", is_flag=True, help="Ignore suspensions: the rules as their texts read (to plan for "
    "reinstatement).")
rules_option = click.option(
    "--rules", "rules_paths", type=click.Path(exists=True, dir_okay=False), multiple=True, metavar="FILE",
    help="A rule file that adds to or overrides the shipped rule data (repeatable).")
map_option = click.option(
    "--map", "mapping", type=click.Path(exists=True, dir_okay=False), metavar="FILE",
    help="TOML mapping file naming unusual headers (see README, 'Mapping file').")
materials_option = click.option(
    "--materials", "materials_paths", type=click.Path(exists=True, dir_okay=False), multiple=True,
    metavar="FILE", help="A materials file that adds to or overrides the shipped materials library.")


def as_date(value):
    return value.date() if value is not None else None
