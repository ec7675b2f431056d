"""Life events: typed, validated, and each a plain update of the situation's facts.

An event says what happened and when (``on``); :meth:`LifeEvent.apply` turns it into the facts
it implies, on the JSON-ready form of a situation (``Situation.to_dict()``). The case then
validates the result with the situation model, so an event can never leave a case in a state a
situation file could not describe.

The facts model is kept honest (CONTRACT.md): a list once given is complete, so an event that
adds to a list (a card, a residence permit, a transfer of contribution periods) needs that list
to be known — an unknown list stays unknown rather than becoming "only this one", and the event
is refused, naming the path to give first.

Where an event names a place where something happens (a hospital, a fund centre, a destination
city), that place becomes the situation's ``target``: the portal asks the rules there.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictStr,
    TypeAdapter,
    ValidationError,
)

from tongcheng import wording as W
from tongcheng.errors import Problem, SituationError
from tongcheng.months import format_month, month_of, parse_month
from tongcheng.places import RetiredPlace, UnknownPlace, default_registry
from tongcheng.situation import CardKind, Date, HospitalGrade, Place, Scheme
from tongcheng.situation.facts import _plain_message

__all__ = [
    "EVENT_TYPES",
    "CardIssued",
    "Event",
    "HospitalAdmission",
    "LifeEvent",
    "LoanApplication",
    "Move",
    "ResidencePermitIssued",
    "Retirement",
    "ServiceRequest",
    "TransferIn",
    "event_model",
    "parse_event",
]

Facts = dict[str, Any]


class LifeEvent(BaseModel):
    """Something that happened to the case's subject on a date."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    type: str
    on: Date
    """The day it happened (or was requested)."""

    # Place fields, checked against the place registry at ``on`` by parse_event.
    _places: ClassVar[tuple[str, ...]] = ()

    def place_problems(self) -> list[Problem]:
        """Place codes the registry does not know, or retired before ``on`` (worded as the
        situation model words them)."""
        registry = default_registry()
        problems = []
        for field in self._places:
            code = getattr(self, field)
            if code is None:
                continue
            try:
                registry.resolve(code, self.on)
            except RetiredPlace as exc:
                old, new = exc.place, exc.current
                words = W.retired_place(old.code, (old.name_en or old.name_zh, old.name_zh),
                                        old.retired, exc.at, new.code,
                                        (new.name_en or new.name_zh, new.name_zh))
            except UnknownPlace as exc:
                words = W.unknown_place(exc.code)
            except ValueError:
                words = W.expected_place(code)
            else:
                continue
            problems.append(Problem(f"event.{field}", words.en, words.zh, code=words.code))
        return problems

    @abstractmethod
    def apply(self, facts: Mapping[str, Any]) -> Facts:
        """The facts after this event (a new dict; ``facts`` is not changed). Every kind of
        event defines it; pydantic's model metaclass is an ABCMeta, so a kind without it cannot
        be made."""

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


def _copy(facts: Mapping[str, Any]) -> Facts:
    import copy

    return copy.deepcopy(dict(facts))


def _part(facts: Facts, key: str) -> Facts:
    part = facts.get(key)
    part = dict(part) if isinstance(part, Mapping) else {}
    facts[key] = part
    return part


def _known_list(owner: Mapping[str, Any], key: str, path: str,
                event: tuple[str, str]) -> list[Any]:
    """The list ``key`` of ``owner``, which an ``event`` (its name in English and Chinese)
    adds to: refused while it is unknown."""
    items = owner.get(key)
    if items is None:
        raise SituationError([Problem(
            path,
            f"unknown, so a {event[0]} cannot be added to it (a given list is complete): give "
            f"{path} first ([] for none)",
            f"未知(尚未给出),因此无法向其中加入{event[1]}(列表一经给出即视为完整):"
            f"请先给出 {path}(没有则填 [])",
        )])
    return [dict(i) for i in items]


def _transfer(periods: list[dict[str, Any]], to: str, start: int, match) -> list[dict[str, Any]]:
    """Close the running periods elsewhere the month before ``start``; open one at ``to``."""
    out, staying = [], False
    for period in periods:
        if match(period) and period.get("to") is None:
            if period["place"] == to:
                staying = True
            else:
                period["to"] = format_month(max(parse_month(period["from"]), start - 1))
        out.append(period)
    if not staying:
        out.append({"place": to, "from": format_month(start)})
    return out


