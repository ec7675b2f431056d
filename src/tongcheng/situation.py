"""The situation model: the facts about one person as of a date, in the contract's vocabulary.

A situation is a plain description of facts, some of them unknown. Two rules shape the model
(CONTRACT.md, "What facts mean"): an absent or null key is *unknown*, never false or zero; and a
list, once given, is complete (``[]`` means "none", absent means "unknown"). Input is strict:
unknown keys, wrong types, negative amounts, impossible dates and periods that end before they
start are refused whole, with every problem named by its path (``insurance[1].to``) and a plain
message saying what was expected.

Validation runs through pydantic, but each model's wrap validator does three things pydantic
cannot do on its own: it names unknown keys with the closest allowed one, it resolves place codes
against the registry *at the date the fact refers to* (a retired code is fine for a period that
began before the change, and is mapped to its successor), and it runs cross-field checks even
when other fields of the same object are invalid, so that every problem is reported at once.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    ValidationError,
    ValidationInfo,
    model_validator,
)
from pydantic_core import InitErrorDetails

from tongcheng import reading, yamlio
from tongcheng import wording as W
from tongcheng.errors import Problem, SituationError
from tongcheng.jsonio import printable
from tongcheng.months import first_day
from tongcheng.places import PlaceRegistry, RetiredPlace, UnknownPlace
from tongcheng.reading import DuplicateKeyError, no_duplicate_keys  # re-exported
from tongcheng.scalars import (  # re-exported: the situation's vocabulary
    CARD_KINDS,
    CREDITS,
    EMPLOYMENTS,
    ERROR_TYPE,
    RESULT_KINDS,
    SCHEMES,
    SEXES,
    TALENTS,
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
    custom_error,
    describe_value,
    fail,
    lenient,
    registry_of,
    to_date,
    to_month,
)
from tongcheng.wording import Words

__all__ = [
    "CARD_KINDS",
    "CREDITS",
    "EMPLOYMENTS",
    "RESULT_KINDS",
    "SCHEMES",
    "SEXES",
    "TALENTS",
    "Card",
    "CardKind",
    "Count",
    "Credit",
    "Date",
    "DuplicateKeyError",
    "Employment",
    "Enterprise",
    "FundPeriod",
    "HospitalGrade",
    "InsurancePeriod",
    "Money",
    "Month",
    "Person",
    "Place",
    "Project",
    "ProvidentFund",
    "Request",
    "Residence",
    "Result",
    "ResultKind",
    "Scheme",
    "Sex",
    "Situation",
    "Talent",
    "Text",
    "describe_value",
    "load_situation",
    "no_duplicate_keys",
    "parse_situation",
    "situation_json_schema",
]

# --- models -------------------------------------------------------------------------------------

Loc = tuple[str | int, ...]

MAX_ITEMS = {"insurance": 1000, "person.residence": 1000, "provident_fund.periods": 1000,
             "cards": 1000, "results": 1000}
"""The most items each list of a situation may hold: longer lists are refused before their
items are read, on every face (README, Limits; the HTTP service checks the same number)."""
MAX_SITUATION_BYTES = 2**20
"""The largest situation file ``load_situation`` reads."""
_MAX_LIST = max(MAX_ITEMS.values())  # YAML lists longer than this are refused while parsed


_ALIASES: dict[type, tuple[str, ...]] = {}  # each model's keys (``_Facts._aliases``)


class _Facts(BaseModel):
    """Base of every situation object: strict, immutable, every problem reported at once."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        use_attribute_docstrings=True,
        # A model instance given where a mapping is expected is taken as it is.
        revalidate_instances="never",
    )

    # Place fields and the field (a month or a date) saying when the place applies; a retired
    # code is accepted when that moment is before the retirement. None: the place must be current.
    _dated_places: ClassVar[dict[str, str | None]] = {}
    # List fields and the most items each may hold (MAX_ITEMS): longer lists are refused before
    # their items are read.
    _max_items: ClassVar[dict[str, int]] = {}

    @classmethod
    def _aliases(cls) -> tuple[str, ...]:
        """The keys the model takes, in field order (worked out once per model)."""
        hit = _ALIASES.get(cls)
        if hit is None:
            hit = _ALIASES[cls] = tuple(f.alias or name for name, f in cls.model_fields.items())
        return hit

    @classmethod
    def _cross_check(cls, data: dict[str, Any]) -> Iterable[tuple[Loc, Words]]:
        """Problems between fields, judged on the raw input so they are found even when other
        fields are invalid. Values that do not parse are skipped: their own problem is reported."""
        return ()

    @model_validator(mode="wrap")
    @classmethod
    def _validate_all(cls, data: Any, handler: Callable[[Any], Any], info: ValidationInfo) -> Any:
        if isinstance(data, cls):
            return data
        if not isinstance(data, Mapping):
            fail(W.expected_mapping(data, cls._aliases()))
        allowed = cls._aliases()
        data = dict(data)
        order = {key: i for i, key in enumerate(data)}
        problems: list[tuple[Loc, Words]] = []

        for key in list(data):
            if key not in allowed:
                problems.append(((printable(str(key)),), W.unknown_key(key, allowed)))
                del data[key]
        for field, limit in cls._max_items.items():
            items = data.get(field)
            if isinstance(items, list | tuple) and len(items) > limit:
                problems.append(((field,), W.too_many_items(limit, len(items))))
                del data[field]

        registry = registry_of(info)
        for field, dated_by in cls._dated_places.items():
            problem = _resolve_place(registry, data, field, dated_by)
            if problem is not None:
                problems.append(((field,), problem))

        problems.extend(cls._cross_check(data))

        model = None
        try:
            model = handler(data)
        except ValidationError as exc:
            for error in exc.errors():
                problems.append((tuple(error["loc"]), _plain_message(error)))
        if problems:
            # In the order the input was written; problems with absent keys after, in field order.
            rank = {key: len(order) + i for i, key in enumerate(allowed)} | order

            def position(problem: tuple[Loc, Words]) -> int:
                loc = problem[0]
                return rank.get(loc[0], len(rank)) if loc else -1  # type: ignore[arg-type]

            problems.sort(key=position)
            raise ValidationError.from_exception_data(
                cls.__name__,
                [
                    InitErrorDetails(type=custom_error(words), loc=loc, input=None)
                    for loc, words in problems
                ],
            )
        return model


