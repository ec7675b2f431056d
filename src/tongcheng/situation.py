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

import difflib
import math
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, NoReturn, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    StrictBool,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from tongcheng import jsonio, yamlio
from tongcheng.errors import Problem, SituationError
from tongcheng.jsonio import (  # noqa: F401 (DuplicateKeyError, no_duplicate_keys: re-exported)
    DuplicateKeyError,
    no_duplicate_keys,
    printable,
)
from tongcheng.months import first_day, format_month, parse_month
from tongcheng.places import PlaceRegistry, RetiredPlace, UnknownPlace, default_registry

__all__ = [
    "CARD_KINDS",
    "EMPLOYMENTS",
    "SCHEMES",
    "SEXES",
    "Card",
    "CardKind",
    "Count",
    "Date",
    "Employment",
    "FundPeriod",
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
    "Scheme",
    "Sex",
    "Situation",
    "load_situation",
    "parse_situation",
    "situation_json_schema",
]

# The pydantic error type every problem is turned into; its message is final, for people.
_ERROR_TYPE = "tongcheng"


def _fail(message: str) -> NoReturn:
    raise PydanticCustomError(_ERROR_TYPE, "{message}", {"message": message})


def _shortened(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"


def describe_value(value: object) -> str:
    """A value as a person wrote it, for "got ..." in messages (JSON/YAML words, not Python's);
    long text is cut, so a hostile value never fills the message."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"the string {_shortened(value)!r}"
    if isinstance(value, datetime):
        return f"a date and time {value.isoformat()}"
    if isinstance(value, date):
        return f"the date {value.isoformat()}"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, int) and value.bit_length() > 64:
        return f"a number of about {int(value.bit_length() * math.log10(2)) + 1:,} digits"
    if isinstance(value, int | float | Decimal):
        return f"the number {_shortened(str(value))}"
    return f"a {type(value).__name__}"


# --- scalar types -------------------------------------------------------------------------------
# Each is a plain validator (no pydantic coercion: "16" never becomes 16, 1 never becomes True)
# with its own message and its own JSON Schema.

_DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
# What the JSON Schema says, for other validators: a month 01-12, a day 01-31 (``format: date``
# refuses 30 February where the validator checks formats). The model's own checks say more.
_MONTH_SCHEMA = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
_DATE_SCHEMA = r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
_MONEY_LIMIT = Decimal(10) ** 13

MAX_ITEMS = {"insurance": 1000, "person.residence": 1000, "provident_fund.periods": 1000,
             "cards": 1000, "results": 1000}
"""The most items each list of a situation may hold: longer lists are refused before their
items are read, on every face (README, Limits; the HTTP service checks the same number)."""
MAX_SITUATION_BYTES = 2**20
"""The largest situation file ``load_situation`` reads."""


def _to_month(value: object) -> int:
    if not isinstance(value, str):
        _fail(f"expected a month as YYYY-MM, got {describe_value(value)}")
    try:
        return parse_month(value)
    except ValueError as exc:
        _fail(str(exc))


def _to_date(value: object) -> date:
    if isinstance(value, datetime):
        _fail(f"expected a date as YYYY-MM-DD, got {describe_value(value)}")
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        _fail(f"expected a date as YYYY-MM-DD, got {describe_value(value)}")
    if not re.match(_DATE_PATTERN, value, re.ASCII):
        _fail(f"expected a date as YYYY-MM-DD, got {value!r}")
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        _fail(f"expected a real calendar date as YYYY-MM-DD, got {value!r} ({exc})")


def _to_money(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        _fail(f"expected an amount in yuan (a number), got {describe_value(value)}")
    if isinstance(value, float):
        if not math.isfinite(value):
            _fail(f"expected an amount in yuan (a finite number), got {value}")
        amount = Decimal(str(value))  # 0.1 -> Decimal("0.1"), never the binary artefact
    else:
        amount = Decimal(value)
        if not amount.is_finite():
            _fail(f"expected an amount in yuan (a finite number), got {value}")
    if amount < 0:
        _fail("must not be negative")
    if amount >= _MONEY_LIMIT:
        # A sanity bound, not a rule: it keeps amounts exact as JSON numbers (and arithmetic
        # on 1e999999999 from hanging).
        _fail(f"expected an amount in yuan below 10^13, got {value}")
    return amount


def _money_out(amount: Decimal) -> int | float:
    """A JSON number for an amount: an int when whole, else a float."""
    if amount == amount.to_integral_value():
        return int(amount)
    # A float holds 15 significant digits exactly: amounts below 10^13 yuan to the fen.
    return float(amount)


def _to_count(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        _fail(f"expected a whole number, got {describe_value(value)}")
    if value < 0:
        _fail("must not be negative")
    return value


def _registry(info: ValidationInfo | None) -> PlaceRegistry:
    context = info.context if info is not None else None
    if isinstance(context, Mapping) and context.get("registry") is not None:
        return context["registry"]
    return default_registry()


def _to_place(value: object, info: ValidationInfo | None = None) -> str:
    """Shape only (six digits; a six-digit int is the same code). The registry check is done by
    the enclosing model, which knows the date the place refers to."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        _fail(f"expected a six-digit place code, got {describe_value(value)}")
    try:
        return _registry(info).normalise(value)
    except (ValueError, TypeError) as exc:
        _fail(str(exc))


def _to_text(value: object) -> str:
    if not isinstance(value, str):
        _fail(f"expected a string, got {describe_value(value)}")
    if printable(value) != value:
        _fail(f"the string '{_shortened(printable(value))}' holds a lone surrogate: not valid "
              "Unicode text")
    return value


def _choice(*values: str) -> PlainValidator:
    allowed = ", ".join(values)

    def check(value: object) -> str:
        if isinstance(value, str) and value in values:
            return value
        _fail(f"expected one of: {allowed}, got {describe_value(value)}")

    return PlainValidator(check, json_schema_input_type=Literal[values])  # type: ignore[valid-type]


Month = Annotated[
    int,
    PlainValidator(_to_month),
    PlainSerializer(format_month, return_type=str),
    WithJsonSchema({"type": "string", "pattern": _MONTH_SCHEMA, "format": "YYYY-MM"}),
]
"""A calendar month, written ``YYYY-MM``; held as ``year * 12 + month - 1`` (see months.py)."""

Date = Annotated[
    date,
    PlainValidator(_to_date),
    PlainSerializer(date.isoformat, return_type=str),
    WithJsonSchema({"type": "string", "format": "date", "pattern": _DATE_SCHEMA}),
]
"""A calendar date, written ``YYYY-MM-DD``."""

Place = Annotated[
    str,
    PlainValidator(_to_place),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": r"^[0-9]{6}$"},
                {"type": "integer", "minimum": 100000, "maximum": 999999},
            ],
            "description": "six-digit administrative division code (GB/T 2260); "
            "a six-digit number is read as the same code",
        }
    ),
]
"""A six-digit administrative division code, held as a string (``"370200"``)."""

