"""Options shared by several commands (one definition, one help text).

The rule-related ones (--as-of, --as-written, --rule-set, --rules, --prices, --rates,
--end-use, --end-user-listed) live in remin.cli.rules beside the `rules` command.
"""
from __future__ import annotations

import click

map_option = click.option(
    "--map", "mapping", type=click.Path(exists=True, dir_okay=False), metavar="FILE",
    help="TOML mapping file naming unusual headers (see README, 'Mapping file').")
materials_option = click.option(
    "--materials", "materials_paths", type=click.Path(exists=True, dir_okay=False), multiple=True,
    metavar="FILE", help="A materials file that adds to or overrides the shipped materials library.")
library_fill_option = click.option(
    "--library", "library_path", type=click.Path(dir_okay=False), default=None, metavar="FILE",
    help="A parts library (see `remin library`) that fills what the BOM leaves blank; the BOM's own data wins.")

# Earlier names, kept for commands written against them: the same options as `remin rules`.
from remin.cli.rules import as_of_option, as_written_option, rules_path_option as rules_option  # noqa: E402,F401


def as_date(value):
    """A --as-of value as a date (the option already gives one; datetimes are cut to the day)."""
    return value.date() if hasattr(value, "date") and callable(value.date) else value


def limits_options(fn):
    """--max-file-mb, --max-rows, ... (remin.limits): each overrides its REMIN_MAX_*
    environment variable for this command; the command runs under them."""
    import functools

    from remin import limits

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        given = {name: kwargs.pop(name, None) for name in limits.SETTINGS}
        with limits.using(**given):
            return fn(*args, **kwargs)

    for name, (var, option, text) in reversed(limits.SETTINGS.items()):
        default = getattr(limits.Limits(), name)
        wrapper = click.option(option, name, type=float if isinstance(default, float) else int, default=None,
                               metavar="N", help=f"Limit: {text} (default {default:,.0f}, or ${var}).")(wrapper)
    return wrapper
