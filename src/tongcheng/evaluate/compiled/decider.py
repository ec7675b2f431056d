"""One rule decided without a trace, generated per rule: ``decide_untraced(frame, outcomes)``.

The reference evaluator decides every rule by the same loops (``evaluator._decide``): scope
tests, conditions, outcome, each clause looked up, wrapped, tested and recorded. For a rule
without exceptions, this module writes those loops out for that rule: the place it is asked at,
the zone test, each scope test and condition in order (stopping at the first false one, as an
untraced decision does), the outcome clauses the status calls for; a value plainly true or false
takes one ``is`` test, an unknown one is kept and joined by the same Kleene functions
(``k_and``); the Decision is built directly, with no trace lines. Rules with exceptions keep
the shared loops (``decide_untraced`` is then absent).

As with the clause functions, only the checked tree reaches the source: function names of the
rule's own clauses, outcome names and paths by ``repr``, clauses and the rule passed as
constants (for their error messages and fixed fields).
"""

from __future__ import annotations

from typing import Any

from tongcheng.pack.model import Clause, Rule

NAME = "decide_untraced"


def decision_lines(rule: Rule, functions: dict[int, str], constants: dict[str, Any],
                   constant_lines: list[tuple[str, str]]) -> list[str]:
    """The source of the rule's untraced decision function (none for rules with exceptions)."""
    if rule.exceptions:
        return []

    def clause_const(clause: Clause) -> str:
        name = f"C_{functions[id(clause.expr)]}"
        if name not in constants:
            constants[name] = clause
            constant_lines.append((name, f"<the clause {functions[id(clause.expr)]}>"))
        return name

    constants["RULE"] = rule
    constant_lines.append(("RULE", "<the rule>"))
    out = [
        f"def {NAME}(frame, outcomes):",
        "    # the rule decided without a trace: scope, conditions and outcome unrolled",
    ]
    if rule.place is not None:
        out += [f"    frame.anchor = {functions[id(rule.place.expr)]}(frame, {{}})",
                f"    frame.anchor_path = {rule.place.text!r}"]
    else:
        out.append("    frame.anchor = getattr(frame.situation, 'target', None)")
    out += [
        "    z = zone_test(frame)[0]",
        "    if z is False:",
        "        return not_applicable(RULE, frame)",
        "    held = [] if z is True else [z]",
    ]
    for clause in rule.scope:
        fn = functions[id(clause.expr)]
        out += [
            f"    v = {fn}(frame, {{}})  # scope {clause.name!r}",
            "    if v is not True:",
            "        if v is False:",
            "            return not_applicable(RULE, frame)",
            f"        held.append(as_truth(v, {clause_const(clause)}))",
        ]
    out += ["    scope = k_and(held) if held else True",
            "    granted = conditions(frame)",
            "    if scope is True and (granted is True or granted is False):",
            "        outcome = {}",
            "        missing = set()",
            "        params = set()",
            "        if outcomes:"]
    body = []
    for clause in rule.outcome:
        fn = functions[id(clause.expr)]
        step = [f"v = {fn}(frame, {{}})  # outcome {clause.name!r}",
                f"outcome[{clause.name!r}] = to_json(v)",
                "m, p = gaps(v)",
                "missing |= m",
                "params |= p"]
        if clause.on_ineligible:
            body += [f"            {s}" for s in step]
        else:
            body += ["            if granted:", *(f"                {s}" for s in step)]
    out += body or ["            pass"]
    out += [
        "        return decided(RULE, frame, ELIGIBLE if granted else INELIGIBLE, outcome,"
        " missing, params)",
        "    missing = set()",
        "    params = set()",
        "    if granted is not True and granted is not False:",
        "        missing |= granted.missing",
        "        params |= granted.params",
        "    if scope is not True:",
        "        missing |= scope.missing",
        "        params |= scope.params",
        "    return decided(RULE, frame, UNDETERMINED, {}, missing, params)",
        "",
        "",
        "def conditions(frame):",
        "    # the conditions in order; the first false one settles them",
        "    held = []",
    ]
    for clause in rule.conditions:
        fn = functions[id(clause.expr)]
        out += [
            f"    v = {fn}(frame, {{}})  # condition {clause.name!r}",
            "    if v is not True:",
            "        if v is False:",
            "            return False",
            f"        held.append(as_truth(v, {clause_const(clause)}))",
        ]
    out += ["    return k_and(held) if held else True", ""]
    return out