Money = Annotated[
    Decimal,
    PlainValidator(_to_money),
    PlainSerializer(_money_out, when_used="json"),
    WithJsonSchema({"type": "number", "minimum": 0}),
]
"""An amount in yuan, exact (floats are read through their decimal text), never negative."""

Text = Annotated[str, PlainValidator(_to_text), WithJsonSchema({"type": "string"})]
"""Free text (a name, a level as written): any string of valid Unicode."""

Count = Annotated[
    int,
    PlainValidator(_to_count),
    WithJsonSchema({"type": "integer", "minimum": 0}),
]
"""A whole number, never negative."""

SEXES = ("male", "female")
EMPLOYMENTS = ("employed", "flexible", "retired", "unemployed")
SCHEMES = ("employee_medical", "resident_medical", "pension", "unemployment", "work_injury")
CARD_KINDS = ("transit", "social_security", "culture_tourism", "library")
RESULT_KINDS = (
    "labour_capacity_appraisal",
    "work_injury_determination",
    "elderly_care_assessment",
    "medical_test",
)
TALENTS = ("high_level", "shortage_technical", "none")

Sex = Annotated[Literal["male", "female"], _choice(*SEXES)]
Employment = Annotated[
    Literal["employed", "flexible", "retired", "unemployed"], _choice(*EMPLOYMENTS)
]
Scheme = Annotated[
    Literal["employee_medical", "resident_medical", "pension", "unemployment", "work_injury"],
    _choice(*SCHEMES),
]
CardKind = Annotated[
    Literal["transit", "social_security", "culture_tourism", "library"], _choice(*CARD_KINDS)
]
ResultKind = Annotated[
    Literal[
        "labour_capacity_appraisal",
        "work_injury_determination",
        "elderly_care_assessment",
        "medical_test",
    ],
    _choice(*RESULT_KINDS),
]
Talent = Annotated[
    Literal["high_level", "shortage_technical", "none"], _choice(*TALENTS)
]


