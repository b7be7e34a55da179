"""The click group every command hangs on, and the one place library errors
become exit codes and one-line messages (never a traceback for a user mistake)."""
from __future__ import annotations

import functools
import importlib
import os
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
        except OSError as e:
            where = f"{e.filename}: " if getattr(e, "filename", None) else ""
            raise ExitError(f"{where}{e.strerror or e}", 3) from None
        except MemoryError:
            raise ExitError("out of memory: the input is larger than this machine can hold", 3) from None
        except click.ClickException:
            raise
        except Exception as e:  # a bug, not a user mistake: say so, keep the traceback on request
            if os.environ.get("REMIN_DEBUG"):
                raise
            raise ExitError(f"internal error ({type(e).__name__}: {e}). This is a bug in remin; please "
                            "report it with the input if you can. Set REMIN_DEBUG=1 for the traceback.",
                            70) from None

    return wrapper


class LazyGroup(click.Group):
    """A group whose commands live in modules imported on first use, so
    ``remin --help`` and ``remin check --help`` do not import pandas, pint and
    every other command's dependencies.

    ``lazy`` maps a command name to (module, first paragraph of its help). The
    module registers the command on import (``@main.command``); the stored help
    lets ``remin --help`` list every command without importing any of them
    (tests/test_cli_lazy.py checks it against the real commands).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lazy: dict[str, tuple[str, str]] = {}

    def add_lazy_command(self, name: str, module: str, help: str) -> None:
        self.lazy[name] = (module, help)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(self.commands) | set(self.lazy))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.commands and name in self.lazy:
            importlib.import_module(self.lazy[name][0])
        return self.commands.get(name)

    def resolve_command(self, ctx: click.Context, args: list[str]):
        if args and self.get_command(ctx, args[0]) is None:
            for name in self.lazy:  # a mistyped name: load every command, so click suggests the nearest
                self.get_command(ctx, name)
        return super().resolve_command(ctx, args)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """As click's, but a command not yet imported is described by its stored help."""
        commands = []
        for name in self.list_commands(ctx):
            cmd = self.commands.get(name) or click.Command(name, help=self.lazy[name][1])
            if not cmd.hidden:
                commands.append((name, cmd))
        if commands:
            limit = formatter.width - 6 - max(len(name) for name, _ in commands)  # click's own spacing
            with formatter.section("Commands"):
                formatter.write_dl([(name, cmd.get_short_help_str(limit)) for name, cmd in commands])


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
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
