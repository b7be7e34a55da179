"""The parts library: supplier declarations (remin template, IPC-1752A/B) and
reviewer overrides in an append-only SQLite file, read by the engine through
``Library.current_frames()``."""
from remin.library.store import DEFAULT_PATH, ImportResult, Library, read_declaration_file  # noqa: F401
from remin.library.template import read_declaration_template, write_declaration_template  # noqa: F401
