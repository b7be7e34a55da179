"""The web app's endpoints through the framework's test client (no server, no browser):
the JSON equals `remin check --format json`, the size limit and bad uploads answer
clear messages, nothing a client names reaches the file system, uploads are deleted.

Figures: data/examples/README.md (EV drive unit as of 2026-11-22; the SAP servo
motor) and a three-line BOM written here, with the arithmetic beside each."""
from __future__ import annotations

import io
import json
import re
import tempfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from remin.cli import main
from remin.web import create_app
from remin.web.limits import too_large_message
from remin.web.uploads import display_name

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "data" / "examples"
EDU = EXAMPLES / "ev-drive-unit.xlsx"
AS_OF = "2026-11-22"         # after the suspension: all 12 elements controlled

# A parent-child BOM whose unit-mass column ("Heft") only a mapping file names:
# KIT-1 = 2 x MAG-1 (10 g, 6 wt% Dy, RE origin CN) + 1 x CASE-1 (980 g).
WIDGETS_CSV = (b"Parent,Part Number,Qty,Heft,Dy [wt%],RE Origin\n"
               b",KIT-1,1,,,\nKIT-1,MAG-1,2,10,6,CN\nKIT-1,CASE-1,1,980,,\n")
WIDGETS_MAP = b'[columns]\nunit_mass = "Heft"\n[defaults]\nmass_unit = "g"\n'
KIT_MASS_KG = (2 * 10 + 980) / 1000            # 1.0 kg
KIT_DY_CN_KG = 2 * 10 * 0.06 / 1000            # 1.2 g = 0.0012 kg -> share 0.12 % (above)
# Dy2O3 is 87.13 wt% Dy with molmass's atomic weights (Dy 162.5, O 15.999405).
DY_IN_DY2O3 = 2 * 162.5 / (2 * 162.5 + 3 * 15.999405)


@pytest.fixture(scope="module")
def client():
    return TestClient(create_app(), base_url="http://127.0.0.1")


def upload(*paths: Path):
    return [("files", (p.name, p.read_bytes())) for p in paths]


