"""The situation's objects, in the contract's vocabulary: a person, their periods of insurance
and provident fund deposits, cards, results, a request, a project or an enterprise; and the
``Situation`` holding them as of a date."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, ClassVar

from pydantic import Field, StrictBool

from tongcheng import wording as W
from tongcheng.scalars import (
    EMPLOYMENTS,
    CardKind,
    Count,
    Credit,
    Date,
    Employment,
    HospitalGrade,
    Money,
    Month,
    Place,
    ResultKind,
    Scheme,
    Sex,
    Talent,
    Text,
    lenient,
    to_date,
)
from tongcheng.situation.facts import MAX_ITEMS, Loc, _Facts, _period_checks
from tongcheng.wording import Words


class Residence(_Facts):
    """A residence permit (居住证) held."""

    place: Place
    """Where the permit was issued."""
    since: Date | None = None
    """The date the permit was first issued; a retired place code is valid before its change."""

    _dated_places: ClassVar[dict[str, str | None]] = {"place": "since"}


class Person(_Facts):
    """The person asking. Every field is optional: absent or null means unknown."""

    birth_date: Date | None = None
    """Date of birth."""
    sex: Sex | None = None
    """male | female."""
    hukou: Place | None = None
    """Household registration (户籍) place."""
    lives_in: Place | None = None
    """Where the person actually lives now."""
    residence: tuple[Residence, ...] | None = None
    """Residence permits held; a given list is complete ([] = none held)."""
    employment: Employment | None = None
    """employed | flexible | retired | unemployed."""
    work_place: Place | None = None
    """Where the person works."""
    retired_on: Date | None = None
    """With employment: retired, the date of retirement."""
    pension_place: Place | None = None
    """With employment: retired, the city that pays the pension."""
    talent: Talent | None = None
    """Recognised talent category: high_level (高层次人才) | shortage_technical (紧缺型技术人才)
    | none."""

    _max_items: ClassVar[dict[str, int]] = {"residence": MAX_ITEMS["person.residence"]}
    _dated_places: ClassVar[dict[str, str | None]] = {
        "hukou": None,
        "lives_in": None,
        "work_place": None,
        "pension_place": None,
    }

    @classmethod
    def _cross_check(cls, data: dict[str, Any]) -> Iterable[tuple[Loc, Words]]:
        employment = data.get("employment")
        if isinstance(employment, str) and employment in EMPLOYMENTS and employment != "retired":
            for field in ("retired_on", "pension_place"):
                if data.get(field) is not None:
                    yield (field,), W.only_when_retired(employment)
        born = lenient(to_date, data.get("birth_date"))
        retired = lenient(to_date, data.get("retired_on"))
        if born is not None and retired is not None and retired < born:
            yield ("retired_on",), W.before_birth(born)


class InsurancePeriod(_Facts):
    """A social-insurance contribution period; both end months are included."""

    scheme: Scheme
    """employee_medical | resident_medical | pension | unemployment | work_injury."""
    place: Place
    """Where paid; a retired code is valid for a period begun before its change."""
    from_: Month = Field(alias="from")
    """First month paid, YYYY-MM."""
    to: Month | None = None
    """Last month paid, YYYY-MM; absent: still paying (the period runs through as_of)."""
    deemed: StrictBool = False
    """true marks deemed (视同缴费) years; absent means not deemed."""

    _dated_places: ClassVar[dict[str, str | None]] = {"place": "from"}

    @classmethod
    def _cross_check(cls, data: dict[str, Any]) -> Iterable[tuple[Loc, Words]]:
        return _period_checks(data)


class FundPeriod(_Facts):
    """A housing provident fund (住房公积金) deposit period; both end months are included."""

    place: Place
    """Where paid; a retired code is valid for a period begun before its change."""
    from_: Month = Field(alias="from")
    """First month deposited, YYYY-MM."""
    to: Month | None = None
    """Last month deposited, YYYY-MM; absent: still depositing (the period runs through as_of)."""

    _dated_places: ClassVar[dict[str, str | None]] = {"place": "from"}

    @classmethod
    def _cross_check(cls, data: dict[str, Any]) -> Iterable[tuple[Loc, Words]]:
        return _period_checks(data)


class ProvidentFund(_Facts):
    """The person's housing provident fund account. Absent or null fields are unknown."""

    periods: tuple[FundPeriod, ...] | None = None
    """Deposit periods; a given list is complete ([] = never deposited)."""
    balance: Money | None = None
    """Current account balance, yuan."""
    outstanding_loans: Count | None = None
    """Number of fund loans not yet repaid (borrower and spouse)."""
    couple_application: StrictBool | None = None
    """true: the borrower applies together with a spouse (loan caps for couples apply)."""
    spouse_balance: Money | None = None
    """The spouse's account balance, yuan (for couple applications)."""

    _max_items: ClassVar[dict[str, int]] = {"periods": MAX_ITEMS["provident_fund.periods"]}


