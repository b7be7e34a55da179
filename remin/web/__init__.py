"""remin's web app (``remin serve``): upload BOM files in a browser, see the
verdicts, findings and contributors, download the reports. Needs the ``web``
extra (fastapi, uvicorn, python-multipart, jinja2)."""
from remin.web.app import create_app

__all__ = ["create_app"]
