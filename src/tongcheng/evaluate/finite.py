"""Unknown facts with a few possible values decide when every value gives the same answer.

Three-valued logic alone cannot see that ``person.sex`` unknown with 422 months passes both the
men's and the women's minimum: each comparison is unknown on its own. So a decision left
undetermined is decided again for each possible value of the unknown facts it names that have a
finite domain in the situation model (enumerations such as ``person.sex`` or
``person.employment``, booleans, the hospital grades 1–3), every combination of them, at most
``LIMIT`` at once; a combination still undetermined by another such fact is split the same way.

- Every combination gives one settled status: that status stands. An outcome value that differs
  between combinations is null, and ``missing`` then still names the facts (they would complete
  the outcome); values all combinations agree on are kept. An eligible decision is as firm as
  its least firm combination; the basis joins theirs.
- Combinations disagree, or all stay undetermined: the decision stays as first decided,
  undetermined, naming the facts.

The trace keeps the first decision's lines, adds one line listing each combination and its
status, then the outcome lines (with the merged values).
"""

from __future__ import annotations

import functools
import itertools
import re
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs
from pydantic import BaseModel, WithJsonSchema

from tongcheng.evaluate.decision import Decision, Reason, Status, replaced
from tongcheng.pack.model import Basis, Text, weakest
from tongcheng.situation import Situation

LIMIT = 64  # combinations tried at once; beyond, the decision stays undetermined

Decide = Callable[[Any, bool], Decision]

_INDEX = re.compile(r"\[\d+\]")
_SEGMENT = re.compile(r"^([a-z_]+)(?:\[(\d+)\])?$")


@functools.cache
def domain(path: str) -> tuple[Any, ...] | None:
    """The values a situation path can take, when they are few (None otherwise)."""
    cls: Any = Situation
    parts = _INDEX.sub("", path).split(".")
    for k, part in enumerate(parts):
        fields = getattr(cls, "model_fields", None)
        if fields is None or part not in fields:
            return None
        annotation = _bare(fields[part].annotation)
        if k == len(parts) - 1:
            return _values(annotation)
        cls = annotation
    return None


@functools.cache
def may_be_unknown(path: str) -> bool:
    """Whether a situation path may be absent (unknown) at all: a required field, or one with a
    known default (``deemed``), never is."""
    cls: Any = Situation
    parts = _INDEX.sub("", path).split(".")
    for part in parts[:-1]:
        fields = getattr(cls, "model_fields", None)
        if fields is None or part not in fields:
            return False
        cls = _bare(fields[part].annotation)
    field = getattr(cls, "model_fields", {}).get(parts[-1])
    return field is not None and not field.is_required() and field.default is None


