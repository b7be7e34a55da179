"""Start-up: command modules load on first use, yet `remin --help` lists every
command with its real help; help screens do not import the engine; pint's
registry is the same built from the disk cache, without it and from a broken one."""
import importlib
import os
import subprocess
import sys
from pathlib import Path

import click
from click.testing import CliRunner

from remin.cli import COMMANDS, main

ROOT = Path(__file__).resolve().parents[1]


def _loaded_commands() -> dict[str, click.Command]:
    for module, _ in COMMANDS.values():
        importlib.import_module(module)
    return dict(main.commands)


def test_every_command_is_listed_with_its_docstring_paragraph():
    real = _loaded_commands()
    unlisted = set(real) - set(COMMANDS)
    assert not unlisted, f"add {sorted(unlisted)} to remin.cli.COMMANDS (module and first help paragraph)"
    assert set(COMMANDS) <= set(real)
    for name, cmd in real.items():
        first_paragraph = " ".join(cmd.help.split("\n\n")[0].split())
        assert COMMANDS[name][1] == first_paragraph, name
        assert cmd.callback.__module__ == COMMANDS[name][0], name


def test_help_lists_what_the_real_commands_would():
    # the stand-in help gives the same short help as the imported command at any width
    for width in (60, 80, 100):
        out = CliRunner().invoke(main, ["--help"], terminal_width=width).output
        limit = min(width, 100) - 6 - max(map(len, COMMANDS))
        for name, cmd in _loaded_commands().items():
            assert f"  {name}" in out
            assert cmd.get_short_help_str(limit) in " ".join(out.split()), name


def _modules_after(argv: list[str]) -> set[str]:
    code = ("import sys\nfrom remin.cli import main\ntry:\n    main(%r)\nexcept SystemExit:\n    pass\n"
            "print(' '.join(sorted(sys.modules)), file=sys.stderr)" % argv)
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
    return set(r.stderr.split())


def test_help_screens_do_not_import_the_engine():
    for argv in (["--help"], ["check", "--help"], ["batch", "--help"], ["explain", "--help"]):
        loaded = _modules_after(argv)
        assert "click" in loaded, argv
        assert not {"pandas", "pint", "scipy", "jsonschema", "remin.api"} & loaded, argv


def _registry_facts(env_cache: str) -> str:
    code = ("import sys\nfrom remin.units import ureg, parse_unit\n"
            "print(ureg.Quantity(1, 'lb').to('kg').magnitude, ureg.Quantity(1, 'ton').to('kg').magnitude,"
            " parse_unit('g/piece').factor, 'dask' in sys.modules)")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                       env={**os.environ, "PYTHONPATH": str(ROOT), "REMIN_CACHE_DIR": env_cache}, check=True)
    return r.stdout.strip()


def test_unit_registry_same_with_and_without_cache(tmp_path):
    baseline = _registry_facts("")                              # no cache
    lb, ton, g_per_piece, dask = baseline.split()
    # 1 lb = 0.45359237 kg; the short ton = 2000 lb = 907.18474 kg; g/piece = 0.001 kg per piece
    assert abs(float(lb) - 0.45359237) < 1e-15 and abs(float(ton) - 907.18474) < 1e-12
    assert (g_per_piece, dask) == ("0.001", "False")
    assert _registry_facts(str(tmp_path)) == baseline           # builds and writes the cache
    cached = list((tmp_path / "pint").glob("*.pickle"))
    assert cached
    assert _registry_facts(str(tmp_path)) == baseline           # reads it
    for p in cached:                                            # half-written by another process
        p.write_bytes(p.read_bytes()[:100])
    assert _registry_facts(str(tmp_path)) == baseline           # ignores and removes the broken cache
    assert _registry_facts(str(tmp_path)) == baseline           # which the next process writes again
    assert all(p.stat().st_size > 100 for p in cached)


def test_a_mistyped_command_still_gets_a_suggestion():
    # a fresh process: no command module imported yet
    r = subprocess.run([sys.executable, "-m", "remin", "chek"], cwd=ROOT, capture_output=True, text=True,
                       timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert r.returncode == 2
    assert "No such command 'chek'. Did you mean 'check'?" in r.stderr
