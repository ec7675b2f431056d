"""What every property needs: how a failure is reported (:class:`Failure`, ``Violation``,
``GeneratorError``), the pack under test (:class:`Context`: draw, parse, evaluate), and how two
decisions are compared (:func:`essence`) and described.

A failure is said in English and Chinese (``tongcheng verify --lang``, Chinese by default): a
rule author reads it in the language asked, ids, paths and codes as they are."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import attrs
from hypothesis import reject
from hypothesis import strategies as st

from tongcheng import testing as ts
from tongcheng.errors import RuleConflict, SituationError, Worded
from tongcheng.evaluate.decision import Decision, Evaluation, Status
from tongcheng.evaluate.evaluator import RuleError
from tongcheng.evaluate.evaluator import evaluate as evaluate_pack
from tongcheng.pack.model import Rule, RulePack
from tongcheng.places import PlaceRegistry, default_registry
from tongcheng.situation import Situation, parse_situation

SETTLED = (Status.ELIGIBLE, Status.INELIGIBLE, Status.NOT_APPLICABLE)

# --- failures ---------------------------------------------------------------------------------


@attrs.frozen
class Failure:
    """A property that does not hold, with the situations that show it."""

    prop: str
    message: str  # English
    rule: str | None = None
    situations: tuple[tuple[str, dict[str, Any]], ...] = ()  # (what it is, Situation.to_dict())
    zh: str = attrs.field(kw_only=True)  # the message in Chinese

    def text(self, lang: str = "en") -> str:
        return self.zh if lang == "zh" else self.message

    def to_json(self, lang: str = "en") -> dict[str, Any]:
        """The failure for programs: its message and situation labels in ``lang`` only."""
        return {
            "property": self.prop,
            "rule": self.rule,
            "message": self.text(lang),
            "situations": [{"label": label_text(label, lang), "situation": s}
                           for label, s in self.situations],
        }


# What a failure's situations are (labels stay English in the failure, they name saved files).
_LABELS_ZH = {"counterexample": "反例", "original": "原情形", "reordered": "列表重排后",
              "less informed": "信息较少", "more informed": "信息较多", "undetermined": "待定",
              "given the missing facts": "补齐所缺事实后", "fewer months": "月数较少",
              "more months": "月数较多"}
_LABEL_PREFIXES_ZH = (("record moved to ", "记录移到 "), ("record in ", "记录在 "))


def label_text(label: str, lang: str = "en") -> str:
    """A situation's label in ``lang`` (``record in 370600``: 记录在 370600)."""
    if lang != "zh":
        return label
    if label in _LABELS_ZH:
        return _LABELS_ZH[label]
    for en, zh in _LABEL_PREFIXES_ZH:
        if label.startswith(en):
            return zh + label[len(en):]
    return label


class Violation(AssertionError):
    def __init__(self, failure: Failure) -> None:
        self.failure = failure
        super().__init__(failure.message)


class GeneratorError(Worded, RuntimeError):
    """The strategies produced an invalid situation: a defect of tongcheng, not of the pack
    (said in both languages: ``describe(lang)``)."""


class _EvalProblem(Exception):
    def __init__(self, error: BaseException) -> None:
        self.error = error
        super().__init__(str(error))


# --- context ----------------------------------------------------------------------------------