class TransferIn(LifeEvent):
    """The insurance relation (or the provident fund account) is transferred into ``to``.

    Running periods of the scheme elsewhere end the month before ``on``; a period at ``to``
    starts in the month of ``on``; ``to`` becomes the target (the receiving office).
    """

    type: Literal["transfer_in"] = "transfer_in"
    scheme: Scheme | Literal["provident_fund"]
    """An insurance scheme, or provident_fund for the housing provident fund account."""
    to: Place
    """The receiving city or county."""

    _places: ClassVar[tuple[str, ...]] = ("to",)

    def apply(self, facts: Mapping[str, Any]) -> Facts:
        out = _copy(facts)
        start = month_of(self.on)
        if self.scheme == "provident_fund":
            fund = _part(out, "provident_fund")
            periods = _known_list(fund, "periods", "provident_fund.periods",
                                  ("fund transfer", "公积金转入记录"))
            fund["periods"] = _transfer(periods, self.to, start, lambda p: True)
        else:
            periods = _known_list(out, "insurance", "insurance", ("transfer", "参保转入记录"))
            moved = _transfer(periods, self.to, start, lambda p: p.get("scheme") == self.scheme)
            for period in moved:
                period.setdefault("scheme", self.scheme)
            out["insurance"] = moved
        out["target"] = self.to
        return out


class Retirement(LifeEvent):
    """The person retires on ``on``; the pension is paid by ``pension_place`` when given."""

    type: Literal["retirement"] = "retirement"
    pension_place: Place | None = None
    """The city that pays the pension (absent: unknown)."""

    _places: ClassVar[tuple[str, ...]] = ("pension_place",)

    def apply(self, facts: Mapping[str, Any]) -> Facts:
        out = _copy(facts)
        person = _part(out, "person")
        person["employment"] = "retired"
        person["retired_on"] = self.on.isoformat()
        if self.pension_place is not None:
            person["pension_place"] = self.pension_place
        return out


class Move(LifeEvent):
    """The person moves to live in ``to``, which becomes the target (the portal serves the
    person where they now live)."""

    type: Literal["move"] = "move"
    to: Place
    """Where the person lives from now on."""

    _places: ClassVar[tuple[str, ...]] = ("to",)

    def apply(self, facts: Mapping[str, Any]) -> Facts:
        out = _copy(facts)
        _part(out, "person")["lives_in"] = self.to
        out["target"] = self.to
        return out


class HospitalAdmission(LifeEvent):
    """The person is admitted to a hospital in ``hospital`` (the target: where it is settled)."""

    type: Literal["hospital_admission"] = "hospital_admission"
    hospital: Place
    """The hospital's place."""
    grade: HospitalGrade | None = None
    """The hospital's grade (1-3), when known."""

    _places: ClassVar[tuple[str, ...]] = ("hospital",)

    def apply(self, facts: Mapping[str, Any]) -> Facts:
        out = _copy(facts)
        out["target"] = self.hospital
        if self.grade is not None:
            _part(out, "request")["hospital_grade"] = self.grade
        return out


class LoanApplication(LifeEvent):
    """The person applies for a provident fund loan at the fund centre of ``place``."""

    type: Literal["loan_application"] = "loan_application"
    place: Place
    """The fund centre's place (the target)."""
    couple: StrictBool | None = None
    """true: applying together with a spouse."""

    _places: ClassVar[tuple[str, ...]] = ("place",)

    def apply(self, facts: Mapping[str, Any]) -> Facts:
        out = _copy(facts)
        out["target"] = self.place
        if self.couple is not None:
            _part(out, "provident_fund")["couple_application"] = self.couple
        return out


class CardIssued(LifeEvent):
    """A card is issued to the person (the list of cards must be known)."""

    type: Literal["card_issued"] = "card_issued"
    kind: CardKind
    issuer: Place

    _places: ClassVar[tuple[str, ...]] = ("issuer",)

    def apply(self, facts: Mapping[str, Any]) -> Facts:
        out = _copy(facts)
        cards = _known_list(out, "cards", "cards", ("card", "新卡"))
        out["cards"] = [*cards, {"kind": self.kind, "issuer": self.issuer}]
        return out