class Card(_Facts):
    """A card the person holds."""

    kind: CardKind
    """transit | social_security | culture_tourism | library."""
    issuer: Place
    """The place that issued the card."""

    _dated_places: ClassVar[dict[str, str | None]] = {"issuer": None}


class Request(_Facts):
    """What the person asks for. Absent: no particular service (not an unknown fact)."""

    service: Text | None = None
    """The one-stop service item asked for (e.g. hukou_migration); absent: none in particular."""
    hospital_grade: HospitalGrade | None = None
    """Grade (1-3) of the hospital at the target, where a test result is to be recognised."""


class Result(_Facts):
    """An official result issued in one place that another may recognise: an appraisal
    conclusion, a work-injury determination, an elderly self-care assessment, a medical test, a
    talent recognition."""

    kind: ResultKind
    """labour_capacity_appraisal | work_injury_determination | elderly_care_assessment |
    medical_test | talent_recognition (a place's recognition of the person as a talent)."""
    place: Place
    """Where it was issued (for a medical test: the hospital's place)."""
    issued: Date | None = None
    """When it was issued."""
    level: Text | None = None
    """The conclusion or level as written (e.g. an assessment grade)."""
    hospital_grade: HospitalGrade | None = None
    """For medical tests: the grade (1-3) of the hospital that made it."""

    _dated_places: ClassVar[dict[str, str | None]] = {"place": "issued"}


class Project(_Facts):
    """A jointly introduced industrial project: the subject of the flying-enclave rule."""

    name: Text | None = None
    """The project's name."""
    jointly_introduced: StrictBool | None = None
    """true: introduced and built jointly by the two sides (共引共建)."""
    flying_out: Place | None = None
    """The side the project flies out from (飞出地)."""
    flying_in: Place | None = None
    """The side where the project lands (飞入地)."""
    gdp: Money | None = None
    """The project's GDP for the period, yuan."""
    tax: Money | None = None
    """The project's tax revenue for the period, yuan."""
    major_industrial: StrictBool | None = None
    """true: a major industrial project (重大产业项目) invested across regions under government
    guidance, or transferred in from another city or province."""

    _dated_places: ClassVar[dict[str, str | None]] = {"flying_out": None, "flying_in": None}


class Enterprise(_Facts):
    """An enterprise, when the subject is an enterprise: the subject of rules on enterprise
    subsidies and on credit lists acted on across cities."""

    name: Text | None = None
    """The enterprise's name."""
    registered_in: Place | None = None
    """Where the enterprise is registered (its credit record is kept there)."""
    travel_agency: StrictBool | None = None
    """true: a travel agency (旅行社), which can receive ground-handling (地接) subsidies."""
    credit: Credit | None = None
    """Its credit listing where registered: trustworthy (守信) | dishonest (失信) | none."""

    _dated_places: ClassVar[dict[str, str | None]] = {"registered_in": None}


class Situation(_Facts):
    """The facts about one person as of a date. Absent or null means unknown; a list, once
    given, is complete."""

    as_of: Date | None = None
    """The date rules are evaluated at (default: today)."""
    target: Place | None = None
    """Where the person asks: the service hall, the hospital, the bus, the fund centre."""
    person: Person | None = None
    """The person asking."""
    insurance: tuple[InsurancePeriod, ...] | None = None
    """Social-insurance contribution periods; a given list is complete ([] = none)."""
    provident_fund: ProvidentFund | None = None
    """The housing provident fund account."""
    cards: tuple[Card, ...] | None = None
    """Cards held; a given list is complete ([] = no card at all)."""
    request: Request | None = None
    """The service asked for."""
    results: tuple[Result, ...] | None = None
    """Official results held (appraisals, determinations, assessments, tests); a given list is
    complete."""
    project: Project | None = None
    """A project, when the subject is a project rather than a person."""
    enterprise: Enterprise | None = None
    """An enterprise, when the subject is an enterprise (not together with a project)."""

    _dated_places: ClassVar[dict[str, str | None]] = {"target": None}
    _max_items: ClassVar[dict[str, int]] = {
        k: MAX_ITEMS[k] for k in ("insurance", "cards", "results")}

    @classmethod
    def _cross_check(cls, data: dict[str, Any]) -> Iterable[tuple[Loc, Words]]:
        as_of = lenient(to_date, data.get("as_of"))
        person = data.get("person")
        if isinstance(person, Person):
            born: date | None = person.birth_date
        elif isinstance(person, Mapping):
            born = lenient(to_date, person.get("birth_date"))
        else:
            born = None
        if as_of is not None and born is not None and born > as_of:
            yield ("person", "birth_date"), W.after_as_of(as_of)
        if data.get("project") is not None and data.get("enterprise") is not None:
            yield ("enterprise",), W.one_subject()

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form: keys as written in input (``from``), months ``YYYY-MM``, dates
        ISO, amounts as numbers; unknown fields (and ``deemed: false``) are omitted."""
        return self.model_dump(mode="json", by_alias=True, exclude_defaults=True)
