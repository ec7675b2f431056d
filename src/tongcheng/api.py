"""The library's front door: load a pack, evaluate a situation, list rules.

The same decisions come from here, the command line and the HTTP service.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime
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

    ``as_of``: a date, or one written YYYY-MM-DD. ``rules``: a list of rule ids (None: every
    rule). ``trace=False`` omits the reasons, for speed. ``evaluator="interpreter"`` decides
    with the reference interpreter instead of the rules compiled to Python (the same decisions;
    the default is ``"compiled"``, or the environment's ``TONGCHENG_EVALUATOR``). Raises
    SituationError for invalid input (a ``request.service`` the pack does not know included),
    PackError for a pack that fails to load, KeyError for an unknown rule id, TypeError or
    ValueError for an argument of the wrong kind (named).
    """
    as_of = _as_of(as_of)
    _check_options(pack, rules, trace)
    if pack is None:
        pack = bundled_pack()
    elif not isinstance(pack, RulePack):
        pack = load_pack(pack)
    if not isinstance(situation, Situation):
        situation = parse_situation(situation, as_of=as_of, services=pack.service_ids)
    return _evaluate(pack, situation, as_of=as_of, rules=rules, trace=trace, evaluator=evaluator)


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def _as_of(value: Any) -> date | None:
    """``as_of`` as a date: a date itself (not a datetime: a decision is taken on a day), or
    its ISO text; anything else named in the error."""
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError as e:
            raise ValueError(f"as_of: {value!r} is not a calendar date ({e})") from None
    raise TypeError(f"as_of: expected a date (or text YYYY-MM-DD), got {value!r}")


def _check_options(pack: Any, rules: Any, trace: Any) -> None:
    """The arguments Python's types do not check, each refused by name: a text given for the
    list of rules would be read letter by letter, a text for ``trace`` taken as true."""
    if pack is not None and not isinstance(pack, RulePack | str | Path):
        raise TypeError(f"pack: expected a RulePack, a pack folder (str or Path) or None, "
                        f"got {type(pack).__name__}")
    if isinstance(rules, str | bytes):
        raise TypeError(f"rules: expected a list of rule ids, got the text {rules!r} "
                        f"(write rules=[{rules!r}])")
    if rules is not None and (not isinstance(rules, Collection)
                              or not all(isinstance(r, str) for r in rules)):
        raise TypeError(f"rules: expected a list of rule ids (texts), got {rules!r}")
    if not isinstance(trace, bool):
        raise TypeError(f"trace: expected True or False, got {trace!r}")
