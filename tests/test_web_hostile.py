"""The web app under a real server on 127.0.0.1: oversized uploads (declared and
chunked), malformed multipart bodies, hostile workbooks, and a bounded burst of
concurrent uploads. Each request gets a clear status and a JSON error; the
server answers the page afterwards. Traffic goes to loopback only, in bounded
counts with timeouts."""
from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

uvicorn = pytest.importorskip("uvicorn")

from hostile_files import set_declared_size, small_bom_xlsx  # noqa: E402
from remin.web import create_app  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[1] / "data" / "examples"
EDU = EXAMPLES / "ev-drive-unit.xlsx"
LIMIT_MB = 0.05                       # 50 kB: the example workbooks fit, a padded body does not
BOUNDARY = "remin-hostile-boundary"
TIMEOUT_S = 60


@pytest.fixture(scope="module")
def server():
    """uvicorn serving create_app(max_upload_mb=0.05) on a free loopback port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(create_app(max_upload_mb=LIMIT_MB), host="127.0.0.1", port=port, log_level="error",
                            timeout_keep_alive=2)
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the server did not start")
        time.sleep(0.05)
    yield port
    srv.should_exit = True
    thread.join(15)


def request(port, method, path, body=b"", headers=None, chunked=False):
    """One request on a fresh connection; returns (status, parsed JSON or text)."""
    con = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT_S)
    try:
        con.request(method, path, body=body, headers={"Host": "127.0.0.1", **(headers or {})},
                    encode_chunked=chunked)
        resp = con.getresponse()
        data = resp.read()
    finally:
        con.close()
    kind = resp.getheader("content-type", "")
    return resp.status, json.loads(data) if kind.startswith("application/json") else data.decode("utf-8", "replace")


def multipart(*parts: tuple[str, str, bytes], boundary: str = BOUNDARY) -> bytes:
    out = b""
    for field, filename, content in parts:
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\n"
                f"Content-Type: application/octet-stream\r\n\r\n").encode() + content + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()


FORM = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}


def still_up(port):
    status, text = request(port, "GET", "/")
    assert status == 200 and "remin" in text


def test_a_good_upload_is_screened(server):
    status, body = request(server, "POST", "/api/check", multipart(("files", EDU.name, EDU.read_bytes())), FORM)
    assert status == 200 and {s["sku"] for s in body["skus"]}


def test_oversized_uploads_are_refused_with_the_limit(server):
    big = multipart(("files", "big.csv", b"Part Number,Qty\n" + b"A,1\n" * 40_000))   # 160 kB
    status, body = request(server, "POST", "/api/check", big, FORM)
    assert status == 413 and "the limit is 0.05 MB per check" in body["error"]
    status, body = request(server, "POST", "/api/check", iter([big[i:i + 8192] for i in range(0, len(big), 8192)]),
                           FORM, chunked=True)                      # no Content-Length: counted
    assert status == 413 and "upload too large" in body["error"]
    still_up(server)


@pytest.mark.parametrize("headers, body", [
    ({"Content-Type": "multipart/form-data"}, b"no boundary at all"),                      # no boundary
    (FORM, b"this is not multipart"),                                                       # garbage
    (FORM, f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.csv\"\r\n\r\n"
           "Part Number,Qty\nA,1\n".encode()),                                              # never closed
    (FORM, f"--{BOUNDARY}\r\nContent-Disposition: form-data\r\n\r\nx\r\n--{BOUNDARY}--\r\n".encode()),  # no name
    (FORM, f"--{BOUNDARY}\r\n\r\n\r\n--{BOUNDARY}--\r\n".encode()),                          # no headers
    (FORM, f"--{BOUNDARY}--\r\n".encode()),                                                 # no parts
    ({"Content-Type": "application/json"}, b'{"files": "bom.csv"}'),                        # not a form
    (FORM, b"".join(f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"f{i}\"\r\n\r\nx\r\n".encode()
                    for i in range(1500)) + f"--{BOUNDARY}--\r\n".encode()),                # 1,500 fields
])
def test_malformed_multipart_bodies_get_a_clear_4xx(server, headers, body):
    status, answer = request(server, "POST", "/api/check", body, headers)
    assert 400 <= status < 500, (status, answer)
    assert isinstance(answer, dict) and answer["error"], answer
    still_up(server)


def test_hostile_workbooks_get_a_clear_422(server, tmp_path):
    bomb = set_declared_size(small_bom_xlsx(tmp_path / "bomb.xlsx"), "xl/worksheets/sheet1.xml", 0xFFFFFFF0)
    status, body = request(server, "POST", "/api/check", multipart(("files", "bomb.xlsx", bomb.read_bytes())), FORM)
    assert status == 422 and "unzips to 4,295 MB" in body["error"]
    locked = Path(__file__).parent / "fixtures" / "hostile" / "password-protected.xlsx"
    status, body = request(server, "POST", "/api/check", multipart(("files", "locked.xlsx", locked.read_bytes())),
                           FORM)
    assert status == 422 and "password-protected" in body["error"]
    still_up(server)


def test_a_bounded_burst_of_concurrent_uploads_is_answered(server):
    good = multipart(("files", EDU.name, EDU.read_bytes()))
    big = multipart(("files", "big.csv", b"x" * 100_000))
    bad = b"garbage"
    jobs = [(good, 200)] * 10 + [(big, 413)] * 6 + [(bad, 400)] * 6      # 22 requests, 8 at a time
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda job: (request(server, "POST", "/api/check", job[0], FORM), job[1]), jobs))
    assert time.monotonic() - started < 240
    for (status, body), expected in results:
        assert status == expected, (status, body)
        assert isinstance(body, dict)
        assert ("skus" in body) if expected == 200 else body["error"]
    still_up(server)


def test_a_utf16_csv_without_byte_order_mark_is_screened(server):
    text = "Level,Part Number,Qty,Unit weight (g)\n0,P1,1,\n1,M1,2,10\n".encode("utf-16-le")
    status, body = request(server, "POST", "/api/check", multipart(("files", "bom.csv", text)), FORM)
    assert status == 200, body
    assert body["skus"][0]["mass_kg"] == pytest.approx(2 * 0.010)
