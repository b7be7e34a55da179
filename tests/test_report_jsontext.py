"""The JSON report's compact output written column by column (remin.report.jsontext) is
byte for byte what json.dumps writes for the same report built as dicts."""
from __future__ import annotations

import datetime
import json
import math

import numpy as np
import pandas as pd
import pytest

from remin.api import run_check
from remin.report import json as report_json
from remin.report.jsontext import RawTexts, column_texts, records_text, value_text

RATES = "data/examples/rates-example.csv"


@pytest.mark.parametrize("files", [["data/examples/ev-drive-unit.xlsx"], ["data/examples/consumer-device.csv"],
                                   ["data/examples/sap-export.csv", "data/examples/sap-export-composition.csv"]])
def test_compact_report_equals_dumps_of_the_dicts(files):
    result = run_check(files, as_of=datetime.date(2026, 11, 22), rates=RATES)
    frames = result.frames()
    fast = report_json.to_json(result.assessment, indent=None, frames=frames)
    slow = json.dumps(report_json.to_dict(result.assessment, frames), ensure_ascii=False,
                      default=report_json._default)
    assert len(json.loads(fast)["skus"][0]["contributors"]) > 0    # the detail is really in it
    assert fast == slow


def test_value_text_matches_json_dumps():
    for v in (None, True, False, 0, -7, 2**70, 0.1 + 0.2, 1e-20, 3.0, float("nan"), float("inf"), -float("inf"),
              "plain", 'quote " and \\ backslash', "tab\tnew\nline \x01", "Ünïcødé ✓", [1, "a"]):
        assert value_text(v) == json.dumps(v, ensure_ascii=False)


def test_column_texts_round_numbers_as_pandas_json_then_json_loads():
    # pandas writes 15 decimals: 1/3 -> 0.333333333333333; a whole float keeps ".0"
    col = pd.Series([1 / 3, 3.0, np.nan, 2.5e-17, 123456789.123456789])
    want = [json.dumps(v) for v in json.loads(col.to_frame().to_json(orient="values", double_precision=15))]
    want = [w[1:-1] for w in want]          # [x] -> x
    assert column_texts(col) == want
    assert column_texts(col)[0] == "0.333333333333333" and column_texts(col)[1] == "3.0"
    assert column_texts(col)[2] == "null"
    assert column_texts(pd.Series([1, 2], dtype="int64")) == ["1", "2"]
    assert column_texts(pd.Series([True, False])) == ["true", "false"]
    assert column_texts(pd.Series(["a", None, math.nan], dtype=object)) == ['"a"', "null", "null"]
    assert column_texts(pd.Series([475, None], dtype=object)) == ["475", "null"]


def test_records_and_placeholders():
    recs = records_text([("a", ["1", "2"]), ("b", ['"x"', "null"])], tail=[', "c": []', ', "c": [1]'])
    assert [json.loads(r) for r in recs] == [{"a": 1, "b": "x", "c": []}, {"a": 2, "b": None, "c": [1]}]
    raw = RawTexts()
    doc = {"k": raw.add("[" + ", ".join(recs) + "]"), "s": "\x00 not a placeholder \x00"}
    text = raw.substitute(json.dumps(doc, ensure_ascii=False))
    assert json.loads(text)["k"][1] == {"a": 2, "b": None, "c": [1]}
    assert json.loads(text)["s"] == "\x00 not a placeholder \x00"


def test_column_texts_per_distinct_value_keep_every_cell():
    # encoded once per distinct value, then taken back: repeats, NaN as null, -0.0 as
    # pandas' writer has it (0.0), strings with their missing cells, nullable integers
    col = pd.Series([0.5, -0.0, 0.0, 0.5, np.nan, 1 / 3, np.nan])
    assert column_texts(col) == ["0.5", "0.0", "0.0", "0.5", "null", "0.333333333333333", "null"]
    assert column_texts(pd.Series([3, 1, 3], dtype="int64")) == ["3", "1", "3"]
    assert column_texts(pd.Series(["b", None, "a", "b"], dtype="string")) == ['"b"', "null", '"a"', '"b"']
    assert column_texts(pd.Series([2, None, 2], dtype="Int64")) == ["2", "null", "2"]
    assert column_texts(pd.Series([], dtype=float)) == []
