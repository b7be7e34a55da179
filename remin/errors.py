"""The few exception classes remin raises.

Each also inherits the builtin a Python caller would expect, so library users
can catch ``ValueError`` without knowing remin's classes. The CLI maps
``exit_code`` to the process exit status.
"""
from __future__ import annotations


class ReminError(Exception):
    """Base class: a problem the user can fix, reported without a traceback."""

    exit_code = 3


class InputError(ReminError, ValueError):
    """An input file is unreadable or invalid. Names where, as precisely as known."""

    def __init__(self, message: str, *, file=None, sheet=None, row=None, column=None, key=None, line=None):
        self.file, self.sheet, self.row, self.column = file, sheet, row, column
        self.key, self.line = key, line
        self.detail = message
        super().__init__(self._format(message))

    def _format(self, message: str) -> str:
        where = []
        if self.file is not None:
            where.append(str(self.file))
        if self.sheet is not None:
            where.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.key is not None:
            where.append(f"key {self.key!r}")
        return f"{', '.join(where)}: {message}" if where else message


class RulesError(InputError):
    """A rule file is malformed or a rule set cannot be found."""


class UsageError(ReminError, ValueError):
    """A call with wrong arguments (bad option value, unknown SKU, unknown name)."""

    exit_code = 2
