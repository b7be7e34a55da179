"""remin batch: 200 generated BOM files, one broken; parallel scoring, failures per
file, resume by content and fingerprint, --force, outputs, input expansion."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from remin.batch import BatchInterrupted, BatchOptions, expand_inputs, run_batch, score_file
from remin.errors import UsageError

N_FILES, BROKEN = 200, 137
AS_OF = "2026-01-15"


def bom_text(k: int) -> str:
    """SKU-k: two 5 g magnets with Dy and a 990 g housing -> 1000 g.
    k % 3 == 0: 5 wt% Dy, CN  -> 2 x 5 g x 5 %  = 0.5 g CN  -> 0.05 % below
    k % 3 == 1: 20 wt% Dy, CN -> 2 x 5 g x 20 % = 2 g CN    -> 0.2 % above
    k % 3 == 2: 20 wt% Dy, origin not given     -> 2 g unknown -> 0 .. 0.2 % indeterminate"""
    wt, origin = {0: (5, "CN"), 1: (20, "CN"), 2: (20, "")}[k % 3]
    return ("Level,Part Number,Description,Qty,UoM,Unit Weight (g),RE Origin,Dy [wt%]\n"
            f"0,SKU-{k},Product {k},1,EA,,,\n"
            f"1,MAG-{k},Magnet,2,EA,5,{origin},{wt}\n"
            f"1,HSG-{k},Housing,1,EA,990,,\n")


EXPECTED = {0: ("below", 0.5e-3, 0.0), 1: ("above", 2e-3, 0.0), 2: ("indeterminate", 0.0, 2e-3)}


def write_boms(folder: Path, n: int = N_FILES, broken: int | None = BROKEN) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for k in range(n):
        text = "this is not a bill of materials\njust a note\n" if k == broken else bom_text(k)
        (folder / f"bom-{k:03d}.csv").write_text(text)
    return folder


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    """The 200 files scored once from the command line with 2 workers."""
    from click.testing import CliRunner
    from remin.cli import main
    root = tmp_path_factory.mktemp("batch")
    boms = write_boms(root / "boms")
    out = root / "scores.csv"
    result = CliRunner().invoke(main, ["batch", str(boms), "--output", str(out), "--as-of", AS_OF, "-j", "2"])
    return root, boms, out, result


def test_200_files_199_scored_1_failure_reported(first_run):
    root, boms, out, result = first_run
    assert result.exit_code == 0, result.output
    assert "200 files: 199 scored, 1 failed (0 from earlier runs)" in result.stderr
    assert f"bom-{BROKEN}.csv" in result.stderr
    rows = pd.read_csv(out)
    assert len(rows) == 200 and rows["file"].is_unique                  # one SKU per file, one row per failure
    assert rows["file"].tolist() == sorted(rows["file"])                # sorted by file
    failed = rows[rows["status"] == "failed"]
    assert failed["file"].tolist() == [str(boms / f"bom-{BROKEN}.csv")]
    assert "no header row found" in failed["error"].iloc[0] and failed["sku"].isna().all()
    scored = rows[rows["status"] == "scored"].set_index("sku")
    assert len(scored) == 199 and (scored["rules_as_of"] == AS_OF).all()
    for k in (0, 1, 2, 198, 199):
        verdict, cn, unknown = EXPECTED[k % 3]
        r = scored.loc[f"SKU-{k}"]
        assert r["mass_kg"] == pytest.approx(1.0)                       # 2 x 5 g + 990 g
        assert r["cn_controlled_kg"] == pytest.approx(cn) and r["unknown_controlled_kg"] == pytest.approx(unknown)
        assert r["mass_share_high"] == pytest.approx((cn + unknown) / 1.0)
        assert r["verdict"] == verdict and r["decided_by"] == "mass"
    # 0..199 without 137: k%3==0 -> 67 files, k%3==1 -> 67, k%3==2 -> 66 - 1 broken = 65
    assert scored["verdict"].value_counts().to_dict() == {"below": 67, "above": 67, "indeterminate": 65}
    assert (scored.loc["SKU-2", "warning_codes"] or "").count("unknown-origin") == 1


def test_second_run_skips_all_200_and_writes_the_same_rows(first_run):
    root, boms, out, _ = first_run
    again = run_batch([str(boms)], BatchOptions(as_of=pd.Timestamp(AS_OF).date()), output=root / "again.csv",
                      state=root / "scores.batch-state.sqlite", workers=2)
    assert again.reused == 200 and len(again.failures) == 1
    pd.testing.assert_frame_equal(pd.read_csv(root / "again.csv"), pd.read_csv(out))


def test_changed_file_is_scored_again_and_force_rescans(first_run, tmp_path):
    root, boms, _, _ = first_run
    copy = tmp_path / "boms"
    shutil.copytree(boms, copy)
    (copy / "bom-000.csv").write_text(bom_text(1).replace("SKU-1", "SKU-0"))   # now 20 wt% CN: above
    state = tmp_path / "state.sqlite"
    shutil.copy(root / "scores.batch-state.sqlite", state)                    # results are keyed by content
    options = BatchOptions(as_of=pd.Timestamp(AS_OF).date())
    report = run_batch([str(copy)], options, state=state, workers=1)
    assert report.reused == 199
    assert report.frame.set_index("sku").at["SKU-0", "verdict"] == "above"
    # another date is another fingerprint: nothing is reused
    other = run_batch([str(copy / "bom-00*.csv")], BatchOptions(as_of=pd.Timestamp("2026-02-01").date()),
                      state=state, workers=1)
    assert other.reused == 0 and len(other.files) == 10
    forced = run_batch([str(copy / "bom-00*.csv")], options, state=state, workers=2, force=True)
    assert forced.reused == 0 and len(forced.scored) == 10


def test_an_interrupted_batch_resumes_where_it_stopped(tmp_path, monkeypatch):
    import remin.batch.run as batch_run
    boms = write_boms(tmp_path / "boms", n=5, broken=None)
    options = BatchOptions(as_of=pd.Timestamp(AS_OF).date())
    real, calls = batch_run.score_file, []

    def interrupted_at_the_third(path, ctx, sha):
        calls.append(path)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(path, ctx, sha)

    monkeypatch.setattr(batch_run, "score_file", interrupted_at_the_third)
    with pytest.raises(BatchInterrupted, match="2 of 5 files done and kept") as stopped:
        run_batch([str(boms)], options, output=tmp_path / "s.csv", workers=1)
    assert stopped.value.exit_code == 130 and not (tmp_path / "s.csv").exists()
    monkeypatch.setattr(batch_run, "score_file", real)
    resumed = run_batch([str(boms)], options, output=tmp_path / "s.csv", workers=1)
    assert resumed.reused == 2 and len(resumed.scored) == 5


def test_json_and_xlsx_outputs(tmp_path):
    boms = write_boms(tmp_path / "boms", n=4, broken=3)
    options = BatchOptions(as_of=pd.Timestamp(AS_OF).date())
    run_batch([str(boms)], options, output=tmp_path / "s.json", workers=1)
    doc = json.loads((tmp_path / "s.json").read_text())
    assert (doc["files"], doc["scored"], doc["failed"]) == (4, 3, 1)
    assert doc["rules"]["as_of"] == AS_OF and doc["rules"]["id"] == "cn-rare-earth"
    assert [r["sku"] for r in doc["rows"]] == ["SKU-0", "SKU-1", "SKU-2"]
    assert doc["rows"][1]["cn_controlled_kg"] == pytest.approx(2e-3)
    assert doc["failures"][0]["file"].endswith("bom-003.csv")
    report = run_batch([str(boms)], options, output=tmp_path / "s.xlsx", workers=1)
    assert report.reused == 4                          # s.json and s.xlsx share the state s.batch-state.sqlite
    sheets = pd.read_excel(tmp_path / "s.xlsx", sheet_name=None, engine="calamine")
    assert set(sheets) == {"Scores", "Failures", "About"}
    assert sheets["Scores"]["verdict"].tolist() == ["below", "above", "indeterminate"]
    assert len(sheets["Failures"]) == 1


def test_score_file_never_raises(tmp_path):
    result = score_file(str(tmp_path / "missing.csv"), BatchOptions())
    assert result.status == "failed" and "no such file" in result.error


def test_inputs_expand_globs_and_folders_and_skip_own_files(tmp_path):
    boms = write_boms(tmp_path / "in", n=3, broken=None)
    (boms / "sub").mkdir()
    (boms / "sub" / "deep.xlsx").write_bytes(b"")
    (boms / "README.txt").write_text("notes")
    (boms / "~$bom-000.xlsx").write_bytes(b"")
    (boms / ".hidden.csv").write_text("x")
    out = boms / "scores.csv"
    out.write_text("old report")
    found = expand_inputs([str(boms)], exclude=[out])
    assert [Path(f).relative_to(boms).as_posix() for f in found] == \
        ["bom-000.csv", "bom-001.csv", "bom-002.csv", "sub/deep.xlsx"]
    assert expand_inputs([str(boms / "**" / "*.xlsx")]) == [str(boms / "sub" / "deep.xlsx")]
    assert expand_inputs([str(boms / "bom-001.csv"), str(boms / "bom-00[01].csv")]) == \
        [str(boms / "bom-000.csv"), str(boms / "bom-001.csv")]
    with pytest.raises(UsageError, match="no files match"):
        expand_inputs([str(boms / "*.ods")])


def test_library_state_is_part_of_the_fingerprint(tmp_path, cli):
    from test_library_check import declaration
    from remin.library import Library
    boms = tmp_path / "boms"
    boms.mkdir()
    (boms / "fan.csv").write_text("Level,Part Number,Qty,UoM,Unit Weight (g)\n0,FAN-1,1,EA,\n1,MAG-001,2,EA,\n"
                                  "1,HSG-1,1,EA,200\n")
    db = tmp_path / "parts.db"
    with Library.open(db, create=True) as lib:
        lib.import_file(declaration(tmp_path / "acme.xlsx"))
    options = BatchOptions(as_of=pd.Timestamp(AS_OF).date(), library=str(db))
    first = run_batch([str(boms)], options, output=tmp_path / "s.csv", workers=1)
    # 2 x 7.5 g magnets at 2 wt% Dy of unknown origin = 0.3 g over 215 g
    assert first.frame.at[0, "verdict"] == "indeterminate"
    assert first.frame.at[0, "unknown_controlled_kg"] == pytest.approx(0.3e-3)
    assert run_batch([str(boms)], options, output=tmp_path / "s.csv", workers=1).reused == 1
    assert cli("library", "override", "MAG-001", "--origin", "CN", "--reason", "smelter list", "--library",
               db).exit_code == 0
    after = run_batch([str(boms)], options, output=tmp_path / "s.csv", workers=1)
    assert after.reused == 0 and after.frame.at[0, "verdict"] == "above"   # 0.3 g / 215 g = 0.14 % >= 0.1 %


def test_bad_output_suffix_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match=".csv, .json or .xlsx"):
        run_batch([str(tmp_path)], output=tmp_path / "scores.txt")


def test_help_has_an_example(cli):
    out = cli("batch", "--help").output
    assert "Examples:" in out and "--scheduler" in out
