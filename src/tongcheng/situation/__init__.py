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

# The package's modules, each importing only those before it: facts (the base of every object,
# its checks) · models (the objects, ``Situation``) · schema_zh (the JSON Schema's texts in
# Chinese) · schema_lang (a schema in a language) · parsing (``parse_situation``,
# ``load_situation``, the JSON Schema). Every name stays importable from here.
from tongcheng.reading import DuplicateKeyError, no_duplicate_keys  # re-exported
from tongcheng.scalars import (  # re-exported: the situation's vocabulary
    CARD_KINDS,
    CREDITS,
    EMPLOYMENTS,
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
    describe_value,
)
from tongcheng.situation.facts import MAX_ITEMS as MAX_ITEMS
from tongcheng.situation.facts import Loc as Loc
from tongcheng.situation.models import (
    Card,
    Enterprise,
    FundPeriod,
    InsurancePeriod,
    Person,
    Project,
    ProvidentFund,
    Request,
    Residence,
    Result,
    Situation,
)
from tongcheng.situation.parsing import (
    MAX_SITUATION_BYTES as MAX_SITUATION_BYTES,
)
from tongcheng.situation.parsing import (
    load_situation,
    parse_situation,
    situation_json_schema,
)
from tongcheng.situation.schema_lang import schema_in_language

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
    "schema_in_language",
    "situation_json_schema",
]