def _bare(annotation: Any) -> Any:
    """The type inside ``X | None`` and ``tuple[X, ...]``."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _bare(inner[0]) if len(inner) == 1 else annotation
    if origin is tuple:
        args = typing.get_args(annotation)
        return _bare(args[0]) if args else annotation
    return annotation


def _values(annotation: Any) -> tuple[Any, ...] | None:
    metadata: tuple[Any, ...] = ()
    if typing.get_origin(annotation) is typing.Annotated:
        annotation, *rest = typing.get_args(annotation)
        metadata = tuple(rest)
    if annotation is bool:
        return (False, True)
    if typing.get_origin(annotation) is typing.Literal:
        return typing.get_args(annotation)
    if annotation is int:  # a small bounded integer (the hospital grade 1–3)
        for m in metadata:
            if isinstance(m, WithJsonSchema) and m.json_schema:
                lo, hi = m.json_schema.get("minimum"), m.json_schema.get("maximum")
                if isinstance(lo, int) and isinstance(hi, int) and 0 <= hi - lo < 10:
                    return tuple(range(lo, hi + 1))
    return None


def with_values(situation: Any, values: Mapping[str, Any]) -> Any:
    """The situation with the given paths set (a copy; the original is untouched)."""
    for path, value in values.items():
        situation = _set(situation, path.split("."), value)
    return situation


def _set(obj: Any, parts: list[str], value: Any) -> Any:
    match = _SEGMENT.match(parts[0])
    if match is None or not isinstance(obj, BaseModel):
        raise ValueError(f"not a situation path: {'.'.join(parts)}")
    name, index = match.group(1), match.group(2)
    current = getattr(obj, name)
    if index is not None:
        items = list(current)
        i = int(index)
        items[i] = _set(items[i], parts[1:], value) if len(parts) > 1 else value
        new: Any = tuple(items)
    elif len(parts) == 1:
        new = value
    else:
        if current is None:  # ``person.sex`` with ``person`` unknown: an empty person
            current = _bare(type(obj).model_fields[name].annotation).model_construct()
        new = _set(current, parts[1:], value)
    return obj.model_copy(update={name: new})


def by_cases(first: Decision, situation: Any, decide: Decide, trace: bool,
             shared: dict | None = None, varied: frozenset[str] = frozenset()) -> Decision:
    """``first`` (undetermined) decided again for every value of its finite unknown facts.

    ``shared`` (the compiled evaluator's memo of one evaluation) keeps each situation with
    values set, so that every rule asking about the same values meets the same situation, and
    the values computed from it once serve them all."""
    # (a fact a case has set is never missing from its decision; should one be, it is not
    # varied again: that would never end)
    facts = [p for p in first.missing if domain(p) is not None and p not in varied]
    if not facts:
        return first
    domains = [domain(p) or () for p in facts]
    if _product(len(d) for d in domains) > LIMIT:
        return first
    combos = list(itertools.product(*domains))
    variants: list[Decision] = []
    for n, combo in enumerate(combos):
        facts_then = _variant(situation, facts, combo, shared)
        d = decide(facts_then, trace and n == 0)
        if d.status is Status.UNDETERMINED:
            d = by_cases(d, facts_then, decide, trace and n == 0, shared,
                         varied | frozenset(facts))
        if d.status is Status.UNDETERMINED or d.status is not (variants or [d])[0].status:
            return first  # an answer still open, or two answers: undetermined, as first decided
        variants.append(d)
    return _merge(first, facts, combos, variants, trace)


def _variant(situation: Any, facts: list[str], combo: tuple, shared: dict | None) -> Any:
    if shared is None:
        return with_values(situation, dict(zip(facts, combo, strict=True)))
    key = ("with values", id(situation), tuple(facts), combo)
    hit = shared.get(key)
    if hit is not None and hit[0] is situation:
        return hit[1]
    out = with_values(situation, dict(zip(facts, combo, strict=True)))
    shared[key] = (situation, out)  # the situation is kept: its id cannot be reused meanwhile
    return out


def _product(sizes: Iterable[int]) -> int:
    out = 1
    for s in sizes:
        out *= s
    return out


_CASES = Text("未知事实的每个可能取值都得出同一结论",
              "Every possible value of the unknown facts gives the same answer")
_DIFFERS = Text("随未知事实的取值而不同,暂不能给出",
                "differs with the unknown facts: not given yet")


def _merge(first: Decision, facts: list[str], combos: list[tuple], variants: list[Decision],
           trace: bool) -> Decision:
    lead = variants[0]
    names = list(dict.fromkeys(k for d in variants for k in d.outcome))
    outcome: dict[str, Any] = {}
    differ = False
    for k in names:
        values = [d.outcome.get(k) for d in variants]
        same = all(x == values[0] for x in values)
        outcome[k] = values[0] if same else None
        differ = differ or not same
    missing = {p for d in variants for p in d.missing} | (set(facts) if differ else set())
    params = {p for d in variants for p in d.missing_parameters}
    flagged: list[Any] = []
    for d in variants:
        flagged += [p for p in d.flagged_parameters if p not in flagged]
    exceptions = {d.exception for d in variants}
    reasons: tuple[Reason, ...] = ()
    if trace:
        notes = tuple(
            Text(
                ";".join(f"{p} = {_word(x, 'zh')}" for p, x in zip(facts, combo, strict=True))
                + f":{_STATUS_ZH[d.status.value]}",
                "; ".join(f"{p} = {_word(x)}" for p, x in zip(facts, combo, strict=True))
                + f": {d.status.value}",
            )
            for combo, d in zip(combos, variants, strict=True)
        )
        cases = Reason("cases", ", ".join(facts), _CASES, None, True,
                       facts=dict.fromkeys(facts), missing=tuple(sorted(missing & set(facts))),
                       notes=notes)
        shown = tuple(
            attrs.evolve(r, value=outcome.get(r.name),
                         notes=(*r.notes, _DIFFERS) if outcome.get(r.name) != r.value else r.notes)
            for r in lead.reasons if r.kind == "outcome"
        )
        reasons = (*first.reasons, cases, *shown)
    return replaced(
        lead,
        outcome=outcome,
        reasons=reasons,
        missing=tuple(sorted(missing)),
        missing_parameters=tuple(sorted(params)),
        basis=_joined([d.basis for d in variants]),
        firmness=weakest(d.firmness for d in variants) if lead.status is Status.ELIGIBLE
        else lead.firmness,
        exception=lead.exception if len(exceptions) == 1 else None,
        flagged_parameters=tuple(flagged),
    )


_STATUS_ZH = {"eligible": "符合", "ineligible": "不符合", "undetermined": "待定",
              "not_applicable": "不适用"}


def _word(value: Any, lang: str = "en") -> str:
    """A value of a case, as the note of the trace says it (booleans in the note's language)."""
    if isinstance(value, bool):
        return ("是" if value else "否") if lang == "zh" else ("true" if value else "false")
    return str(value)


def _joined(bases: list[tuple[Basis, ...]]) -> tuple[Basis, ...]:
    if all(b is bases[0] for b in bases):
        return bases[0]
    out: list[Basis] = []
    for group in bases:
        out += [b for b in group if b not in out]
    return tuple(out)
