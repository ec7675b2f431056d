"""One rule decided, generated per rule: ``decide_untraced`` and ``decide_traced``.

The reference evaluator decides every rule by the same loops (``evaluator._decide``): scope
tests, conditions, outcome, each clause looked up, wrapped, tested and recorded. For a rule
without exceptions, this module writes those loops out for that rule: the place it is asked at,
the zone test, each scope test and condition in order (stopping at the first false one, as an
untraced decision does), the outcome clauses the status calls for; a value plainly true or false
takes one ``is`` test, an unknown one is kept and joined by the same Kleene functions
(``k_and``); the Decision is built directly. Untraced, no trace line is built at all; traced,
every test is shown (no stop at a false one) and each line is made as the reference makes it
(``evaluator._reason``). A rule's exceptions are tested in order, all of them; where one applies
surely (or none does), the conditions and outcome of that variant are unrolled after it; an
exception that may or may not apply, or two that apply at once, leave the decision to the
shared loops (the function gives None, and the evaluator decides on a fresh frame) — except
where the scope is itself unknown (``deciding.choose``).

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
    """The source of the rule's decision functions (``functions``: each clause's generated
    function, by id of the clause)."""

    def const(clause: Clause) -> str:
        name = f"C_{functions[id(clause)]}"
        if name not in constants:
            constants[name] = clause
            constant_lines.append((name, f"<the clause {functions[id(clause)]}>"))
        return name

    constants["RULE"] = rule
    constant_lines.append(("RULE", "<the rule>"))
    for k, e in enumerate(rule.exceptions):
        constants[f"E{k}"] = e
        constant_lines.append((f"E{k}", f"<the rule's exception {k}>"))
    return [*_function(rule, functions, const, False), *_function(rule, functions, const, True)]


def _function(rule: Rule, functions: dict[int, str], const: Any, traced: bool) -> list[str]:
    out = _head(rule, functions, const, traced)
    if rule.exceptions:
        out += _exceptions(rule, functions, const, traced)
        for k, e in enumerate(rule.exceptions):
            conditions = e.conditions if e.conditions is not None else rule.conditions
            clauses = {c.name: c for c in rule.outcome}
            clauses.update({c.name: c for c in e.outcome})
            block = _variant(conditions, list(clauses.values()), f"E{k}.label", functions,
                             const, traced)
            out += [f"    if chosen == {k}:", *("    " + line for line in block)]
    out += _variant(rule.conditions, list(rule.outcome), "None", functions, const, traced)
    return [*out, "", ""]


def _head(rule: Rule, functions: dict[int, str], const: Any, traced: bool) -> list[str]:
    """Where the rule is asked, the zone test and the scope, to ``scope``."""
    if rule.place is None:
        anchor = ["    frame.anchor = getattr(frame.situation, 'target', None)"]
    else:
        fn = functions[id(rule.place)]
        call = f"clause_value(frame, {const(rule.place)})[0]" if traced else f"{fn}(frame, {{}})"
        anchor = [f"    frame.anchor = {call}",
                  f"    frame.anchor_path = {const(rule.place)}.text"]
    if not traced:
        out = ["def decide_untraced(frame, outcomes):",
               "    # the rule decided without a trace: the first false test settles it",
               *anchor,
               "    z = zone_test(frame)[0]",
               "    if z is False:",
               "        return decided(RULE, frame, NOT_APPLICABLE, (), {}, (), (), None)",
               "    held = [] if z is True else [z]"]
        for clause in rule.scope:
            out += [f"    v = {functions[id(clause)]}(frame, {{}})  # scope {clause.name!r}",
                    "    if v is not True:",
                    "        if v is False:",
                    "            return decided(RULE, frame, NOT_APPLICABLE, (), {}, (), (), None)",
                    f"        held.append(as_truth(v, {const(clause)}))"]
        return [*out, "    scope = k_and(held) if held else True",
                "    if scope is not True:",
                "        frame.scope_open = True  # (plan.decide: which finite cases can settle)"]
    out = ["def decide_traced(frame, outcomes):",
           "    # the rule decided with its trace: every test shown, the parameters kept up to",
           "    # the one that settled it",
           "    reasons = [IN_FORCE_HOLDS]",
           "    flagged = frame.flagged",
           *anchor,
           "    z, r = target_in_zone(frame)",
           "    reasons.append(r)",
           "    held = [z]",
           "    cut = len(flagged) if z is False else None",
           *_tests(rule.scope, "scope", const),
           "    scope = k_and(held)",
           "    if scope is False:",
           "        return decided(RULE, frame, NOT_APPLICABLE, reasons, {}, (), (), None)",
           "    if scope is not True:",
           "        frame.scope_open = True  # (plan.decide: which finite cases can settle)"]
    return out


def _tests(clauses: Any, kind: str, const: Any) -> list[str]:
    """Traced tests, every one shown; the parameters read after the first false one dropped."""
    out = []
    for clause in clauses:
        out += [f"    v, r = test(frame, {kind!r}, {const(clause)})  # {clause.name!r}",
                "    held.append(v)",
                "    reasons.append(r)",
                "    if v is False and cut is None:",
                "        cut = len(flagged)"]
    return [*out, "    if cut is not None:", "        del flagged[cut:]"] if out else []


def _exceptions(rule: Rule, functions: dict[int, str], const: Any, traced: bool) -> list[str]:
    """Whether each exception applies (every test of every one), and which is chosen."""
    out = []
    for k, e in enumerate(rule.exceptions):
        out.append("    held = []")
        for clause in e.applies:
            if traced:
                out += [f"    v, r = test(frame, 'exception', {const(clause)})  # {clause.name!r}",
                        "    reasons.append(r)"]
            else:
                out += [f"    v = as_truth({functions[id(clause)]}(frame, {{}}), "
                        f"{const(clause)})  # applies {clause.name!r}"]
            out.append("    held.append(v)")
        out.append(f"    x{k} = k_and(held)")
    xs = ", ".join(f"x{k}" for k in range(len(rule.exceptions)))
    return [*out, f"    chosen = choose(RULE, ({xs}, ), scope is not True)",
            "    if chosen is UNSURE:",
            "        return None  # an exception that may apply, or two at once: the shared loops"]


def _variant(conditions: Any, outcome: list[Clause], label: str, functions: dict[int, str],
             const: Any, traced: bool) -> list[str]:
    """The conditions of one variant (the rule, or an exception applied), its outcome, the
    Decision."""
    extra = "reasons" if traced else "()"
    out = []
    if not conditions:
        out.append("    granted = True")
    elif traced:
        out += ["    held = []", "    cut = None", *_tests(conditions, "condition", const),
                "    granted = k_and(held)"]
    else:
        out += ["    granted = True", "    held = []"]
        ind = "    "
        for clause in conditions:
            out += [f"{ind}v = {functions[id(clause)]}(frame, {{}})  # condition "
                    f"{clause.name!r}",
                    f"{ind}if v is False:",
                    f"{ind}    granted = False",
                    f"{ind}else:",
                    f"{ind}    if v is not True:",
                    f"{ind}        held.append(as_truth(v, {const(clause)}))"]
            ind += "    "
        out += ["    if held and granted is True:", "        granted = k_and(held)"]
    out += ["    if scope is True and (granted is True or granted is False):",
            "        outcome = {}",
            "        missing = set()",
            "        params = set()",
            "        if outcomes:"]
    out += _outcome(outcome, functions, const, traced) or ["            pass"]
    return [
        *out,
        f"        return decided(RULE, frame, ELIGIBLE if granted else INELIGIBLE, {extra}, "
        f"outcome, missing, params, {label})",
        "    missing = set()",
        "    params = set()",
        "    if granted is not True and granted is not False:",
        "        missing |= granted.missing",
        "        params |= granted.params",
        "    if scope is not True:",
        "        missing |= scope.missing",
        "        params |= scope.params",
        f"    return decided(RULE, frame, UNDETERMINED, {extra}, {{}}, missing, params, {label})",
    ]


def _outcome(outcome: list[Clause], functions: dict[int, str], const: Any, traced: bool
             ) -> list[str]:
    """Each outcome value of a settled variant, and what it lacks when not fully known; a value
    a refusal turns on is given on ineligible decisions too."""
    body = []
    for clause in outcome:
        fn = functions[id(clause)]
        if traced:
            step = [f"v, rec = clause_value(frame, {const(clause)})  # outcome {clause.name!r}",
                    "shown = to_json(v)",
                    f"outcome[{clause.name!r}] = shown",
                    f"reasons.append(reason('outcome', {const(clause)}, shown, v, rec))"]
        else:
            step = [f"v = {fn}(frame, {{}})  # outcome {clause.name!r}",
                    f"outcome[{clause.name!r}] = to_json(v)"]
        step += ["if isinstance(v, PARTIAL):  # a value not fully known: what it lacks",
                 "    m, p = gaps(v)", "    missing |= m", "    params |= p"]
        if clause.on_ineligible:
            body += [f"            {s}" for s in step]
        else:
            body += ["            if granted:", *(f"                {s}" for s in step)]
    return body

