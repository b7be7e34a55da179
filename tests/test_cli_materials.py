"""remin materials lists the library a `Material grade` column may name."""
from __future__ import annotations

import json


def test_materials_table_shows_rare_earth_content(cli):
    r = cli("materials")
    assert r.exit_code == 0
    line = next(l for l in r.output.splitlines() if l.startswith("dy2o3 "))
    # Dy in Dy2O3: 2 x 162.500 / (2 x 162.500 + 3 x 15.999405) = 87.13 %
    assert "oxide" in line and "yes" in line and "Dy 87.13 %" in line


def test_materials_json_and_a_user_file(cli, write):
    extra = write("mine.toml", '[materials.my-grade]\nname = "My grade"\ndescription = "x"\n'
                               'part_class = "ndfeb-magnet"\npart1 = false\ntypical = true\n'
                               'source = "supplier sheet"\n[materials.my-grade.wt_percent]\nDy = 4\n')
    r = cli("materials", "--materials", extra, "--format", "json")
    assert r.exit_code == 0, r.output
    rows = {m["material"]: m for m in json.loads(r.stdout)}
    assert rows["my-grade"]["fractions"]["Dy"] == 0.04
    assert rows["smco5"]["part1"] is True


def test_materials_help_has_an_example(cli):
    assert "remin materials --materials" in cli("materials", "--help").output
