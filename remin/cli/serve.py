"""remin serve: the web app on this machine (upload BOMs in a browser)."""
from __future__ import annotations

import ipaddress

import click

from remin.cli._app import ExitError, main

#: Host names and addresses that only this machine can reach.
LOOPBACK_NAMES = {"localhost"}
MISSING_EXTRA = ("remin serve needs the web extra: pip install 'remin[web]' "
                 "(fastapi, uvicorn, python-multipart, jinja2)")


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. The default reaches this machine only; 0.0.0.0 opens the app to "
                   "the network (there is no login).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="TCP port.")
@click.option("--max-upload-mb", default=50.0, show_default=True, type=click.FloatRange(min=0, min_open=True),
              help="Largest upload per check, all files together, in MB.")
def serve(host, port, max_upload_mb):
    """Run the web app: drag BOM exports into a page, see the verdict per SKU, the
    findings and a contributor chart, download the Excel report.

    \b
    Examples:
      remin serve                    then open http://127.0.0.1:8000
      remin serve --port 8080 --max-upload-mb 200

    The JSON API: POST /api/check (multipart: files, mapping, as_of) answers the
    JSON of `remin check --format json`.
    """
    try:
        import uvicorn
        from remin.web import create_app
    except ImportError:
        raise ExitError(MISSING_EXTRA, 2) from None
    local = is_loopback(host)
    if not local:
        click.echo(f"warning: listening on {host}: anyone who can reach this machine can upload files and "
                   "read results; there is no login", err=True)
    app = create_app(max_upload_mb, allowed_hosts=allowed_hosts(host))
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    click.echo(f"remin serving on http://{_url_host(shown)}:{port}  (Ctrl+C to stop)", err=True)
    uvicorn.run(app, host=host, port=port, log_level="info", server_header=False)


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def allowed_hosts(host: str) -> list[str]:
    """Host headers to answer: the local names plus the one served on; any when listening
    on all interfaces (the user chose to open it to the network)."""
    from remin.web.app import LOCAL_HOSTS
    if host in ("0.0.0.0", "::"):
        return ["*"]
    return sorted({*LOCAL_HOSTS, _url_host(host.strip("[]")).lower()})


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
