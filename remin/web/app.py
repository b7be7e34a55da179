"""The web app of ``remin serve``: an upload page and three JSON/xlsx endpoints.

    GET  /             the page (upload, as-of date, SKU table, findings, chart, downloads)
    POST /api/check    the JSON of ``remin check --format json``
    POST /api/results  {"check": that JSON, "contributors": per SKU, for the chart}
    POST /api/report   the Excel report (.xlsx)

The POST endpoints take the same multipart form: ``files`` (one or more BOM,
part-master or composition files), ``mapping`` (optional TOML mapping file),
``as_of`` (YYYY-MM-DD, blank = today), ``as_written`` and ``all_levels``
(booleans); /api/check also ``detail`` (boolean, default true, as ``--detail``).
Errors answer ``{"error": "..."}`` with 400 (bad form), 413 (too large), 415
(not a spreadsheet) or 422 (a spreadsheet remin cannot screen). Each request's
files live in a temporary folder deleted before the response is sent.
"""
from __future__ import annotations

import json
import logging
import tempfile
import threading
from datetime import date
from pathlib import Path
from typing import Annotated, Callable, Sequence, TypeVar

import anyio
from fastapi import FastAPI, File, Form, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware

from remin import __version__
from remin.api import CheckResult
from remin.web.checks import CheckFailed, CheckOptions, check_json, parse_as_of, run_uploaded_check
from remin.web.download import XLSX_MEDIA_TYPE, excel_report, report_filename
from remin.web.headers import SecurityHeaders
from remin.web.limits import BodySizeLimit
from remin.web.uploads import SPREADSHEET_SUFFIXES, UploadRejected, save_uploads
from remin.web.view import page_data

HERE = Path(__file__).parent
#: Host headers answered by default: a page on another site cannot reach the app by
#: pointing its own domain name at 127.0.0.1 (DNS rebinding).
LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]")
log = logging.getLogger("remin.web")
T = TypeVar("T")

FilesField = Annotated[list[UploadFile] | None, File(
    description="BOM exports plus any part-master or composition files (xlsx, xlsm, xls, xlsb, ods, csv, tsv, txt)")]
MappingField = Annotated[UploadFile | None, File(description="optional TOML mapping file naming unusual headers")]
AsOfField = Annotated[str | None, Form(description="evaluate the rules as of this date, YYYY-MM-DD (default today)")]
AsWrittenField = Annotated[bool, Form(description="ignore suspensions (the rules as their texts read)")]
AllLevelsField = Annotated[bool, Form(description="report every assembly, not only the roots")]
DetailField = Annotated[bool, Form(description="add the report's detail (contributors, where-used), as "
                                               "`remin check --detail` (the default)")]


