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