def _resolve_place(
    registry: PlaceRegistry, data: dict[str, Any], field: str, dated_by: str | None
) -> Words | None:
    """Resolve ``data[field]`` in place to its current code; return a problem, or None.

    ``dated_by`` names the field (a month ``from`` or a date ``since``) saying when the place
    applied: a retired code is accepted when that moment is before the retirement. When that
    field is invalid or missing, a retired code is let pass: the date's own problem is reported.
    """
    raw = data.get(field)
    if raw is None or isinstance(raw, bool) or not isinstance(raw, str | int):
        return None
    try:
        code = registry.normalise(raw)
    except (ValueError, TypeError):
        return None  # the field's own validator reports the shape
    at: date | None = None
    date_unknown = False
    if dated_by is not None:
        when = data.get(dated_by)
        if dated_by in ("since", "issued"):
            at = lenient(to_date, when)
            date_unknown = when is not None and at is None
        else:
            month = lenient(to_month, when)
            at = first_day(month) if month is not None else None
            date_unknown = at is None
    try:
        data[field] = registry.resolve(code, at)
    except RetiredPlace as exc:
        if date_unknown:
            return None
        old, new = exc.place, exc.current
        return W.retired_place(old.code, (old.name_en or old.name_zh, old.name_zh), old.retired,
                               exc.at, new.code, (new.name_en or new.name_zh, new.name_zh))
    except UnknownPlace as exc:
        return W.unknown_place(exc.code)
    except ValueError:
        return W.expected_place(raw)
    return None


def _plain_message(error: Mapping[str, Any]) -> Words:
    """Pydantic's error, said plainly (most errors are already ours; these are the rest)."""
    kind = error["type"]
    if kind == ERROR_TYPE:
        ctx = error.get("ctx") or {}
        message = str(ctx.get("message", error["msg"]))
        return Words(str(ctx.get("code", W.INVALID)), message, str(ctx.get("zh", message)))
    value = error.get("input")
    if kind == "missing":
        return W.missing_key()
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return W.expected_mapping(value)
    if kind in ("list_type", "tuple_type", "iterable_type"):
        return W.expected_list(value)
    if kind == "bool_type":
        return W.expected_bool(value)
    if kind == "string_type":
        return W.expected_string(value)
    if kind == "none_required":
        return W.expected_null(value)
    return W.invalid(str(error["msg"]))


def _period_checks(data: Mapping[str, Any]) -> Iterable[tuple[Loc, Words]]:
    start = lenient(to_month, data.get("from"))
    end = lenient(to_month, data.get("to"))
    if start is not None and end is not None and end < start:
        yield ("to",), W.to_before_from()


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


