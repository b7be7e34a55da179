"""Building pint's unit registry fast; remin.units holds the one registry remin uses.

Two start-up costs every remin process paid before it read a byte of a BOM:

- ``import pint`` imports Dask (~0.1 s) whenever Dask is installed, for pint's
  Dask-array support. remin never gives pint a Dask array, so pint is imported
  with Dask hidden from it (Dask stays importable for everyone else).
- Parsing pint's definition files (~0.25 s). pint can keep the parsed
  definitions in a disk cache (keyed by the files' content and pint's version);
  remin keeps it in its user cache folder, ``REMIN_CACHE_DIR`` if set. An empty
  ``REMIN_CACHE_DIR`` turns the cache off. A cache that cannot be read or written
  (read-only home, a file half-written by a parallel process) is not an error:
  the registry is then built from the definition files, as without a cache.
"""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path


def import_pint():
    """The pint module, imported without its optional Dask support."""
    if "pint" in sys.modules or "dask" in sys.modules:
        import pint
        return pint
    # pint.compat asks importlib.util.find_spec("dask"), which answers None for a
    # module whose sys.modules entry is None; the entry is removed right after.
    sys.modules["dask"] = None
    try:
        import pint
    finally:
        if sys.modules.get("dask", False) is None:
            del sys.modules["dask"]
    return pint


#: the pint module (what ``import pint`` gives, less Dask support)
pint = import_pint()


def cache_folder() -> Path | None:
    """Where the parsed pint definitions are cached (None: no cache)."""
    configured = os.environ.get("REMIN_CACHE_DIR")
    if configured is not None:
        return Path(configured) / "pint" if configured.strip() else None
    try:
        import platformdirs  # a dependency of pint
        return platformdirs.user_cache_path("remin", appauthor=False) / "pint"
    except Exception:  # no home directory to speak of: no cache
        return None


def new_registry():
    """pint's default UnitRegistry, its definitions read from the cache when they can be."""
    folder = cache_folder()
    if folder is not None:
        try:
            return pint.UnitRegistry(cache_folder=folder)
        except Exception:  # unreadable, partly written or unwritable cache: build it from the files,
            shutil.rmtree(folder, ignore_errors=True)  # and let the next process write it afresh
    return pint.UnitRegistry(cache_folder=None)
