"""A real spreadsheet program reads the workbook: LibreOffice converts it to PDF
(headless, no screenshot). Skipped where LibreOffice is not installed
(Debian: apt-get install libreoffice-calc-nogui)."""
from __future__ import annotations

import shutil
import subprocess

import pytest
from click.testing import CliRunner

from remin.cli import main
from test_examples import EDU_FILES, REPO

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed: "
                                            "apt-get install libreoffice-calc-nogui to run this check")
def test_libreoffice_opens_the_workbook(tmp_path):
    book = tmp_path / "report.xlsx"
    r = CliRunner().invoke(main, ["check", str(REPO / EDU_FILES[0]), "--as-of", "2026-11-22", "-o", str(book)])
    assert r.exit_code == 0, r.output
    # A private profile directory: parallel runs must not share LibreOffice's lock.
    profile = (tmp_path / "lo-profile").as_uri()
    proc = subprocess.run([SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                           "--outdir", str(tmp_path), str(book)], capture_output=True, text=True, timeout=300)
    pdf = tmp_path / "report.pdf"
    assert proc.returncode == 0 and pdf.exists(), proc.stdout + proc.stderr
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 10_000
