"""One check as the web app runs it: the form's options parsed, the saved uploads
run through ``remin.api.run_check``, errors told in the upload's own names."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from remin.api import CheckResult, run_check
from remin.errors import ReminError
from remin.web.uploads import SavedUpload


class CheckFailed(Exception):
    """The engine refused the input; ``message`` names the upload, never a server path."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class CheckOptions:
    as_of: date | None = None       # None = today
    as_written: bool = False
    all_levels: bool = False


def parse_as_of(text: str | None) -> date | None:
    """The form's as-of date (YYYY-MM-DD, blank = today); CheckFailed 400 otherwise."""
    if text is None or not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise CheckFailed(f"as_of: {text.strip()!r} is not a date; expected YYYY-MM-DD, e.g. 2026-01-15",
                          400) from None


def run_uploaded_check(files: list[SavedUpload], mapping: SavedUpload | None, options: CheckOptions,
                       folder: Path) -> CheckResult:
    """Assess the uploaded files (blocking; call it from a worker thread)."""
    try:
        return run_check([str(f.path) for f in files], labels=[f.label for f in files],
                         as_of=options.as_of, as_written=options.as_written, all_levels=options.all_levels,
                         mapping=str(mapping.path) if mapping else None)
    except ReminError as e:
        # 422: the request was well formed but the content cannot be screened as it is.
        raise CheckFailed(_in_upload_names(str(e), [*files, *([mapping] if mapping else [])], folder),
                          400 if e.exit_code == 2 else 422) from None
    except (OSError, MemoryError) as e:
        raise CheckFailed(_in_upload_names(f"cannot read the upload: {e}", files, folder), 422) from None


def check_json(result: CheckResult, detail: bool = True) -> str:
    """The text ``remin check --format json`` prints for ``result``: with the report's
    detail (contributors, where-used, rule instruments) when ``detail``, as the CLI's
    default ``--detail`` does."""
    return result.render("json", result.frames() if detail else None)


def _in_upload_names(message: str, uploads: list[SavedUpload], folder: Path) -> str:
    """The message with every stored path replaced by the name the user uploaded."""
    for u in uploads:
        message = message.replace(str(u.path), u.label)
    return message.replace(str(folder), "(upload)")
