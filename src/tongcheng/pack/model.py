"""The compiled rule pack: immutable values every evaluator consumes.

Loading turns the pack's YAML files into these objects once; evaluation never touches files.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import attrs

from tongcheng.errors import Location
from tongcheng.expr import ast


@attrs.frozen
class Text:
    """A phrase in Chinese and English."""

    zh: str
    en: str

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


def local(value: Any, lang: str) -> Any:
    """A phrase in ``lang`` where ``value`` is one in both languages (a Text, or a ``{zh, en}``
    mapping); any other value as it is (a citation, a code, a number)."""
    if isinstance(value, Text):
        return value.get(lang)
    if isinstance(value, Mapping) and set(value) == {"zh", "en"}:
        return value["en"] if lang == "en" else value["zh"]
    return value


@attrs.frozen
class Document:
    """An official text or report a rule rests on."""

    id: str
    title: Text  # the same text in both where the document has a title of its own
    issuer: Text | None
    issued: date | None
    kind: str  # official | news | secondary
    number: str | None = None  # 文号, e.g. 鲁政字〔2023〕168号
    file: str | None = None  # the text inside the pack's sources/, when at hand
    url: str | None = None
    note: str | None = None


@attrs.frozen
class Basis:
    """One citation: document, article, and the quoted sentence."""

    document: Document
    article: str | None = None
    quote: str | None = None
    reading: Text | None = None  # the project's reading where the text leaves room
    location: Location | None = None
    # Set on a zone entry's basis: the zone it grants in and how firm its sentence is.
    zone: str | None = None
    firmness: str | None = None


@attrs.frozen
class ParamValue:
    value: Any
    reference: str | Text  # a citation (the same in both languages), or prose in both
    confidence: str  # high | medium | low
    start: date | None = None
    end: date | None = None
    undated: bool = False  # start date unknown: used as the current value after dated ones
    note: str | Text | None = None
    location: Location | None = None

    @property
    def flagged(self) -> bool:
        """Values a caseworker should be warned about: below high confidence or undated."""
        return self.confidence != "high" or self.undated


@attrs.frozen
class Parameter:
    """A named number a rule needs, with dated values per place (OpenFisca style).

    A place listed with no values is *declared*: the pack admits it does not know the number,
    and decisions needing it are undetermined with the parameter named.
    """

    id: str
    description: Text
    unit: str | None
    places: Mapping[str, tuple[ParamValue, ...]]
    location: Location


@attrs.frozen
class Membership:
    place: str
    start: date
    end: date | None = None
    basis: str | None = None

    def active(self, at: date) -> bool:
        return self.start <= at and (self.end is None or at <= self.end)


@attrs.frozen
class Zone:
    """A named set of places granting each other some treatment, from a date, by a document."""

    id: str
    name: Text
    kind: str  # persons | industry
    members: tuple[Membership, ...]
    basis: tuple[Basis, ...]
    location: Location

    def members_at(self, at: date) -> frozenset[str]:
        return frozenset(m.place for m in self.members if m.active(at))


# How firm a grant is, firmest first: a sentence stating the treatment as done or ordered (in
# force), one that only explores it (pilot), one that promises to promote it (promise).
FIRMNESS = ("in_force", "pilot", "promise")


def firmest(levels: Iterable[str]) -> str:
    """The firmest of some firmness levels."""
    return min(levels, key=FIRMNESS.index)


def weakest(levels: Iterable[str]) -> str:
    """The least firm of some firmness levels."""
    return max(levels, key=FIRMNESS.index)


@attrs.frozen
class ZoneRef:
    """A rule's use of a zone, from the date the rule's source grants it there, as firm as that
    source's sentence (``basis``) says."""

    zone: Zone
    start: date
    end: date | None = None
    firmness: str = "in_force"  # in_force | pilot | promise
    basis: tuple[Basis, ...] = ()

    def active(self, at: date) -> bool:
        return self.start <= at and (self.end is None or at <= self.end)


@attrs.frozen
class Clause:
    """A labelled expression: a scope test, a granting condition, a definition or an outcome."""

    name: str
    label: Text
    text: str
    expr: ast.Node
    location: Location
    on_ineligible: bool = False  # an outcome also given when the rule refuses (its figures)


@attrs.frozen
class RuleException:
    """A more specific rule that replaces its base's conditions or outcome where it applies.

    As in Catala, an exception wins over the rule it belongs to; two exceptions that both apply
    and disagree are an error unless one lists the other in ``overrides``.
    """

    label: str
    title: Text
    applies: tuple[Clause, ...]
    conditions: tuple[Clause, ...] | None
    outcome: tuple[Clause, ...]
    basis: tuple[Basis, ...]
    overrides: tuple[str, ...]
    location: Location


