"""Shared test helpers: run the CLI in-process, write small BOM files."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from remin.cli import main

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "data" / "examples"
CORPUS = REPO.parent / "shared" / "corpus"


@pytest.fixture
def cli():
    """Run `remin ARGS...` in-process; returns the click Result (exit_code, output)."""
    runner = CliRunner()

    def run(*args):
        return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)

    return run


@pytest.fixture
def check_json(cli):
    """Run `remin check ... --format json` and return the parsed report (exit code 0 asserted)."""

    def run(*args):
        result = cli("check", *args, "--format", "json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    return run


@pytest.fixture
def write(tmp_path):
    """Write text to a file under tmp_path and return its path."""

    def _write(name: str, text: str, encoding: str = "utf-8") -> Path:
        p = tmp_path / name
        p.write_text(text, encoding=encoding)
        return p

    return _write


def sku(report: dict, name: str) -> dict:
    return next(s for s in report["skus"] if s["sku"] == name)


def codes(report: dict) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for f in report["findings"]:
        out.setdefault(f["code"], []).append(f)
    return out
