"""The library's front door: load a pack, evaluate a situation, list rules.

The same decisions come from here, the command line and the HTTP service.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from tongcheng.evaluate.decision import Evaluation
from tongcheng.evaluate.evaluator import evaluate as _evaluate
from tongcheng.pack.loader import bundled_pack_path, load_pack
from tongcheng.pack.model import RulePack
from tongcheng.situation import Situation, parse_situation


@cache
def bundled_pack() -> RulePack:
    """The rule pack shipped with tongcheng, loaded once (it is immutable)."""
    return load_pack(bundled_pack_path())


def evaluate(
    situation: Situation | Mapping[str, Any] | str | bytes,
    pack: RulePack | str | Path | None = None,
    *,
    as_of: date | None = None,
    rules: Sequence[str] | None = None,
    trace: bool = True,
    evaluator: str | None = None,
) -> Evaluation:
    """Decisions for a situation (a model, a dict, or JSON/YAML text) under a pack.

    ``trace=False`` omits the reasons, for speed. ``evaluator="interpreter"`` decides with the
    reference interpreter instead of the rules compiled to Python (the same decisions; the
    default is ``"compiled"``, or the environment's ``TONGCHENG_EVALUATOR``). Raises
    SituationError for invalid input (a ``request.service`` the pack does not know included),
    PackError for a pack that fails to load, KeyError for an unknown rule id.
    """
    if pack is None:
        pack = bundled_pack()
    elif not isinstance(pack, RulePack):
        pack = load_pack(pack)
    if not isinstance(situation, Situation):
        situation = parse_situation(situation, as_of=as_of, services=pack.service_ids)
    return _evaluate(pack, situation, as_of=as_of, rules=rules, trace=trace, evaluator=evaluator)
