"""Documented shapes of the HTTP API (OpenAPI), as pydantic models.

These models describe requests and responses for the generated OpenAPI document; the endpoints
build their JSON with the library's own ``to_json`` (the contract's decision output exactly),
and parse the evaluate request by hand so that every problem is named by its situation path,
as on the command line.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Lang = Literal["zh", "en"]
Field_ = Literal[
    "title", "status", "outcome", "reasons", "missing", "missing_parameters", "basis",
    "firmness", "exception", "reading", "unverified_parameters", "questions",
]


class _Out(BaseModel):
    model_config = ConfigDict(extra="allow")


class TextOut(BaseModel):
    """A text in the answer's language only (``lang``, else Accept-Language, else zh)."""

    model_config = ConfigDict(extra="forbid")

    zh: str | None = None
    en: str | None = None


class ProblemOut(BaseModel):
    path: str = Field(description="where in the input: a situation path such as "
                      "insurance[1].to, a request key (lang, rules[0]), or empty for the whole")
    message: str


class ProblemsOut(BaseModel):
    """Invalid input (422), unknown resource (404), oversized body (413), or a defect of the
    rule pack met during evaluation (409: ``rule`` names it)."""

    problems: list[ProblemOut]
    rule: str | None = None


class PackInfoOut(BaseModel):
    name: str
    version: str
    digest: str = Field(pattern=r"^sha256:[0-9a-f]{64}$")


class EvaluateRequest(BaseModel):
    """A situation and how to evaluate it. ``situation`` is the contract's situation (see
    ``GET /v1/schema/situation``); problems in it are reported by their situation paths."""

    model_config = ConfigDict(extra="forbid")

    situation: dict[str, Any]
    as_of: str | None = Field(
        None, pattern=r"^\d{4}-\d{2}-\d{2}$",
        description="evaluate as of this date; overrides the situation's own as_of",
    )
    rules: list[str] | None = Field(
        None, description="only these rules (ids); absent, null or [] means every rule"
    )
    lang: Lang | None = Field(
        None, description="language of the answer's texts (absent: the query's lang, else "
        "Accept-Language, else zh); every text comes in that language only")
    trace: bool | None = Field(
        None, description="false leaves each decision's reasons empty (smaller, faster "
        "answers); absent: true, unless fields leave out the reasons")
    fields: list[Field_] | None = Field(
        None, description="the parts of each decision to answer (its rule is always there), "
        "and questions; absent: every part")


class ReasonOut(_Out):
    kind: str
    name: str
    label: str
    value: Any = None
    expression: str | None = None
    facts: dict[str, Any] | None = None
    parameters: list[dict[str, Any]] | None = None
    missing: list[str] | None = None
    missing_parameters: list[str] | None = None
    notes: list[str] | None = None


class BasisOut(_Out):
    document: str
    issuer: str | None = None
    issued: str | None = None
    source: str
    number: str | None = None
    article: str | None = None
    quote: str | None = None
    url: str | None = None
    file: str | None = None
    reading: str | None = None
    zone: str | None = Field(None, description="the zone entry this sentence grants in")
    firmness: Literal["in_force", "pilot", "promise"] | None = Field(
        None, description="how firm that zone entry's sentence is")


class DecisionOut(_Out):
    """One rule's decision. Every part is there unless ``fields`` chose some (``rule``
    always is)."""

    rule: str
    title: TextOut | None = None
    status: Literal["eligible", "ineligible", "undetermined", "not_applicable"] | None = None
    outcome: dict[str, Any] | None = None
    reasons: list[ReasonOut] | None = Field(
        None, description="the trace; empty when the request said trace: false"
    )
    missing: list[str] | None = None
    missing_parameters: list[str] | None = None
    basis: list[BasisOut] | None = None
    firmness: Literal["in_force", "pilot", "promise"] | None = Field(
        None, description="how firm the grant is: the zone entries the decision rests on "
        "(README, Firmness); an eligible decision that is a pilot or a promise is no plain yes")
    exception: str | None = None
    reading: str | None = None
    unverified_parameters: list[str] | None = None


