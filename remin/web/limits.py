"""The upload size limit, enforced on the request body before any form is parsed:
a declared Content-Length above the limit is refused without reading it, and a
body sent without one is counted and cut off once it passes the limit."""
from __future__ import annotations

import json

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def size_text(n_bytes: int) -> str:
    """12.3 MB, or 8.6 kB below 0.1 MB (MB = 10^6 bytes, as the limit)."""
    return f"{n_bytes / 1e6:.1f} MB" if n_bytes >= 100_000 else f"{n_bytes / 1e3:.1f} kB"


def too_large_message(limit_mb: float, size_bytes: int | None = None) -> str:
    size = f" ({size_text(size_bytes)})" if size_bytes else ""
    return (f"upload too large{size}: the limit is {limit_mb:g} MB per check. Split the BOM, leave out "
            "sheets that are not needed, or ask whoever runs the server to start it with "
            "`remin serve --max-upload-mb N`")


class BodySizeLimit:
    """ASGI middleware answering 413 with ``too_large_message`` (JSON ``{"error": ...}``)."""

    def __init__(self, app: ASGIApp, max_bytes: int, limit_mb: float):
        self.app, self.max_bytes, self.limit_mb = app, max_bytes, limit_mb

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            return await self._refuse(send, declared)
        received = 0

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # An HTTPException passes through FastAPI's form parsing to the app's handler.
                    raise HTTPException(413, too_large_message(self.limit_mb))
            return message

        await self.app(scope, counted_receive, send)

    async def _refuse(self, send: Send, size: int) -> None:
        body = json.dumps({"error": too_large_message(self.limit_mb, size)}).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})


def _content_length(scope: Scope) -> int | None:
    for key, value in scope.get("headers", ()):
        if key == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