def cli_json(*args: str) -> dict:
    result = CliRunner().invoke(main, ["check", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def as_uploaded(report, paths: dict[str, str]):
    """The CLI's report with every input path replaced by the file's name (what an upload
    is called): in inputs, findings and any detail that cites a source."""
    if isinstance(report, dict):
        return {k: as_uploaded(v, paths) for k, v in report.items()}
    if isinstance(report, list):
        return [as_uploaded(v, paths) for v in report]
    return paths.get(report, report) if isinstance(report, str) else report


# ---- the JSON ----

def test_check_returns_the_json_of_remin_check(client):
    r = client.post("/api/check", files=upload(EDU), data={"as_of": AS_OF})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/json"
    got = r.json()
    got.pop("generated_at", None)
    expected = as_uploaded(cli_json(str(EDU), "--as-of", AS_OF), {str(EDU): EDU.name})
    expected.pop("generated_at", None)
    assert got == expected
    edu = {s["sku"]: s for s in got["skus"]}["EDU-3000"]
    assert edu["mass_kg"] == pytest.approx(79.336109, abs=1e-6)
    # 68.189526 g CN / 79.336109 kg and (68.189526 + 16.647931) g / 79.336109 kg
    assert edu["mass_share"]["low"] == pytest.approx(0.068189526 / 79.336109, rel=1e-6)
    assert edu["mass_share"]["high"] == pytest.approx((0.068189526 + 0.016647931) / 79.336109, rel=1e-6)
    assert edu["verdict"] == "indeterminate"
    assert got["inputs"] == [{"path": "ev-drive-unit.xlsx", "sha256": got["inputs"][0]["sha256"]}]


def test_check_text_is_byte_for_byte_the_cli_output(client, tmp_path, monkeypatch):
    """Same bytes as `remin check --format json` run on a file of the same name."""
    r = client.post("/api/check", files=upload(EDU), data={"as_of": AS_OF})
    (tmp_path / EDU.name).write_bytes(EDU.read_bytes())
    monkeypatch.chdir(tmp_path)
    out = CliRunner().invoke(main, ["check", EDU.name, "--as-of", AS_OF, "--format", "json"]).output
    assert without_clock(r.text) == without_clock(out)


def without_clock(text: str) -> str:
    """The report's generation time (where the report has one) differs between two runs."""
    return re.sub(r'\n *"generated_at": "[^"]*",?', "", text)


def test_bom_and_composition_files_together(client):
    r = client.post("/api/check", data={"as_of": AS_OF},
                    files=upload(EXAMPLES / "sap-export.csv", EXAMPLES / "sap-export-composition.csv"))
    assert r.status_code == 200, r.text
    servo = {s["sku"]: s for s in r.json()["skus"]}["40031005"]
    # 11.44005 g CN / 8.48644 kg = 0.1348 % >= 0.1 %: above
    assert servo["mass_share"]["low"] == pytest.approx(0.01144005 / 8.48644, rel=1e-6)
    assert servo["verdict"] == "above"
    assert [i["path"] for i in r.json()["inputs"]] == ["sap-export.csv", "sap-export-composition.csv"]


def test_as_of_changes_the_rules(client):
    # Before No. 18 (2025-04-04) nothing is controlled: 0 g, below.
    r = client.post("/api/check", files=upload(EDU), data={"as_of": "2025-03-01"})
    edu = {s["sku"]: s for s in r.json()["skus"]}["EDU-3000"]
    assert r.json()["rules"]["controlled_elements"] == []
    assert edu["controlled_mass_kg"] == {"cn": 0, "other": 0, "unknown": 0}
    assert edu["verdict"] == "below"


def test_mapping_file_names_a_column(client):
    files = [("files", ("widgets.csv", WIDGETS_CSV))]
    without = client.post("/api/check", files=files, data={"as_of": AS_OF}).json()
    assert without["skus"][0]["mass_kg"] is None            # "Heft" unknown: no mass
    r = client.post("/api/check", files=[*files, ("mapping", ("widgets.map.toml", WIDGETS_MAP))],
                    data={"as_of": AS_OF})
    assert r.status_code == 200, r.text
    kit = r.json()["skus"][0]
    assert kit["sku"] == "KIT-1"
    assert kit["mass_kg"] == pytest.approx(KIT_MASS_KG)
    assert kit["controlled_mass_kg"]["cn"] == pytest.approx(KIT_DY_CN_KG)
    assert kit["mass_share"]["low"] == pytest.approx(KIT_DY_CN_KG / KIT_MASS_KG)     # 0.0012
    assert kit["verdict"] == "above"


def test_results_add_the_contributors_of_each_sku(client):
    r = client.post("/api/results", files=upload(EDU), data={"as_of": AS_OF})
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["check"] == client.post("/api/check", files=upload(EDU),
                                        data={"as_of": AS_OF, "detail": "false"}).json()
    rotor = data["contributors"]["ROT-150-A"]
    by_part = {row["part"]: row for row in rotor["rows"]}
    assert list(by_part) == ["MAG-N42DY", "CTG-DY2O3", "MAG-N48TB"]       # by CN kg, then unknown kg
    assert by_part["MAG-N42DY"]["extended_qty"] == 48
    assert by_part["MAG-N42DY"]["cn_kg"] == pytest.approx(48 * 30.6e-3 * 0.045)          # 66.096 g
    assert by_part["CTG-DY2O3"]["cn_kg"] == pytest.approx(6e-3 * 0.40 * DY_IN_DY2O3)  # 2.0912 g
    assert by_part["MAG-N48TB"]["unknown_kg"] == pytest.approx(16 * 30.6e-3 * (0.025 + 0.009))  # 16.6464 g
    assert rotor["others"] is None and rotor["count"] == 3
    assert set(data["contributors"]) == {"EDU-3000", "ROT-150-A"}


# ---- the report download ----

def test_report_downloads_as_xlsx_naming_the_upload(client):
    r = client.post("/api/report", files=upload(EDU), data={"as_of": AS_OF})
    assert r.status_code == 200, r.text
    assert r.headers["content-disposition"] == 'attachment; filename="remin-report-2026-11-22.xlsx"'
    wb = openpyxl.load_workbook(io.BytesIO(r.content), read_only=True)
    summary = list(wb["Summary"].iter_rows(values_only=True))
    verdicts = {row[0]: row[summary[0].index("Verdict")] for row in summary[1:]}
    assert verdicts == {"EDU-3000": "indeterminate", "ROT-150-A": "above"}
    inputs = list(wb["Inputs"].iter_rows(values_only=True))
    assert inputs[0] == ("Input file", "SHA-256", "Bytes")
    # the upload's name and its size as uploaded, not a server path
    assert inputs[1][0] == "ev-drive-unit.xlsx" and inputs[1][2] == EDU.stat().st_size


# ---- the size limit ----

def test_upload_over_the_limit_is_refused_with_the_limit_named():
    small = TestClient(create_app(max_upload_mb=0.005), base_url="http://127.0.0.1")     # 5 kB
    r = small.post("/api/check", files=upload(EDU))                    # 8.6 kB workbook
    assert r.status_code == 413
    assert r.json()["error"].startswith("upload too large (")
    assert "the limit is 0.005 MB per check" in r.json()["error"]
    assert "remin serve --max-upload-mb" in r.json()["error"]


def test_body_without_content_length_is_counted():
    small = TestClient(create_app(max_upload_mb=0.005), base_url="http://127.0.0.1")
    boundary = "remin-test-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.csv\"\r\n\r\n"
            .encode() + b"x" * 20_000 + f"\r\n--{boundary}--\r\n".encode())

    def chunks():                                       # a generator: sent chunked, no Content-Length
        for i in range(0, len(body), 4096):
            yield body[i:i + 4096]

    r = small.post("/api/check", content=chunks(), headers={"content-type": f"multipart/form-data; boundary={boundary}"})
    assert r.status_code == 413
    assert r.json()["error"] == too_large_message(0.005)


def test_the_limit_is_shown_on_the_page():
    page = TestClient(create_app(max_upload_mb=200), base_url="http://127.0.0.1").get("/")
    assert 'data-max-upload-mb="200"' in page.text
    assert "Up to 200&nbsp;MB per check" in page.text


# ---- bad uploads ----

@pytest.mark.parametrize("name, content, status, message", [
    ("declaration.pdf", b"%PDF-1.7\n", 415,
     "declaration.pdf: not a spreadsheet (extension .pdf); accepted: .csv, .ods, .tsv, .txt, .xls, .xlsb, .xlsm, .xlsx"),
    ("bom", b"a,b\n", 415, "bom: not a spreadsheet (extension (none)); accepted:"),
    ("bom.xlsx", b"%PDF-1.7\n", 415, "bom.xlsx: this is a PDF document, not a spreadsheet"),
    ("photo.csv", b"\x89PNG\r\n\x1a\n", 415, "photo.csv: this is a PNG image, not a spreadsheet"),
    ("bom.xlsx", b"Part Number,Qty\n", 415, "bom.xlsx: not a .xlsx workbook (a .xlsx file is a zip package"),
    ("bom.csv", EDU.read_bytes(), 415, "bom.csv: this is an Excel workbook, not .csv text"),
    ("bom.csv", b"Part\x00Number\x00", 415, "bom.csv: binary content, not .csv text"),
    ("empty.csv", b"", 400, "empty.csv: the file is empty"),
    ("notes.csv", b"just,some\nwords,here\n", 422, "notes.csv: no header row found"),
    ("broken.xlsx", b"PK\x03\x04 not really a zip", 422, "broken.xlsx: cannot open as a spreadsheet"),
])
def test_bad_upload_gets_a_clear_message(client, name, content, status, message):
    r = client.post("/api/check", files=[("files", (name, content))])
    assert r.status_code == status, r.text
    assert r.json()["error"].startswith(message)
    assert "remin-upload-" not in r.json()["error"] and "/tmp" not in r.json()["error"]


def test_bad_mapping_file(client):
    files = [("files", ("widgets.csv", WIDGETS_CSV))]
    r = client.post("/api/check", files=[*files, ("mapping", ("map.txt", WIDGETS_MAP))])
    assert r.status_code == 415
    assert r.json()["error"] == "map.txt: not a mapping file (extension .txt); accepted: .toml"
    r = client.post("/api/check", files=[*files, ("mapping", ("map.toml", b"[colums]\n"))])
    assert r.status_code == 422
    assert r.json()["error"] == ("map.toml, line 1, key 'colums': unknown section; expected one of "
                                 "['columns', 'defaults', 'product']")


@pytest.mark.parametrize("data, message", [
    ({}, "no BOM file uploaded: send one or more spreadsheets in the form field 'files'"),
    ({"as_of": "22.11.2026"}, "as_of: '22.11.2026' is not a date; expected YYYY-MM-DD, e.g. 2026-01-15"),
    ({"as_written": "perhaps"}, "form field 'as_written': Input should be a valid boolean"),
])
def test_bad_form_fields(client, data, message):
    files = upload(EDU) if data else None
    r = client.post("/api/check", data=data, files=files)
    assert r.status_code == 400
    assert r.json()["error"].startswith(message)


# ---- file names and the file system ----

@pytest.mark.parametrize("sent, shown", [
    ("../../etc/cron.d/evil.csv", "evil.csv"),
    ("C:\\Users\\eve\\..\\bom.csv", "bom.csv"),
    ("bom\x00\x1b[31m.csv", "bom[31m.csv"),
    ("   ", "upload-1"),
    ("Stückliste März.CSV", "Stückliste März.CSV"),
])
def test_display_name_keeps_only_a_clean_last_component(sent, shown):
    assert display_name(sent, "upload-1") == shown


def test_no_client_path_reaches_the_disk_and_uploads_are_deleted(client, monkeypatch, tmp_path):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))           # where TemporaryDirectory creates
    target = tmp_path / "escaped.csv"
    r = client.post("/api/check", data={"as_of": AS_OF},
                    files=[("files", ("../escaped.csv", (EXAMPLES / "consumer-device.csv").read_bytes()))])
    assert r.status_code == 200, r.text
    assert r.json()["inputs"][0]["path"] == "escaped.csv"
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []                              # the upload folder is gone
    r = client.post("/api/check", files=[("files", ("broken.xlsx", b"PK\x03\x04 junk"))])
    assert r.status_code == 422
    assert list(tmp_path.iterdir()) == []                              # also after an error


