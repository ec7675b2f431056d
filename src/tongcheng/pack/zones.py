"""Zone membership in three values.

A zone lists whole cities (covering their counties) or single counties. A place inside a member
is in; a place that merely contains a member (潍坊 370700 for a zone that lists only 高密 and
诸城) is too coarse to say: membership is unknown, and the caller asks for the county.
"""

from __future__ import annotations

from datetime import date

from tongcheng.pack.model import Zone
from tongcheng.places import PlaceRegistry


def contains(registry: PlaceRegistry, zone: Zone, place: str, at: date) -> bool | None:
    """True, False, or None when ``place`` is too coarse for this zone at ``at``."""
    members = zone.members_at(at)
    if not members:
        return False
    if any(a in members for a in registry.ancestors(place)):
        return True
    if any(registry.contains(place, m) for m in members):
        return None
    return False


def coarse_members(registry: PlaceRegistry, zone: Zone, place: str, at: date) -> tuple[str, ...]:
    """The members lying inside ``place``: what a caseworker should choose between."""
    return tuple(sorted(m for m in zone.members_at(at) if registry.contains(place, m)))
