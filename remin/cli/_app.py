"""The click group every command hangs on, and the one place library errors
become exit codes and one-line messages (never a traceback for a user mistake)."""
from __future__ import annotations

import functools
import sys

import click

from remin import __version__
from remin.errors import ReminError


class ExitError(click.ClickException):
    """A ClickException carrying remin's exit code (2 usage, 3 bad input)."""

    def __init__(self, message: str, exit_code: int):
        super().__init__(message)
        self.exit_code = exit_code


def translate_errors(fn):
    """Turn ReminError (and unreadable files) into a clean message and exit code."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ReminError as e:
            raise ExitError(str(e), e.exit_code) from None
        except (OSError, MemoryError) as e:
            raise ExitError(f"{getattr(e, 'filename', '') or ''} {e}".strip(), 3) from None

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="remin")
def main() -> None:
    """remin: does a product made outside China fall under China's rare-earth
    export controls (MOFCOM Announcement No. 61 of 2025)?

    \b
    Example:
      remin check data/examples/ev-drive-unit.xlsx
    """
    if sys.stdout.encoding and sys.stdout.encoding.lower() not in ("utf-8", "utf8"):
        try:
            sys.stdout.reconfigure(errors="replace")
        except AttributeError:  # pragma: no cover - replaced streams
            pass
