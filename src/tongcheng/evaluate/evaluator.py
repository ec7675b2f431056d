"""The reference evaluator: one situation, every rule, a decision each, with its trace.

Each rule keeps its scope (when it speaks at all) apart from its conditions (when it grants):

- the rule is not in force at ``as_of``, the target lies outside every zone of the rule in force,
  or a scope test is false: ``not_applicable``;
- scope holds and every condition holds: ``eligible``, with the outcome;
- scope holds and a condition is false: ``ineligible``;
- otherwise a fact or parameter is unknown and both answers remain possible: ``undetermined``,
  naming what is missing.

Thread-safe; between calls the compiled evaluator keeps only what no situation changes (settled).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import attrs

from tongcheng.errors import Location, RuleConflict, TongchengError
from tongcheng.evaluate import compiled, finite, firmness
from tongcheng.evaluate import values as v
from tongcheng.evaluate.compiled import plan as compiled_plan
from tongcheng.evaluate.compiled import settled
from tongcheng.evaluate.decision import Decision, Evaluation, Reason, Status, ranked
from tongcheng.evaluate.frame import QUIET, Frame, Recorder
from tongcheng.evaluate.functions import zone_status
from tongcheng.evaluate.interpreter import evaluate_clause
from tongcheng.evaluate.values import EvalTypeError, Unknown
from tongcheng.pack import zones as zone_logic
from tongcheng.pack.model import Clause, Rule, RuleException, RulePack, Text, ZoneRef
from tongcheng.places import PlaceRegistry, default_registry


class RuleError(TongchengError):
    """A rule expression failed at evaluation (a defect of the pack), with where it is."""

    lang: str | None = None  # the language of the request it ends (HTTP), where one said

    def __init__(self, rule: str, location: Location, message: str,
                 zh: str | None = None) -> None:
        self.rule, self.location, self.message, self.zh = rule, location, message, zh
        super().__init__(self.describe())

    @classmethod
    def of(cls, rule: Rule, error: EvalTypeError) -> RuleError:
        return cls(rule.id, rule.location, str(error), error.zh)

    def describe(self, lang: str = "en") -> str:
        """The error worded in ``lang``: where (file and line), which rule, what went wrong."""
        if lang == "zh":
            return (f"{self.location}:规则 {self.rule} 在评估时出错:{self.zh or self.message}"
                    "(规则包的缺陷,请告知规则维护人员)")
        return f"{self.location}: rule {self.rule}: {self.message}"


_IN_FORCE = Text("规则在评估日期有效", "The rule is in force at the evaluation date")
_SUBJECT = Text("规则适用于此类对象(个人、项目或企业)", "The rule is about this kind of subject")
_ZONE = Text("办理地在规则所涉区域内", "The target place lies in one of the rule's zones in force")
_IN_FORCE_HOLDS = Reason("in_force", "in_force", _IN_FORCE, None, True)  # immutable: shared


def evaluate(
    pack: RulePack,
    situation: Any,
    *,
    as_of: date | None = None,
    rules: Sequence[str] | None = None,
    registry: PlaceRegistry | None = None,
    trace: bool = True,
    evaluator: str | None = None,
) -> Evaluation:
    """Decide every rule of ``pack`` (or those named in ``rules``) for a validated situation.

    ``trace=False`` leaves out the reasons (statuses, outcomes and missing facts are the same),
    for callers that screen many situations and need no explanation. ``evaluator`` is
    ``"compiled"`` (rules compiled once to Python functions, the default) or ``"interpreter"``
    (the reference: the same decisions, traces included, from the syntax trees directly);
    None: ``DEFAULT_EVALUATOR``.
    """
    registry = registry or default_registry()
    when = as_of or getattr(situation, "as_of", None) or date.today()
    selected = _select(pack, rules)
    run = runners_for(pack, evaluator)
    kept = getattr(run, "settled", None)  # compiled: what no situation changes, kept
    if kept is None:
        memo: dict = {}
        raw = [decide(pack, registry, situation, when, rule, memo, trace, runners=run)
               for rule in selected]
        return ranked(pack.info, when, raw)
    memo = settled.lasting(kept, registry, when)
    # the rules settled before any clause (``settled.key``) come decided, the others are None
    known = settled.beforehand(
        kept, pack, registry, situation, when, selected, tuple(rules) if rules else None, trace,
        subject_of(situation), memo,
        lambda rule: decide(pack, registry, situation, when, rule, memo, trace, runners=run))
    plans = run.plans  # type: ignore[union-attr]
    raw = [d if d is not None else _planned(plans.get(id(rule)), pack, registry, situation,
                                            when, rule, memo, trace, run)
           for rule, d in zip(selected, known, strict=True)]
    settled.last(kept, registry, when, memo)
    return ranked(pack.info, when, raw)


def _planned(plan: Any, pack: RulePack, registry: PlaceRegistry, situation: Any, as_of: date,
             rule: Rule, memo: dict, trace: bool, runners: Any) -> Decision:
    """``decide`` for a rule the compiled evaluator knows is not settled before its clauses:
    its plan, straight (one call less per rule and evaluation)."""
    if plan is None:
        return decide(pack, registry, situation, as_of, rule, memo, trace, runners=runners,
                      unsettled=True)
    try:
        return compiled_plan.decide(plan, pack, registry, situation, as_of, memo, runners,
                                    trace)
    except EvalTypeError as e:
        raise RuleError.of(rule, e) from None


EVALUATORS = ("compiled", "interpreter")
# The evaluator of every face (library, command line, HTTP, watch, replay, timeline) unless a
# caller names one: the environment variable TONGCHENG_EVALUATOR=interpreter switches a whole
# process to the reference (to compare the two on any face, as the benchmarks do).
DEFAULT_EVALUATOR = os.environ.get("TONGCHENG_EVALUATOR") or "compiled"


def runners_for(pack: RulePack, evaluator: str | None) -> Mapping[int, Any] | None:
    """The generated clause functions of the pack (compiled once), or None for the reference
    interpreter."""
    evaluator = evaluator or DEFAULT_EVALUATOR
    if evaluator == "compiled":
        return compiled.runners(pack)
    if evaluator == "interpreter":
        return None
    raise ValueError(f"unknown evaluator {evaluator!r}; evaluators: {', '.join(EVALUATORS)}")


def _select(pack: RulePack, rules: Sequence[str] | None) -> list[Rule]:
    if not rules:
        return list(pack.rules)
    unknown = [r for r in rules if r not in pack.rule_ids]
    if unknown:
        raise KeyError(
            f"unknown rule {', '.join(unknown)}; the pack's rules: {', '.join(pack.rule_ids)}"
        )
    wanted = set(rules)
    return [r for r in pack.rules if r.id in wanted]


@attrs.define
class _Variant:
    """Conditions and outcome of the base rule or of one exception, evaluated."""

    status: Status
    outcome: dict[str, Any]
    reasons: list[Reason]
    missing: frozenset[str]
    params: frozenset[str]

    def same(self, other: _Variant) -> bool:
        return self.status == other.status and self.outcome == other.outcome


def decide(
    pack: RulePack, registry: PlaceRegistry, situation: Any, as_of: date, rule: Rule,
    memo: dict | None = None,
    trace: bool = True,
    *,
    runners: Mapping[int, Any] | str | None = "",
    unsettled: bool = False,
) -> Decision:
    """One rule's decision. ``memo`` shares zone memberships and zone tests between rules of
    one evaluation. ``runners``: the pack's compiled clause functions (``runners_for``), or an
    evaluator's name ("": the default evaluator). ``unsettled``: the caller already knows the
    rule is not settled before its clauses (``settled.beforehand``), so that is not looked up
    again.

    Three steps: the rule is decided on the facts as given; a decision left undetermined by
    unknown facts of a few possible values is decided again for each value, and stands where
    they all agree (``finite.by_cases``); the decision is then grounded in the zone entries it
    rests on, which give its firmness and basis (``firmness.ground``).
    """
    memo = {} if memo is None else memo
    if isinstance(runners, str):
        runners = runners_for(pack, runners)

    def grounded(facts: Any, traced: bool) -> Decision:
        decision, frame = _decide(pack, registry, facts, as_of, rule, memo, traced,
                                  runners=runners)
        if kept is not None:  # compiled: groundings kept for the pack
            return settled.ground(kept, decision, frame, rule, alone)
        return firmness.ground(decision, frame, rule, alone)

    def alone(ref: ZoneRef, frame: Frame) -> Status:
        """The status with this zone entry the only one in force (no trace)."""
        try:
            d, _ = _decide(pack, registry, frame.situation, as_of, rule, memo, False, (ref,),
                           runners=frame.runners,
                           outcomes=frame.runners is None or not firmness.status_only(rule))
        except RuleConflict:
            return Status.UNDETERMINED
        return d.status

    kept = getattr(runners, "settled", None)
    try:
        if kept is not None:  # compiled: a decision settled before any clause is kept
            k = None if unsettled else settled.key(registry, situation, as_of, rule, memo,
                                                   trace, subject_of(situation), kept)
            if k is not None:
                return settled.settled(kept, k, rule, lambda: grounded(situation, trace))
            if (plan := runners.plans.get(id(rule))) is not None:  # type: ignore
                return compiled_plan.decide(plan, pack, registry, situation, as_of, memo,
                                            runners, trace)
        first = grounded(situation, trace)
        if first.status is Status.UNDETERMINED:
            return finite.by_cases(first, situation, grounded, trace,
                                   memo if runners is not None else None)
        return first
    except EvalTypeError as e:
        raise RuleError.of(rule, e) from None


def _decide(
    pack: RulePack, registry: PlaceRegistry, situation: Any, as_of: date, rule: Rule, memo: dict,
    trace: bool = True,
    zones: tuple[ZoneRef, ...] | None = None,
    *,
    runners: Mapping[int, Any] | None = None,
    outcomes: bool = True,
    generated: bool = True,
) -> tuple[Decision, Frame | None]:
    """The decision on the facts as given, and the frame it was made in (None when the rule
    is not in force or about another kind of subject). ``zones`` weighs those zone entries
    alone (how firm a grant is: which entry it rests on), in force at ``as_of`` or not.
    ``outcomes=False`` leaves the outcome out, when only the status is asked for (the compiled
    evaluator's zone re-decisions, of rules ``firmness.status_only`` allows).
    ``generated=False``: the rule's generated decision already left it to these loops (the
    compiled evaluator's ``plan``), so it is not tried again."""
    silent = _silent(rule, as_of, situation)
    if silent is not None:  # not in force, or about another kind of subject
        reasons = [_IN_FORCE_HOLDS, silent] if silent.kind != "in_force" else [silent]
        return _decision(rule, None, Status.NOT_APPLICABLE, reasons, trace), None
    active = tuple([z for z in (rule.zones if zones is None else zones) if z.active(as_of)])
    lets = {c.name: c for c in rule.lets} if rule.lets else {}

    def fresh() -> Frame:
        return Frame(pack, registry, situation, as_of, rule, active, lets,
                     recorder=Recorder() if trace else QUIET, memo=memo, trace=trace,
                     runners=runners)

    frame = fresh()
    fast = getattr(runners, "deciders", {}).get(id(rule)) if generated else None
    if fast is not None:  # the rule's generated decision (compiled.decider), else these loops
        if (d := fast[trace](frame, outcomes)) is not None:
            return d, frame
        frame = fresh()  # left to the loops: they start on a fresh frame
    reasons: list[Reason] = [_IN_FORCE_HOLDS] if trace else []
    scope = _scope(frame, rule, reasons)
    if scope is False:
        return _decision(rule, frame, Status.NOT_APPLICABLE, reasons, trace), frame
    chosen, variant = _weighed(frame, rule, scope, outcomes, reasons)
    reasons.extend(variant.reasons)
    missing, params = set(variant.missing), set(variant.params)
    if isinstance(scope, Unknown):
        missing |= scope.missing
        params |= scope.params
    return _decision(rule, frame, variant.status, reasons, trace, variant.outcome, missing,
                     params, chosen.label if chosen else None), frame


def _decision(rule: Rule, frame: Frame | None, status: Status, reasons: list[Reason],
              trace: bool, outcome: dict[str, Any] | None = None, missing: Any = (),
              params: Any = (), exception: str | None = None) -> Decision:
    """The Decision of the shared loops (before its grounding)."""
    return Decision(rule.id, rule.title, status, outcome or {}, tuple(reasons) if trace else (),
                    tuple(sorted(missing)), tuple(sorted(params)), rule.basis, rule.firmness,
                    exception, rule.reading, tuple(frame.flagged) if frame is not None else ())


def _silent(rule: Rule, as_of: date, situation: Any) -> Reason | None:
    """Why the rule does not speak to this situation at all (its trace line), if it does not:
    not in force at ``as_of``, or about another kind of subject."""
    if not rule.in_force(as_of):
        span = f"{rule.in_force_from or '…'} – {rule.in_force_to or '…'}"
        return Reason("in_force", "in_force", _IN_FORCE, None, False,
                      notes=(Text(f"施行期间 {span};评估日期为 {as_of}",
                                  f"in force {span}; as_of is {as_of}"),))
    kind = subject_of(situation)
    if kind != rule.subject:
        return Reason("subject", "subject", _SUBJECT, None, False,
                      notes=(Text(f"本规则适用于{_SUBJECT_ZH[rule.subject]},"
                                  f"而情形的主体是{_SUBJECT_ZH[kind]}",
                                  f"the rule is about {_SUBJECT_EN[rule.subject]}; the "
                                  f"situation's subject is {_SUBJECT_EN[kind]}"),))
    return None


def _scope(frame: Frame, rule: Rule, reasons: list[Reason]) -> Any:
    """Where the rule is asked (its anchor), whether that lies in its zones, and its scope
    tests, three-valued; their lines join ``reasons``. Untraced, the first false test settles
    it (a trace shows every test); the parameters read after it are not relied on."""
    if rule.place is not None:
        anchor, _ = evaluate_clause(frame, rule.place)
        frame.anchor = anchor
        frame.anchor_path = rule.place.text
    else:
        frame.anchor = getattr(frame.situation, "target", None)
    zone_value, zone_reason = _target_in_zone(frame)
    reasons.append(zone_reason)
    scope_values = [zone_value]
    settled = len(frame.flagged) if zone_value is False else None
    for clause in rule.scope:
        if not frame.trace and scope_values[-1] is False:
            break
        value, reason = _test(frame, "scope", clause)
        scope_values.append(value)
        reasons.append(reason)
        if value is False and settled is None:
            settled = len(frame.flagged)
    if settled is not None:  # the tests after the settling one were shown, not relied on
        del frame.flagged[settled:]
    return v.k_and(scope_values)


def _weighed(frame: Frame, rule: Rule, scope: Any, outcomes: bool,
             reasons: list[Reason]) -> tuple[RuleException | None, _Variant]:
    """The exception chosen (if any) and the variant decided: the rule's or that exception's
    conditions and outcome, weighed against each exception that may or may not apply — where
    one would change the status, the decision is undetermined; where only outcome values
    differ, those values are null."""
    chosen, uncertain, exc_reasons = _exceptions(frame, rule)
    reasons.extend(exc_reasons)
    variant = _variant(frame, rule, chosen, scope, outcomes)
    for other in uncertain:
        alternative = _variant(frame, rule, other[0], scope)
        if alternative.same(variant):
            continue
        if alternative.status == variant.status:
            variant.outcome = {
                k: (val if alternative.outcome.get(k, val) == val else None)
                for k, val in variant.outcome.items()
            }
        else:
            variant.status = Status.UNDETERMINED
            variant.outcome = {}
        variant.missing |= other[1].missing
        variant.params |= other[1].params
    if uncertain and frame.trace:
        _show_outcome(variant)
    return chosen, variant


_SUBJECT_ZH = {"person": "个人", "project": "项目", "enterprise": "企业"}
_SUBJECT_EN = {"person": "a person", "project": "a project", "enterprise": "an enterprise"}


def subject_of(situation: Any) -> str:
    """A situation is about a project or an enterprise when it gives one, else about a person."""
    if getattr(situation, "project", None) is not None:
        return "project"
    return "enterprise" if getattr(situation, "enterprise", None) is not None else "person"


def _target_in_zone(frame: Frame) -> tuple[Any, Reason | None]:
    """Whether the place the rule is asked at lies in one of its zones in force (three-valued).

    Rules often share their zones: with a trace, the answer and its line of the trace are kept
    in the evaluation's memo (the compiled evaluator's: for every situation) for the next rule
    asked at that place with those zones (without a trace, the memberships alone are kept).
    """
    if frame.target is None or not frame.trace:
        return _zone_test(frame)
    key = ("zone test", frame.target, frame.anchor_path,
           tuple([(ref.zone.id, ref.start) for ref in frame.active_zones]))
    if frame.runners is not None and hasattr(frame.runners, "settled"):
        return settled.zone_test(frame.runners.settled, frame, key, _zone_test)
    if key not in frame.memo:
        frame.memo[key] = _zone_test(frame)
    return frame.memo[key]


def _zone_test(frame: Frame) -> tuple[Any, Reason | None]:
    target = frame.anchor if type(frame.anchor) is str else None  # (frame.target)
    where = frame.anchor_path
    if target is None:
        value: Any = frame.anchor_value()
    elif not frame.active_zones:
        value = False
    else:
        memo = frame.memo
        results = []
        for ref in frame.active_zones:
            inside = memo.get((ref.zone.id, target), memo)  # (zone_status, memoised)
            if inside is memo:
                inside = zone_status(frame, ref, target)
            if inside is True:
                results = True
                break
            results.append(v.unknown_at(where) if inside is None else inside)
        value = True if results is True else v.k_or(results)
    if not frame.trace:
        return value, None
    missing, _ = v.gaps(value)
    reason = Reason("zone", "zone", _ZONE, None, _truth_json(value), facts={where: target},
                    missing=tuple(sorted(missing)), notes=tuple(_zone_notes(frame, value)))
    return value, reason


def _zone_notes(frame: Frame, value: Any) -> list[Text]:
    """Plain sentences for the trace: which zone holds the target, or why none does."""
    target, reg = frame.target, frame.registry
    if target is None:
        where = frame.anchor_path
        return [Text(f"{where} 未知:规则在何地适用?", f"{where} unknown: where is the rule asked?")]
    if not frame.active_zones:
        return [Text("评估日期时本规则没有生效的区域", "no zone of this rule is in force at as_of")]
    notes = []
    place = f"{target} {reg.name(target)}"
    for ref in frame.active_zones:
        inside = zone_status(frame, ref, target)
        zone = ref.zone.name
        if inside is None:
            members = zone_logic.coarse_members(reg, ref.zone, target, frame.as_of)
            names = "、".join(f"{m} {reg.name(m)}" for m in members)
            notes.append(Text(f"{place} 对{zone.zh}而言不够具体:只有 {names} 是成员;请提供区县",
                              f"{place} is too coarse for {zone.en}: only {names} are members; "
                              "give the county"))
        elif inside:
            notes.append(Text(f"{place} 自 {ref.start} 起属于{zone.zh}",
                              f"{place} is in {zone.en} ({zone.zh}) since {ref.start}"))
    if value is False:
        notes.append(Text(
            f"{place} 不在" + "、".join(r.zone.name.zh for r in frame.active_zones) + "内",
            f"{place} is outside " + ", ".join(r.zone.name.en for r in frame.active_zones),
        ))
    return notes


def _test(frame: Frame, kind: str, clause: Clause) -> tuple[Any, Reason]:
    value, rec = evaluate_clause(frame, clause)
    value = _as_truth(value, clause)
    return value, _reason(kind, clause, _truth_json(value), value, rec)


def _as_truth(value: Any, clause: Clause) -> Any:
    if isinstance(value, bool | Unknown):
        return value
    raise EvalTypeError(
        f"{clause.name} ({clause.location}) gave {v.describe(value)}, not true or false",
        f"{clause.name}({clause.location})得出{v.describe(value, 'zh')},不是真或假",
    )


def _truth_json(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _reason(kind: str, clause: Clause, shown: Any, value: Any, rec: Recorder) -> Reason | None:
    if not rec.enabled:
        return None
    missing, params = v.gaps(value)
    return Reason(
        kind,
        clause.name,
        clause.label,
        clause.text,
        shown,
        dict(rec.facts),
        tuple(rec.parameters),
        tuple(sorted(missing)),
        tuple(sorted(params)),
        tuple(rec.notes),
    )


def _exceptions(
    frame: Frame, rule: Rule
) -> tuple[RuleException | None, list[tuple[RuleException, Any]], list[Reason]]:
    if not rule.exceptions:
        return None, [], []
    reasons: list[Reason] = []
    applies: dict[str, Any] = {}
    for e in rule.exceptions:
        values = []
        for clause in e.applies:
            value, reason = _test(frame, "exception", clause)
            values.append(value)
            reasons.append(reason)
        applies[e.label] = v.k_and(values)
    winners, uncertain = weigh_exceptions(rule, applies)
    chosen = winners[0] if winners else None
    if len(winners) > 1:
        first = _variant(frame, rule, winners[0], True)
        for other in winners[1:]:
            if not _variant(frame, rule, other, True).same(first):
                raise RuleConflict(
                    rule.id, winners[0].label, other.label, [winners[0].location, other.location]
                )
    return chosen, uncertain, reasons


def weigh_exceptions(
    rule: Rule, applies: Mapping[str, Any]
) -> tuple[list[RuleException], list[tuple[RuleException, Any]]]:
    """Given whether each exception applies (by label): those that surely apply and no other
    that applies overrides (the first is chosen), and those that may apply (unknown) that the
    chosen one does not override, with their value."""
    live = [e for e in rule.exceptions if applies[e.label] is True]
    winners = [e for e in live if not any(e.label in o.overrides for o in live)]
    chosen = winners[0] if winners else None
    uncertain = [(e, applies[e.label]) for e in rule.exceptions
                 if isinstance(applies[e.label], Unknown)
                 and not (chosen and e.label in chosen.overrides)]
    return winners, uncertain


def _variant(frame: Frame, rule: Rule, exception: RuleException | None, scope: Any,
             outcomes: bool = True) -> _Variant:
    conditions = rule.conditions
    if exception is not None and exception.conditions is not None:
        conditions = exception.conditions
    reasons: list[Reason] = []
    values = []
    settled = None
    for clause in conditions:
        if not frame.trace and values and values[-1] is False:
            break  # untraced: one false condition settles it (a trace shows every condition)
        value, reason = _test(frame, "condition", clause)
        values.append(value)
        reasons.append(reason)
        if value is False and settled is None:
            settled = len(frame.flagged)
    if settled is not None:  # the parameters a decision rests on: those read until it settled
        del frame.flagged[settled:]
    granted = v.k_and(values)
    missing: set[str] = set()
    params: set[str] = set()
    outcome: dict[str, Any] = {}
    if scope is True and isinstance(granted, bool):
        # eligible: the outcome; ineligible: the figures the refusal turned on (the shortfall
        # of months), where the rule marks them
        status = Status.ELIGIBLE if granted else Status.INELIGIBLE
        for name, clause in _outcome_clauses(rule, exception).items() if outcomes else ():
            if not (granted or clause.on_ineligible):
                continue
            value, rec = evaluate_clause(frame, clause)
            shown = v.to_json(value)
            outcome[name] = shown
            reasons.append(_reason("outcome", clause, shown, value, rec))
            m, p = v.gaps(value)
            missing |= m
            params |= p
    else:
        status = Status.UNDETERMINED
        if isinstance(granted, Unknown):
            missing |= granted.missing
            params |= granted.params
    return _Variant(status, outcome, reasons, frozenset(missing), frozenset(params))


_UNSETTLED = Text("取决于尚不确定是否适用的例外,暂不能给出",
                  "depends on an exception that may or may not apply: not given yet")


def _show_outcome(variant: _Variant) -> None:
    """The trace's outcome lines show exactly the outcome: a value an uncertain exception would
    change is null in both, with a note saying why."""
    for k, r in enumerate(variant.reasons):
        shown = variant.outcome.get(r.name) if r is not None else None
        if r is not None and r.kind == "outcome" and shown != r.value:
            variant.reasons[k] = attrs.evolve(r, value=shown, notes=(*r.notes, _UNSETTLED))


def _outcome_clauses(rule: Rule, exception: RuleException | None) -> Mapping[str, Clause]:
    """The rule's outcome, with the exception's clauses in place of those it gives anew."""
    clauses = {c.name: c for c in rule.outcome}
    if exception is not None:
        clauses.update({c.name: c for c in exception.outcome})
    return clauses