# --- entry points -------------------------------------------------------------------------------


def _path(loc: Iterable[str | int]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{printable(part)}" if out else printable(part)
    return out


def _lines(text: str | None) -> dict[tuple[str | int, ...], tuple[int, int]]:
    """Where each path of a YAML or JSON text is (JSON is read as YAML 1.2 here), for messages:
    computed only for a situation already refused, so valid input pays nothing for it."""
    if text is None:
        return {}
    try:
        return yamlio.load_text(text, max_items=_MAX_LIST)[1]  # a longer list: no lines
    except yamlio.YamlSyntaxError:
        return {}


def _service_problem(data: Mapping[str, Any], services: Collection[str] | None) -> Words | None:
    """``request.service`` must be an item the pack knows (a validation problem, not a "no")."""
    request = data.get("request")
    if services is None or not isinstance(request, Mapping):
        return None
    service = request.get("service")
    if not isinstance(service, str) or service in services:
        return None
    return W.unknown_service(service, sorted(services))


def _validate(
    data: Any,
    *,
    as_of: date | None,
    source: str | None,
    registry: PlaceRegistry | None,
    services: Collection[str] | None,
    text: str | None = None,
) -> Situation:
    if not isinstance(data, Mapping):
        words = W.expected_situation(data)
        raise SituationError([Problem("", words.en, words.zh, code=words.code)], source)
    if as_of is not None:
        data = {**data, "as_of": as_of}
    context = {"registry": registry} if registry is not None else None
    found: list[tuple[Loc, Words]] = []
    model = None
    try:
        model = Situation.model_validate(data, context=context)
    except ValidationError as exc:
        found = [(tuple(error["loc"]), _plain_message(error)) for error in exc.errors()]
    service = _service_problem(data, services)
    if service is not None:
        found.append((("request", "service"), service))
    if not found:
        assert model is not None
        return model
    lines = _lines(text)
    problems = [
        Problem(_path(loc), words.en, words.zh, yamlio.line_of(lines, loc) if lines else None,
                words.code)
        for loc, words in found
    ]
    raise SituationError(problems, source)


def parse_situation(
    data: Mapping[str, Any] | Situation | str | bytes,
    *,
    as_of: date | None = None,
    source: str | None = None,
    registry: PlaceRegistry | None = None,
    services: Collection[str] | None = None,
) -> Situation:
    """Validate a situation given as a mapping, or as JSON or YAML text.

    ``as_of``, when given, overrides the situation's own. ``source`` names where the input came
    from, for messages. ``services``, when given, are the service item ids ``request.service``
    may name (a pack's: ``RulePack.service_ids``). Raises SituationError listing every problem
    found, each worded in English and Chinese, with its line when the input was text.
    """
    text = None
    if isinstance(data, Situation):
        data = data.to_dict()
    if isinstance(data, bytes):
        data = reading.decode(data, source)
    if isinstance(data, str):
        text = data
        data = reading.load_text(data, source, "any", _MAX_LIST)
    return _validate(data, as_of=as_of, source=source, registry=registry, services=services,
                     text=text)


def load_situation(
    path: str | Path,
    *,
    as_of: date | None = None,
    registry: PlaceRegistry | None = None,
    services: Collection[str] | None = None,
) -> Situation:
    """Read and validate a situation file (.json, .yaml or .yml; otherwise JSON, then YAML)."""
    path = Path(path)
    source = str(path)
    try:
        raw = yamlio.read_bytes(path, MAX_SITUATION_BYTES)
    except OSError as exc:
        words = W.cannot_read(source, exc.strerror or str(exc))
        raise SituationError([Problem("", words.en, words.zh, code=words.code)], source) from None
    except yamlio.YamlSyntaxError:
        words = W.too_large(MAX_SITUATION_BYTES, W.where(source, None, None))
        raise SituationError([Problem("", words.en, words.zh, code=words.code)], source) from None
    text = reading.decode(raw, source)
    suffix = path.suffix.lower()
    kind: Literal["json", "yaml", "any"] = (
        "json" if suffix == ".json" else "yaml" if suffix in (".yaml", ".yml") else "any"
    )
    data = reading.load_text(text, source, kind, _MAX_LIST)
    return _validate(data, as_of=as_of, source=source, registry=registry, services=services,
                     text=text)


def situation_json_schema() -> dict[str, Any]:
    """The JSON Schema of a situation, generated from the model (keys as written: ``from``)."""
    schema = Situation.model_json_schema(by_alias=True, mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
