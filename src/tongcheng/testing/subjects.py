"""Whole situations: projects and enterprises (:func:`projects`, :func:`enterprises`) and
:func:`situations`, each fact present or absent."""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import strategies as st

from tongcheng.consistency.facts import field_kind, fields
from tongcheng.places import default_registry
from tongcheng.situation import CARD_KINDS, SCHEMES, Situation
from tongcheng.situation.kinds import kind_of
from tongcheng.testing.dating import as_of_dates
from tongcheng.testing.packs import (
    _memo,
    _resolve_pack,
    _resolve_rule,
    _short_pack_repr,
    _string_literals,
    places,
    rule_clauses,
)
from tongcheng.testing.people import _presence, persons
from tongcheng.testing.spans import period_lists
from tongcheng.testing.values import _for_kind, _weighted

HAS_PROJECT: bool = "project" in Situation.model_fields
HAS_ENTERPRISE: bool = "enterprise" in Situation.model_fields
"""Whether the situation model has a ``project`` subject (the flying-enclave rule's). When it
has not, :func:`projects` draws the planned fields (``kind: joint_enclave_project, zone,
flying_out, flying_in, gdp, tax``) and :func:`situations` draws no project situations."""


# --- projects ---------------------------------------------------------------------------------


def _project_zones(pack: Any) -> list[Any]:
    if pack is None:
        return []
    used = [ref.zone for r in pack.rules if r.subject == "project" for ref in r.zones]
    return used or list(pack.zones.values())


@_short_pack_repr
@st.composite
def projects(draw, pack: Any = None, as_of: date | None = None) -> dict[str, Any]:
    """A jointly introduced project for the flying-enclave rule: its two sides drawn from the
    members of the zones the pack's project rules cite (and their counties), or anywhere; GDP
    and tax exact to the cent (odd cents included, so a remainder cent shows).

    The fields come from the situation model's ``project``. When the model has none yet
    (:data:`HAS_PROJECT` is false), the project has the planned fields
    ``kind: joint_enclave_project, zone, flying_out, flying_in, gdp, tax`` — not valid input
    until the model gains them.
    """
    pack = _resolve_pack(pack)
    zones = _project_zones(pack)
    zone = draw(st.sampled_from(zones)) if zones else None
    sides = places(pack)
    if zone is not None:
        reg = default_registry()
        members = sorted({p for m in zone.members for p in (m.place, *reg.children(m.place))})
        sides = st.one_of(st.sampled_from(members), places(pack))
    amount = st.one_of(
        st.integers(0, 10**12).map(lambda cents: cents / 100),
        st.sampled_from((0, 0.01, 0.05, 1, 3.33, 100000000.01)),
    )
    if not HAS_PROJECT:
        return {
            "kind": "joint_enclave_project",
            "zone": zone.id if zone is not None else "laixi_laiyang",
            "flying_out": draw(sides),
            "flying_in": draw(sides),
            "gdp": draw(amount),
            "tax": draw(amount),
        }
    kind = kind_of(Situation.model_fields["project"].annotation)
    assert kind.model is not None
    project: dict[str, Any] = {}
    maybe = _presence(8)
    for key, info in fields(kind.model).items():
        if not info.is_required() and not draw(maybe):
            continue
        if key in ("flying_out", "flying_in"):
            project[key] = draw(sides)
        elif key in ("gdp", "tax"):
            project[key] = draw(amount)
        elif key == "jointly_introduced":
            project[key] = draw(st.sampled_from((True, True, True, False)))
        elif key == "zone" and zone is not None:
            project[key] = zone.id
        else:
            project[key] = draw(_for_kind(field_kind(info), key, pack, as_of))
    return project


def _has_project_rules(pack: Any) -> bool:
    return pack is not None and any(r.subject == "project" for r in pack.rules)


def _has_person_rules(pack: Any) -> bool:
    return pack is None or any(r.subject == "person" for r in pack.rules)


def _has_enterprise_rules(pack: Any) -> bool:
    return pack is not None and any(r.subject == "enterprise" for r in pack.rules)


@_short_pack_repr
@st.composite
def enterprises(draw, pack: Any = None, as_of: date | None = None) -> dict[str, Any]:
    """An enterprise for the enterprise rules: its place of registration drawn from the members
    of the zones those rules cite (and their counties), or anywhere; each field known or not."""
    pack = _resolve_pack(pack)
    zones = [ref.zone for r in pack.rules if r.subject == "enterprise" for ref in r.zones]
    where = places(pack)
    if zones:
        reg = default_registry()
        members = sorted({p for z in zones for m in z.members
                          for p in (m.place, *reg.children(m.place))})
        where = st.one_of(st.sampled_from(members), places(pack))
    kind = kind_of(Situation.model_fields["enterprise"].annotation)
    assert kind.model is not None
    out: dict[str, Any] = {}
    maybe = _presence(8)
    for key, info in fields(kind.model).items():
        if not draw(maybe):
            continue
        if key == "registered_in":
            out[key] = draw(where)
        else:
            out[key] = draw(_for_kind(field_kind(info), key, pack, as_of))
    return out


