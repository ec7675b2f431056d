"""What the generated code calls: the interpreter's own three-valued primitives, and the values
shared by every rule of one evaluation (computed once per situation).

The generated functions take the same ``Frame`` as the interpreter's closures; where a value is
not plainly known they call exactly the primitives the interpreter calls, so both evaluators
mean the same by an unknown fact.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from tongcheng import months as mo
from tongcheng.evaluate import functions as fn
from tongcheng.evaluate import interpreter as it
from tongcheng.evaluate import operators as ops
from tongcheng.evaluate import values as v
from tongcheng.evaluate.frame import Frame, Recorder
from tongcheng.evaluate.values import EvalTypeError, Item, Items, MonthSet, Unknown


def root_items(frame: Frame, raw: Any, path: str) -> Any:
    """A list of the situation (``insurance``) as items: built once per situation, shared."""
    if raw is None:
        return it._fact(frame, raw, path, path)
    key = ("items", path)
    hit = frame.memo.get(key)
    if hit is not None and hit[0] is raw:
        return hit[1]
    items = Items(tuple([Item(f"{path}[{i}]", x) for i, x in enumerate(raw)]))
    frame.memo[key] = (raw, items)  # the list is kept: its id cannot be reused meanwhile
    return items


def shared(frame: Frame, key: str, compute: Any, env: Any, roots: tuple[str, ...]) -> Any:
    """A value that depends on the situation alone (no zone, parameter or definition of a
    rule): computed once per evaluation for every rule that uses it, and kept while the parts of
    the situation it reads (``roots``: ``insurance``, ``person``…) are the same objects — so a
    situation that finite cases copy with ``person.sex`` set still shares the months of its
    ``insurance``. With a trace, the facts it read join the clause's, as if it had been
    evaluated there."""
    memo, situation = frame.memo, frame.situation
    stamp = tuple([getattr(situation, r, None) for r in roots])
    mkey = ("shared", key)
    hit = memo.get(mkey)
    same = hit is not None and all(a is b for a, b in zip(hit[0], stamp, strict=True))
    outer = frame.recorder
    if not outer.enabled:
        if same:
            return hit[1]  # type: ignore[index]
        value = compute(frame, env)
        memo[mkey] = (stamp, value, None)  # the parts read are kept: their ids stay theirs
        return value
    if same and hit[2] is not None:  # type: ignore[index]
        outer.merge(hit[2])  # type: ignore[index]
        return hit[1]  # type: ignore[index]
    rec = frame.recorder = Recorder()
    try:
        value = compute(frame, env)
    finally:
        frame.recorder = outer
    outer.merge(rec)
    memo[mkey] = (stamp, value, rec)
    return value


def member(frame: Frame, place: Any, path: str | None) -> Any:
    """``member(place)`` where every membership it needs is known (the common case), else the
    interpreter's ``member``: one of the rule's zones in force holds both the anchor and the
    place. A membership too coarse to say sends the question to the interpreter whole."""
    if type(place) is Unknown:
        return place  # (as the interpreter: an unknown place is the answer)
    known = _members(frame, frame.active_zones, place)
    return fn.IMPLS["member"](frame, [place], {}, (path,)) if known is None else known


def shares_zone(frame: Frame, place: Any, zone_id: Any, paths: tuple) -> Any:
    """``shares_zone(place, zone)`` as ``member`` with the rule's entries for that zone only,
    where every membership it needs is known, else the interpreter's ``shares_zone``."""
    if type(place) is Unknown:
        return place
    refs = [ref for ref in frame.active_zones if ref.zone.id == zone_id]
    known = _members(frame, refs, place)
    return fn.IMPLS["shares_zone"](frame, [place, zone_id], {}, paths) if known is None \
        else known


def _members(frame: Frame, refs: Any, place: Any) -> bool | None:
    """Whether one of ``refs`` holds both the anchor and the place; None where that needs the
    interpreter (a place or membership not plainly known)."""
    target = frame.anchor
    if type(target) is not str or type(place) is not str:
        return None
    memo = frame.memo
    for ref in refs:
        t = memo.get((ref.zone.id, target), memo)
        if t is memo:
            t = fn.zone_status(frame, ref, target)
        if t is False:
            continue
        p = memo.get((ref.zone.id, place), memo)
        if p is memo:
            p = fn.zone_status(frame, ref, place)
        if t is None or p is None:
            return None
        if p:
            return True
    return False


def if_unknown(cond: Any, a: Any, b: Any) -> Any:
    """``if`` on an unknown condition: the value both branches agree on, else unknown."""
    if v.is_known(a) and v.is_known(b) and a == b:
        return a
    return v.unknown(cond, a, b)


def unknown_name(name: str) -> Any:
    raise EvalTypeError(f"unknown name {name!r}", f"未知的名称 {name!r}")


def field_path(base: str | None, name: str) -> str | None:
    return f"{base}.{name}" if base else None


# The namespace the generated code runs in: these names and nothing else (no builtins beyond
# those the code uses: type, len, isinstance, getattr, TypeError).
NAMESPACE: dict[str, Any] = {
    "__builtins__": {"type": type, "len": len, "isinstance": isinstance, "getattr": getattr,
                     "TypeError": TypeError},
    "Decimal": Decimal,
    "BaseModel": BaseModel,
    "Items": Items,
    "MonthSet": MonthSet,
    "month_count": mo.count,
    "to_json": v.to_json,
    "IMPLS": fn.IMPLS,
    "PLAIN": ops._PLAIN,
    "compare": ops.compare,
    "arith": ops.arith,
    "incomparable": ops._incomparable,
    "fact": it._fact,
    "let": it._let,
    "attr_of": it.attr_of,
    "filter_items": it.filter_items,
    "no_request": it._no_request,
    "truth": v.truth,
    "k_and": v.k_and,
    "k_or": v.k_or,
    "k_not": v.k_not,
    "root_items": root_items,
    "member": member,
    "shares_zone": shares_zone,
    "shared": shared,
    "if_unknown": if_unknown,
    "unknown_name": unknown_name,
    "field_path": field_path,
}
