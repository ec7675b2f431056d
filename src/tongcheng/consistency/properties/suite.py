"""The suite: the :data:`PROPERTIES` in order, running one (:func:`run_property`, with a shrink
budget) or all (:func:`run`) on a pack."""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Callable, Iterator, Sequence

import attrs
from hypothesis import HealthCheck, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable

from tongcheng.consistency.properties.context import Context, Failure, GeneratorError, Violation
from tongcheng.consistency.properties.determinism import (
    check_deterministic,
    check_no_contradictions,
    check_order_independent,
)
from tongcheng.consistency.properties.information import (
    check_information_complete,
    check_information_monotonic,
)
from tongcheng.consistency.properties.monotonic import _monotonic_cases, check_monotonic_outcomes
from tongcheng.consistency.properties.recognition import (
    _symmetric_rules,
    check_mutual_recognition_symmetric,
)
from tongcheng.consistency.properties.timing import check_time
from tongcheng.pack.model import RulePack
from tongcheng.places import PlaceRegistry

Reason = tuple[str, str]  # a note in English and in Chinese


@attrs.frozen
class Property:
    name: str
    summary: str
    check: Callable[[Context, st.DataObject], None]
    applies: Callable[[Context], Reason | None] = lambda ctx: None  # a reason to skip, or None
    summary_zh: str | None = None  # the summary in Chinese (the suite's own say it)

    def said(self, lang: str = "en") -> str:
        return self.summary_zh if lang == "zh" and self.summary_zh else self.summary


def _needs_symmetric(ctx: Context) -> Reason | None:
    return None if _symmetric_rules(ctx) else (
        "no rule recognises places through its zones", "没有规则通过其区域互认地点")


def _needs_monotonic(ctx: Context) -> Reason | None:
    return None if _monotonic_cases(ctx) else (
        "no rule declares a monotonic outcome", "没有规则声明单调的结果")


PROPERTIES: tuple[Property, ...] = (
    Property("no_contradictions", "one decision per rule; no rule fails; no exception "
             "conflict", check_no_contradictions,
             summary_zh="每条规则一个判定;没有规则出错;没有例外冲突"),
    Property("deterministic", "same situation, same decisions (twice, from a file, rule "
             "alone)", check_deterministic,
             summary_zh="同一情形,同样的判定(评估两次、从文件读回、规则单独评估)"),
    Property("order_independent", "list order never changes a decision",
             check_order_independent, summary_zh="列表的顺序从不改变判定"),
    Property("information_monotonic", "a settled decision stands when a fact is given",
             check_information_monotonic, summary_zh="给出一项事实后,已确定的判定保持不变"),
    Property("information_complete", "undetermined names what is missing, and giving it "
             "settles", check_information_complete,
             summary_zh="待定的判定列出所缺,补齐后即可确定"),
    Property("mutual_recognition_symmetric", "recognition does not depend on which member",
             check_mutual_recognition_symmetric, _needs_symmetric,
             summary_zh="互认不取决于记录来自哪个成员地"),
    Property("time", "no decision before zone and basis; parameters valid at their date",
             check_time, summary_zh="区域和依据生效之前不作判定;参数取其日期有效的数值"),
    Property("monotonic_outcomes", "more months never lower a declared monotonic outcome",
             check_monotonic_outcomes, _needs_monotonic,
             summary_zh="月数增加从不降低声明为单调的结果"),
)

PROPERTY_NAMES = tuple(p.name for p in PROPERTIES)


@attrs.frozen
class Result:
    prop: Property
    status: str  # passed | failed | skipped | inconclusive | error
    examples: int
    seconds: float
    failure: Failure | None = None
    note: str | None = None  # why skipped or inconclusive, in English
    note_zh: str | None = None  # the same in Chinese

    def said_note(self, lang: str = "en") -> str | None:
        return self.note_zh if lang == "zh" and self.note_zh else self.note