# --- situations -------------------------------------------------------------------------------

_SITUATION_HANDLED = frozenset({"as_of", "target", "person", "insurance", "provident_fund",
                                "cards", "project", "enterprise"})


@_short_pack_repr
@st.composite
def situations(
    draw,
    *,
    as_of: date | None = None,
    completeness: int | None = None,
    pack: Any = None,
    subject: str | None = None,
    rule: Any = None,
) -> dict[str, Any]:
    """A whole situation, each fact present or absent (unknown), lists possibly empty.

    ``completeness`` (0-10) is how often each fact is known; drawn when not given, so both
    sparse and nearly complete situations come up. ``pack`` (default: the bundled pack) gives
    the places and dates. ``subject`` is ``"person"``, ``"project"`` or ``"enterprise"``; by
    default a project (or an enterprise) now and then when the pack has such rules and the
    model the field. ``rule``
    (an id or a rule) focuses on one rule: its subject, dates around its zones and documents,
    and half the places where it speaks.
    """
    pack = _resolve_pack(pack)
    focus = _resolve_rule(pack, rule)
    when = as_of or draw(as_of_dates(pack, rule=focus))
    level = completeness if completeness is not None else draw(st.sampled_from((3, 6, 9, 10)))
    subject = _subject(draw, pack, focus, subject)
    where = places(pack, rule=focus)
    hints = _memo(pack, ("hints", focus.id), lambda: frozenset(_string_literals(rule_clauses(
        focus)))) if focus is not None else frozenset()
    schemes = _weighted(SCHEMES, hints)
    situation: dict[str, Any] = {"as_of": when.isoformat()}
    maybe = _presence(level)
    if draw(st.integers(0, 7)):
        situation["target"] = draw(where)
    if subject == "project":
        if HAS_PROJECT:
            situation["project"] = draw(projects(pack, when))
        return situation
    if subject == "enterprise":
        if HAS_ENTERPRISE:
            situation["enterprise"] = draw(enterprises(pack, when))
        return situation
    if draw(maybe):
        situation["person"] = draw(persons(when, level, pack, place=where, hints=hints))
    if draw(maybe):
        situation["insurance"] = draw(period_lists(pack=pack, as_of=when, place=where,
                                                   schemes=schemes))
    if draw(maybe):
        situation["provident_fund"] = _fund(draw, maybe, pack, when, where)
    if draw(maybe):
        situation["cards"] = draw(st.lists(
            st.fixed_dictionaries({"kind": st.sampled_from(_weighted(CARD_KINDS, hints)),
                                   "issuer": where}),
            max_size=3))
    for key, info in fields(Situation).items():
        if key in _SITUATION_HANDLED:
            continue
        if draw(maybe):
            situation[key] = draw(_for_kind(field_kind(info), key, pack, when, where, hints))
    return situation


def _subject(draw, pack: Any, focus: Any, subject: str | None) -> str:
    """Whose situation: the one asked for, the focused rule's, or by default a person, now and
    then a project or an enterprise when the pack has rules for them (and the model the
    field)."""
    if subject is None and focus is not None:
        subject = focus.subject if focus.subject in ("person", "project", "enterprise") else None
    if subject is None:
        if HAS_PROJECT and _has_project_rules(pack):
            subject = "project" if (not _has_person_rules(pack) or draw(
                st.integers(0, 5)) == 5) else "person"
        else:
            subject = "person"
        if subject == "person" and HAS_ENTERPRISE and _has_enterprise_rules(pack) and draw(
                st.integers(0, 7)) == 7:
            subject = "enterprise"
    return subject


def _fund(draw, maybe: st.SearchStrategy[bool], pack: Any, when: date,
          where: st.SearchStrategy[str]) -> dict[str, Any]:
    """A provident fund account, each fact present or absent (drawn in a fixed order: the
    order is part of what a seed reproduces)."""
    fund: dict[str, Any] = {}
    if draw(maybe):
        fund["periods"] = draw(period_lists(with_scheme=False, pack=pack, as_of=when,
                                            max_size=4, place=where))
    if draw(maybe):
        fund["balance"] = draw(st.one_of(st.integers(0, 300_000), st.sampled_from(
            (0, 9_999, 10_000, 10_001, 45_000, 65_000))))
    if draw(maybe):
        fund["outstanding_loans"] = draw(st.integers(0, 2))
    if draw(maybe):
        fund["couple_application"] = draw(st.booleans())
    if draw(maybe):
        fund["spouse_balance"] = draw(st.integers(0, 300_000))
    return fund
