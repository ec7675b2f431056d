"""Hypothesis strategies for situations, for rule authors' own tests and the project's.

Every strategy draws JSON-ready data (dicts, lists, ``"YYYY-MM"`` strings) that
``tongcheng.parse_situation`` accepts: valid by construction. Requires ``hypothesis``.

    from hypothesis import given
    from tongcheng.testing import situations

    @given(situations())
    def test_never_undetermined_without_reason(situation):
        for d in tongcheng.evaluate(situation).decisions:
            if d.status.value == "undetermined":
                assert d.missing or d.missing_parameters
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import strategies as st

from tongcheng.situation import CARD_KINDS, EMPLOYMENTS, SCHEMES, SEXES

# Places that exercise the zones: whole member cities, member and non-member counties of member
# cities (the metro area takes only some of 潍坊, 烟台 and 日照), capital-circle cities, a
# Shandong city in no zone, and a place outside Shandong.
ZONE_PLACES: tuple[str, ...] = (
    "370200", "370211", "370285", "370281",  # 青岛, 黄岛区, 莱西, 胶州
    "370600", "370682", "370683", "370687", "370612",  # 烟台, 莱阳, 莱州, 海阳, 牟平区
    "370700", "370785", "370782", "370786",  # 潍坊, 高密, 诸城, 昌邑
    "371000", "371082",  # 威海, 荣成
    "371100", "371102", "371121",  # 日照, 东港区, 五莲
    "370100", "370300", "370500", "370900", "371400", "371500", "371600",  # 省会经济圈
    "370800",  # 济宁: a Shandong city in no zone
    "110101",  # 北京东城区: outside Shandong
)


def places() -> st.SearchStrategy[str]:
    return st.sampled_from(ZONE_PLACES)


def dates(start: date = date(1940, 1, 1), end: date = date(2027, 12, 31)) -> st.SearchStrategy:
    return st.dates(min_value=start, max_value=end)


def months(lo: int = 1985, hi: int = 2027) -> st.SearchStrategy[tuple[int, int]]:
    return st.tuples(st.integers(lo, hi), st.integers(1, 12))


def _fmt(ym: tuple[int, int]) -> str:
    return f"{ym[0]:04d}-{ym[1]:02d}"


@st.composite
def periods(draw, *, with_scheme: bool = True) -> dict[str, Any]:
    """A contribution or deposit period; may be open (still running), may overlap others."""
    start = draw(months())
    period: dict[str, Any] = {"place": draw(places()), "from": _fmt(start)}
    if with_scheme:
        period = {"scheme": draw(st.sampled_from(SCHEMES)), **period}
        if draw(st.integers(0, 9)) == 0:
            period["deemed"] = True
    if draw(st.booleans()):
        end = draw(months(start[0], 2027).filter(lambda m, s=start: m >= s))
        period["to"] = _fmt(end)
    return period


def _presence(completeness: int) -> st.SearchStrategy[bool]:
    """True with probability completeness/10: how often a fact is known."""
    return st.integers(0, 9).map(lambda x: x < completeness)


@st.composite
def persons(draw, as_of: date, completeness: int = 5) -> dict[str, Any]:
    person: dict[str, Any] = {}
    birth = draw(dates(date(1940, 1, 1), as_of))
    maybe = _presence(completeness)
    if draw(maybe):
        person["birth_date"] = birth.isoformat()
    if draw(maybe):
        person["sex"] = draw(st.sampled_from(SEXES))
    for key in ("hukou", "lives_in", "work_place"):
        if draw(maybe):
            person[key] = draw(places())
    employment = draw(st.sampled_from(EMPLOYMENTS)) if draw(maybe) else None
    if employment:
        person["employment"] = employment
    if employment in ("retired", None) and draw(maybe):
        person["retired_on"] = draw(dates(birth, max(birth, as_of))).isoformat()
    if employment in ("retired", None) and draw(maybe):
        person["pension_place"] = draw(places())
    if draw(maybe):
        person["residence"] = draw(st.lists(
            st.fixed_dictionaries({"place": places()},
                                  optional={"since": dates(date(1990, 1, 1), as_of)
                                            .map(date.isoformat)}),
            max_size=3))
    return person


@st.composite
def situations(draw, *, as_of: date | None = None, completeness: int | None = None
               ) -> dict[str, Any]:
    """A whole situation, each fact present or absent (unknown), lists possibly empty.

    ``completeness`` (0-10) is how often each fact is known; drawn when not given, so both
    sparse and nearly complete situations come up.
    """
    recent = dates(date(2025, 4, 28), date(2027, 6, 30))
    when = as_of or draw(st.one_of(dates(date(2019, 1, 1), date(2027, 6, 30)), recent, recent))
    level = completeness if completeness is not None else draw(st.sampled_from((3, 6, 9, 10)))
    situation: dict[str, Any] = {"as_of": when.isoformat()}
    maybe = _presence(level)
    if draw(st.integers(0, 7)):
        situation["target"] = draw(places())
    if draw(maybe):
        situation["person"] = draw(persons(when, level))
    if draw(maybe):
        situation["insurance"] = draw(st.lists(periods(), max_size=5))
    if draw(maybe):
        fund: dict[str, Any] = {}
        if draw(maybe):
            fund["periods"] = draw(st.lists(periods(with_scheme=False), max_size=4))
        if draw(maybe):
            fund["balance"] = draw(st.integers(0, 300_000))
        if draw(maybe):
            fund["outstanding_loans"] = draw(st.integers(0, 2))
        if draw(maybe):
            fund["couple_application"] = draw(st.booleans())
        if draw(maybe):
            fund["spouse_balance"] = draw(st.integers(0, 300_000))
        situation["provident_fund"] = fund
    if draw(maybe):
        situation["cards"] = draw(st.lists(
            st.fixed_dictionaries({"kind": st.sampled_from(CARD_KINDS), "issuer": places()}),
            max_size=3))
    return situation


# Paths of facts that can be removed (made unknown) without making a situation invalid.
REMOVABLE: tuple[tuple[str, ...], ...] = (
    ("target",),
    ("person",),
    ("person", "birth_date"),
    ("person", "sex"),
    ("person", "hukou"),
    ("person", "lives_in"),
    ("person", "work_place"),
    ("person", "employment"),
    ("person", "retired_on"),
    ("person", "pension_place"),
    ("person", "residence"),
    ("insurance",),
    ("provident_fund",),
    ("provident_fund", "periods"),
    ("provident_fund", "balance"),
    ("provident_fund", "outstanding_loans"),
    ("provident_fund", "couple_application"),
    ("provident_fund", "spouse_balance"),
    ("cards",),
)


def without(situation: dict[str, Any], paths: list[tuple[str, ...]]) -> dict[str, Any]:
    """A copy of ``situation`` with the facts at ``paths`` removed (made unknown)."""
    import copy

    out = copy.deepcopy(situation)
    for path in paths:
        node = out
        for key in path[:-1]:
            node = node.get(key) if isinstance(node, dict) else None
            if node is None:
                break
        if isinstance(node, dict):
            node.pop(path[-1], None)
    return out


@st.composite
def reduced(draw, situation: dict[str, Any]) -> dict[str, Any]:
    """The same situation with some facts removed: strictly less information."""
    paths = draw(st.lists(st.sampled_from(REMOVABLE), min_size=1, max_size=4, unique=True))
    return without(situation, paths)


def shift_days(d: date, n: int) -> date:
    return d + timedelta(days=n)