def _to_grade(value: object) -> int:
    grade = _to_count(value)
    if not 1 <= grade <= 3:
        _fail(f"expected a hospital grade 1, 2 or 3, got {grade}")
    return grade


HospitalGrade = Annotated[
    int, PlainValidator(_to_grade), WithJsonSchema({"type": "integer", "minimum": 1, "maximum": 3})
]


_T = TypeVar("_T")


def _lenient(convert: Callable[[object], _T], value: object) -> _T | None:
    """``convert(value)``, or None when the value is absent or invalid (reported elsewhere)."""
    if value is None:
        return None
    try:
        return convert(value)
    except ValueError:
        return None


# --- models -------------------------------------------------------------------------------------

Loc = tuple[str | int, ...]


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
    def _aliases(cls) -> list[str]:
        return [f.alias or name for name, f in cls.model_fields.items()]

    @classmethod
    def _cross_check(cls, data: dict[str, Any]) -> Iterable[tuple[Loc, str]]:
        """Problems between fields, judged on the raw input so they are found even when other
        fields are invalid. Values that do not parse are skipped: their own problem is reported."""
        return ()

    @model_validator(mode="wrap")
    @classmethod
    def _validate_all(cls, data: Any, handler: Callable[[Any], Any], info: ValidationInfo) -> Any:
        if isinstance(data, cls):
            return data
        if not isinstance(data, Mapping):
            keys = ", ".join(cls._aliases())
            _fail(f"expected a mapping (keys: {keys}), got {describe_value(data)}")
        allowed = cls._aliases()
        data = dict(data)
        order = {key: i for i, key in enumerate(data)}
        problems: list[tuple[Loc, str]] = []

        for key in list(data):
            if key not in allowed:
                problems.append(((printable(str(key)),), _unknown_key(key, allowed)))
                del data[key]
        for field, limit in cls._max_items.items():
            items = data.get(field)
            if isinstance(items, list | tuple) and len(items) > limit:
                problems.append(((field,), f"at most {limit:,} items, got {len(items):,}"))
                del data[field]

        registry = _registry(info)
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

            def position(problem: tuple[Loc, str]) -> int:
                loc = problem[0]
                return rank.get(loc[0], len(rank)) if loc else -1  # type: ignore[arg-type]

            problems.sort(key=position)
            raise ValidationError.from_exception_data(
                cls.__name__,
                [
                    InitErrorDetails(
                        type=PydanticCustomError(_ERROR_TYPE, "{message}", {"message": message}),
                        loc=loc,
                        input=None,
                    )
                    for loc, message in problems
                ],
            )
        return model