def test_two_uploads_with_one_name_stay_apart(client):
    csv = (EXAMPLES / "consumer-device.csv").read_bytes()
    r = client.post("/api/check", files=[("files", ("bom.csv", csv)), ("files", ("bom.csv", csv))])
    assert [i["path"] for i in r.json()["inputs"]] == ["bom.csv", "bom (2).csv"]


# ---- the page and its safety headers ----

def test_page_loads_nothing_from_elsewhere(client):
    page = client.get("/")
    assert page.status_code == 200
    assert 'src="http://127.0.0.1/static/app.js"' in page.text
    for asset in ("/static/app.js", "/static/app.css"):
        r = client.get(asset)
        assert r.status_code == 200
        assert "https://" not in r.text and "http://" not in r.text.replace("http://www.w3.org/2000/svg", "")
    for html_url in ("https://", "http://cdn", "//cdn"):
        assert html_url not in page.text
    csp = page.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert client.get("/docs").status_code == 404                     # FastAPI's docs page uses a CDN


def test_other_host_names_are_refused(client):
    assert client.get("/", headers={"host": "attacker.example"}).status_code == 400
    assert client.get("/", headers={"host": "localhost:8000"}).status_code == 200


def test_serve_command_starts_uvicorn_on_localhost(monkeypatch):
    import uvicorn
    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append((app, kw)))
    result = CliRunner().invoke(main, ["serve", "--port", "8123", "--max-upload-mb", "20"])
    assert result.exit_code == 0, result.output
    app, kw = calls[0]
    assert kw["host"] == "127.0.0.1" and kw["port"] == 8123
    assert app.state.max_upload_mb == 20
    assert "http://127.0.0.1:8123" in result.output


def test_serve_warns_when_open_to_the_network(monkeypatch):
    import uvicorn
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: None)
    result = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0"])
    assert result.exit_code == 0
    assert "warning: listening on 0.0.0.0" in result.output
