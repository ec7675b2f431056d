"""Evaluate one expression of the rule language against a situation, at unit level.

The expression is parsed and run by the reference interpreter in a frame of one of the test
pack's rules (tests/packs/expressions): ``test.frame`` (zones ``cities``, ``counties`` and
``later``) unless another is named, the way a clause of a rule is; what it read is returned with
its value.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import tongcheng
from tongcheng.errors import Location
from tongcheng.evaluate.interpreter import Frame, Recorder, evaluate_clause
from tongcheng.expr.parser import parse
from tongcheng.pack.model import Clause, Text
from tongcheng.places import default_registry
from tongcheng.situation import parse_situation

PACK_DIR = Path(__file__).parent / "packs" / "expressions"
AS_OF = date(2025, 6, 1)
_PACKS: dict[str, Any] = {}


def pack():
    if "pack" not in _PACKS:
        _PACKS["pack"] = tongcheng.load_pack(PACK_DIR)
    return _PACKS["pack"]


def clause(text: str, name: str = "test") -> Clause:
    return Clause(name, Text("测试", "test"), text, parse(text), Location("test", 1))


def frame(situation: dict | None = None, *, as_of: date = AS_OF, trace: bool = True,
          lets: dict[str, str] | None = None, rule: str = "test.frame") -> Frame:
    sit = parse_situation({"as_of": as_of.isoformat(), "target": "370200", **(situation or {})})
    rule = pack().rule(rule)
    active = tuple(z for z in rule.zones if z.active(as_of))
    f = Frame(pack(), default_registry(), sit, as_of, rule, active,
              {k: clause(t, k) for k, t in (lets or {}).items()},
              recorder=Recorder(enabled=trace), trace=trace)
    f.anchor = sit.target
    return f


def ev(text: str, situation: dict | None = None, **kw: Any) -> Any:
    """The value of ``text``."""
    return ev_rec(text, situation, **kw)[0]


def ev_rec(text: str, situation: dict | None = None, **kw: Any) -> tuple[Any, Recorder]:
    """The value of ``text`` and what it read (facts, parameters, notes)."""
    return evaluate_clause(frame(situation, **kw), clause(text))
