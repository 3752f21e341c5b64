"""Facility search as the user types: width, spaces, kana and variant kanji aside, best match first."""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import TYPE_CHECKING

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.models.facility import Facility, FacilityListInfo
from app.store import facility_index
from app.store.facility_index import FacilityIndex, FacilityIndexError, fold, fts5_trigram_available

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

INFO = FacilityListInfo(
    list_id="test",
    society="テスト学会",
    name="テスト一覧",
    version_date=dt.date(2026, 4, 1),
    source="tests",
    sha256="0" * 64,
    sample=False,
    data_file="list.csv",
)
FACILITIES = [
    Facility(cert_no="20953", name="伊勢赤十字病院", address="三重県伊勢市船江1-471-2"),
    Facility(cert_no="0608", name="岐阜赤十字病院", address="岐阜県岐阜市吉田町3-36"),
    Facility(cert_no="30001", name="髙橋記念病院", address="東京都港区"),
    Facility(cert_no="30002", name="山﨑クリニック", address="大阪府大阪市"),
    Facility(cert_no="30003", name="渡邊病院", address="福岡県福岡市"),
    Facility(cert_no="30004", name="齋藤医院", address="北海道札幌市"),
    Facility(cert_no="30005", name="霞ヶ浦医療センター", address="茨城県土浦市"),
    Facility(cert_no="30006", name="NTT東日本関東病院", address="東京都品川区"),
    Facility(cert_no="30007", name="伊勢崎市民病院", address="群馬県伊勢崎市"),
    Facility(cert_no="30008", name="市立伊勢総合病院", address="三重県伊勢市楠部町"),
    Facility(cert_no="30009", name="津中央病院", address="三重県伊勢市の隣"),
    Facility(cert_no="20954", name="別の病院", address="どこか", cert_start=dt.date(2020, 4, 1)),
    Facility(cert_no="30010", name="赤十字病院", address="伊勢", kind="関連施設"),
]


@pytest.fixture(params=[None, False], ids=["fts5", "without-fts5"])
def index(request: pytest.FixtureRequest) -> Iterator[FacilityIndex]:
    with FacilityIndex.build(INFO, FACILITIES, fts=request.param) as built:
        yield built


def names(index: FacilityIndex, text: str) -> list[str]:
    return [hit.facility.name for hit in index.search(text)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("高橋", "髙橋記念病院"),
        ("山崎", "山﨑クリニック"),
        ("渡辺", "渡邊病院"),
        ("渡邉", "渡邊病院"),
        ("斎藤", "齋藤医院"),
        ("齊藤医院", "齋藤医院"),
        ("霞ケ浦", "霞ヶ浦医療センター"),
        ("ｾﾝﾀｰ", "霞ヶ浦医療センター"),
        ("医療せんたー", "霞ヶ浦医療センター"),
        ("ＮＴＴ", "NTT東日本関東病院"),
        ("ntt 東日本", "NTT東日本関東病院"),
        ("伊勢 赤十字", "伊勢赤十字病院"),
        ("伊勢赤十字", "伊勢赤十字病院"),
        ("伊 勢 赤 十 字", "伊勢赤十字病院"),
        ("１－４７１", "伊勢赤十字病院"),
        ("1ー471ー2", "伊勢赤十字病院"),
        ("２０９５３", "伊勢赤十字病院"),
    ],
)
def test_search_ignores_width_spaces_kana_and_variants(
    index: FacilityIndex, query: str, expected: str
) -> None:
    """A name written with another width, spacing, kana or variant kanji still finds the facility."""
    assert names(index, query)[0] == expected


def test_katakana_and_hiragana_match() -> None:
    """Katakana typed as hiragana (or half-width) finds the name."""
    with FacilityIndex.build(INFO, [Facility(cert_no="1", name="さくらクリニック")]) as index:
        assert names(index, "サクラ") == ["さくらクリニック"]
        assert names(index, "ｸﾘﾆｯｸ") == ["さくらクリニック"]


def test_ranking_number_then_name_prefix_then_name_then_address(index: FacilityIndex) -> None:
    """伊勢: names starting with it first, then names containing it, then addresses."""
    hits = index.search("伊勢")
    assert [(hit.facility.name, hit.match) for hit in hits] == [
        ("伊勢崎市民病院", "name_prefix"),
        ("伊勢赤十字病院", "name_prefix"),
        ("市立伊勢総合病院", "name"),
        ("津中央病院", "address"),
        ("赤十字病院", "address"),
    ]


def test_number_exact_then_number_prefix(index: FacilityIndex) -> None:
    """Typing a 認定番号 puts that facility first, then the numbers that start with it."""
    assert [(hit.facility.cert_no, hit.match) for hit in index.search("2095")] == [
        ("20953", "cert_no_prefix"),
        ("20954", "cert_no_prefix"),
    ]
    assert index.search("20953")[0].match == "cert_no"
    assert [hit.facility.cert_no for hit in index.search("0953")] == ["20953"]


def test_every_word_must_match_somewhere(index: FacilityIndex) -> None:
    """Words apart (a place and a name) find entries holding both, after the exact runs."""
    assert names(index, "三重 赤十字") == ["伊勢赤十字病院"]
    assert names(index, "三重 中央") == ["津中央病院"]
    assert names(index, "北海道 赤十字") == []


def test_limit_and_empty_queries(index: FacilityIndex) -> None:
    """At most `limit` results; an empty or blank query finds nothing."""
    assert len(index.search("病院", limit=3)) == 3
    assert index.search("") == [] and index.search(" 　") == []
    assert index.search("病院", limit=0) == []


