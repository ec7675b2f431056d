"""The rule-pack file formats, as pydantic models: what a rule author may write.

Validation errors from these models are mapped back to file and line by the loader. The JSON
Schema of each file kind can be printed for editors (``tongcheng schema --pack-file rule``).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Id = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")]
Label = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
Confidence = Literal["high", "medium", "low"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TextIn(_Strict):
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)


class PackFile(_Strict):
    """``pack.yaml``: the pack's name and version."""

    name: str
    version: str
    description: TextIn | None = None


class DocumentIn(_Strict):
    """One entry of ``documents.yaml``. ``title`` is the document's own title as published
    (shown as it is in both languages), or ``{zh, en}`` for a text without a title of its own
    (a report of a document, a repost, a summary); ``issuer`` likewise."""

    title: str | TextIn
    issuer: str | TextIn | None = None
    issued: dt.date | None = None
    kind: Literal["official", "news", "secondary"]
    number: str | None = None
    file: str | None = Field(None, description="the text, relative to the pack's sources/")
    url: str | None = None
    note: str | None = None


class BasisIn(_Strict):
    document: Id
    article: str | None = None
    quote: str | None = None
    reading: TextIn | None = None


class MemberIn(_Strict):
    place: str | int
    from_: dt.date = Field(alias="from")
    to: dt.date | None = None
    basis: Id | None = None


class ZoneIn(_Strict):
    """One entry of ``zones.yaml``."""

    name: TextIn
    kind: Literal["persons", "industry"] = "persons"
    basis: list[BasisIn] = Field(min_length=1)
    members: list[MemberIn] = Field(min_length=1)


class ValueIn(_Strict):
    value: Any
    reference: Annotated[str, StringConstraints(min_length=1)] | TextIn = Field(
        description="where the value comes from: a citation (a document's title, an address), "
        "or {zh, en} where it is prose"
    )
    confidence: Confidence
    from_: dt.date | None = Field(None, alias="from")
    to: dt.date | None = None
    undated: bool = False
    note: str | TextIn | None = None


class ParameterIn(_Strict):
    """One entry of a ``parameters/*.yaml`` file."""

    description: TextIn
    unit: str | None = None
    values: dict[str, list[ValueIn]] = Field(
        description="per place code: dated values; an empty list declares the place without "
        "a known value"
    )


class ClauseIn(_Strict):
    label: TextIn
    when: str


class ValueClauseIn(_Strict):
    expr: str
    label: TextIn | None = None
    on_ineligible: bool = Field(
        False, description="also given on an ineligible decision: a figure the refusal turned on"
    )


Firmness = Literal["in_force", "pilot", "promise"]


class ZoneRefIn(_Strict):
    """A rule's use of a zone: from when, how firm, and on which sentence.

    ``firmness`` is read from the zone entry's own source sentence (实现/推行/完善/深化: in force;
    探索: pilot; 推动/推进/积极推进/支持提升: promise); absent, the rule's ``firmness`` applies.
    ``basis`` names the sentence(s) this zone entry rests on; a decision granted through the
    zone lists them beside the rule's own basis.
    """

    zone: Id
    from_: dt.date = Field(alias="from")
    to: dt.date | None = None
    firmness: Firmness | None = None
    basis: list[BasisIn] = Field(default_factory=list)


class PeriodIn(_Strict):
    from_: dt.date | None = Field(None, alias="from")
    to: dt.date | None = None


class ExceptionIn(_Strict):
    label: Label
    title: TextIn
    applies: list[ClauseIn] = Field(min_length=1)
    conditions: list[ClauseIn] | None = None
    outcome: dict[str, str | ValueClauseIn] = Field(default_factory=dict)
    basis: list[BasisIn] = Field(min_length=1)
    overrides: list[Label] = Field(default_factory=list)


class RuleIn(_Strict):
    """One rule of a ``rules/*.yaml`` file (each file is a list of rules)."""

    id: Id
    title: TextIn
    domain: str
    subject: Literal["person", "project", "enterprise"] = "person"
    zones: list[ZoneRefIn] = Field(min_length=1)
    in_force: PeriodIn | None = None
    firmness: Firmness = Field(
        "in_force", description="the default firmness of the rule's zone entries"
    )
    let: dict[Label, str | ValueClauseIn] = Field(default_factory=dict)
    scope: list[ClauseIn] = Field(default_factory=list)
    conditions: list[ClauseIn] = Field(default_factory=list)
    outcome: dict[Label, str | ValueClauseIn] = Field(default_factory=dict)
    basis: list[BasisIn] = Field(
        default_factory=list,
        description="the rule's own basis; may be empty when every zone entry gives its basis",
    )
    reading: TextIn | None = None
    exceptions: list[ExceptionIn] = Field(default_factory=list)
    monotonic: dict[Label, list[str]] = Field(default_factory=dict)
    place: str | None = Field(
        None, description="where the rule is asked (an expression); default: the target"
    )


class AnnouncedIn(_Strict):
    count: int | None = Field(None, ge=0)
    at_least: bool = False
    from_: dt.date | None = Field(None, alias="from", description="when the announcement was made")
    confidence: Confidence | None = Field(
        None, description="how sure the count is, where it is known only from a report"
    )
    basis: list[BasisIn] = Field(default_factory=list)


class ServiceItemIn(_Strict):
    id: Id
    name: TextIn
    zone: Id
    from_: dt.date = Field(alias="from")
    channel: Literal["online", "window", "online_and_window"]
    basis: list[BasisIn] = Field(min_length=1)
    note: str | None = None


class ServicesFile(_Strict):
    """``services.yaml``: the one-stop service items, as data."""

    announced: dict[Id, AnnouncedIn] = Field(default_factory=dict)
    items: list[ServiceItemIn] = Field(default_factory=list)


class TermsFile(_Strict):
    """``terms.yaml``: the words of the codes outcomes give, ``code: {zh, en}``."""

    terms: dict[Id, TextIn] = Field(default_factory=dict)