def run_property(prop: Property, ctx: Context, *, examples: int = 200, seed: int = 0,
                 shrink_seconds: float = 30.0) -> Result:
    """Search for a counterexample to ``prop``; return what was found, shrunk (for at most
    ``shrink_seconds``)."""
    reason = prop.applies(ctx)
    if reason:
        return Result(prop, "skipped", 0, 0.0, note=reason[0], note_zh=reason[1])
    tried = [0, 0]  # examples run; examples run when the first failure was found

    def test(data: st.DataObject) -> None:
        tried[0] += 1
        try:
            prop.check(ctx, data)
        except Violation:
            tried[1] = tried[1] or tried[0]
            raise

    runner = settings(
        max_examples=examples,
        database=None,
        deadline=None,
        verbosity=Verbosity.quiet,
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
        print_blob=False,
    )(given(st.data())(test))
    runner = hypothesis_seed(seed)(runner)
    state = random.getstate()
    start = time.monotonic()
    try:
        with _shrink_budget(shrink_seconds), _without_local_constants():
            runner()
    except Violation as v:
        return Result(prop, "failed", tried[1] or tried[0], time.monotonic() - start,
                      v.failure)
    except Unsatisfiable:
        return Result(prop, "inconclusive", tried[0], time.monotonic() - start,
                      note="no generated situation could be used for this property",
                      note_zh="生成的情形都无法用于检验这一性质")
    except GeneratorError:
        raise
    except Exception as e:  # a defect of tongcheng itself: say so, without a traceback
        failure = Failure(prop.name, f"tongcheng's property code failed: {type(e).__name__}: "
                          f"{e} (a defect of tongcheng, not of the pack; please report it)",
                          zh=f"tongcheng 的性质检验代码出错:`{type(e).__name__}: {e}`(这是 "
                             "tongcheng 的缺陷,不是规则包的;请报告)")
        return Result(prop, "error", tried[0], time.monotonic() - start, failure)
    finally:
        random.setstate(state)
    return Result(prop, "passed", tried[0], time.monotonic() - start)


@contextlib.contextmanager
def _shrink_budget(seconds: float) -> Iterator[None]:
    """Bound the time hypothesis spends shrinking a counterexample (its own limit is five
    minutes; the module global is hypothesis's, read when shrinking starts)."""
    from hypothesis.internal.conjecture import engine

    before = getattr(engine, "MAX_SHRINKING_SECONDS", None)
    if before is not None:
        engine.MAX_SHRINKING_SECONDS = seconds  # type: ignore[attr-defined]
    try:
        yield
    finally:
        if before is not None:
            engine.MAX_SHRINKING_SECONDS = before  # type: ignore[attr-defined]


@contextlib.contextmanager
def _without_local_constants() -> Iterator[None]:
    """Draw without the constants hypothesis collects from the source of every local module
    the process has loaded (hypothesis >= 6.131 draws one now and then): which modules those
    are depends on what the process imported before (a benchmark's module of constants, the
    CLI's modules), so the same seed would search other situations in another process. The
    pack's own values come from ``tongcheng.testing``; hypothesis's global constants stay.
    The cache of constants by constraint is emptied before (it holds the process's local
    constants) and after (it then holds none, for the process's own hypothesis tests)."""
    from hypothesis.internal.conjecture import providers

    collect = getattr(providers, "_get_local_constants", None)
    cache = getattr(getattr(providers, "CONSTANTS_CACHE", None), "cache", None)
    if collect is None or cache is None:  # an older hypothesis: no local constants
        yield
        return
    from hypothesis.internal.constants_ast import Constants

    none = Constants()
    cache.clear()
    providers._get_local_constants = lambda: none  # type: ignore[attr-defined]
    try:
        yield
    finally:
        providers._get_local_constants = collect  # type: ignore[attr-defined]
        cache.clear()


def run(pack: RulePack, *, properties: Sequence[str] | None = None, examples: int = 200,
        seed: int = 0, registry: PlaceRegistry | None = None, shrink_seconds: float = 30.0,
        on_result: Callable[[Result], None] | None = None) -> list[Result]:
    """Run the suite (or the named properties) on ``pack``."""
    ctx = Context(pack, registry)
    chosen = [p for p in PROPERTIES if not properties or p.name in properties]
    out = []
    for prop in chosen:
        result = run_property(prop, ctx, examples=examples, seed=seed,
                              shrink_seconds=shrink_seconds)
        if on_result:
            on_result(result)
        out.append(result)
    return out
