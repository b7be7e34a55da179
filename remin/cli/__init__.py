"""remin's command line. Each command lives in its own module and only
translates between the terminal and the library API."""
from remin.cli._app import main  # noqa: F401

# Importing the command modules registers their commands on ``main``.
from remin.cli import check  # noqa: E402,F401
from remin.cli import explain  # noqa: E402,F401
from remin.cli import notice  # noqa: E402,F401
from remin.cli import rules  # noqa: E402,F401
from remin.cli import library  # noqa: E402,F401
from remin.cli import batch  # noqa: E402,F401
from remin.cli import serve  # noqa: E402,F401
from remin.cli import materials  # noqa: E402,F401
