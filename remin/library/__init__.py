"""The parts library: supplier declarations (remin template, IPC-1752A/B) and
reviewer overrides in an append-only SQLite file, read by the engine through
``Library.current_frames()`` and ``fill_from_library`` (``remin check --library``)."""
from remin.library.store import DEFAULT_PATH, ImportResult, Library, read_declaration_file  # noqa: F401
from remin.library.template import read_declaration_template, write_declaration_template  # noqa: F401
from remin.library.fill import LibrarySnapshot, fill_from_library  # noqa: F401

#: The hook ``remin.api.assess(bom, library=...)`` calls: the BOM with its blanks filled.
apply_library = fill_from_library
