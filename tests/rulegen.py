"""Rules drawn at random from the checked grammar, for the differential tests of the evaluators.

``tests/test_compiled.py`` compares the compiled evaluator with the reference over situations
drawn for the bundled pack's rules, and ``tests/packs/constructs`` adds, by hand, the constructs
that pack hardly uses. A mutation run (benchmarks/README.md, "Mutation testing") still found
faults neither could see: code paths the compiled evaluator takes only for expression shapes
nobody wrote. Here hypothesis writes the rules: typed expressions over the situation model's
facts and the whole function catalogue (filters binding ``item``, definitions read by later
clauses, a place chosen by an expression, zone entries of different firmness, exceptions with
conditions of their own), put in a pack beside ``tests/packs/constructs``' zones, parameters and
documents, and loaded through the loader and its checker like any author's pack.

Expressions are built by type (``bool``, ``num``, ``place``, ``list`` of insurance periods,
``items`` of a filter's ``item``), so almost every drawn rule passes the checker; the few it
refuses (``PackError``) are skipped by the caller, which counts them.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, assume, event, note
from hypothesis import strategies as st

from tongcheng.expr.functions import CATALOGUE

CONSTRUCTS = Path(__file__).parent / "packs" / "constructs"
ZONES = ("cities", "later", "mixed", "counties")
PLACES = ('"370200"', '"370600"', '"370785"', '"371000"', '"370100"')
SCHEMES = ('"pension"', '"employee_medical"')


class _Gen:
    """One rule's expressions: ``lets`` holds the definitions drawn so far, by type."""

    def __init__(self, draw: Any, zones: list[str]) -> None:
        self.draw = draw
        self.zones = zones  # the rule's own: the checker refuses a zone the rule does not cite
        self.lets: dict[str, list[str]] = {"bool": [], "num": [], "list": [], "place": []}

    def pick(self, options: list[str]) -> str:
        return self.draw(st.sampled_from(options))

    def choice(self, n: int) -> int:
        return self.draw(st.integers(0, n - 1))

    # --- by type -------------------------------------------------------------------------

    def boolean(self, depth: int) -> str:
        leaves = [
            lambda: f"exists({self.items(depth - 1)})",
            lambda: f"{self.num(depth - 1)} {self.pick(['>=', '<', '==', '!='])} "
                    f"{self.num(depth - 1)}",
            lambda: f"member({self.place(depth - 1)})",
            lambda: f"in_zone({self.place(depth - 1)}, \"{self.pick(self.zones)}\")",
            lambda: f"shares_zone({self.place(depth - 1)}, \"{self.pick(self.zones)}\")",
            lambda: f"person.sex == \"{self.pick(['male', 'female'])}\"",
            lambda: f"person.employment == \"{self.pick(['employed', 'flexible', 'retired'])}\"",
            lambda: f"{self.place(depth - 1)} == {self.pick(list(PLACES))}",
            lambda: "provident_fund.couple_application",
            lambda: f"given({self.pick(['person.sex', 'person.hukou', 'request.hospital_grade'])})",
            lambda: f"declared(\"{self.pick(['test.dated', 'test.county', 'test.county_only'])}\")",
            lambda: f"person.birth_date < date(\"{self.pick(['1960-03-01', '1990-01-01'])}\")",
            lambda: f"{self.place(depth - 1)} in places({self.items(depth - 1)})",
            lambda: f"exists({self.other_list(depth - 1)})",
            lambda: f"as_of >= date(\"{self.pick(['2022-01-01', '2023-06-01'])}\")",
        ]
        if self.lets["bool"]:
            leaves.append(lambda: self.pick(self.lets["bool"]))
        return self._truth(depth, leaves, lambda: self.boolean(depth - 1))

    def item_bool(self, depth: int, of: str = "insurance") -> str:
        """A filter's condition over an item of list ``of`` (periods unless results or cards)."""
        if of == "results":
            return self.pick([
                f"item.kind == \"{self.pick(['medical_test', 'elderly_care_assessment'])}\"",
                "member(item.place)", f"item.place == {self.pick(list(PLACES))}",
                "item.level == \"甲\"", "item.issued >= date(\"2022-06-01\")",
                "item.hospital_grade >= 2", f"in_zone(item.place, \"{self.pick(self.zones)}\")"])
        if of == "cards":
            return self.pick([f"item.kind == \"{self.pick(['transit', 'library'])}\"",
                              "member(item.issuer)", "item.issuer == target"])
        leaves = [
            lambda: "member(item.place)",
            lambda: f"in_zone(item.place, \"{self.pick(self.zones)}\")",
            lambda: f"item.scheme == {self.pick(list(SCHEMES))}",
            lambda: f"item.place == {self.pick(list(PLACES))}",
            lambda: f"city(item.place) == {self.pick(list(PLACES))}",
            lambda: "item.deemed",
            lambda: f"item.from >= month(\"{self.pick(['2021-06', '2022-01', '2023-03'])}\")",
            lambda: f"item.to {self.pick(['<', '>='])} month(\"2022-12\")",
            lambda: "item.place == person.hukou",
            lambda: "item.from <= month(as_of)",
        ]
        return self._truth(depth, leaves, lambda: self.item_bool(depth - 1, of))

    def _truth(self, depth: int, leaves: list, smaller) -> str:
        """One of ``leaves``, or (with depth left) ``not``, ``and`` or ``or`` of ``smaller()``."""
        if depth <= 0:
            return leaves[self.choice(len(leaves))]()
        k = self.choice(len(leaves) + 3)
        if k < len(leaves):
            return leaves[k]()
        if k == len(leaves):
            return f"not ({smaller()})"
        return f"({smaller()}) {'and' if k == len(leaves) + 1 else 'or'} ({smaller()})"

    def num(self, depth: int) -> str:
        leaves = [
            lambda: str(self.draw(st.integers(0, 30))),
            lambda: f"count({self.items(depth - 1)})",
            lambda: f"count(months({self.items(depth - 1)}))",
            lambda: f"consecutive_months(months({self.items(depth - 1)}))",
            lambda: "age(person.birth_date)",
            lambda: "age(person.birth_date, date(\"2020-01-01\"))",
            lambda: f"param(\"{self.pick(['test.dated', 'test.county', 'test.county_only'])}\")",
            lambda: f"param(\"test.county\", place={self.place(depth - 1)})",
            lambda: "pick(param(\"test.record\"), person.sex)",
            lambda: "request.hospital_grade",
            lambda: "provident_fund.outstanding_loans",
            lambda: f"count({self.other_list(depth - 1)})",
            lambda: "count(months(provident_fund.periods))",
            lambda: f"round_down({self.num(depth - 1)} / "
                    f"{self.pick(['3', '12', 'count(insurance)'])}, 1)",
            lambda: "age(person.birth_date, as_of)",
        ]
        if self.lets["num"]:
            leaves.append(lambda: self.pick(self.lets["num"]))
        if depth <= 0:
            return leaves[self.choice(len(leaves))]()
        k = self.choice(len(leaves) + 4)
        if k < len(leaves):
            return leaves[k]()
        a, b = self.num(depth - 1), self.num(depth - 1)
        return [f"({a} + {b})", f"({a} - {b})", f"{self.pick(['min', 'max'])}({a}, {b})",
                f"(if {self.boolean(depth - 1)} then {a} else {b})"][k - len(leaves)]

    def place(self, depth: int) -> str:
        leaves = ["person.hukou", "person.work_place", "person.lives_in", "target",
                  "city(person.hukou)", *PLACES[:2]]
        if self.lets["place"]:
            leaves.append(self.pick(self.lets["place"]))
        if depth > 0 and self.choice(5) == 0:
            return (f"(if {self.boolean(depth - 1)} then {self.pick(leaves)} "
                    f"else {self.pick(leaves)})")
        return self.pick(leaves)

    def items(self, depth: int) -> str:
        """A list of insurance periods (never inside a filter's own condition: ``item``
        would be rebound)."""
        base = ["insurance", *self.lets["list"]]
        if depth <= 0:
            return self.pick(base)
        k = self.choice(5)
        if k == 0:
            return f"{self.items(depth - 1)}[{self.item_bool(depth - 1)}]"
        if k == 1:
            return f"{self.pick(['running', 'latest'])}({self.items(depth - 1)})"
        return self.pick(base)

    def other_list(self, depth: int) -> str:
        """Results or cards, perhaps filtered."""
        of = self.pick(["results", "cards"])
        if depth > 0 and self.draw(st.booleans()):
            return f"{of}[{self.item_bool(depth - 1, of)}]"
        return of

    def outcome(self, depth: int) -> str:
        k = self.choice(7)
        if k == 0:
            return f"places({self.items(depth)})"
        if k == 1:
            return self.boolean(depth)
        if k == 2:
            return f"months_by_place({self.items(depth)})"
        if k == 3:
            return f"service_items({self.place(depth)})"
        return self.num(depth)


