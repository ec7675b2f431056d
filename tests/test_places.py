"""The place registry: counts, hierarchy, retired codes, input checks, names and search."""

from __future__ import annotations

import csv
import pickle
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import pytest

from tongcheng.places import (
    Place,
    PlaceRegistry,
    RetiredPlace,
    UnknownPlace,
    default_registry,
)

ROOT = Path(__file__).resolve().parent.parent
SHANDONG_TSV = ROOT.parent / "shared" / "product" / "places-shandong.tsv"


@pytest.fixture(scope="module")
def reg() -> PlaceRegistry:
    return default_registry()


def current(reg: PlaceRegistry, level: str, prefix: str = "") -> list[Place]:
    return [p for p in reg.all() if p.current and p.level == level and p.code.startswith(prefix)]


# -- counts ------------------------------------------------------------------------------


def test_counts_by_level(reg: PlaceRegistry) -> None:
    assert len(current(reg, "province")) == 31
    assert len(current(reg, "city", "37")) == 16
    assert len(current(reg, "county", "37")) == 136
    assert len(current(reg, "county")) >= 2800
    assert 333 <= len(current(reg, "city")) <= 345  # 333 prefectures + municipal city codes


def test_no_taiwan_hong_kong_or_macao(reg: PlaceRegistry) -> None:
    for code in ("710000", "810000", "820000"):
        assert code not in reg


@pytest.mark.skipif(not SHANDONG_TSV.exists(), reason="shared/product not beside the repo")
def test_shandong_matches_the_product_list(reg: PlaceRegistry) -> None:
    with SHANDONG_TSV.open(encoding="utf-8", newline="") as f:
        rows = {r["code"]: r for r in csv.DictReader(f, delimiter="\t")}
    ours = {p.code: p for p in reg.all() if p.current and p.code.startswith("37")}
    assert set(ours) == set(rows)
    for code, row in rows.items():
        assert ours[code].name_zh == row["name_zh"]
        if row["level"] not in ("province", "city"):
            assert ours[code].parent == row["city"]
        if row["name_en"]:
            assert ours[code].name_en == row["name_en"]


def test_every_shandong_place_has_an_english_name(reg: PlaceRegistry) -> None:
    missing = [p.code for p in reg.all() if p.code.startswith("37") and p.current and not p.name_en]
    assert missing == []


def test_english_names_unique_within_shandong_except_homonyms(reg: PlaceRegistry) -> None:
    names = Counter(p.name_en for p in reg.all() if p.code.startswith("37") and p.current)
    # 市中区 (Jinan, Zaozhuang) and 兰山区/岚山区 (Linyi, Rizhao) are the same in pinyin.
    assert {n for n, k in names.items() if k > 1} == {"Shizhong", "Lanshan"}


# -- hierarchy ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "parent", "level"),
    [
        ("370000", None, "province"),
        ("370200", "370000", "city"),
        ("370285", "370200", "county"),
        ("370785", "370700", "county"),
        ("371102", "371100", "county"),
        ("370116", "370100", "county"),
        ("110000", None, "province"),
        ("110100", "110000", "city"),
        ("110101", "110100", "county"),
        ("500230", "500200", "county"),
        ("419001", "410000", "county"),
        ("441900", "440000", "city"),
    ],
)
def test_parents(reg: PlaceRegistry, code: str, parent: str | None, level: str) -> None:
    place = reg.get(code)
    assert place.parent == parent
    assert place.level == level


@pytest.mark.parametrize(
    ("code", "city", "province"),
    [
        ("370285", "370200", "370000"),
        ("370785", "370700", "370000"),
        ("371102", "371100", "370000"),
        ("110101", "110100", "110000"),
        ("370200", "370200", "370000"),
        ("370000", None, "370000"),
        ("419001", None, "410000"),
        ("371202", "371200", "370000"),  # retired codes keep their historical city
    ],
)
def test_city_and_province(reg: PlaceRegistry, code: str, city: str | None, province: str) -> None:
    assert reg.city_of(code) == city
    assert reg.province_of(code) == province


def test_ancestors(reg: PlaceRegistry) -> None:
    assert reg.ancestors("370285") == ("370285", "370200", "370000")
    assert reg.ancestors("370785") == ("370785", "370700", "370000")
    assert reg.ancestors("371102") == ("371102", "371100", "370000")
    assert reg.ancestors("110101") == ("110101", "110100", "110000")
    assert reg.ancestors("370700") == ("370700", "370000")
    assert reg.ancestors("370000") == ("370000",)
    assert reg.ancestors("419001") == ("419001", "410000")


