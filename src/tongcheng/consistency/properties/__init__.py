"""The properties every rule pack must have, searched with hypothesis over generated situations.

Each property draws situations from the pack itself (``tongcheng.testing``: its zones, places,
dates and parameters), evaluates them with the reference evaluator, and checks one promise the
contract makes to caseworkers. A failure is shrunk by hypothesis to a small situation and
reported with that situation (and, for properties comparing two situations, both), ready to run
with ``tongcheng check``.

The properties (names as ``tongcheng verify --property`` takes them):

``no_contradictions``
    Every situation gets exactly one decision per rule, in the pack's order; no rule fails to
    evaluate, and no two exceptions of a rule both apply with different answers unless one
    overrides the other (``RuleConflict`` is never raised); only eligible decisions carry an
    outcome. Rules with exceptions are drawn more often.
``deterministic``
    Evaluating the same situation twice, or the situation written as a YAML file and read back
    (the form counterexamples are printed in), gives the same JSON; a rule evaluated alone
    decides as it does among all the others.
``order_independent``
    Shuffling every list of the situation (periods, permits, cards, results) changes no
    decision; ``missing`` paths follow their items to their new positions.
``information_monotonic``
    With less information — facts removed, or a county given only as its city — a decision
    that is settled (eligible, ineligible, not applicable) stays the same, outcome values
    included, once the information is given.
``information_complete``
    An undetermined decision names what is missing; every ``missing`` entry is a path of the
    situation model; and an undetermined decision with no ``missing_parameters`` is settled once
    values are given for exactly its ``missing`` paths (absent facts drawn, too-coarse places
    narrowed to a county inside them). It may then name a missing *parameter* (the place that
    selects it was unknown before), never a new missing fact.
``mutual_recognition_symmetric``
    For every rule that recognises places through its zones (it calls ``member``,
    ``shares_zone`` or ``service_items``): moving a record from one member place to another —
    both sharing a zone of the rule with the anchor (the target), both in no city of the anchor,
    both with the same membership in every zone the rule cites or names, the second mentioned
    nowhere else in the situation — changes the decision only by that renaming: the same status,
    the same outcome with the one place code replaced by the other, the same missing facts.
    Recognition is mutual only when it does not depend on *which* member a record comes from.
``time``
    A rule never speaks (any status but not_applicable) before it is in force, outside every
    zone of it in force at ``as_of``, or before the earliest of its basis documents was issued;
    a parameter value used in a decision is the value valid on the date the trace shows, and
    that date is ``as_of`` unless the rule names another (``param(..., at=...)``).
``monotonic_outcomes``
    For each ``monotonic: {outcome: [fact paths]}`` a rule declares: more months at those paths
    (a period added, begun earlier, ended later or left open; a permit held from earlier) never
    turn an eligible decision into an ineligible or not-applicable one, and never lower those
    outcome values.

Situations that make a rule fail to evaluate are left to ``no_contradictions`` by the other
properties (they skip them), so a conflict is reported once, where it belongs.
"""


from __future__ import annotations

# The package's modules, one job each, each importing only those before it: context (Failure,
# Context, essence: what every property needs) · determinism (no_contradictions, deterministic,
# order_independent) · information · recognition · timing (time) · monotonic
# (monotonic_outcomes) · suite (PROPERTIES, run). Every name stays importable from here.
from tongcheng.consistency.properties.context import (
    SETTLED,
    Context,
    Failure,
    GeneratorError,
    Violation,
    essence,
)
from tongcheng.consistency.properties.determinism import (
    check_deterministic,
    check_no_contradictions,
    check_order_independent,
)
from tongcheng.consistency.properties.information import (
    check_information_complete,
    check_information_monotonic,
)
from tongcheng.consistency.properties.monotonic import check_monotonic_outcomes
from tongcheng.consistency.properties.recognition import check_mutual_recognition_symmetric
from tongcheng.consistency.properties.suite import (
    PROPERTIES,
    PROPERTY_NAMES,
    Property,
    Result,
    run,
    run_property,
)
from tongcheng.consistency.properties.timing import check_time

__all__ = [
    "PROPERTIES",
    "PROPERTY_NAMES",
    "SETTLED",
    "Context",
    "Failure",
    "GeneratorError",
    "Property",
    "Result",
    "Violation",
    "check_deterministic",
    "check_information_complete",
    "check_information_monotonic",
    "check_monotonic_outcomes",
    "check_mutual_recognition_symmetric",
    "check_no_contradictions",
    "check_order_independent",
    "check_time",
    "essence",
    "run",
    "run_property",
]
