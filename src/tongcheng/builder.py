"""A typed way to write a situation in Python, for portal developers: keyword arguments with
the contract's names and types (the choices as ``Literal`` types, so an editor completes and a
type checker checks them), months and dates as ``date`` objects or text, places as codes.

    from datetime import date
    from tongcheng.builder import SituationBuilder

    situation = (
        SituationBuilder(as_of=date(2025, 6, 1), target="370200")
        .person(birth_date=date(1975, 5, 10), sex="male", hukou="370600")
        .insurance("employee_medical", place="370600", start="2000-01", end="2015-12")
        .insurance("employee_medical", place="370200", start="2016-01", end="2025-05")
        .build()
    )
    tongcheng.evaluate(situation)

``build()`` validates the whole situation as ``parse_situation`` does: every problem at once,
named by its path (``insurance[1].to``). ``to_dict()`` gives the JSON a request carries.
Leaving a fact out keeps it unknown; ``no_insurance()`` and its kind say "the list is empty".
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from tongcheng.places import PlaceRegistry
from tongcheng.situation import Situation, parse_situation

Sex = Literal["male", "female"]
Employment = Literal["employed", "flexible", "retired", "unemployed"]
Scheme = Literal["employee_medical", "resident_medical", "pension", "unemployment",
                 "work_injury"]
CardKind = Literal["transit", "social_security", "culture_tourism", "library"]
ResultKind = Literal["labour_capacity_appraisal", "work_injury_determination",
                     "elderly_care_assessment", "medical_test", "talent_recognition"]
Talent = Literal["high_level", "shortage_technical", "none"]
Credit = Literal["trustworthy", "dishonest", "none"]
Grade = Literal[1, 2, 3]
Place = str | int  # a six-digit code: "370200" or 370200
Month = str | date  # "2016-01", or any day of that month
Money = int | float | str  # yuan; text is read exactly ("52000.50")


def _month(value: Month | None) -> str | None:
    if isinstance(value, date):
        return f"{value.year:04d}-{value.month:02d}"
    return value


def _day(value: date | str | None) -> str | None:
    return value.isoformat() if isinstance(value, date) else value


def _given(**facts: Any) -> dict[str, Any]:
    """The facts that were given (None: left unknown)."""
    return {k: v for k, v in facts.items() if v is not None}


class SituationBuilder:
    """Builds a situation step by step; each method returns the builder (see module doc)."""

    def __init__(self, *, as_of: date | str | None = None, target: Place | None = None) -> None:
        self._data: dict[str, Any] = _given(as_of=_day(as_of), target=target)

    # -- the person ------------------------------------------------------------------------

    def person(
        self, *, birth_date: date | str | None = None, sex: Sex | None = None,
        hukou: Place | None = None, lives_in: Place | None = None,
        employment: Employment | None = None, work_place: Place | None = None,
        retired_on: date | str | None = None, pension_place: Place | None = None,
        talent: Talent | None = None,
    ) -> SituationBuilder:
        self._data.setdefault("person", {}).update(_given(
            birth_date=_day(birth_date), sex=sex, hukou=hukou, lives_in=lives_in,
            employment=employment, work_place=work_place, retired_on=_day(retired_on),
            pension_place=pension_place, talent=talent))
        return self

    def residence(self, place: Place, since: date | str | None = None) -> SituationBuilder:
        """A residence permit the person holds."""
        person = self._data.setdefault("person", {})
        person.setdefault("residence", []).append(_given(place=place, since=_day(since)))
        return self

    def no_residence(self) -> SituationBuilder:
        self._data.setdefault("person", {})["residence"] = []
        return self

    # -- insurance and the provident fund ------------------------------------------------------

    def insurance(
        self, scheme: Scheme, *, place: Place, start: Month, end: Month | None = None,
        deemed: bool = False,
    ) -> SituationBuilder:
        """A period of contributions; ``end`` None: still paying."""
        period = _given(scheme=scheme, place=place, to=_month(end))
        period["from"] = _month(start)
        if deemed:
            period["deemed"] = True
        self._data.setdefault("insurance", []).append(period)
        return self

    def no_insurance(self) -> SituationBuilder:
        self._data["insurance"] = []
        return self

    def fund(
        self, *, balance: Money | None = None, outstanding_loans: int | None = None,
        couple_application: bool | None = None, spouse_balance: Money | None = None,
    ) -> SituationBuilder:
        """The provident fund account."""
        self._data.setdefault("provident_fund", {}).update(_given(
            balance=balance, outstanding_loans=outstanding_loans,
            couple_application=couple_application, spouse_balance=spouse_balance))
        return self

    def fund_period(self, *, place: Place, start: Month, end: Month | None = None
                    ) -> SituationBuilder:
        """A period of deposits into the provident fund; ``end`` None: still depositing."""
        period = _given(place=place, to=_month(end))
        period["from"] = _month(start)
        fund = self._data.setdefault("provident_fund", {})
        fund.setdefault("periods", []).append(period)
        return self

    def no_fund_periods(self) -> SituationBuilder:
        self._data.setdefault("provident_fund", {})["periods"] = []
        return self

    # -- cards, results, the request, a project -------------------------------------------------

    def card(self, kind: CardKind, *, issuer: Place) -> SituationBuilder:
        self._data.setdefault("cards", []).append({"kind": kind, "issuer": issuer})
        return self

    def no_cards(self) -> SituationBuilder:
        self._data["cards"] = []
        return self

    def result(
        self, kind: ResultKind, *, place: Place, issued: date | str | None = None,
        level: str | None = None, hospital_grade: Grade | None = None,
    ) -> SituationBuilder:
        """An appraisal, assessment or test result (``place``: for a test, the hospital's)."""
        self._data.setdefault("results", []).append(_given(
            kind=kind, place=place, issued=_day(issued), level=level,
            hospital_grade=hospital_grade))
        return self

    def no_results(self) -> SituationBuilder:
        self._data["results"] = []
        return self

    def request(self, *, service: str | None = None, hospital_grade: Grade | None = None
                ) -> SituationBuilder:
        """What the person asks for: a service item of the pack, the target hospital's grade."""
        self._data.setdefault("request", {}).update(
            _given(service=service, hospital_grade=hospital_grade))
        return self

    def project(
        self, *, name: str | None = None, jointly_introduced: bool | None = None,
        flying_out: Place | None = None, flying_in: Place | None = None,
        gdp: Money | None = None, tax: Money | None = None,
        major_industrial: bool | None = None,
    ) -> SituationBuilder:
        """A jointly introduced flying-enclave project, or a major industrial project moved
        between cities (the subject instead of a person)."""
        self._data.setdefault("project", {}).update(_given(
            name=name, jointly_introduced=jointly_introduced, flying_out=flying_out,
            flying_in=flying_in, gdp=gdp, tax=tax, major_industrial=major_industrial))
        return self

    def enterprise(
        self, *, name: str | None = None, registered_in: Place | None = None,
        travel_agency: bool | None = None, credit: Credit | None = None,
    ) -> SituationBuilder:
        """An enterprise (the subject instead of a person): where it is registered, whether a
        travel agency, its credit listing there."""
        self._data.setdefault("enterprise", {}).update(_given(
            name=name, registered_in=registered_in, travel_agency=travel_agency, credit=credit))
        return self

    # -- out ---------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The situation as the JSON a request carries (not validated: ``build`` does that)."""
        import copy

        return copy.deepcopy(self._data)

    def build(self, *, registry: PlaceRegistry | None = None) -> Situation:
        """The validated situation, or ``SituationError`` naming every problem by its path."""
        return parse_situation(self.to_dict(), registry=registry)

    def __repr__(self) -> str:
        return f"<SituationBuilder {sorted(self._data)}>"
