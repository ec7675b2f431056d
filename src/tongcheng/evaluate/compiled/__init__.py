"""Rules compiled once to Python functions: the default evaluator.

``runners(pack)`` compiles every rule of a loaded pack (once per pack) into generated Python
source (``codegen``), built from the checked syntax trees alone, and gives the function of each
clause by id of its expression; the evaluator runs them in place of the reference interpreter's
closures (``Frame.runners``). Each rule's module also holds its decision, untraced and traced
(``decider``: scope, exceptions, conditions and outcome unrolled, the Decision built directly),
which ``plan`` runs with what the rule needs worked out once; ``settled`` keeps what depends on
the date and the place alone (decisions settled before any clause, zone tests, groundings).
``source(pack, rule_id)`` is the code, for review.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from tongcheng.evaluate.compiled import deciding, plan
from tongcheng.evaluate.compiled.codegen import RuleSource, generate
from tongcheng.evaluate.compiled.runtime import NAMESPACE
from tongcheng.pack.model import Rule, RulePack


@attrs.frozen
class CompiledRule:
    source: RuleSource
    runners: Mapping[int, Any]
    # the generated decisions, untraced and traced (None: the shared loops decide)
    decider: tuple[Any, Any] | None = None


def compile_rule(rule: Rule) -> CompiledRule:
    """The rule's generated module, compiled and run once to define its functions."""
    src = generate(rule)
    namespace = {**NAMESPACE, **deciding.namespace(), **src.constants}
    code = compile(src.source, f"<tongcheng rule {rule.id}>", "exec")
    exec(code, namespace)  # the source is generated from the checked tree alone (codegen)
    return CompiledRule(src, {key: namespace[name] for key, name in src.functions.items()},
                        tuple(namespace[n] for n in src.decider) if src.decider else None)


class Runners(dict):
    """The clause functions of a pack by id of the clause's expression, with the decisions
    settled before any clause (``settled``) kept for as long as the compiled pack, and the
    rules' generated decisions (untraced, traced) by id of the rule (``deciders``)."""

    settled: dict
    deciders: dict
    plans: dict  # what deciding each rule needs (``plan.Plan``)


@attrs.frozen
class CompiledPack:
    rules: Mapping[str, CompiledRule]
    runners: Runners


# Compiled packs by id of the pack; the pack is kept with its entry, so that its id (and the ids
# of its expressions, the runners' keys) cannot be reused while the entry lives.
_PACKS: dict[int, tuple[RulePack, CompiledPack]] = {}
_PACKS_MAX = 16


def compiled_pack(pack: RulePack) -> CompiledPack:
    hit = _PACKS.get(id(pack))
    if hit is not None and hit[0] is pack:
        return hit[1]
    rules = {rule.id: compile_rule(rule) for rule in pack.rules}
    runners = Runners()
    runners.settled = {}
    runners.deciders = {id(rule): rules[rule.id].decider for rule in pack.rules
                        if rules[rule.id].decider is not None}
    runners.plans = {id(rule): plan.plan(rule, rules[rule.id].decider)  # type: ignore
                     for rule in pack.rules if rules[rule.id].decider is not None}
    for r in rules.values():
        runners.update(r.runners)
    out = CompiledPack(rules, runners)
    if len(_PACKS) >= _PACKS_MAX:
        _PACKS.clear()
    _PACKS[id(pack)] = (pack, out)
    return out


def runners(pack: RulePack) -> Mapping[int, Any]:
    return compiled_pack(pack).runners


def source(pack: RulePack, rule_id: str) -> str:
    """The generated Python of one rule (``tongcheng rules ID --compiled``)."""
    return compiled_pack(pack).rules[pack.rule(rule_id).id].source.source