def test_contains(reg: PlaceRegistry) -> None:
    assert reg.contains("370200", "370285")
    assert reg.contains("370000", "370285")
    assert reg.contains("370285", "370285")
    assert reg.contains("370700", "370785")
    assert reg.contains("371100", "371102")
    assert reg.contains("110000", "110101")
    assert not reg.contains("370285", "370200")  # a county does not contain its city
    assert not reg.contains("370600", "370785")  # 高密 is in 潍坊, not 烟台
    assert not reg.contains("370200", "110101")
    with pytest.raises(UnknownPlace):
        reg.contains("370200", "999999")


def test_children(reg: PlaceRegistry) -> None:
    assert len(reg.children("370000")) == 16
    qingdao = reg.children("370200")
    assert "370285" in qingdao and "370215" in qingdao
    assert "370282" not in qingdao  # retired 即墨市 is no longer a child
    assert reg.children("370100") == tuple(sorted(reg.children("370100")))
    assert len(reg.children("370100")) == 12  # 10 districts (莱芜, 钢城 since 2019) + 2 counties
    assert reg.children("370285") == ()
    assert sum(len(reg.children(p.code)) for p in current(reg, "city", "37")) == 136


# -- retired codes -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "retired"),
    [
        ("370282", "370215", date(2017, 9, 20)),  # 即墨市 -> 即墨区
        ("370684", "370614", date(2020, 6, 5)),  # 蓬莱市 -> 蓬莱区
        ("370634", "370614", date(2020, 6, 5)),  # 长岛县 -> 蓬莱区
        ("371200", "370100", date(2019, 1, 9)),  # 莱芜市 -> 济南市
        ("371202", "370116", date(2019, 1, 9)),  # 莱城区 -> 莱芜区
        ("371203", "370117", date(2019, 1, 9)),  # 钢城区 -> 钢城区
        ("371523", "371503", date(2019, 6, 27)),  # 茌平县 -> 茌平区
        ("371626", "371681", date(2018, 7, 2)),  # 邹平县 -> 邹平市
        ("371727", "371703", date(2016, 4, 29)),  # 定陶县 -> 定陶区
        ("370205", "370203", date(2012, 12, 1)),  # 四方区 -> 市北区
        ("370284", "370211", date(2012, 12, 1)),  # 胶南市 -> 黄岛区
    ],
)
def test_retired_before_and_after(reg: PlaceRegistry, old: str, new: str, retired: date) -> None:
    place = reg.get(old)
    assert place.retired == retired and not place.current
    assert reg.resolve(old, at=date(retired.year - 1, 1, 1)) == new
    assert reg.resolve(old, at=date.fromordinal(retired.toordinal() - 1)) == new
    with pytest.raises(RetiredPlace):
        reg.resolve(old, at=retired)  # the day it took effect the old code is gone
    with pytest.raises(RetiredPlace):
        reg.resolve(old, at=date(2025, 1, 1))
    with pytest.raises(RetiredPlace):
        reg.resolve(old)  # no date: cannot tell


def test_resolve_current_code_is_itself(reg: PlaceRegistry) -> None:
    assert reg.resolve("370285") == "370285"
    assert reg.resolve("370215", at=date(2010, 1, 1)) == "370215"
    assert reg.resolve("370100", at=date(2024, 5, 1)) == "370100"


def test_resolve_follows_chains(reg: PlaceRegistry) -> None:
    # 372330 邹平县 (惠民/滨州地区) -> 371626 邹平县 (2000) -> 371681 邹平市 (2018)
    assert reg.get("372330").successor == "371626"
    assert reg.resolve("372330", at=date(1998, 6, 1)) == "371681"
    # 372524 茌平县 (聊城地区) -> 371523 茌平县 (1997) -> 371503 茌平区 (2019)
    assert reg.resolve("372524", at=date(1995, 1, 1)) == "371503"
    # 370122 章丘县 -> 370181 章丘市 (1992) -> 370114 章丘区 (2016)
    assert reg.resolve("370122", at=date(1990, 1, 1)) == "370114"
    # the middle of a chain, asked for after the first change but before the second
    assert reg.resolve("371626", at=date(2005, 1, 1)) == "371681"


def test_resolve_accepts_datetime(reg: PlaceRegistry) -> None:
    assert reg.resolve("370282", at=datetime(2016, 3, 1, 12, 0)) == "370215"
    with pytest.raises(TypeError):
        reg.resolve("370282", at="2016-03-01")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        reg.resolve("370285", at="2016-03-01")  # type: ignore[arg-type]


