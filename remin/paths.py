"""Where remin's shipped reference data lives (rules, materials, units, examples)."""
from __future__ import annotations

from pathlib import Path

_here = Path(__file__).resolve().parent
# In a wheel the repository's data/ is shipped as remin/_data; in a checkout it is ../data.
DATA_DIR = _here / "_data" if (_here / "_data").is_dir() else _here.parent / "data"


def data_path(*parts: str) -> Path:
    """Path of a shipped data file, e.g. ``data_path("rules", "cn-no61-2025.toml")``."""
    return DATA_DIR.joinpath(*parts)


def example_path(name: str) -> Path:
    """Path of a bundled example BOM, e.g. ``example_path("ev-drive-unit.xlsx")``
    (data/examples/README.md describes them and their expected results)."""
    path = data_path("examples", name)
    if not path.is_file() or name.startswith((".", "/")) or "/" in name or "\\" in name:
        from remin.errors import UsageError
        shipped = sorted(p.name for p in data_path("examples").iterdir()
                         if p.suffix.lower() in (".xlsx", ".csv", ".xls", ".ods", ".tsv"))
        raise UsageError(f"no example called {name!r}; the examples are: {', '.join(shipped)}")
    return path