@st.composite
def rule_docs(draw: Any, index: int) -> dict[str, Any]:
    """One rule, as its YAML document."""
    zones = draw(st.lists(st.sampled_from(ZONES), min_size=1, max_size=2, unique=True))
    gen = _Gen(draw, zones)
    depth = draw(st.integers(1, 3))
    rule: dict[str, Any] = {
        "id": f"gen.r{index}",
        "title": {"zh": f"生成规则{index}", "en": f"Generated rule {index}"},
        "domain": "test",
        "zones": [{"zone": z, "from": "2020-01-01",
                   **({"firmness": "promise"} if draw(st.booleans()) and k else {}),
                   "basis": [{"document": "test_notice", "article": f"第{k + 1}条"}]}
                  for k, z in enumerate(zones)],
    }
    if draw(st.integers(0, 3)) == 0:  # where the rule is asked (no zone function reading it)
        rule["place"] = draw(st.sampled_from([
            gen.place(0), f"city({gen.place(0)})",
            f"if person.sex == \"male\" then {gen.place(0)} else {gen.place(0)}",
            f"if in_zone(person.hukou, \"{zones[0]}\") then person.hukou else target",
            f"if given(person.work_place) then person.work_place else {gen.place(0)}"]))
    lets: dict[str, str] = {}
    for k in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["bool", "num", "list", "place"]))
        text = {"bool": lambda: gen.boolean(depth), "num": lambda: gen.num(depth),
                "list": lambda: gen.items(depth), "place": lambda: gen.place(depth)}[kind]()
        name = f"d{k}"
        lets[name] = text
        gen.lets[kind].append(name)
    if lets:
        rule["let"] = lets
    label = {"zh": "条件", "en": "A condition"}
    if draw(st.booleans()):
        rule["scope"] = [{"label": label, "when": gen.boolean(depth)}
                         for _ in range(draw(st.integers(1, 2)))]
    rule["conditions"] = [{"label": label, "when": gen.boolean(depth)}
                          for _ in range(draw(st.integers(1, 3)))]
    if draw(st.booleans()):
        rule["outcome"] = {f"o{k}": gen.outcome(depth) for k in range(draw(st.integers(1, 3)))}
    if draw(st.integers(0, 3)) == 0:
        exception: dict[str, Any] = {
            "label": "special", "title": {"zh": "例外", "en": "An exception"},
            "applies": [{"label": label, "when": gen.boolean(1)}],
            "basis": [{"document": "test_notice", "article": "第九条"}]}
        if draw(st.booleans()):
            exception["conditions"] = [{"label": label, "when": gen.boolean(1)}]
        if "outcome" in rule and draw(st.booleans()):
            exception["outcome"] = {name: gen.outcome(1) for name in rule["outcome"]}
        rule["exceptions"] = [exception]
    rule["basis"] = [{"document": "test_notice", "article": "第十条"}]
    return rule


