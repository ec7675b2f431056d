"""Finite cases that cannot settle a decision, known before deciding them.

A decision left undetermined is decided again for each value of its unknown facts of few values
(``finite.by_cases``), and stands where every value gives one settled answer. Where the rule's
scope came out unknown, and the scope — its tests, the definitions they use, and where the rule
is asked (the zone test reads it) — names none of the parts of the situation those facts belong
to, every case meets the same unknown scope, so every case is undetermined and the decision
stays as first decided: the compiled evaluator gives it at once instead of deciding the cases.
(A case naming ``project`` or ``enterprise`` may change the kind of subject, which settles a
rule as not applicable: such cases are always decided. So are those of a rule that divides
anywhere: a case's known value may divide by zero where the unknown did not, and the reference,
deciding the case, would report that defect.)

Of the 41 case splits the 17 bundled examples make, 12 are of this kind
(``health.test_result_recognition`` without test results, asked for the hospital grade); not
deciding them saves ~5% of an untraced evaluation's CPU (benchmarks/README.md).
"""

from __future__ import annotations

from collections.abc import Iterable

from tongcheng.evaluate import finite
from tongcheng.evaluate.compiled.codegen import clauses_of
from tongcheng.evaluate.frame import FACT_ROOTS
from tongcheng.expr import ast
from tongcheng.pack.model import Rule

_SUBJECTS = frozenset({"project", "enterprise"})  # a case of theirs may change the subject


def scope_roots(rule: Rule) -> frozenset[str] | None:
    """The parts of the situation (``FACT_ROOTS``) the rule's scope names: its tests, the
    definitions they use (transitively), and where it is asked; None where the rule divides
    (its cases are always decided)."""
    if _divides(rule):
        return None
    lets = {c.name: c for c in rule.lets}
    todo = [c.expr for c in rule.scope]
    if rule.place is not None:
        todo.append(rule.place.expr)
    roots = {"target"} if rule.place is None else set()  # the zone test reads the anchor
    followed: set[str] = set()
    while todo:
        for node in ast.walk(todo.pop()):
            if not isinstance(node, ast.Name):
                continue
            if node.name in FACT_ROOTS:
                roots.add(node.name)
            if node.name in lets and node.name not in followed:
                followed.add(node.name)
                todo.append(lets[node.name].expr)
    return frozenset(roots)


def cannot_settle(roots: frozenset[str], missing: Iterable[str]) -> bool:
    """Whether no finite case of ``missing`` can change a scope that names only ``roots``
    (the scope being unknown): every finite fact belongs to a part the scope does not name."""
    for path in missing:
        if finite.domain(path) is None:
            continue
        root = path.split(".", 1)[0].split("[", 1)[0]
        if root in roots or root in _SUBJECTS:
            return False
    return True


def _divides(rule: Rule) -> bool:
    return any(isinstance(n, ast.Arith) and n.op == "/" for _, c in clauses_of(rule)
               for n in ast.walk(c.expr))
