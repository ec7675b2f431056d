"""The situation's scalar values: months, dates, places, amounts, counts and choices.

Each is a plain validator (no pydantic coercion: "16" never becomes 16, 1 never becomes True)
with its own JSON Schema, and refuses a value with a problem worded in both languages
(wording.py), raised as the pydantic error type ``ERROR_TYPE`` that the situation model turns
into a ``Problem``. Apart from the models (situation.py) so that each module has one job.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal, NoReturn, TypeVar

from pydantic import PlainSerializer, PlainValidator, ValidationInfo, WithJsonSchema
from pydantic_core import PydanticCustomError

from tongcheng import wording as W
from tongcheng.jsonio import printable
from tongcheng.months import format_month, parse_month
from tongcheng.places import PlaceRegistry, default_registry
from tongcheng.wording import Words

# The pydantic error type every problem is turned into; its message is final, for people.
ERROR_TYPE = "tongcheng"


def custom_error(words: Words) -> PydanticCustomError:
    """The pydantic error carrying ``words`` (its message is final, for people)."""
    context = {"message": words.en, "zh": words.zh, "code": words.code}
    return PydanticCustomError(ERROR_TYPE, "{message}", context)


def fail(words: Words) -> NoReturn:
    raise custom_error(words)


def describe_value(value: object) -> str:
    """A value as a person wrote it, for "got ..." in messages (JSON/YAML words, not Python's)."""
    return W.describe(value)[0]


# --- scalar types -------------------------------------------------------------------------------
# Each is a plain validator (no pydantic coercion: "16" never becomes 16, 1 never becomes True)
# with its own message and its own JSON Schema.

_DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
# What the JSON Schema says, for other validators: a month 01-12, a day 01-31 (``format: date``
# refuses 30 February where the validator checks formats). The model's own checks say more.
_MONTH_SCHEMA = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
_DATE_SCHEMA = r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
_MONEY_LIMIT = Decimal(10) ** 13


def month_problem(value: object) -> Words | None:
    """Why ``value`` is no month as YYYY-MM (None: it is one); a rule's ``month("...")`` is
    refused at load in the same words as a situation's month."""
    if not isinstance(value, str):
        return W.expected_month(value)
    match = re.fullmatch(r"(\d{4})-(\d{2})", value, re.ASCII)
    if not match:
        return W.expected_month(value)
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        return W.month_not_calendar(value, month)
    if year < 1900:
        return W.year_too_early(value, year)
    return None


def to_month(value: object) -> int:
    words = month_problem(value)
    if words is not None:
        fail(words)
    return parse_month(value)  # type: ignore[arg-type]


def to_date(value: object) -> date:
    if isinstance(value, datetime):
        fail(W.expected_date(value))
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not re.match(_DATE_PATTERN, value, re.ASCII):
        fail(W.expected_date(value))
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(W.impossible_date(value))


def _to_money(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        fail(W.expected_amount(value))
    if isinstance(value, float):
        if not math.isfinite(value):
            fail(W.expected_amount(value, finite=True))
        amount = Decimal(str(value))  # 0.1 -> Decimal("0.1"), never the binary artefact
    else:
        amount = Decimal(value)
        if not amount.is_finite():
            fail(W.expected_amount(value, finite=True))
    if amount < 0:
        fail(W.negative())
    if amount >= _MONEY_LIMIT:
        # A sanity bound, not a rule: it keeps amounts exact as JSON numbers (and arithmetic
        # on 1e999999999 from hanging).
        fail(W.amount_too_large(value))
    return amount


def _money_out(amount: Decimal) -> int | float:
    """A JSON number for an amount: an int when whole, else a float."""
    if amount == amount.to_integral_value():
        return int(amount)
    # A float holds 15 significant digits exactly: amounts below 10^13 yuan to the fen.
    return float(amount)


def _to_count(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        fail(W.expected_count(value))
    if value < 0:
        fail(W.negative())
    return value


def registry_of(info: ValidationInfo | None) -> PlaceRegistry:
    context = info.context if info is not None else None
    if isinstance(context, Mapping) and context.get("registry") is not None:
        return context["registry"]
    return default_registry()


def _to_place(value: object, info: ValidationInfo | None = None) -> str:
    """Shape only (six digits; a six-digit int is the same code). The registry check is done by
    the enclosing model, which knows the date the place refers to."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        fail(W.expected_place(value))
    try:
        return registry_of(info).normalise(value)
    except (ValueError, TypeError):
        fail(W.expected_place(value))


def _to_text(value: object) -> str:
    if not isinstance(value, str):
        fail(W.expected_string(value))
    if printable(value) != value:
        fail(W.lone_surrogate(printable(value)))
    return value


def _choice(*values: str) -> PlainValidator:
    def check(value: object) -> str:
        if isinstance(value, str) and value in values:
            return value
        fail(W.expected_choice(values, value))

    return PlainValidator(check, json_schema_input_type=Literal[values])  # type: ignore[valid-type]


Month = Annotated[
    int,
    PlainValidator(to_month),
    PlainSerializer(format_month, return_type=str),
    WithJsonSchema({"type": "string", "pattern": _MONTH_SCHEMA, "format": "YYYY-MM"}),
]
"""A calendar month, written ``YYYY-MM``; held as ``year * 12 + month - 1`` (see months.py)."""

Date = Annotated[
    date,
    PlainValidator(to_date),
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
    "talent_recognition",
)
TALENTS = ("high_level", "shortage_technical", "none")
CREDITS = ("trustworthy", "dishonest", "none")

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
        "talent_recognition",
    ],
    _choice(*RESULT_KINDS),
]
Talent = Annotated[
    Literal["high_level", "shortage_technical", "none"], _choice(*TALENTS)
]
Credit = Annotated[Literal["trustworthy", "dishonest", "none"], _choice(*CREDITS)]


def _to_grade(value: object) -> int:
    grade = _to_count(value)
    if not 1 <= grade <= 3:
        fail(W.hospital_grade(grade))
    return grade


HospitalGrade = Annotated[
    int, PlainValidator(_to_grade), WithJsonSchema({"type": "integer", "minimum": 1, "maximum": 3})
]


_T = TypeVar("_T")


def lenient(convert: Callable[[object], _T], value: object) -> _T | None:
    """``convert(value)``, or None when the value is absent or invalid (reported elsewhere)."""
    if value is None:
        return None
    try:
        return convert(value)
    except ValueError:
        return None
