"""remin materials: the materials library a BOM's `Material grade` column can name."""
from __future__ import annotations

import json

import click

from remin.cli._app import main, translate_errors
from remin.cli.options import materials_option


@main.command("materials")
@materials_option
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@translate_errors
def materials(materials_paths, fmt):
    """List the materials library: the names a BOM's `Material grade` column may
    use, with their controlled-element content, class, Part I flag and source.

    Figures are typical, for screening; a supplier's declaration wins.

    \b
    Examples:
      remin materials
      remin materials --materials my-grades.toml --format json
    """
    from remin.composition import load_materials
    from remin.elements import RARE_EARTHS

    lib = load_materials(materials_paths)
    content = lib.fractions.groupby("material").apply(
        lambda g: ", ".join(f"{e} {f * 100:.4g} %" for e, f in zip(g["element"], g["fraction"])
                            if e in RARE_EARTHS), include_groups=False)
    if fmt == "json":
        rows = [{"material": k, **{c: (None if v != v else v) for c, v in r.items() if c != "file"},
                 "fractions": dict(zip(*lib.fractions.loc[lib.fractions["material"] == k,
                                                          ["element", "fraction"]].T.values))}
                for k, r in lib.info.iterrows()]
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False, default=str))
        return
    width = max(len(k) for k in lib.info.index)
    click.echo(f"{'material':<{width}}  {'class':<17}  Part I  rare earths (wt%)")
    for key, r in lib.info.iterrows():
        click.echo(f"{key:<{width}}  {str(r['part_class']):<17}  {'yes' if r['part1'] else 'no ':<6}  "
                   f"{content.get(key, '')}")