def _resolve_place(
    registry: PlaceRegistry, data: dict[str, Any], field: str, dated_by: str | None
) -> str | None:
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
            at = _lenient(_to_date, when)
            date_unknown = when is not None and at is None
        else:
            month = _lenient(_to_month, when)
            at = first_day(month) if month is not None else None
            date_unknown = at is None
    try:
        data[field] = registry.resolve(code, at)
    except RetiredPlace as exc:
        return None if date_unknown else str(exc)
    except (UnknownPlace, ValueError) as exc:
        return str(exc)
    return None


def _unknown_key(key: object, allowed: list[str]) -> str:
    close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"unknown key{hint}; allowed keys: {', '.join(allowed)}"


def _plain_message(error: Mapping[str, Any]) -> str:
    """Pydantic's error, said plainly (most errors are already ours; these are the rest)."""
    kind = error["type"]
    if kind == _ERROR_TYPE:
        return str(error["msg"])
    value = error.get("input")
    if kind == "missing":
        return "required key is missing"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"expected a mapping, got {describe_value(value)}"
    if kind in ("list_type", "tuple_type", "iterable_type"):
        return f"expected a list, got {describe_value(value)}"
    if kind == "bool_type":
        return f"expected true or false, got {describe_value(value)}"
    if kind == "string_type":
        return f"expected a string, got {describe_value(value)}"
    if kind == "none_required":
        return f"expected null, got {describe_value(value)}"
    return str(error["msg"])