class ResidencePermitIssued(LifeEvent):
    """A residence permit (居住证) is issued in ``place`` (the list of permits must be known)."""

    type: Literal["residence_permit_issued"] = "residence_permit_issued"
    place: Place

    _places: ClassVar[tuple[str, ...]] = ("place",)

    def apply(self, facts: Mapping[str, Any]) -> Facts:
        out = _copy(facts)
        person = _part(out, "person")
        permits = _known_list(person, "residence", "person.residence",
                              ("residence permit", "居住证"))
        person["residence"] = [*permits, {"place": self.place, "since": self.on.isoformat()}]
        return out


class ServiceRequest(LifeEvent):
    """The person asks for a one-stop service item at ``place`` (the target)."""

    type: Literal["service_request"] = "service_request"
    service: StrictStr
    place: Place

    _places: ClassVar[tuple[str, ...]] = ("place",)

    def apply(self, facts: Mapping[str, Any]) -> Facts:
        out = _copy(facts)
        out["target"] = self.place
        _part(out, "request")["service"] = self.service
        return out


Event = Annotated[
    TransferIn
    | Retirement
    | Move
    | HospitalAdmission
    | LoanApplication
    | CardIssued
    | ResidencePermitIssued
    | ServiceRequest,
    Field(discriminator="type"),
]

EVENT_TYPES: tuple[str, ...] = (
    "transfer_in",
    "retirement",
    "move",
    "hospital_admission",
    "loan_application",
    "card_issued",
    "residence_permit_issued",
    "service_request",
)
"""The life event types, as written in ``type`` and in a trigger's ``on``."""

_ADAPTER: TypeAdapter[Any] = TypeAdapter(Event)
_MODELS: dict[str, type[LifeEvent]] = {
    m.model_fields["type"].default: m
    for m in (TransferIn, Retirement, Move, HospitalAdmission, LoanApplication, CardIssued,
              ResidencePermitIssued, ServiceRequest)
}


def event_model(event_type: str) -> type[LifeEvent] | None:
    """The model of a life event type; None for the case's own events (opened, facts, clock)."""
    return _MODELS.get(event_type)


def _problem(path: str, error: Mapping[str, Any]) -> Problem:
    """Pydantic's error about an event, worded in both languages (the situation model's words
    for its values: dates, places, schemes)."""
    kind = error["type"]
    if kind == "extra_forbidden":
        words = W.Words(W.UNKNOWN_KEY, "unknown key", "未知的键")
    elif kind in ("union_tag_invalid", "union_tag_not_found"):
        types = ", ".join(EVENT_TYPES)
        words = W.Words(W.EXPECTED_CHOICE, f"expected an event type, one of: {types}",
                        f"应为以下事件类型之一:{types}")
    elif kind == "literal_error":  # provident_fund, the other branch of a transfer's scheme
        expected = str((error.get("ctx") or {}).get("expected", "")).replace(" or ", "、")
        words = W.Words(W.EXPECTED_CHOICE, str(error["msg"]), f"应为 {expected}")
    else:
        words = _plain_message(error)
    return Problem(path, words.en, words.zh, code=words.code)


def parse_event(data: LifeEvent | Mapping[str, Any]) -> LifeEvent:
    """A life event from a mapping (``{"type": "move", "on": "2025-06-01", "to": "371000"}``).

    Raises SituationError naming every problem (``event.to: ...``).
    """
    event = data if isinstance(data, LifeEvent) else _validate(data)
    problems = event.place_problems()
    if problems:
        raise SituationError(problems)
    return event


def _validate(data: Any) -> LifeEvent:
    if not isinstance(data, Mapping):
        raise SituationError([Problem("event", "expected a mapping with a type and a date",
                                      "应为含事件类型(type)和日期(on)的映射")])
    try:
        return _ADAPTER.validate_python(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = [str(p) for p in error["loc"] if str(p) not in EVENT_TYPES]
            path = ".".join(["event", *loc])
            problems.append(_problem(path, error))
        raise SituationError(problems) from None
