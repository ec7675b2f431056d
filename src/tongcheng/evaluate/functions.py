"""The functions rule expressions may call (``months``, ``member``, ``param``…), three-valued,
registered by name in ``IMPLS``: the reference interpreter and the compiled rules call the same
implementations, so a function means one thing in both.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import ROUND_DOWN, Decimal
from typing import Any

import attrs

from tongcheng import months as mo
from tongcheng.evaluate import values as v
from tongcheng.evaluate.frame import Frame
from tongcheng.evaluate.operators import _num, compare
from tongcheng.evaluate.values import EvalTypeError, Item, Items, MonthSet, Range, Unknown
from tongcheng.pack import parameters as params
from tongcheng.pack import zones
from tongcheng.pack.model import Text, ZoneRef

Impl = Callable[[Frame, list[Any], dict[str, Any], Sequence[str | None]], Any]
IMPLS: dict[str, Impl] = {}
# Functions that use the situation paths of their arguments (to name what is missing); the
# others are given no paths.
READS_PATHS: set[str] = set()


def _impl(name: str, *, reads_paths: bool = False) -> Callable[[Impl], Impl]:
    def register(fn: Impl) -> Impl:
        IMPLS[name] = fn
        if reads_paths:
            READS_PATHS.add(name)
        return fn

    return register


def _period_interval(frame: Frame, period: Any) -> mo.Interval:
    """Months of a period (``from``/``to``), or of a permit held from ``since`` to as_of."""
    start = getattr(period, "from_", None)
    if start is None:
        start = mo.month_of(period.since)
    end = getattr(period, "to", None)
    end = end if end is not None else frame.as_of_month
    return start, min(end, frame.as_of_month)


def _need_items(fn: str, items: Items, fields: tuple[str, ...], kind: str, kind_zh: str) -> None:
    """Refuse a list whose items lack every one of ``fields`` (the lists of a situation and of
    the services each hold one kind of item: the first tells)."""
    first = items.sure[0] if items.sure else items.maybe[0] if items.maybe else None
    if first is not None and not any(hasattr(first.value, f) for f in fields):
        raise EvalTypeError(f"{fn}() needs a list of {kind}, got a list of "
                            f"{type(first.value).__name__}",
                            f"{fn}() 需要{kind_zh}的列表,得到的是 {type(first.value).__name__} "
                            "的列表")


def _wants(fn: str, wanted: str, wanted_zh: str, got: Any) -> EvalTypeError:
    """A function handed a value of the wrong kind, said in both languages."""
    return EvalTypeError(f"{fn}() needs {wanted}, got {v.describe(got)}",
                         f"{fn}() 需要{wanted_zh},得到的是{v.describe(got, 'zh')}")


def _undated(items: Items) -> frozenset[str]:
    """Paths of permits whose start is unknown (their months cannot be counted)."""
    return frozenset(
        f"{i.path}.since" for i in (*items.sure, *items.maybe)
        if getattr(i.value, "from_", None) is None and getattr(i.value, "since", None) is None
    )


@_impl("months")
def _months(frame: Frame, args, kwargs, paths) -> Any:
    (periods,) = args
    if isinstance(periods, Unknown):
        return periods
    if not isinstance(periods, Items):
        raise _wants("months", "a list of periods", "期间的列表", periods)
    _need_items("months", periods, ("from_", "since"), "periods", "期间")
    undated = _undated(periods)
    if undated:
        return Unknown(periods.missing | undated, periods.params)
    sure = mo.merge(_period_interval(frame, i.value) for i in periods.sure)
    maybe = tuple(_period_interval(frame, i.value) for i in periods.maybe)
    return MonthSet(sure, maybe, periods.missing, periods.params)


@_impl("months_by_place")
def _months_by_place(frame: Frame, args, kwargs, paths) -> Any:
    (periods,) = args
    if isinstance(periods, Unknown):
        return periods
    if not isinstance(periods, Items):
        raise _wants("months_by_place", "a list of periods", "期间的列表", periods)
    _need_items("months_by_place", periods, ("from_", "since"), "periods", "期间")
    if periods.maybe or _undated(periods):
        return Unknown(periods.missing | _undated(periods), periods.params)
    by_place: dict[str, list[mo.Interval]] = {}
    for item in periods.sure:
        by_place.setdefault(item.value.place, []).append(_period_interval(frame, item.value))
    counts = {place: mo.count(spans) for place, spans in sorted(by_place.items())}
    return {place: n for place, n in counts.items() if n}


@_impl("count")
def _count(frame: Frame, args, kwargs, paths) -> Any:
    (x,) = args
    if isinstance(x, Unknown):
        return x
    if isinstance(x, Items):
        return v.bounded(len(x.sure), len(x.sure) + len(x.maybe), x)
    if isinstance(x, MonthSet):
        return v.bounded(mo.count(x.sure), mo.count(x.sure + x.maybe), x)
    if isinstance(x, tuple):
        return len(x)
    raise _wants("count", "a list or month set", "列表或月份集合", x)


@_impl("exists")
def _exists(frame: Frame, args, kwargs, paths) -> Any:
    return compare(">", _count(frame, args, kwargs, paths), 0)


@_impl("consecutive_months")
def _consecutive(frame: Frame, args, kwargs, paths) -> Any:
    (x,) = args
    if isinstance(x, Unknown):
        return x
    if not isinstance(x, MonthSet):
        raise _wants("consecutive_months", "months(...)", "months(...) 的月份集合", x)

    def run(intervals) -> int:
        m = frame.as_of_month
        return mo.run_ending_at(intervals, m) or mo.run_ending_at(intervals, m - 1)

    return v.bounded(run(x.sure), run(x.sure + x.maybe), x)


@_impl("running")
def _running(frame: Frame, args, kwargs, paths) -> Any:
    (periods,) = args
    if isinstance(periods, Unknown):
        return periods
    if not isinstance(periods, Items):
        raise _wants("running", "a list of periods", "期间的列表", periods)
    _need_items("running", periods, ("from_",), "periods with a first month", "有起始月份的期间")
    m = frame.as_of_month

    def is_running(item: Item) -> bool:
        p = item.value
        return p.from_ <= m and (p.to is None or p.to >= m)

    return Items(
        tuple(i for i in periods.sure if is_running(i)),
        tuple(i for i in periods.maybe if is_running(i)),
        periods.missing,
        periods.params,
    )


@_impl("latest")
def _latest(frame: Frame, args, kwargs, paths) -> Any:
    """The periods starting last. A maybe-period starting later than every sure one leaves the
    sure ones only maybe the latest; a period starting before some sure one is never latest."""
    (periods,) = args
    if isinstance(periods, Unknown):
        return periods
    if not isinstance(periods, Items):
        raise _wants("latest", "a list of periods", "期间的列表", periods)
    _need_items("latest", periods, ("from_",), "periods with a first month", "有起始月份的期间")
    everything = (*periods.sure, *periods.maybe)
    if not everything:
        return periods
    top = max(i.value.from_ for i in everything)
    floor = max((i.value.from_ for i in periods.sure), default=None)
    sure = tuple(i for i in periods.sure if i.value.from_ == top)
    maybe = tuple(i for i in everything if i not in sure
                  and (floor is None or i.value.from_ >= floor))
    return Items(sure, maybe, periods.missing, periods.params)


@_impl("age")
def _age(frame: Frame, args, kwargs, paths) -> Any:
    born = args[0]
    at = args[1] if len(args) > 1 else frame.as_of
    if isinstance(born, Unknown) or isinstance(at, Unknown):
        return v.unknown(born, at)
    if not isinstance(born, date) or not isinstance(at, date):
        raise EvalTypeError("age() needs dates", "age() 需要日期")
    return at.year - born.year - ((at.month, at.day) < (born.month, born.day))


@_impl("city")
def _city(frame: Frame, args, kwargs, paths) -> Any:
    (place,) = args
    if isinstance(place, Unknown):
        return place
    return frame.registry.city_of(_known_place(frame, place)) or place


def zone_status(frame: Frame, ref: ZoneRef, place: str) -> bool | None:
    if type(place) is not str:  # (a fact of another kind, or a parameter's value)
        raise not_a_place(place)
    key = (ref.zone.id, place)
    if key not in frame.memo:
        frame.memo[key] = zones.contains(frame.registry, ref.zone, _known_place(frame, place),
                                         frame.as_of)
    return frame.memo[key]


def _known_place(frame: Frame, place: Any) -> str:
    """``place`` when it is a code of the registry (a parameter is looked up by it)."""
    if type(place) is not str or place not in frame.registry:
        raise not_a_place(place)
    return place


def not_a_place(value: Any) -> EvalTypeError:
    """A zone or city asked of a value that is not a place: a defect of the rule."""
    return EvalTypeError(f"a place code was needed, got {v.describe(value)}",
                         f"此处需要地点代码,得到的是{v.describe(value, 'zh')}")


@_impl("shares_zone", reads_paths=True)
def _shares_zone(frame: Frame, args, kwargs, paths) -> Any:
    place, zone_id = args
    refs = tuple(r for r in frame.active_zones if r.zone.id == zone_id)
    narrowed = attrs.evolve(frame, active_zones=refs)
    narrowed.recorder = frame.recorder
    narrowed.memo = frame.memo
    return _member(narrowed, [place], {}, paths[:1])


@_impl("member", reads_paths=True)
def _member(frame: Frame, args, kwargs, paths) -> Any:
    (place,) = args
    target = frame.anchor_value()
    if isinstance(place, Unknown):
        return place
    # An unknown target does not end the question: the place's own membership still decides
    # (a place outside every zone is never a member) and, when too coarse, is missing too.
    results = []
    notes = []
    for ref in frame.active_zones:
        if isinstance(target, Unknown):
            t_val: Any = target
        else:
            t = zone_status(frame, ref, target)
            t_val = v.unknown_at(frame.anchor_path) if t is None else t
        p = zone_status(frame, ref, place)
        p_val = v.unknown_at(paths[0] or "place") if p is None else p
        if p is None and frame.trace:
            inside = zones.coarse_members(frame.registry, ref.zone, place, frame.as_of)
            names = "、".join(frame.registry.name(m) for m in inside)
            notes.append(Text(
                f"{place} {frame.registry.name(place)} 对{ref.zone.name.zh}而言不够具体:"
                f"只有 {names} 是成员;由区县决定",
                f"{place} {frame.registry.name(place)} is too coarse for {ref.zone.name.en}: "
                f"only {names} are members; the county decides",
            ))
        results.append(v.k_and([t_val, p_val]))
    result = v.k_or(results) if results else False
    if isinstance(result, Unknown) and frame.recorder.enabled:
        frame.recorder.notes.extend(n for n in notes if n not in frame.recorder.notes)
    return result


@_impl("in_zone", reads_paths=True)
def _in_zone(frame: Frame, args, kwargs, paths) -> Any:
    """The place lies in the named zone, as the rule cites it: only while one of the rule's
    entries for that zone is in force (and among the zones the evaluation weighs)."""
    place, zone_id = args
    if isinstance(place, Unknown):
        return place
    results = []
    for ref in frame.active_zones:
        if ref.zone.id == zone_id:
            inside = zone_status(frame, ref, place)
            results.append(v.unknown_at(paths[0] or "place") if inside is None
                           else inside)
    return v.k_or(results) if results else False


def _place_arg(frame: Frame, kwargs, paths, index: int) -> tuple[Any, str]:
    if "place" in kwargs:
        return kwargs["place"], paths[index] or "place"
    return frame.anchor_value(), frame.anchor_path


def _lookup(frame: Frame, parameter: Any, place: str, at: date) -> params.ParamHit:
    """A parameter's value at a place and date; the compiled evaluator looks each up once per
    evaluation (the registry and the pack are fixed there) and shares it between rules."""
    if frame.runners is None:
        return params.lookup(frame.registry, parameter, place, at)
    key = ("param", id(parameter), place, at)
    hit = frame.memo.get(key)
    if hit is None or hit[0] is not parameter:
        hit = frame.memo[key] = (parameter, params.lookup(frame.registry, parameter, place, at))
    return hit[1]


def _declaring(frame: Frame, parameter: Any, place: str) -> tuple[params.Lookup, str | None]:
    """Where a parameter is declared for a place (shared between rules, as ``_lookup``)."""
    if frame.runners is None:
        return params.declaring_place(frame.registry, parameter, place)
    key = ("declaring", id(parameter), place)
    hit = frame.memo.get(key)
    if hit is None or hit[0] is not parameter:
        hit = frame.memo[key] = (parameter, params.declaring_place(frame.registry, parameter,
                                                                   place))
    return hit[1]


@_impl("param", reads_paths=True)
def _param(frame: Frame, args, kwargs, paths) -> Any:
    (name,) = args
    parameter = frame.pack.parameters[name]
    kw_names = list(kwargs)
    place, place_path = _place_arg(
        frame, kwargs, paths, 1 + kw_names.index("place") if "place" in kwargs else 0
    )
    at = kwargs.get("at", frame.as_of)
    if isinstance(place, Unknown) or isinstance(at, Unknown):
        return v.unknown(place, at)
    if type(at) is not date:
        raise EvalTypeError(f"param(): at= needs a date, got {v.describe(at)}",
                            f"param():at= 需要日期,得到的是{v.describe(at, 'zh')}")
    hit = _lookup(frame, parameter, _known_place(frame, place), at)
    if hit.status is params.Lookup.COARSE:
        if frame.trace:
            frame.recorder.notes.append(Text(
                f"{name}:{place} {frame.registry.name(place)} 不够具体;其区县各有参数值",
                f"{name}: {place} {frame.registry.name(place)} is too coarse; its counties "
                "have their own values",
            ))
        return v.unknown_at(place_path)
    if hit.status is not params.Lookup.FOUND:
        key = hit.key if hit.place else f"{name}[{place}]"
        if frame.trace:
            frame.recorder.parameters.append(
                {
                    "parameter": name,
                    "place": hit.place or place,
                    "at": at.isoformat(),
                    "value": None,
                    "status": hit.status.value,
                }
            )
        return Unknown(frozenset(), frozenset({key}))
    assert hit.value is not None
    pv = hit.value
    value = pv.value
    if isinstance(value, dict) and any(x is None for x in value.values()):
        value = v.Record.of(value, hit.key)
    if not (frame.trace or pv.flagged):
        return value
    used = {
        "parameter": name,
        "place": hit.place,
        "at": at.isoformat(),
        "value": v.to_json(pv.value),
        "reference": pv.reference,
        "confidence": pv.confidence,
        "undated": pv.undated,
        "flagged": pv.flagged,
        **({"note": pv.note} if pv.note else {}),
    }
    if frame.trace:
        frame.recorder.parameters.append(used)
    if pv.flagged and used not in frame.flagged:
        frame.flagged.append(used)
    return value


@_impl("declared", reads_paths=True)
def _declared(frame: Frame, args, kwargs, paths) -> Any:
    (name,) = args
    parameter = frame.pack.parameters[name]
    place, place_path = _place_arg(frame, kwargs, paths, 1)
    if isinstance(place, Unknown):
        return place
    status, declaring = _declaring(frame, parameter, _known_place(frame, place))
    if status is params.Lookup.FOUND or declaring is not None:
        return True
    if status is params.Lookup.COARSE:
        return v.unknown_at(place_path)
    return False


@_impl("pick")
def _pick(frame: Frame, args, kwargs, paths) -> Any:
    record, key = args
    if isinstance(record, Unknown) or isinstance(key, Unknown):
        return v.unknown(record, key)
    if type(key) is not str:
        raise _wants("pick", "a field's name as text", "以文本给出的字段名", key)
    if not isinstance(record, dict) or key not in record:
        raise EvalTypeError(f"pick(): no field {key!r} in {v.describe(record)}",
                            f"pick():{v.describe(record, 'zh')}中没有字段 {key!r}")
    if record[key] is None:  # declared without value
        return Unknown(frozenset(), frozenset({getattr(record, "key", str(key))}))
    return record[key]


@_impl("places")
def _places(frame: Frame, args, kwargs, paths) -> Any:
    (items,) = args
    if isinstance(items, Unknown):
        return items
    if not isinstance(items, Items):
        raise _wants("places", "a list", "列表", items)
    _need_items("places", items, ("place", "issuer"), "periods, cards or results",
                "期间、卡或结果")

    def place_of(x: Any) -> str:
        return getattr(x, "place", None) or x.issuer

    if items.maybe:
        return v.unknown(items)
    return tuple(sorted({place_of(i.value) for i in items.sure}))


def _extreme(args: list[Any], pick_lo: bool) -> Any:
    if len(args) == 1 and isinstance(args[0], tuple):
        args = list(args[0])
        if not args:
            return Unknown()
    if len(args) == 1 and isinstance(args[0], Unknown):
        return args[0]
    if any(isinstance(a, Unknown) for a in args):
        return v.unknown(*args)
    for a in args:
        if a is None or isinstance(a, Items | MonthSet | dict | tuple):
            raise _wants("min" if pick_lo else "max", "numbers, months or dates, or one list "
                         "of them", "数、月份或日期,或由它们组成的一个列表", a)
    try:
        bs = [v.bounds(a) for a in args]
        if all(lo == hi for lo, hi in bs):  # type: ignore[misc]
            return min(args) if pick_lo else max(args)
        los = [b[0] for b in bs]  # type: ignore[index]
        his = [b[1] for b in bs]  # type: ignore[index]
        if pick_lo:
            return v.bounded(min(los), min(his), *args)
        return v.bounded(max(los), max(his), *args)
    except EvalTypeError:
        raise
    except TypeError:  # values that do not compare ("370200" and 1): a defect of the rule
        kinds = ", ".join(v.describe(a) for a in args[:3])
        raise EvalTypeError(
            f"{'min' if pick_lo else 'max'}() needs values of one kind, got {kinds}",
            f"{'min' if pick_lo else 'max'}() 需要同一种类的值,得到的是"
            + "、".join(v.describe(a, "zh") for a in args[:3])) from None


@_impl("min")
def _min(frame: Frame, args, kwargs, paths) -> Any:
    return _extreme(args, True)


@_impl("max")
def _max(frame: Frame, args, kwargs, paths) -> Any:
    return _extreme(args, False)


@_impl("round_down")
def _round_down(frame: Frame, args, kwargs, paths) -> Any:
    x, places_ = args
    if isinstance(x, Unknown | Range):
        return v.unknown(x)
    if not _num(x) or type(places_) is not int or not 0 <= places_ <= 10:
        raise EvalTypeError("round_down() needs a number and a whole number of decimal places",
                            "round_down() 需要一个数和一个 0 到 10 之间的整数位数")
    return Decimal(x).quantize(Decimal(1).scaleb(-places_), rounding=ROUND_DOWN)


@_impl("service_items", reads_paths=True)
def _service_items(frame: Frame, args, kwargs, paths) -> Any:
    """Service items of the rule's zones in force that hold both the anchor and ``place``."""
    (place,) = args
    target = frame.anchor_value()
    if isinstance(place, Unknown) or isinstance(target, Unknown):
        return v.unknown(place, target)
    sure: list[Item] = []
    maybe: list[Item] = []
    missing: set[str] = set()
    for ref in frame.active_zones:
        shared = v.k_and([
            v.unknown_at(frame.anchor_path) if (t := zone_status(frame, ref, target))
            is None else t,
            v.unknown_at(paths[0] or "place") if (p := zone_status(frame, ref, place))
            is None else p,
        ])
        if shared is False:
            continue
        items = [Item(f"services[{s.id}]", s) for s in frame.pack.services
                 if s.zone == ref.zone.id and s.available(frame.as_of)]
        if shared is True:
            sure.extend(items)
        else:
            maybe.extend(items)
            missing |= shared.missing
    sure_ids = {i.value.id for i in sure}
    maybe = [i for i in maybe if i.value.id not in sure_ids]
    return Items(tuple(sure), tuple(maybe), frozenset(missing))


@_impl("given")
def _given(frame: Frame, args, kwargs, paths) -> Any:
    (x,) = args
    return True if v.is_known(x) else v.unknown(x)


@_impl("date")
def _date(frame: Frame, args, kwargs, paths) -> Any:
    return date.fromisoformat(args[0])


@_impl("month")
def _month(frame: Frame, args, kwargs, paths) -> Any:
    (x,) = args
    if isinstance(x, Unknown):
        return x
    if isinstance(x, date):
        return mo.month_of(x)
    if type(x) is not str:
        raise _wants("month", "text 'YYYY-MM' or a date", "'YYYY-MM' 形式的文本或日期", x)
    try:
        return mo.parse_month(x)
    except ValueError as e:
        raise EvalTypeError(f"month(): {e}",
                            f"month():{x!r} 不是有效的月份(应为 YYYY-MM)") from None