def _period_checks(data: Mapping[str, Any]) -> Iterable[tuple[Loc, str]]:
    start = _lenient(_to_month, data.get("from"))
    end = _lenient(_to_month, data.get("to"))
    if start is not None and end is not None and end < start:
        yield ("to",), "month before 'from'"


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
    def _cross_check(cls, data: dict[str, Any]) -> Iterable[tuple[Loc, str]]:
        employment = data.get("employment")
        if isinstance(employment, str) and employment in EMPLOYMENTS and employment != "retired":
            for field in ("retired_on", "pension_place"):
                if data.get(field) is not None:
                    yield (
                        (field,),
                        f"only for employment: retired, but employment is {employment!r}",
                    )
        born = _lenient(_to_date, data.get("birth_date"))
        retired = _lenient(_to_date, data.get("retired_on"))
        if born is not None and retired is not None and retired < born:
            yield ("retired_on",), f"date before birth_date ({born.isoformat()})"


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
    def _cross_check(cls, data: dict[str, Any]) -> Iterable[tuple[Loc, str]]:
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
    def _cross_check(cls, data: dict[str, Any]) -> Iterable[tuple[Loc, str]]:
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
    conclusion, a work-injury determination, an elderly self-care assessment, a medical test."""

    kind: ResultKind
    """labour_capacity_appraisal | work_injury_determination | elderly_care_assessment |
    medical_test."""
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

    _dated_places: ClassVar[dict[str, str | None]] = {"flying_out": None, "flying_in": None}


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

    _dated_places: ClassVar[dict[str, str | None]] = {"target": None}
    _max_items: ClassVar[dict[str, int]] = {
        k: MAX_ITEMS[k] for k in ("insurance", "cards", "results")}

    @classmethod
    def _cross_check(cls, data: dict[str, Any]) -> Iterable[tuple[Loc, str]]:
        as_of = _lenient(_to_date, data.get("as_of"))
        person = data.get("person")
        if isinstance(person, Person):
            born: date | None = person.birth_date
        elif isinstance(person, Mapping):
            born = _lenient(_to_date, person.get("birth_date"))
        else:
            born = None
        if as_of is not None and born is not None and born > as_of:
            yield ("person", "birth_date"), f"date after as_of ({as_of.isoformat()})"

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
            out += f".{part}" if out else str(part)
    return out


def _where(source: str | None, line: int | None, column: int | None) -> str:
    parts = [p for p in (source, line, column) if p is not None]
    if source is None and line is not None:
        return f"line {line}, column {column}: "
    return ":".join(str(p) for p in parts) + ": " if parts else ""


def _load_json(text: str, source: str | None) -> Any:
    try:
        return jsonio.loads(text, parse_float=Decimal)
    except jsonio.JsonInputError as exc:
        if exc.path:
            raise SituationError([Problem(exc.path, exc.message)], source) from None
        where = _where(source, exc.line, exc.column)
        raise SituationError([Problem("", f"{where}{exc.message}")], source) from None


def _load_yaml(text: str, source: str | None) -> Any:
    try:
        data = yamlio.load_data(text, max_items=max(MAX_ITEMS.values()))
    except yamlio.YamlSyntaxError as exc:
        where = _where(source, exc.line, exc.column)
        raise SituationError([Problem("", f"{where}{exc}")], source) from None
    problem = jsonio.surrogate_problem(data, text)
    if problem is not None:
        raise SituationError([Problem(problem.path, problem.message)], source)
    return data


def _load_text(text: str, source: str | None, kind: Literal["json", "yaml", "any"]) -> Any:
    if kind == "json":
        return _load_json(text, source)
    if kind == "yaml":
        return _load_yaml(text, source)
    try:
        return _load_json(text, source)
    except SituationError as json_error:
        try:
            return _load_yaml(text, source)
        except SituationError:
            if text.lstrip().startswith(("{", "[")):
                raise json_error from None  # it was meant as JSON: its parser's message is better
            raise


def _decode(raw: bytes, source: str | None) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        where = _where(source, None, None)
        message = f"{where}not UTF-8 text (byte {exc.start})"
        raise SituationError([Problem("", message)], source) from None


def parse_situation(
    data: Mapping[str, Any] | Situation | str | bytes,
    *,
    as_of: date | None = None,
    source: str | None = None,
    registry: PlaceRegistry | None = None,
) -> Situation:
    """Validate a situation given as a mapping, or as JSON or YAML text.

    ``as_of``, when given, overrides the situation's own. ``source`` names where the input came
    from, for messages. Raises SituationError listing every problem found.
    """
    if isinstance(data, Situation):
        data = data.to_dict()
    if isinstance(data, bytes):
        data = _decode(data, source)
    if isinstance(data, str):
        data = _load_text(data, source, "any")
    if not isinstance(data, Mapping):
        got = "nothing (an empty document)" if data is None else describe_value(data)
        raise SituationError(
            [Problem("", f"expected a mapping of situation keys at the top level, got {got}")],
            source,
        )
    if as_of is not None:
        data = {**data, "as_of": as_of}
    context = {"registry": registry} if registry is not None else None
    try:
        return Situation.model_validate(data, context=context)
    except ValidationError as exc:
        problems = [Problem(_path(error["loc"]), _plain_message(error)) for error in exc.errors()]
        raise SituationError(problems, source) from None


def load_situation(
    path: str | Path, *, as_of: date | None = None, registry: PlaceRegistry | None = None
) -> Situation:
    """Read and validate a situation file (.json, .yaml or .yml; otherwise JSON, then YAML)."""
    path = Path(path)
    source = str(path)
    try:
        raw = yamlio.read_bytes(path, MAX_SITUATION_BYTES)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise SituationError([Problem("", f"{source}: cannot read: {reason}")], source) from None
    except yamlio.YamlSyntaxError as exc:
        raise SituationError([Problem("", f"{source}: {exc}")], source) from None
    text = _decode(raw, source)
    suffix = path.suffix.lower()
    kind: Literal["json", "yaml", "any"] = (
        "json" if suffix == ".json" else "yaml" if suffix in (".yaml", ".yml") else "any"
    )
    data = _load_text(text, source, kind)
    return parse_situation(data, as_of=as_of, source=source, registry=registry)


def situation_json_schema() -> dict[str, Any]:
    """The JSON Schema of a situation, generated from the model (keys as written: ``from``)."""
    schema = Situation.model_json_schema(by_alias=True, mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