def test_retired_message_names_old_place_date_and_successor(reg: PlaceRegistry) -> None:
    with pytest.raises(RetiredPlace) as err:
        reg.resolve("370282", at=date(2024, 1, 1))
    text = str(err.value)
    assert "370282" in text and "即墨市" in text
    assert "2017-09-20" in text and "2024-01-01" in text
    assert "370215" in text and "即墨区" in text
    assert err.value.successor == "370215"
    assert err.value.retired == date(2017, 9, 20)
    assert isinstance(err.value, ValueError)


def test_retired_message_points_at_current_end_of_chain(reg: PlaceRegistry) -> None:
    with pytest.raises(RetiredPlace) as err:
        reg.resolve("372330")
    assert err.value.successor == "371681"
    assert "371681" in str(err.value) and "邹平市" in str(err.value)


def test_every_retired_chain_ends_at_a_current_code(reg: PlaceRegistry) -> None:
    retired = [p for p in reg.all() if not p.current]
    assert len([p for p in retired if p.code.startswith("37")]) >= 20
    for p in retired:
        end = reg.resolve(p.code, at=date.fromordinal(p.retired.toordinal() - 1))  # type: ignore[union-attr]
        assert reg.get(end).current
        # a successor never took effect before the code it replaces
        succ = reg.get(p.successor)  # type: ignore[arg-type]
        assert succ.retired is None or succ.retired >= p.retired  # type: ignore[operator]


# -- unknown codes and input checks -------------------------------------------------------


def test_unknown_code(reg: PlaceRegistry) -> None:
    with pytest.raises(UnknownPlace) as err:
        reg.get("999999")
    assert str(err.value) == (
        "unknown place code '999999': not a GB/T 2260 administrative division code"
    )
    assert isinstance(err.value, ValueError)
    for method in (reg.resolve, reg.city_of, reg.province_of, reg.ancestors, reg.children):
        with pytest.raises(UnknownPlace):
            method("370299")
    assert "999999" not in reg
    assert "370285" in reg
    assert 370285 not in reg  # membership is by canonical (string) code only


def test_errors_pickle(reg: PlaceRegistry) -> None:
    err = pickle.loads(pickle.dumps(UnknownPlace("123456")))
    assert str(err) == str(UnknownPlace("123456"))
    with pytest.raises(RetiredPlace) as caught:
        reg.resolve("370684")
    again = pickle.loads(pickle.dumps(caught.value))
    assert str(again) == str(caught.value)


@pytest.mark.parametrize("value", ["370200", 370200])
def test_normalise_accepts(reg: PlaceRegistry, value: str | int) -> None:
    assert reg.normalise(value) == "370200"


@pytest.mark.parametrize(
    "value",
    [True, False, 370200.0, 3702, 3702000, -370200, "37020", "3702000", "37O200", "３７０２００",
     " 370200", "", None, b"370200"],
)  # fmt: skip
def test_normalise_rejects(reg: PlaceRegistry, value: object) -> None:
    hint = r'expected a six-digit place code as a string, e\.g\. "370200"'
    with pytest.raises(ValueError, match=hint):
        reg.normalise(value)  # type: ignore[arg-type]


def test_lookups_accept_int_codes(reg: PlaceRegistry) -> None:
    assert reg.get(370285).name_zh == "莱西市"  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="six-digit"):
        reg.get(True)  # type: ignore[arg-type]


# -- names -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "zh", "en"),
    [
        ("371722", "单县", "Shan"),
        ("371325", "费县", "Bi"),
        ("371481", "乐陵市", "Laoling"),
        ("371524", "东阿县", "Dong'e"),
        ("371522", "莘县", "Shen"),
        ("370113", "长清区", "Changqing"),
        ("370285", "莱西市", "Laixi"),
        ("370215", "即墨区", "Jimo"),
        ("371102", "东港区", "Donggang"),
        ("370202", "市南区", "Shinan"),
        ("370103", "市中区", "Shizhong"),
        ("370402", "市中区", "Shizhong"),
        ("371122", "莒县", "Ju"),
        ("370405", "台儿庄区", "Tai'erzhuang"),
        ("370724", "临朐县", "Linqu"),
        ("371725", "郓城县", "Yuncheng"),
        ("371726", "鄄城县", "Juancheng"),
        ("370900", "泰安市", "Tai'an"),
        ("370000", "山东省", "Shandong"),
        ("110000", "北京市", "Beijing"),
    ],
)
def test_names(reg: PlaceRegistry, code: str, zh: str, en: str) -> None:
    assert reg.name(code) == zh
    assert reg.name(code, "zh") == zh
    assert reg.name(code, lang="en") == en


def test_english_falls_back_to_chinese(reg: PlaceRegistry) -> None:
    assert reg.get("110101").name_en == ""
    assert reg.name("110101", "en") == "东城区"
    with pytest.raises(ValueError, match="lang"):
        reg.name("370285", "fr")


