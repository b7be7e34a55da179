"""Resource limits for reading files from strangers: how big a file, a sheet, a
cell and a nesting may be before remin refuses it (or, for a cell, cuts it).

Each limit has a default, an environment variable and a ``remin check`` option:

=================  ==========  ==========================  ========================================
limit              default     environment variable        what it bounds
=================  ==========  ==========================  ========================================
max_file_mb        200         REMIN_MAX_FILE_MB           size of any input file on disk (MB)
max_unzipped_mb    1000        REMIN_MAX_UNZIPPED_MB       a workbook's parts once unzipped (MB)
max_rows           10000000    REMIN_MAX_ROWS              data rows of one sheet or CSV file
max_columns        1000        REMIN_MAX_COLUMNS           cells in a header row
max_cells          50000000    REMIN_MAX_CELLS             rows x columns a sheet spans
max_depth          100         REMIN_MAX_DEPTH             BOM levels; XML element nesting
max_cell_chars     32767       REMIN_MAX_CELL_CHARS        characters of one cell (Excel's own cap)
=================  ==========  ==========================  ========================================

Precedence: a value set with :func:`using` (the CLI options) over the
environment over the default. Readers call :func:`current` when they start.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, fields, replace

from remin.errors import UsageError


#: A quantity, unit mass (kg) or unit value larger than this is no real BOM's: it is
#: reported and left out, so that sums stay finite (1e12 x 1e12 x ... overflows late).
IMPLAUSIBLE = 1e12


@dataclass(frozen=True)
class Limits:
    max_file_mb: float = 200.0
    max_unzipped_mb: float = 1000.0
    max_rows: int = 10_000_000   # CSV exports of whole vehicles run to millions of lines
    max_columns: int = 1_000
    max_cells: int = 50_000_000
    max_depth: int = 100
    max_cell_chars: int = 32_767

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1e6)

    @property
    def max_unzipped_bytes(self) -> int:
        return int(self.max_unzipped_mb * 1e6)


#: field -> (environment variable, CLI option, help text)
SETTINGS: dict[str, tuple[str, str, str]] = {
    "max_file_mb": ("REMIN_MAX_FILE_MB", "--max-file-mb", "largest input file read, in MB"),
    "max_unzipped_mb": ("REMIN_MAX_UNZIPPED_MB", "--max-unzipped-mb",
                        "largest total size of a workbook's unzipped parts, in MB (zip-bomb guard)"),
    "max_rows": ("REMIN_MAX_ROWS", "--max-rows", "most data rows read from one sheet or CSV file"),
    "max_columns": ("REMIN_MAX_COLUMNS", "--max-columns", "most columns a header row may have"),
    "max_cells": ("REMIN_MAX_CELLS", "--max-cells", "most cells (rows x columns) one sheet may span"),
    "max_depth": ("REMIN_MAX_DEPTH", "--max-depth", "deepest BOM level and XML nesting accepted"),
    "max_cell_chars": ("REMIN_MAX_CELL_CHARS", "--max-cell-chars",
                       "longest cell text kept; longer cells are cut and reported"),
}

_active: ContextVar[Limits | None] = ContextVar("remin_limits", default=None)


def _parse(name: str, text: str, source: str):
    kind = {f.name: f.type for f in fields(Limits)}[name]
    try:
        value = float(text) if kind in (float, "float") else int(float(text))
    except ValueError:
        raise UsageError(f"{source}: {text!r} is not a number") from None
    if not value > 0:
        raise UsageError(f"{source}: must be more than zero, not {text!r}")
    return value


def from_environment(environ=None) -> Limits:
    """The defaults with any REMIN_MAX_* environment variables applied."""
    environ = os.environ if environ is None else environ
    changes = {}
    for name, (var, _, _) in SETTINGS.items():
        text = environ.get(var, "").strip()
        if text:
            changes[name] = _parse(name, text, var)
    return replace(Limits(), **changes)


def current() -> Limits:
    """The limits in force: those set with :func:`using`, else the environment's."""
    active = _active.get()
    return active if active is not None else from_environment()


@contextmanager
def using(limits: Limits | None = None, **changes):
    """Run a block under other limits: ``with using(max_rows=1000): read_bom(...)``.
    ``None`` values are ignored, so CLI options left unset keep the current value."""
    base = limits if limits is not None else current()
    given = {k: _parse(k, str(v), SETTINGS[k][1]) for k, v in changes.items() if v is not None}
    token = _active.set(replace(base, **given))
    try:
        yield _active.get()
    finally:
        _active.reset(token)


def refuse_large_file(path, name: str | None = None) -> None:
    """Raise InputError if the file at ``path`` is larger than ``max_file_mb``."""
    from remin.errors import InputError
    lim = current()
    try:
        size = os.stat(path).st_size
    except OSError as e:
        raise InputError(f"cannot read file: {e.strerror}", file=name or str(path)) from None
    if size > lim.max_file_bytes:
        shown = f"{size / 1e6:,.1f} MB" if size >= 100_000 else f"{size:,} bytes"
        raise InputError(f"the file is {shown}, more than the limit of {lim.max_file_mb:g} MB "
                         f"(raise it with --max-file-mb or {SETTINGS['max_file_mb'][0]})", file=name or str(path))
