"""Hypothesis strategies for situations, for rule authors' own tests and the project's.

Every strategy draws JSON-ready data (dicts, lists, ``"YYYY-MM"`` strings, ISO dates) that
``tongcheng.parse_situation`` accepts: valid by construction. Requires ``hypothesis``
(``pip install tongcheng[verify]``).

Pass your rule pack (``pack=tongcheng.load_pack("my-pack")``) and the strategies draw from it:

- **places** (:func:`places`, :func:`place_pool`): the members of the pack's zones (cities and
  counties), the counties inside member cities, cities too coarse for a zone that lists only some
  of their counties (潍坊 for the metro area), their counties outside it (昌邑), places of the
  province in no zone, places in other provinces (and the few counties governed directly by a
  province, which have no city), place codes the rules and parameters name, and retired codes
  (only for periods that begin before the code was retired);
- **dates** (:func:`as_of_dates`): around every date the pack names — zone and member starts,
  rule zones, parameter values, documents — one day before, on and after, and anywhere between;
- **periods** (:func:`periods`, :func:`period_lists`): contribution and deposit periods, open or
  closed, overlapping, adjacent or with gaps, starting and ending at month edges (the month of
  ``as_of``, the months around it and after it, the months the pack's dates fall in);
- **persons** (:func:`persons`): every age and sex, births on the pack's age thresholds (a
  numeric parameter in years: born N years before ``as_of``, a day either side) and on 29 February;
- **situations** (:func:`situations`): whole situations, valid by construction, each fact present
  or absent (unknown); project situations (:func:`projects`) when the pack has project rules;
- **less information** (:func:`reduced`, :func:`less_informed`): the same situation with facts
  removed, or counties given only as their city — strictly less information;
- **more information** (:func:`given_values`): values for exactly the paths a decision says are
  missing, refining a too-coarse place to a county inside it;
- **more months** (:func:`more_months`): the same situation with more contribution months.

A test a rule author can copy (pytest, with hypothesis installed)::

    import tongcheng
    from hypothesis import given, strategies as st
    from tongcheng.testing import situations

    PACK = tongcheng.load_pack("my-pack")

    @given(situations(pack=PACK))
    def test_my_rule_never_grants_without_months(situation):
        d = tongcheng.evaluate(situation, PACK).decision("my.rule")
        if d.status.value == "eligible":
            assert d.outcome["recognized_months"] > 0

    @given(st.data())
    def test_more_is_never_less(data):
        full = data.draw(situations(pack=PACK))
        less = data.draw(less_informed(full, pack=PACK))
        ...

The whole property suite (``tongcheng verify PACK``) is built on these strategies; see
``tongcheng.consistency``.
"""

from __future__ import annotations

# The package's modules, one job each, each importing only those before it: packs (pack
# helpers, PlacePool, places) · dating (dates, months) · spans (periods) · values (a value for
# any field, by type) · people (persons) · subjects (projects, enterprises, situations) ·
# less_information (reduced, coarsened, path helpers) · more_information (given_values) ·
# extra_months (more_months). Every name stays importable from here; ``x as x`` keeps names
# existing callers use that are not in ``__all__``.
from tongcheng.consistency.facts import parse_path
from tongcheng.situation.kinds import full_annotation
from tongcheng.testing.dating import as_of_dates, dates, months
from tongcheng.testing.extra_months import more_months, shift_days, with_list
from tongcheng.testing.less_information import (
    REMOVABLE,
    coarsened,
    get_path,
    less_informed,
    place_paths,
    reduced,
    removable_paths,
    set_path,
    without,
)
from tongcheng.testing.more_information import NotAPath, field_at, given_values
from tongcheng.testing.more_information import _counties_inside as _counties_inside
from tongcheng.testing.packs import (
    ZONE_PLACES,
    PlacePool,
    pack_dates,
    place_pool,
    places,
    rule_places,
)
from tongcheng.testing.packs import (
    _rule_dates as _rule_dates,
)
from tongcheng.testing.packs import (
    rule_clauses as rule_clauses,
)
from tongcheng.testing.people import birth_dates, persons
from tongcheng.testing.spans import period_lists, periods
from tongcheng.testing.subjects import (
    HAS_ENTERPRISE,
    HAS_PROJECT,
    projects,
    situations,
)
from tongcheng.testing.subjects import (
    enterprises as enterprises,
)

__all__ = [
    "HAS_ENTERPRISE",
    "HAS_PROJECT",
    "REMOVABLE",
    "ZONE_PLACES",
    "NotAPath",
    "PlacePool",
    "as_of_dates",
    "birth_dates",
    "coarsened",
    "dates",
    "field_at",
    "get_path",
    "given_values",
    "less_informed",
    "months",
    "more_months",
    "pack_dates",
    "parse_path",
    "period_lists",
    "periods",
    "persons",
    "place_paths",
    "place_pool",
    "places",
    "projects",
    "reduced",
    "removable_paths",
    "rule_places",
    "set_path",
    "shift_days",
    "situations",
    "with_list",
    "without",
]

# Kept for callers of the first version: the annotation of a field, metadata included.
_full_annotation = full_annotation