class QuestionOut(BaseModel):
    path: str
    question: TextOut
    settles: list[str]


class EvaluationOut(BaseModel):
    as_of: str
    rule_pack: PackInfoOut
    decisions: list[DecisionOut]
    questions: list[QuestionOut] | None = Field(
        None, description="absent when fields leave the questions out")


class VersionOut(BaseModel):
    api: Literal["v1"]
    tongcheng: str
    rule_pack: PackInfoOut


class HealthOut(BaseModel):
    status: Literal["ok"]
    rules: int
    rule_pack: PackInfoOut


class PlaceOut(BaseModel):
    code: str
    name: TextOut
    level: Literal["province", "city", "county"]
    parent: str | None
    city: str | None
    province: str
    current: bool
    retired: str | None
    successor: str | None


class PlaceDetailOut(PlaceOut):
    children: list[PlaceOut]


class PlacesOut(BaseModel):
    places: list[PlaceOut]
    total: int = Field(description="places found in all (every page)")
    offset: int
    limit: int


class PlaceRefOut(BaseModel):
    code: str
    name: TextOut | None


class MemberOut(PlaceRefOut):
    from_: str | None = Field(alias="from")
    to: str | None


class ZoneOut(BaseModel):
    id: str
    name: TextOut
    kind: str
    members: list[MemberOut]
    basis: list[BasisOut]
    defined_at: str


class ZonesOut(BaseModel):
    zones: list[ZoneOut]


class ParamValueOut(BaseModel):
    value: Any
    from_: str | None = Field(alias="from")
    to: str | None
    undated: bool
    confidence: Literal["high", "medium", "low"]
    flagged: bool
    reference: str
    note: str | None


class ParamPlaceOut(PlaceRefOut):
    declared_without_value: bool
    values: list[ParamValueOut]


class ParameterOut(BaseModel):
    id: str
    description: TextOut
    unit: str | None
    places: list[ParamPlaceOut]
    defined_at: str


class ParametersOut(BaseModel):
    parameters: list[ParameterOut]


class ConfidenceOut(BaseModel):
    confidences: list[Literal["high", "medium", "low"]]
    places: int
    places_without_value: int
    undated_values: int


class RuleZoneOut(BaseModel):
    zone: str
    name: TextOut
    from_: str | None = Field(alias="from")
    to: str | None
    firmness: Literal["in_force", "pilot", "promise"] | None = Field(
        None, description="how firm the zone entry's source sentence is")


class RuleSummaryOut(_Out):
    id: str
    title: TextOut
    domain: str
    subject: str
    firmness: str
    in_force: dict[str, str | None]
    zones: list[RuleZoneOut]
    parameters: dict[str, ConfidenceOut]
    basis: list[BasisOut]


class RulesOut(BaseModel):
    rules: list[RuleSummaryOut]


class ClauseOut(BaseModel):
    name: str
    label: TextOut
    expression: str


class RuleZoneDetailOut(RuleZoneOut):
    members: list[PlaceRefOut]


class RuleParameterOut(ParameterOut, ConfidenceOut):
    pass


class RuleExceptionOut(BaseModel):
    label: str
    title: TextOut
    applies: list[ClauseOut]
    conditions: list[ClauseOut] | None
    outcome: list[ClauseOut]
    overrides: list[str]
    basis: list[BasisOut]


class RuleDetailOut(_Out):
    id: str
    title: TextOut
    domain: str
    subject: str
    firmness: str
    in_force: dict[str, str | None]
    zones: list[RuleZoneDetailOut]
    parameters: dict[str, RuleParameterOut]
    basis: list[BasisOut]
    asked_at: ClauseOut | None
    definitions: list[ClauseOut]
    scope: list[ClauseOut]
    conditions: list[ClauseOut]
    outcome: list[ClauseOut]
    exceptions: list[RuleExceptionOut]
    reading: str | None
    defined_at: str
