"""Which files a batch scores: paths, globs (expanded by remin, so they work the
same in every shell) and folders (searched recursively for BOM files)."""
from __future__ import annotations

import glob
import os
from pathlib import Path
from typing import Iterable, Sequence

from remin.bom import sha256_of
from remin.errors import UsageError
from remin.io import EXCEL_SUFFIXES

#: what a folder is searched for (.txt only when named: folders hold READMEs)
FOLDER_SUFFIXES = frozenset(EXCEL_SUFFIXES | {".csv", ".tsv"})
_GLOB_CHARS = set("*?[")


def expand_inputs(specs: Sequence[str], exclude: Iterable[str | Path] = ()) -> list[str]:
    """Files named by ``specs`` in a stable order (sorted, duplicates dropped).

    A spec is a file, a folder (all BOM files below it, skipping hidden files) or
    a glob pattern (``**`` recurses); Excel lock files ``~$*`` are never scored. ``exclude``:
    files never scored (the batch's own output and state). Raises UsageError
    for a spec that matches nothing.
    """
    skip = {os.path.abspath(p) for p in exclude}
    found: dict[str, str] = {}
    for spec in specs:
        if any(c in spec for c in _GLOB_CHARS) and not os.path.exists(spec):
            matches = [m for m in glob.glob(spec, recursive=True)
                       if os.path.isfile(m) and not os.path.basename(m).startswith("~$")]
        elif os.path.isdir(spec):
            matches = [str(p) for p in Path(spec).rglob("*") if _is_bom_file(p)]
        else:
            matches = [spec]  # a missing file is reported as that file's failure
        if not matches:
            raise UsageError(f"no files match {spec!r}")
        for m in matches:
            key = os.path.abspath(m)
            if key not in skip:
                found.setdefault(key, os.path.normpath(m))
    return sorted(found.values())


def _is_bom_file(path: Path) -> bool:
    name = path.name
    return (path.suffix.lower() in FOLDER_SUFFIXES and not name.startswith((".", "~$"))
            and not any(part.startswith(".") for part in path.parts[:-1] if part not in (".", ".."))
            and path.is_file())


def file_digests(paths: Sequence[str]) -> dict[str, str | None]:
    """sha256 of each file's bytes (None for a file that cannot be read)."""
    out: dict[str, str | None] = {}
    for p in paths:
        try:
            out[p] = sha256_of(p)
        except OSError:
            out[p] = None
    return out
