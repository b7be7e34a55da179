"""Country spellings -> ISO alpha-2 (remin.countries, used by the library and the readers)."""
from __future__ import annotations

import pandas as pd
import pytest

from remin.countries import _table, country_iso2, normalise_key, to_iso2
from remin.paths import data_path


def test_china_in_all_its_spellings_is_cn():
    spellings = ["CN", "cn", "CHN", "China", " china ", "PRC", "P.R.C.", "People's Republic of China",
                 "PEOPLES REPUBLIC OF CHINA", "Mainland China", "China, People’s Republic of"]
    codes, bad = to_iso2(pd.Series(spellings))
    assert codes.tolist() == ["CN"] * len(spellings) and not bad.any()


def test_other_countries_and_what_is_not_a_country():
    values = pd.Series(["Japan", "JPN", "USA", "United Kingdom", "UK", "Türkiye", "Turkey", "Viet Nam",
                        "Taiwan", "Korea", "Atlantis", None, "", "unknown", "n/a"], index=range(10, 25))
    codes, bad = to_iso2(values)
    assert codes.tolist()[:9] == ["JP", "JP", "US", "GB", "GB", "TR", "TR", "VN", "TW"]
    # "Korea" is ambiguous and "Atlantis" is no country: NA and flagged; blanks and "unknown": NA, not flagged
    assert codes.iloc[9:].isna().all()
    assert bad.tolist() == [False] * 9 + [True, True, False, False, False, False]
    assert list(codes.index) == list(values.index)


def test_every_spelling_in_the_table_means_one_country():
    frame = pd.read_csv(data_path("countries.csv"), comment="#", dtype=str, keep_default_na=False)
    seen: dict[str, str] = {}
    for row in frame.itertuples(index=False):
        for spelling in [row.alpha2, row.alpha3, row.name, *filter(None, row.aliases.split("|"))]:
            key = normalise_key(spelling)
            assert seen.setdefault(key, row.alpha2) == row.alpha2, f"{spelling!r} is {seen[key]} and {row.alpha2}"
    assert len(frame) == frame["alpha2"].nunique() >= 249
    assert len(_table()) == len(seen)


def test_country_iso2_one_value():
    assert country_iso2("Deutschland") == "DE" and country_iso2("unknown") is None
    with pytest.raises(ValueError, match="not a country"):
        country_iso2("Narnia")
