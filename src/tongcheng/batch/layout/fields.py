"""The population layout's vocabulary: its columns, each key's kind, the lists and their
items' fields, and ``LayoutError`` for a file that does not follow it."""

from __future__ import annotations

from datetime import date

import polars as pl

from tongcheng.errors import Worded
from tongcheng.situation import (
    CARD_KINDS,
    EMPLOYMENTS,
    RESULT_KINDS,
    SCHEMES,
    SEXES,
    TALENTS,
)

EPOCH = date(1970, 1, 1)
MONEY = pl.Decimal(38, 2)
MONTH_SHIFT = 17  # month indexes are below 2**17 (year 9999) in the packed sort keys

# The lists of a situation the columnar evaluator models, and their item fields.
LISTS: dict[str, tuple[str, ...]] = {
    "insurance": ("scheme", "place", "from", "to", "deemed"),
    "provident_fund.periods": ("place", "from", "to"),
    "cards": ("kind", "issuer"),
    "person.residence": ("place", "since"),
    "results": ("kind", "place", "issued", "level", "hospital_grade"),
}
# The field saying when an item's place applied (a retired code is valid before its change).
DATED_BY = {"insurance": "from", "provident_fund.periods": "from", "person.residence": "since",
            "results": "issued"}

# Every key of a situation: (path, kind). Kinds: date, place, enum:<values>, money, count,
# bool, text, grade, list, object, opaque (kept for the reference evaluator only).
PERSON_FIELDS = {
    "birth_date": "date",
    "sex": "enum",
    "hukou": "place",
    "lives_in": "place",
    "residence": "list",
    "employment": "enum",
    "work_place": "place",
    "retired_on": "date",
    "pension_place": "place",
    "talent": "enum",
}
FUND_FIELDS = {
    "periods": "list",
    "balance": "money",
    "outstanding_loans": "count",
    "couple_application": "bool",
    "spouse_balance": "money",
}
REQUEST_FIELDS = {"service": "text", "hospital_grade": "grade"}
TOP_FIELDS = {
    "as_of": "date",
    "target": "place",
    "person": "object",
    "insurance": "list",
    "provident_fund": "object",
    "cards": "list",
    "request": "object",
    "results": "list",
    "project": "opaque",
    "enterprise": "opaque",
}
OBJECTS = {"person": PERSON_FIELDS, "provident_fund": FUND_FIELDS, "request": REQUEST_FIELDS}
ENUMS = {
    "sex": SEXES,
    "employment": EMPLOYMENTS,
    "talent": TALENTS,
    "scheme": SCHEMES,
    "kind": CARD_KINDS,
}
ITEM_ENUMS = {("cards", "kind"): CARD_KINDS, ("results", "kind"): RESULT_KINDS,
              ("insurance", "scheme"): SCHEMES}
ITEM_KINDS = {
    "scheme": "enum",
    "place": "place",
    "from": "month",
    "to": "month",
    "deemed": "bool",
    "kind": "enum",
    "issuer": "place",
    "since": "date",
    "issued": "date",
    "level": "text",
    "hospital_grade": "grade",
}
REQUIRED_ITEM_FIELDS = {"scheme", "place", "from", "kind", "issuer"}
ID_COLUMNS = ("id",)


class LayoutError(Worded, ValueError):
    """The file's columns do not follow the population layout, or it cannot be read as its
    format (a bad command, exit 2); said in English and in Chinese (``Worded``)."""
