"""remin notice: the Art. 7 compliance notice rendered from the shipped templates.

The rotor ROT-150-A (example EV drive unit) is above: its Chinese-origin controlled
content is the Dy of 48 magnets (48 x 30.6 g x 4.5 % = 66.096 g) and of the Dy2O3
slurry (6 g x 40 % x 87.13 % = 2.091 g), 68.187 g in 15.754 kg (0.4328 %). The
Tb-NdFeB magnets are of unknown origin and are not Chinese-origin content.
"""
from __future__ import annotations

from click.testing import CliRunner

from remin.cli import main
from test_examples import DY_MAGNETS_CN, DY_SLURRY_CN, EDU_FILES, REPO, ROTOR

FILE = str(REPO / EDU_FILES[0])


def notice(*args):
    return CliRunner().invoke(main, ["notice", *args])


def test_markdown_notice_names_the_chinese_origin_content():
    r = notice("ROT-150-A", FILE, "--as-of", "2026-11-22", "--recipient", "Example GmbH")
    assert r.exit_code == 0, r.output
    md = r.stdout
    cn_g = (DY_MAGNETS_CN + DY_SLURRY_CN) * 1000
    assert "**ROT-150-A**" in md and "Example GmbH" in md
    assert f"contains {cn_g:,.3f} g of Chinese-origin rare earths" in md            # 68.187 g
    assert f"{(DY_MAGNETS_CN + DY_SLURRY_CN) / ROTOR * 100:.4f} % of its mass" in md   # 0.4328 %
    assert f"| Dy | {cn_g:,.3f} g |" in md
    assert f"| MAG-N42DY | Magnet sintered NdFeB 42UH, 50x18x4.5 mm, NiCuNi | Dy | {DY_MAGNETS_CN * 1000:,.3f} g |" in md
    assert f"| CTG-DY2O3 |" in md
    assert "| MAG-N48TB |" not in md          # unknown origin: mentioned as such, not as Chinese content
    assert "of unknown origin" in md
    assert "Art. 1(1)" in md and "No. 61 of 2025" in md
    assert "in-force (assumed: later status not recorded)" in md
    assert "2026-11-10" in md
    assert "requires a dual-use item export licence" in md


def test_html_notice_is_escaped_and_written_to_a_file(tmp_path):
    out = tmp_path / "notice.html"
    r = notice("ROT-150-A", FILE, "--as-of", "2026-11-22", "--recipient", "<Acme & Co>", "-o", str(out),
               "--end-use", "civil")
    assert r.exit_code == 0, r.output
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "&lt;Acme &amp; Co&gt;" in html and "<Acme" not in html
    assert "<td>MAG-N42DY</td>" in html
    assert "ordinary-review" in html           # licensing outlook for --end-use civil


def test_suspended_rule_says_no_licence_on_that_date():
    r = notice("ROT-150-A", FILE, "--as-of", "2026-01-15")
    assert r.exit_code == 0, r.output
    assert "is suspended: no\nlicence is required under it on that date" in r.stdout
    assert "Suspended from 2025-11-07 until 2026-11-10 (inclusive)" in r.stdout


def test_no_notice_for_a_sku_that_is_not_above():
    r = notice("EDU-3000", FILE, "--as-of", "2026-11-22")
    assert r.exit_code == 1 and "indeterminate" in r.output and "--force" in r.output
    forced = notice("EDU-3000", FILE, "--as-of", "2026-11-22", "--force")
    assert forced.exit_code == 0 and "not at or above the threshold" in forced.stdout


def test_user_template_and_its_errors(tmp_path):
    good = tmp_path / "short.md.j2"
    good.write_text("{{ sku }}: {{ cn_kg|mass }} ({{ rules.status }})\n", encoding="utf-8")
    r = notice("ROT-150-A", FILE, "--as-of", "2026-11-22", "--template", str(good))
    assert r.exit_code == 0 and r.stdout == f"ROT-150-A: {(DY_MAGNETS_CN + DY_SLURRY_CN) * 1000:,.3f} g (in-force)\n"
    bad = tmp_path / "bad.md.j2"
    bad.write_text("{{ sku }}\n{{ no_such_name }}\n", encoding="utf-8")
    r = notice("ROT-150-A", FILE, "--as-of", "2026-11-22", "--template", str(bad))
    assert r.exit_code == 3 and "bad.md.j2" in r.output and "no_such_name" in r.output
    broken = tmp_path / "broken.md.j2"
    broken.write_text("line one\n{% if %}\n", encoding="utf-8")
    r = notice("ROT-150-A", FILE, "--as-of", "2026-11-22", "--template", str(broken))
    assert r.exit_code == 3 and "broken.md.j2" in r.output and "line 2" in r.output


def test_output_suffix_picks_the_format(tmp_path):
    r = notice("ROT-150-A", FILE, "--as-of", "2026-11-22", "-o", str(tmp_path / "n.txt"))
    assert r.exit_code == 2 and ".md or .html" in r.output