@attrs.frozen
class ServiceItem:
    """A one-stop government service item handled across the cities of a zone."""

    id: str
    name: Text
    zone: str
    start: date
    channel: str  # online | window | online_and_window
    basis: tuple[Basis, ...]
    location: Location
    note: str | None = None

    def available(self, at: date) -> bool:
        return self.start <= at

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": {"zh": self.name.zh, "en": self.name.en},
                "zone": self.zone, "channel": self.channel, "from": self.start.isoformat()}


@attrs.frozen
class Announced:
    """How many items a zone's documents announce, against how many the pack knows by name."""

    zone: str
    count: int | None
    at_least: bool
    basis: tuple[Basis, ...]
    start: date | None = None  # when it was announced
    confidence: str | None = None  # high | medium | low, where known only from a report


@attrs.frozen
class Rule:
    id: str
    title: Text
    domain: str
    subject: str  # person | project | enterprise
    zones: tuple[ZoneRef, ...]
    in_force_from: date | None
    in_force_to: date | None
    firmness: str  # in_force | pilot | promise: the default of its zone entries
    lets: tuple[Clause, ...]
    scope: tuple[Clause, ...]
    conditions: tuple[Clause, ...]
    outcome: tuple[Clause, ...]
    basis: tuple[Basis, ...]
    reading: Text | None
    exceptions: tuple[RuleException, ...]
    location: Location
    monotonic: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict)
    place: Clause | None = None  # where the rule is asked, when not the target
    # ``basis`` is everything the rule cites: its own basis, then each zone entry's; a decision
    # cites its own basis and the entries it rests on (``evaluate.firmness``).
    own_basis: tuple[Basis, ...] = ()

    def in_force(self, at: date) -> bool:
        return (self.in_force_from is None or self.in_force_from <= at) and (
            self.in_force_to is None or at <= self.in_force_to
        )

    @property
    def firmness_levels(self) -> tuple[str, ...]:
        """The firmness levels of the rule's zone entries, firmest first."""
        return tuple(f for f in FIRMNESS if any(z.firmness == f for z in self.zones))

    def parameter_names(self) -> tuple[str, ...]:
        """Parameters the rule reads (``param``/``declared`` with a literal name), in the order
        its clauses name them: for listings, the API and lint alike."""
        clauses = [*self.lets, *self.scope, *self.conditions, *self.outcome]
        if self.place is not None:
            clauses.append(self.place)
        for e in self.exceptions:
            clauses += [*e.applies, *(e.conditions or ()), *e.outcome]
        names: list[str] = []
        for c in clauses:
            for node in ast.walk(c.expr):
                if (
                    isinstance(node, ast.Call)
                    and node.func in ("param", "declared")
                    and node.args
                    and isinstance(node.args[0], ast.Literal)
                ):
                    name = str(node.args[0].value)
                    if name not in names:
                        names.append(name)
        return tuple(names)


@attrs.frozen
class PackInfo:
    name: str
    version: str
    digest: str
    description: Text | None = None
    # The words of the codes outcomes give (terms.yaml): what the table and the page show.
    terms: Mapping[str, Text] = attrs.field(factory=dict, eq=False, hash=False, repr=False)


@attrs.frozen
class LayerChange:
    """One thing an overlay changes in the pack below it: lint lists them (pack/overlay.py)."""

    action: str  # adds | replaces | extends (more dated values) | fills (a place without values)
    kind: str  # document | zone | zone member | parameter | parameter place | rule
    id: str  # e.g. medical_insurance.retiree_min_months[370200]
    location: Location  # where the overlay says it
    below: Location | None = None  # what it replaces or extends, where


@attrs.frozen
class Layer:
    """The base pack or one overlay of a stack, as loaded, with what it changes."""

    info: PackInfo
    root: str
    changes: tuple[LayerChange, ...] = ()


@attrs.frozen
class RulePack:
    """A compiled pack; with overlays, the whole stack: ``info`` names the stack (its digest is
    the stack's), ``layers`` the base pack and each overlay in order (empty without overlays)."""

    info: PackInfo
    root: str
    rules: tuple[Rule, ...]
    zones: Mapping[str, Zone]
    parameters: Mapping[str, Parameter]
    documents: Mapping[str, Document]
    services: tuple[ServiceItem, ...] = ()
    announced: tuple[Announced, ...] = ()
    layers: tuple[Layer, ...] = ()

    def __repr__(self) -> str:
        """One line (the generated repr printed every rule: ~190 KB)."""
        info = self.info
        return (f"<RulePack {info.name} {info.version} {info.digest[:19]}…: "
                f"{len(self.rules)} rules, {len(self.zones)} zones, "
                f"{len(self.parameters)} parameters>")

    def rule(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(r.id for r in self.rules)

    @property
    def service_ids(self) -> frozenset[str]:
        """The service items ``request.service`` may name."""
        return frozenset(s.id for s in self.services)