def create_app(max_upload_mb: float = 50, *, allowed_hosts: Sequence[str] | None = LOCAL_HOSTS) -> FastAPI:
    """The app. ``max_upload_mb``: limit on one request's uploads together (MB = 10^6
    bytes). ``allowed_hosts``: Host header names answered (None or ["*"]: any)."""
    if not max_upload_mb > 0:
        raise ValueError("max_upload_mb must be positive")
    # No /docs or /redoc: FastAPI's pages load their scripts from a CDN. /openapi.json stays.
    app = FastAPI(title="remin", version=__version__, docs_url=None, redoc_url=None,
                  description=__doc__.split("\n\n")[0])
    app.state.max_upload_mb = max_upload_mb
    # One check at a time: the engine is CPU-bound and its caches are not documented as
    # thread-safe. A thread lock (not an event-loop object) so it holds across loops.
    app.state.check_lock = threading.Lock()
    templates = Jinja2Templates(directory=HERE / "templates")
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    app.add_middleware(BodySizeLimit, max_bytes=int(max_upload_mb * 1_000_000), limit_mb=max_upload_mb)
    if allowed_hosts and "*" not in allowed_hosts:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts))
    app.add_middleware(SecurityHeaders)
    _add_error_handlers(app)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def page(request: Request):
        return templates.TemplateResponse(request, "index.html", {
            "version": __version__, "max_upload_mb": max_upload_mb, "max_upload_label": f"{max_upload_mb:g}", "today": date.today().isoformat(),
            "accept": ",".join(sorted(SPREADSHEET_SUFFIXES))})

    @app.post("/api/check", summary="The JSON of `remin check --format json`",
              responses={200: {"content": {"application/json": {}}}})
    async def api_check(files: FilesField = None, mapping: MappingField = None, as_of: AsOfField = None,
                        as_written: AsWrittenField = False, all_levels: AllLevelsField = False,
                        detail: DetailField = True) -> Response:
        text = await _checked(app, files, mapping, as_of, as_written, all_levels,
                              lambda result, folder: check_json(result, detail))
        return Response(text, media_type="application/json")

    @app.post("/api/results", summary="The check JSON plus each SKU's contributors (what the page shows)")
    async def api_results(files: FilesField = None, mapping: MappingField = None, as_of: AsOfField = None,
                          as_written: AsWrittenField = False, all_levels: AllLevelsField = False) -> Response:
        data = await _checked(app, files, mapping, as_of, as_written, all_levels,
                              lambda result, folder: page_data(result))
        return Response(json.dumps(data, ensure_ascii=False), media_type="application/json")

    @app.post("/api/report", summary="The Excel report (.xlsx)",
              responses={200: {"content": {XLSX_MEDIA_TYPE: {}}}})
    async def api_report(files: FilesField = None, mapping: MappingField = None, as_of: AsOfField = None,
                         as_written: AsWrittenField = False, all_levels: AllLevelsField = False) -> Response:
        def build(result: CheckResult, folder: Path):
            return excel_report(result, folder), result.assessment.rules.as_of.isoformat()
        body, on = await _checked(app, files, mapping, as_of, as_written, all_levels, build)
        return Response(body, media_type=XLSX_MEDIA_TYPE,
                        headers={"Content-Disposition": f'attachment; filename="{report_filename(on)}"'})

    return app


async def _checked(app: FastAPI, files, mapping, as_of, as_written: bool, all_levels: bool,
                   then: Callable[[CheckResult, Path], T]) -> T:
    """Save the uploads in a fresh temporary folder, run the check in a worker thread,
    hand the result to ``then`` (still inside the folder's life) and delete the folder."""
    files = [f for f in files or () if not _blank(f)]
    if mapping is not None and _blank(mapping):
        mapping = None
    if not files:
        raise UploadRejected("no BOM file uploaded: send one or more spreadsheets in the form field 'files'", 400)
    options = CheckOptions(parse_as_of(as_of), as_written, all_levels)
    with tempfile.TemporaryDirectory(prefix="remin-upload-") as tmp:
        folder = Path(tmp)
        saved = await save_uploads(files, folder, kind="spreadsheet")
        saved_map = (await save_uploads([mapping], folder, kind="mapping", start=len(saved)))[0] \
            if mapping is not None else None

        def work() -> T:
            with app.state.check_lock:      # later requests wait here, in their worker thread
                return then(run_uploaded_check(saved, saved_map, options, folder), folder)

        return await anyio.to_thread.run_sync(work)


def _blank(upload) -> bool:
    """A form's file field left empty: browsers send a part with no name and no bytes."""
    return not getattr(upload, "filename", None) and not getattr(upload, "size", None)


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(UploadRejected)
    async def rejected(request: Request, exc: UploadRejected):
        return _error(exc.status, str(exc))

    @app.exception_handler(CheckFailed)
    async def failed(request: Request, exc: CheckFailed):
        return _error(exc.status, str(exc))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        return _error(exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def invalid_form(request: Request, exc: RequestValidationError):
        parts = []
        for err in exc.errors():
            where = ".".join(str(x) for x in err.get("loc", ()) if x != "body")
            parts.append(f"form field {where!r}: {err.get('msg', 'invalid')}" if where else err.get("msg", "invalid"))
        return _error(400, "; ".join(parts) or "invalid form")

    @app.exception_handler(Exception)
    async def bug(request: Request, exc: Exception):
        log.exception("unexpected error in %s", request.url.path)
        return _error(500, f"internal error ({type(exc).__name__}); this is a bug in remin, please report it "
                           "with the file if you can share it")
