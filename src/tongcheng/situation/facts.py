"""The base of every situation object (``_Facts``): strict, immutable, and every problem of the
input named at once, with unknown keys, too-long lists, place codes resolved at the fact's own
date, and checks across fields that pydantic alone would skip once a field fails."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any, ClassVar

from pydantic import (
    BaseModel,
    ConfigDict,
    ValidationError,
    ValidationInfo,
    model_validator,
)
from pydantic_core import InitErrorDetails

from tongcheng import wording as W
from tongcheng.jsonio import printable
from tongcheng.months import first_day
from tongcheng.places import PlaceRegistry, RetiredPlace, UnknownPlace
from tongcheng.scalars import (
    ERROR_TYPE,
    custom_error,
    fail,
    lenient,
    registry_of,
    to_date,
    to_month,
)
from tongcheng.wording import Words

Loc = tuple[str | int, ...]

MAX_ITEMS = {"insurance": 1000, "person.residence": 1000, "provident_fund.periods": 1000,
             "cards": 1000, "results": 1000}
"""The most items each list of a situation may hold: longer lists are refused before their
items are read, on every face (README, Limits; the HTTP service checks the same number)."""
_MAX_LIST = max(MAX_ITEMS.values())  # YAML lists longer than this are refused while parsed


_ALIASES: dict[type, tuple[str, ...]] = {}  # each model's keys (``_Facts._aliases``)


class _Facts(BaseModel):
    """Base of every situation object: strict, immutable, every problem reported at once."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        use_attribute_docstrings=True,
        # A model instance given where a mapping is expected is taken as it is.
        revalidate_instances="never",
    )

    # Place fields and the field (a month or a date) saying when the place applies; a retired
    # code is accepted when that moment is before the retirement. None: the place must be current.
    _dated_places: ClassVar[dict[str, str | None]] = {}
    # List fields and the most items each may hold (MAX_ITEMS): longer lists are refused before
    # their items are read.
    _max_items: ClassVar[dict[str, int]] = {}

    @classmethod
    def _aliases(cls) -> tuple[str, ...]:
        """The keys the model takes, in field order (worked out once per model)."""
        hit = _ALIASES.get(cls)
        if hit is None:
            hit = _ALIASES[cls] = tuple(f.alias or name for name, f in cls.model_fields.items())
        return hit

    @classmethod
    def _cross_check(cls, data: dict[str, Any]) -> Iterable[tuple[Loc, Words]]:
        """Problems between fields, judged on the raw input so they are found even when other
        fields are invalid. Values that do not parse are skipped: their own problem is reported."""
        return ()

    @model_validator(mode="wrap")
    @classmethod
    def _validate_all(cls, data: Any, handler: Callable[[Any], Any], info: ValidationInfo) -> Any:
        if isinstance(data, cls):
            return data
        if not isinstance(data, Mapping):
            fail(W.expected_mapping(data, cls._aliases()))
        allowed = cls._aliases()
        data = dict(data)
        order = {key: i for i, key in enumerate(data)}
        problems: list[tuple[Loc, Words]] = []

        for key in list(data):
            if key not in allowed:
                problems.append(((printable(str(key)),), W.unknown_key(key, allowed)))
                del data[key]
        for field, limit in cls._max_items.items():
            items = data.get(field)
            if isinstance(items, list | tuple) and len(items) > limit:
                problems.append(((field,), W.too_many_items(limit, len(items))))
                del data[field]

        registry = registry_of(info)
        for field, dated_by in cls._dated_places.items():
            problem = _resolve_place(registry, data, field, dated_by)
            if problem is not None:
                problems.append(((field,), problem))

        problems.extend(cls._cross_check(data))

        model = None
        try:
            model = handler(data)
        except ValidationError as exc:
            for error in exc.errors():
                problems.append((tuple(error["loc"]), _plain_message(error)))
        if problems:
            # In the order the input was written; problems with absent keys after, in field order.
            rank = {key: len(order) + i for i, key in enumerate(allowed)} | order

            def position(problem: tuple[Loc, Words]) -> int:
                loc = problem[0]
                return rank.get(loc[0], len(rank)) if loc else -1  # type: ignore[arg-type]

            problems.sort(key=position)
            raise ValidationError.from_exception_data(
                cls.__name__,
                [
                    InitErrorDetails(type=custom_error(words), loc=loc, input=None)
                    for loc, words in problems
                ],
            )
        return model


def _resolve_place(
    registry: PlaceRegistry, data: dict[str, Any], field: str, dated_by: str | None
) -> Words | None:
    """Resolve ``data[field]`` in place to its current code; return a problem, or None.

    ``dated_by`` names the field (a month ``from`` or a date ``since``) saying when the place
    applied: a retired code is accepted when that moment is before the retirement. When that
    field is invalid or missing, a retired code is let pass: the date's own problem is reported.
    """
    raw = data.get(field)
    if raw is None or isinstance(raw, bool) or not isinstance(raw, str | int):
        return None
    try:
        code = registry.normalise(raw)
    except (ValueError, TypeError):
        return None  # the field's own validator reports the shape
    at: date | None = None
    date_unknown = False
    if dated_by is not None:
        when = data.get(dated_by)
        if dated_by in ("since", "issued"):
            at = lenient(to_date, when)
            date_unknown = when is not None and at is None
        else:
            month = lenient(to_month, when)
            at = first_day(month) if month is not None else None
            date_unknown = at is None
    try:
        data[field] = registry.resolve(code, at)
    except RetiredPlace as exc:
        if date_unknown:
            return None
        old, new = exc.place, exc.current
        return W.retired_place(old.code, (old.name_en or old.name_zh, old.name_zh), old.retired,
                               exc.at, new.code, (new.name_en or new.name_zh, new.name_zh))
    except UnknownPlace as exc:
        return W.unknown_place(exc.code)
    except ValueError:
        return W.expected_place(raw)
    return None


def _plain_message(error: Mapping[str, Any]) -> Words:
    """Pydantic's error, said plainly (most errors are already ours; these are the rest)."""
    kind = error["type"]
    if kind == ERROR_TYPE:
        ctx = error.get("ctx") or {}
        message = str(ctx.get("message", error["msg"]))
        return Words(str(ctx.get("code", W.INVALID)), message, str(ctx.get("zh", message)))
    value = error.get("input")
    if kind == "missing":
        return W.missing_key()
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return W.expected_mapping(value)
    if kind in ("list_type", "tuple_type", "iterable_type"):
        return W.expected_list(value)
    if kind == "bool_type":
        return W.expected_bool(value)
    if kind == "string_type":
        return W.expected_string(value)
    if kind == "none_required":
        return W.expected_null(value)
    return W.invalid(str(error["msg"]))


def _period_checks(data: Mapping[str, Any]) -> Iterable[tuple[Loc, Words]]:
    start = lenient(to_month, data.get("from"))
    end = lenient(to_month, data.get("to"))
    if start is not None and end is not None and end < start:
        yield ("to",), W.to_before_from()