def test_lookup_by_number_returns_every_period(index: FacilityIndex) -> None:
    """The rules see every entry of a 認定番号, and an unknown number finds none."""
    assert [f.name for f in index.by_cert_no("20953")] == ["伊勢赤十字病院"]
    assert index.by_cert_no("99999") == []
    assert index.info == INFO and len(index) == len(FACILITIES)


def test_quotes_and_fts_syntax_in_queries_are_plain_text(index: FacilityIndex) -> None:
    """Characters FTS5 treats as syntax (quotes, *, AND, NEAR) are searched as typed, never an error."""
    for query in ['"', '伊勢"赤', "病院*", "AND OR NOT", "NEAR(病院)", "'; DROP TABLE entries; --"]:
        index.search(query)
    assert len(index) == len(FACILITIES)


def test_without_fts5_the_index_is_built_and_searched(monkeypatch: pytest.MonkeyPatch) -> None:
    """On an SQLite without FTS5 the list is still indexed and searched, by scanning."""
    monkeypatch.setattr(facility_index, "fts5_trigram_available", lambda connection: False)
    with FacilityIndex.build(INFO, FACILITIES) as index:
        assert not index.uses_fts
        assert names(index, "伊勢赤十字")[0] == "伊勢赤十字病院"
        tables = {row[0] for row in index._connection.execute("SELECT name FROM sqlite_master")}
        assert "search" not in tables


def test_this_sqlite_has_fts5_trigram() -> None:
    """The SQLite shipped with Shorei's Python has the FTS5 trigram tokenizer (the fast path)."""
    assert fts5_trigram_available(sqlite3.connect(":memory:"))


def test_index_file_built_with_fts5_opens_without_it(tmp_path: Path) -> None:
    """An index written with FTS5 and read where FTS5 is missing answers by scanning, the same."""
    path = tmp_path / "index.sqlite"
    FacilityIndex.build(INFO, FACILITIES, path).close()
    with FacilityIndex.open(path) as fast, FacilityIndex.open(path, fts=False) as slow:
        assert fast.uses_fts and not slow.uses_fts
        for query in ["伊勢", "伊勢赤十字", "病院", "三重 赤十字", "2095"]:
            assert fast.search(query) == slow.search(query)


def test_broken_index_file_is_refused(tmp_path: Path) -> None:
    """An index file that is missing or broken is reported so it can be rebuilt from the list."""
    with pytest.raises(FacilityIndexError, match="索引がありません"):
        FacilityIndex.open(tmp_path / "missing.sqlite")
    broken = tmp_path / "broken.sqlite"
    broken.write_bytes(b"garbage" * 1000)
    with pytest.raises(FacilityIndexError, match="索引を読めません"):
        FacilityIndex.open(broken)


_CHARS = "伊勢赤十字病院髙高﨑崎邊辺齋斎ヶケけ市立中央1２3 　ｶカか-ー"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=_CHARS, max_size=12))
def test_fold_is_idempotent_and_ignores_spaces(text: str) -> None:
    """Folding twice changes nothing more, and spaces anywhere do not matter."""
    assert fold(fold(text)) == fold(text)
    assert fold(text.replace(" ", "").replace("　", "")) == fold(text)
    assert not any(char.isspace() for char in fold(text))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789ABCXYZabcxyz", max_size=12))
def test_fold_ignores_width_and_case(text: str) -> None:
    """Full-width digits and letters fold like half-width ones, upper case like lower."""
    wide = "".join(chr(ord(char) + 0xFEE0) for char in text)
    assert fold(wide) == fold(text) == fold(text.upper())


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="高崎辺斎ケ病院市", max_size=10))
def test_fold_ignores_variant_kanji(text: str) -> None:
    """Writing a name with 髙, 﨑, 邊/邉, 齋/齊 or ヶ folds to the same as the common forms."""
    variant = (
        text.replace("高", "髙")
        .replace("崎", "﨑")
        .replace("辺", "邉")
        .replace("斎", "齊")
        .replace("ケ", "ヶ")
    )
    assert fold(variant) == fold(text)


_GENERATED = [
    Facility(cert_no=f"{n:05d}", name=f"{place}{kind}", address=f"{pref}{place}市{n % 7}-{n % 13}")
    for n, (place, kind, pref) in enumerate(
        (place, kind, pref)
        for place in ["伊勢", "高崎", "山﨑", "渡辺", "大津"]
        for kind in ["赤十字病院", "市民病院", "医療センター", "がんセンター"]
        for pref in ["三重県", "群馬県", "東京都"]
    )
]


@pytest.fixture(scope="module")
def both_paths() -> Iterator[tuple[FacilityIndex, FacilityIndex]]:
    with (
        FacilityIndex.build(INFO, _GENERATED, fts=True) as fast,
        FacilityIndex.build(INFO, _GENERATED, fts=False) as slow,
    ):
        yield fast, slow


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet="伊勢高髙崎﨑山渡辺大津赤十字市民医療セタンーが病院三重県群馬東京都0123- ",
        min_size=1,
        max_size=8,
    ),
    st.integers(1, 30),
)
def test_fts5_and_scan_give_the_same_results(
    both_paths: tuple[FacilityIndex, FacilityIndex], query: str, limit: int
) -> None:
    """The FTS5 path and the scanning fallback find and rank exactly the same entries."""
    fast, slow = both_paths
    assert fast.search(query, limit) == slow.search(query, limit)