@st.composite
def rule_packs(draw: Any, rules: int = 2) -> list[dict[str, Any]]:
    """The rules of a generated pack (load them with :func:`load_generated`)."""
    return [draw(rule_docs(k)) for k in range(rules)]


# what every test on drawn packs runs with: a pack is loaded per example (tens of ms), and a
# drawn pack with its situations is large
SETTINGS = {"deadline": None,
            "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large]}


def drawn_pack(data: Any) -> Any:
    """A pack drawn inside a test (``st.data()``), loaded; its rules' YAML is noted for the
    failure report, and a pack the checker refuses (rare) is no example."""
    from tongcheng.errors import PackError

    rules = data.draw(rule_packs())
    note(yaml.safe_dump(rules, allow_unicode=True, sort_keys=False))
    try:
        return load_generated(rules)
    except PackError as e:
        event("refused by the checker")
        note(str(e))
        assume(False)


def load_generated(rules: list[dict[str, Any]]) -> Any:
    """The pack of these rules, beside the constructs pack's zones, parameters and documents,
    loaded (and checked) as an author's pack is."""
    import tongcheng

    with tempfile.TemporaryDirectory(prefix="tongcheng-gen-") as tmp:
        root = Path(tmp) / "pack"
        shutil.copytree(CONSTRUCTS, root, ignore=shutil.ignore_patterns("rules"))
        (root / "rules").mkdir()
        (root / "rules" / "generated.yaml").write_text(
            yaml.safe_dump(rules, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return tongcheng.load_pack(root)


# --- rules of the wrong kinds ----------------------------------------------------------------
#
# What an author gets wrong: any function or operator applied to facts and literals of any kind.
# The checker refuses most of it at load; what it lets through must end in a rule error, never
# in a traceback (tests/test_ill_typed_rules.py, tests/batch/test_batch_ill_typed.py).

ANY_FACTS = ("person.sex", "person.birth_date", "person.hukou", "person.retired_on",
             "person.residence", "person.employment", "insurance", "cards", "results",
             "provident_fund.periods", "provident_fund.balance",
             "provident_fund.outstanding_loans", "provident_fund.couple_application",
             "request.service", "request.hospital_grade", "as_of", "target", "project.gdp",
             "enterprise.credit")
ANY_LISTS = ("person.residence", "insurance", "cards", "results", "provident_fund.periods")
ANY_ITEM = ("item", "item.to", "item.from", "item.place", "item.kind", "item.issuer",
            "item.scheme", "item.deemed", "item.since")
ANY_LITERALS = ("1", "0", "2.5", '"370200"', '"male"', '"2020-01"', "true", "false", "null",
                'month("2020-01")', 'date("2020-01-01")', '["370200", "370600"]', "[1, 2]")
# values whose kind the tree does not show (a parameter's value, an if of two kinds): the
# checker lets them through, and only the evaluators meet them
UNSEEN = ('param("test.dated")', 'param("test.record")',
          'pick(param("test.record"), person.sex)',
          "(if given(person.sex) then person.sex else person.birth_date)",
          "(if given(person.hukou) then person.hukou else 3)",
          "(if given(cards) then cards else insurance)")
ZONE_WORDS = ('"cities"', '"later"')


def untyped_exprs(depth: int, in_filter: bool = False) -> st.SearchStrategy[str]:
    atoms = st.one_of(st.sampled_from(ANY_FACTS + ANY_LITERALS + (ANY_ITEM if in_filter else ())),
                      st.sampled_from(UNSEEN))
    if depth == 0:
        return atoms
    sub = untyped_exprs(depth - 1, in_filter)
    return st.one_of(atoms, untyped_calls(sub), st.builds(
        lambda a, op, b: f"({a} {op} {b})", sub,
        st.sampled_from(["==", "!=", "<", ">=", "in", "+", "-", "*", "/", "and", "or"]), sub),
        st.builds(lambda a: f"not ({a})", sub), st.builds(lambda a: f"-({a})", sub),
        st.builds(lambda c, a, b: f"(if {c} then {a} else {b})", sub, sub, sub),
        st.builds(lambda lst, c: f"{lst}[{c}]", st.sampled_from(ANY_LISTS),
                  untyped_exprs(depth - 1, in_filter=True)))


@st.composite
def untyped_calls(draw, sub: st.SearchStrategy[str]) -> str:
    spec = draw(st.sampled_from(sorted(CATALOGUE.values(), key=lambda s: s.name)))
    n = draw(st.integers(spec.min_args, spec.max_args or spec.min_args + 2))
    args = [draw(sub) for _ in range(n)]
    if spec.literal_first and args:
        args[0] = ('"test.dated"' if spec.name in ("param", "declared")
                   else draw(st.sampled_from(['"2020-01-01"', '"2020-01"'])))
    if spec.name in ("in_zone", "shares_zone") and len(args) == 2:
        args[1] = draw(st.sampled_from(ZONE_WORDS))
    args += [f"{k}={draw(sub)}" for k in spec.kwargs if draw(st.booleans())]
    return f"{spec.name}({', '.join(args)})"


@st.composite
def ill_typed_rules(draw) -> dict:
    rule = {"id": "ill.r0", "title": {"zh": "规则", "en": "A rule"}, "domain": "test",
            "zones": [{"zone": "cities", "from": "2020-01-01"}],
            "conditions": [{"label": {"zh": "条件", "en": "A condition"},
                            "when": draw(untyped_exprs(2))}],
            "basis": [{"document": "test_notice", "article": "第十条"}]}
    if draw(st.booleans()):
        rule["outcome"] = {"value": draw(untyped_exprs(2))}
    return rule