def test_english_names_avoid_collisions_with_cities(reg: PlaceRegistry) -> None:
    assert reg.name("370502", "en") == "Dongying District"
    assert reg.name("370500", "en") == "Dongying"
    assert reg.name("371424", "en") == "Linyi County"
    assert reg.name("371300", "en") == "Linyi"


# -- search ------------------------------------------------------------------------------


def test_search_chinese(reg: PlaceRegistry) -> None:
    hits = reg.search("莱西")
    assert hits[0].code == "370285"
    codes = [p.code for p in reg.search("高密")]
    assert codes[0] == "370785"


def test_search_english_is_case_and_apostrophe_insensitive(reg: PlaceRegistry) -> None:
    assert reg.search("laixi")[0].code == "370285"
    assert reg.search("Gaomi")[0].code == "370785"
    assert reg.search("donge")[0].code == "371524"
    assert reg.search("TAI'AN")[0].code == "370900"


def test_search_shandong_first(reg: PlaceRegistry) -> None:
    hits = reg.search("市中区")
    assert [p.code for p in hits[:2]] == ["370103", "370402"]
    assert all(p.name_zh == "市中区" for p in hits)
    assert hits[-1].code[:2] != "37"  # 市中区 exists elsewhere too (乐山, 内江)
    chaoyang = reg.search("朝阳")
    assert chaoyang and all(not p.code.startswith("37") for p in chaoyang)


def test_search_by_code_prefix(reg: PlaceRegistry) -> None:
    hits = reg.search("3702")
    assert hits[0].code == "370200"
    assert {"370285", "370215"} <= {p.code for p in hits}
    assert [p.code for p in reg.search("370285")] == ["370285"]


def test_search_current_before_retired_and_limit(reg: PlaceRegistry) -> None:
    hits = reg.search("即墨")
    assert [p.code for p in hits] == ["370215", "370282"]
    assert len(reg.search("县", limit=5)) == 5
    assert reg.search("县", limit=0) == []
    assert reg.search("   ") == []
    assert reg.search("no such place") == []


# -- construction and immutability -------------------------------------------------------


def test_default_registry_is_cached_and_immutable(reg: PlaceRegistry) -> None:
    assert default_registry() is reg
    with pytest.raises(AttributeError):
        reg._by_code = {}  # type: ignore[misc]
    with pytest.raises(TypeError):
        reg._by_code["000000"] = reg.get("370285")  # type: ignore[index]
    with pytest.raises(AttributeError):
        reg.get("370285").name_en = "x"  # type: ignore[misc]


def test_from_tsv_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "places.tsv"
    path.write_text(
        "code\tname_zh\tname_en\tlevel\tparent\tretired\tsuccessor\n"
        "370000\t山东省\tShandong\tprovince\t\t\t\n"
        "370200\t青岛市\tQingdao\tcity\t370000\t\t\n"
        "370215\t即墨区\tJimo\tcounty\t370200\t\t\n"
        "370282\t即墨市\tJimo\tcounty\t370200\t2017-09-20\t370215\n",
        encoding="utf-8",
    )
    small = PlaceRegistry.from_tsv(path)
    assert len(small) == 4
    assert [p.code for p in small] == ["370000", "370200", "370215", "370282"]
    assert small.resolve("370282", at=date(2017, 1, 1)) == "370215"
    assert small.children("370200") == ("370215",)
    assert PlaceRegistry.from_tsv(str(path)).get("370215").name_en == "Jimo"


@pytest.mark.parametrize(
    ("places", "message"),
    [
        ([Place("370000", "山东省", "", "province", None)] * 2, "twice"),
        ([Place("370200", "青岛市", "", "city", "370000")], "parent"),
        ([Place("370000", "山东省", "", "state", None)], "level"),
        (
            [
                Place("370000", "山东省", "", "province", None),
                Place("370285", "莱西市", "", "county", "370000"),
                Place("370200", "青岛市", "", "city", "370285"),
            ],
            "not above",
        ),
        ([Place("370000", "山东省", "", "province", None, date(2000, 1, 1), None)], "successor"),
        (
            [
                Place("370000", "山东省", "", "province", None),
                Place("370200", "青岛市", "", "city", "370000", date(2000, 1, 1), "370300"),
                Place("370300", "淄博市", "", "city", "370000", date(2001, 1, 1), "370200"),
            ],
            "cyclic",
        ),
    ],
)
def test_bad_data_is_refused(places: list[Place], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        PlaceRegistry(places)


def test_bad_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "places.tsv"
    path.write_text("code\tname\n370000\t山东省\n", encoding="utf-8")
    with pytest.raises(ValueError, match="columns"):
        PlaceRegistry.from_tsv(path)