class Context:
    """One pack under test: its rules, places, and a way to evaluate generated situations."""

    def __init__(self, pack: RulePack, registry: PlaceRegistry | None = None) -> None:
        self.pack = pack
        self.registry = registry or default_registry()
        self.pool = ts.place_pool(pack)
        self.rules: tuple[Rule, ...] = tuple(pack.rules)

    # situations

    def parse(self, data: dict[str, Any]) -> Situation:
        try:
            return parse_situation(data, registry=self.registry)
        except SituationError as e:
            raise GeneratorError(f"generated an invalid situation {data!r}: {e}",
                                 f"生成了无效的情形 {data!r}:{e.describe('zh')}") from None

    def draw(self, data: st.DataObject, rule: Rule | None = None, **kw: Any
             ) -> tuple[Situation, dict[str, Any]]:
        raw = data.draw(ts.situations(pack=self.pack, rule=rule, **kw), label="situation")
        model = self.parse(raw)
        return model, model.to_dict()

    def canonical(self, raw: dict[str, Any]) -> tuple[Situation, dict[str, Any]]:
        model = self.parse(raw)
        return model, model.to_dict()

    def draw_rule(self, data: st.DataObject, among: Sequence[Rule] | None = None,
                  weight: Callable[[Rule], int] | None = None) -> Rule:
        rules = list(among if among is not None else self.rules)
        if weight is not None:
            rules = [r for r in rules for _ in range(max(1, weight(r)))]
        return rules[data.draw(st.integers(0, len(rules) - 1), label="rule")]

    # evaluation

    def evaluate(self, model: Situation, rules: Sequence[str] | None = None) -> Evaluation:
        """Decisions; a rule that fails to evaluate raises _EvalProblem."""
        try:
            return evaluate_pack(self.pack, model, rules=rules, registry=self.registry)
        except (RuleConflict, RuleError) as e:
            raise _EvalProblem(e) from None
        except Exception as e:  # an evaluator defect: no_contradictions reports it
            raise _EvalProblem(e) from None

    def decide(self, model: Situation, rules: Sequence[str] | None = None
               ) -> dict[str, Decision]:
        """Decisions by rule; situations a rule fails on are skipped (no_contradictions
        reports them)."""
        try:
            return {d.rule: d for d in self.evaluate(model, rules).decisions}
        except _EvalProblem:
            reject()
            raise AssertionError("unreachable") from None


# --- comparing decisions ----------------------------------------------------------------------


def _outcome_json(outcome: Any) -> str:
    return json.dumps(outcome, sort_keys=True, ensure_ascii=False, default=str)


def essence(d: Decision, *, sort_missing: bool = True) -> dict[str, Any]:
    """What a decision says, without the trace."""
    return {
        "status": d.status.value,
        "outcome": json.loads(_outcome_json(dict(d.outcome))),
        "missing": sorted(d.missing) if sort_missing else list(d.missing),
        "missing_parameters": sorted(d.missing_parameters),
        "exception": d.exception,
    }


_STATUS_ZH = {"eligible": "符合", "ineligible": "不符合", "undetermined": "待定",
              "not_applicable": "不适用"}


def status_text(status: Status | str, lang: str = "en") -> str:
    """A decision's status as a sentence says it (the id in English)."""
    value = status.value if isinstance(status, Status) else status
    return _STATUS_ZH.get(value, value) if lang == "zh" else value


def _describe(d: Decision, lang: str = "en") -> str:
    """What a decision says, in a few words of ``lang`` (values and paths as they are)."""
    zh = lang == "zh"
    out = status_text(d.status, lang) if zh else d.status.value
    if d.outcome:
        shown = _outcome_json(dict(d.outcome))
        out += f",结果 `{shown}`" if zh else f" with outcome {shown}"
    if d.missing:
        out += f",尚缺事实 {list(d.missing)}" if zh else f", missing {list(d.missing)}"
    if d.missing_parameters:
        named = list(d.missing_parameters)
        out += f",尚缺参数 {named}" if zh else f", missing parameters {named}"
    if d.exception:
        out += f"(适用例外 {d.exception!r})" if zh else f" (exception {d.exception})"
    return out
    out = d.status.value
    if d.outcome:
        out += f" with outcome {_outcome_json(dict(d.outcome))}"
    if d.missing:
        out += f", missing {list(d.missing)}"
    if d.missing_parameters:
        out += f", missing parameters {list(d.missing_parameters)}"
    if d.exception:
        out += f" (exception {d.exception})"
    return out


def _differences(a: dict[str, Any], b: dict[str, Any], lang: str = "en") -> str:
    keys = [k for k in a if a.get(k) != b.get(k)]
    if lang == "zh":
        return ";".join(f"`{k}`:{a.get(k)!r} 与 {b.get(k)!r}" for k in keys)
    return "; ".join(f"{k}: {a.get(k)!r} vs {b.get(k)!r}" for k in keys)


def _name(ctx: Context, code: str, lang: str = "en") -> str:
    try:
        return f"{code} {ctx.registry.name(code, lang)}"
    except ValueError:
        return code
