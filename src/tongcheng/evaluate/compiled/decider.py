"""One rule decided, generated per rule: ``decide_untraced`` and ``decide_traced``.

The reference evaluator decides every rule by the same loops (``evaluator._decide``): scope
tests, conditions, outcome, each clause looked up, wrapped, tested and recorded. For a rule
without exceptions, this module writes those loops out for that rule: the place it is asked at,
the zone test, each scope test and condition in order (stopping at the first false one, as an
untraced decision does), the outcome clauses the status calls for; a value plainly true or false
takes one ``is`` test, an unknown one is kept and joined by the same Kleene functions
(``k_and``); the Decision is built directly. Untraced, no trace line is built at all; traced,
every test is shown (no stop at a false one) and each line is made as the reference makes it
(``evaluator._reason``). Rules with exceptions keep the shared loops (no decision functions).

As with the clause functions, only the checked tree reaches the source: function names of the
rule's own clauses, outcome names and paths by ``repr``, clauses and the rule passed as
constants (for their error messages and fixed fields).
"""

from __future__ import annotations

from typing import Any

from tongcheng.pack.model import Clause, Rule

NAMES = ("decide_untraced", "decide_traced")


def decision_lines(rule: Rule, functions: dict[int, str], constants: dict[str, Any],
                   constant_lines: list[tuple[str, str]]) -> list[str]:
    """The source of the rule's decision functions (none for rules with exceptions)."""
    if rule.exceptions:
        return []

    def const(clause: Clause) -> str:
        name = f"C_{functions[id(clause.expr)]}"
        if name not in constants:
            constants[name] = clause
            constant_lines.append((name, f"<the clause {functions[id(clause.expr)]}>"))
        return name

    constants["RULE"] = rule
    constant_lines.append(("RULE", "<the rule>"))
    return [*_untraced(rule, functions, const), *_traced(rule, functions, const)]


def _anchor(rule: Rule, functions: dict[int, str], const: Any, traced: bool) -> list[str]:
    if rule.place is None:
        return ["    frame.anchor = getattr(frame.situation, 'target', None)"]
    fn = functions[id(rule.place.expr)]
    call = f"clause_value(frame, {const(rule.place)})[0]" if traced else f"{fn}(frame, {{}})"
    return [f"    frame.anchor = {call}", f"    frame.anchor_path = {rule.place.text!r}"]


def _outcome(rule: Rule, functions: dict[int, str], const: Any, traced: bool) -> list[str]:
    body = []
    for clause in rule.outcome:
        fn = functions[id(clause.expr)]
        if traced:
            step = [f"v, rec = clause_value(frame, {const(clause)})  # outcome {clause.name!r}",
                    "shown = to_json(v)",
                    f"outcome[{clause.name!r}] = shown",
                    f"reasons.append(reason('outcome', {const(clause)}, shown, v, rec))"]
        else:
            step = [f"v = {fn}(frame, {{}})  # outcome {clause.name!r}",
                    f"outcome[{clause.name!r}] = to_json(v)"]
        step += ["m, p = gaps(v)", "missing |= m", "params |= p"]
        if clause.on_ineligible:
            body += [f"            {s}" for s in step]
        else:
            body += ["            if granted:", *(f"                {s}" for s in step)]
    return body or ["            pass"]


def _ending(rule: Rule, functions: dict[int, str], const: Any, traced: bool) -> list[str]:
    """From the scope's value to the Decision (the conditions are in ``granted``)."""
    made, extra = ("decided_with", "reasons, ") if traced else ("decided", "")
    return [
        "    if scope is True and (granted is True or granted is False):",
        "        outcome = {}",
        "        missing = set()",
        "        params = set()",
        "        if outcomes:",
        *_outcome(rule, functions, const, traced),
        f"        return {made}(RULE, frame, ELIGIBLE if granted else INELIGIBLE, {extra}"
        "outcome, missing, params)",
        "    missing = set()",
        "    params = set()",
        "    if granted is not True and granted is not False:",
        "        missing |= granted.missing",
        "        params |= granted.params",
        "    if scope is not True:",
        "        missing |= scope.missing",
        "        params |= scope.params",
        f"    return {made}(RULE, frame, UNDETERMINED, {extra}{{}}, missing, params)",
        "",
    ]


def _untraced(rule: Rule, functions: dict[int, str], const: Any) -> list[str]:
    out = ["def decide_untraced(frame, outcomes):",
           "    # the rule decided without a trace: the first false test settles it",
           *_anchor(rule, functions, const, False),
           "    z = zone_test(frame)[0]",
           "    if z is False:",
           "        return decided(RULE, frame, NOT_APPLICABLE, {}, (), ())",
           "    held = [] if z is True else [z]"]
    for clause in rule.scope:
        out += [f"    v = {functions[id(clause.expr)]}(frame, {{}})  # scope {clause.name!r}",
                "    if v is not True:",
                "        if v is False:",
                "            return decided(RULE, frame, NOT_APPLICABLE, {}, (), ())",
                f"        held.append(as_truth(v, {const(clause)}))"]
    out += ["    scope = k_and(held) if held else True", "    granted = True"]
    if rule.conditions:
        out.append("    held = []")
    ind = "    "
    for clause in rule.conditions:
        out += [f"{ind}v = {functions[id(clause.expr)]}(frame, {{}})  # condition "
                f"{clause.name!r}",
                f"{ind}if v is False:",
                f"{ind}    granted = False",
                f"{ind}else:",
                f"{ind}    if v is not True:",
                f"{ind}        held.append(as_truth(v, {const(clause)}))"]
        ind += "    "
    if rule.conditions:
        out += ["    if held and granted is True:", "        granted = k_and(held)"]
    out += [*_ending(rule, functions, const, False), ""]
    return out


def _traced(rule: Rule, functions: dict[int, str], const: Any) -> list[str]:
    out = ["def decide_traced(frame, outcomes):",
           "    # the rule decided with its trace: every test shown, the parameters kept up to",
           "    # the one that settled it",
           "    reasons = [IN_FORCE_HOLDS]",
           "    flagged = frame.flagged",
           *_anchor(rule, functions, const, True),
           "    z, r = target_in_zone(frame)",
           "    reasons.append(r)",
           "    held = [z]",
           "    cut = len(flagged) if z is False else None"]
    for kind, clauses in (("scope", rule.scope), ("condition", rule.conditions)):
        if kind == "condition" and not clauses:
            out.append("    granted = True")
            break
        if kind == "condition":
            out += ["    held = []", "    cut = None"]
        for clause in clauses:
            out += [f"    v, r = test(frame, {kind!r}, {const(clause)})  # {clause.name!r}",
                    "    held.append(v)",
                    "    reasons.append(r)",
                    "    if v is False and cut is None:",
                    "        cut = len(flagged)"]
        out += ["    if cut is not None:", "        del flagged[cut:]"]
        if kind == "scope":
            out += ["    scope = k_and(held)",
                    "    if scope is False:",
                    "        return decided_with(RULE, frame, NOT_APPLICABLE, reasons, {}, (), ())"]
    else:
        out.append("    granted = k_and(held)")
    out += _ending(rule, functions, const, True)
    return out
