"""The evaluate request: parsed whole (every problem named by its path), evaluated, answered
as the contract's JSON bytes. Shared by ``POST /v1/evaluate`` and its lane past the router."""

from __future__ import annotations

import asyncio
import difflib
import hashlib
import json
import logging
import re
import weakref
from collections.abc import Mapping
from datetime import date
from typing import Any

import anyio
from fastapi import Request
from fastapi.responses import Response

from tongcheng.errors import Problem, SituationError
from tongcheng.evaluate.evaluator import evaluate as evaluate_pack
from tongcheng.pack.model import RulePack
from tongcheng.places import PlaceRegistry
from tongcheng.service.answer import AnswerWriter
from tongcheng.service.deps import (
    UnsupportedMediaType,
    json_default,
    load_json,
    read_body,
    read_settings,
)
from tongcheng.situation import Situation, describe_value, parse_situation

log = logging.getLogger("tongcheng.service")

REQUEST_KEYS = ("situation", "as_of", "rules", "lang", "trace")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_LIST_ITEMS = 1000  # items in any one list of a situation (periods, cards, results...)
INLINE_BODY = 16 * 1024  # bodies up to this size are answered on the event loop
# Larger bodies are answered in worker threads, at most this many at once: a few heavy
# requests never hold the event loop, and the cores stay shared with light ones.
HEAVY_AT_ONCE = 2


class EvaluateOptions:
    __slots__ = ("as_of", "lang", "rules", "situation", "trace")

    def __init__(self) -> None:
        self.situation: Situation | None = None
        self.as_of: date | None = None
        self.rules: list[str] | None = None
        self.lang = "zh"
        self.trace = True


def parse_request(
    data: Any, pack: RulePack, registry: PlaceRegistry
) -> EvaluateOptions:
    """Validate an evaluate request whole: request keys, then the situation, every problem
    named (situation problems by their situation path, as on the command line)."""
    if not isinstance(data, Mapping):
        raise SituationError(
            [Problem("", f"expected a JSON object with a 'situation', got {describe_value(data)}")]
        )
    out = EvaluateOptions()
    problems: list[Problem] = []
    for key in data:
        if key not in REQUEST_KEYS:
            close = difflib.get_close_matches(str(key), REQUEST_KEYS, n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(
                Problem(str(key), f"unknown key{hint}; allowed keys: {', '.join(REQUEST_KEYS)}")
            )
    out.as_of = _as_of(data.get("as_of"), problems)
    out.rules = _rules(data.get("rules"), pack, problems)
    lang = data.get("lang", "zh")
    if lang not in ("zh", "en"):
        problems.append(Problem("lang", f"expected one of: zh, en, got {describe_value(lang)}"))
    else:
        out.lang = lang
    trace = data.get("trace", True)
    if not isinstance(trace, bool):
        problems.append(Problem("trace", f"expected true or false, got {describe_value(trace)}"))
    else:
        out.trace = trace
    situation = data.get("situation")
    if situation is None:
        problems.append(
            Problem("situation", "required key is missing: the facts to evaluate, as a mapping")
        )
    elif not isinstance(situation, Mapping):
        got = describe_value(situation)
        problems.append(Problem("situation", f"expected a mapping, got {got}"))
    else:
        too_long = list(long_lists(situation))
        if too_long:
            problems.extend(too_long)
        else:
            try:
                out.situation = parse_situation(situation, as_of=out.as_of, registry=registry)
            except SituationError as exc:
                problems.extend(exc.problems)
    if problems:
        raise SituationError(problems)
    return out


def long_lists(value: Any, path: str = "", depth: int = 0) -> Any:
    """A problem for each list longer than ``MAX_LIST_ITEMS``, found before the situation is
    validated: the work of one request stays bounded (65,000 empty periods are refused in a
    millisecond, not validated one by one)."""
    if depth > 8:  # a situation is four levels deep; the model names anything deeper
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from long_lists(item, f"{path}.{key}" if path else str(key), depth + 1)
    elif isinstance(value, list):
        if len(value) > MAX_LIST_ITEMS:
            yield Problem(path, f"at most {MAX_LIST_ITEMS:,} items in a list, got {len(value):,}")
            return
        for i, item in enumerate(value):
            if isinstance(item, Mapping | list):
                yield from long_lists(item, f"{path}[{i}]", depth + 1)


def _as_of(raw: Any, problems: list[Problem]) -> date | None:
    if raw is None:
        return None
    if not isinstance(raw, str) or not _DATE.match(raw):
        problems.append(
            Problem("as_of", f"expected a date as YYYY-MM-DD, got {describe_value(raw)}")
        )
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        problems.append(Problem("as_of", f"expected a real calendar date, got {raw!r} ({exc})"))
        return None


def _rules(rules: Any, pack: RulePack, problems: list[Problem]) -> list[str] | None:
    if rules is None:
        return None
    if not isinstance(rules, list):
        got = describe_value(rules)
        problems.append(Problem("rules", f"expected a list of rule ids, got {got}"))
        return None
    known = pack.rule_ids
    for i, rule in enumerate(rules):
        if not isinstance(rule, str):
            problems.append(
                Problem(f"rules[{i}]", f"expected a rule id, got {describe_value(rule)}")
            )
        elif rule not in known:
            problems.append(
                Problem(
                    f"rules[{i}]",
                    f"unknown rule {rule!r}; the pack's rules: {', '.join(known)}",
                )
            )
    return [r for r in rules if isinstance(r, str)] or None


def situation_digest(situation: Situation) -> str:
    canonical = json.dumps(
        situation.to_dict(), sort_keys=True, ensure_ascii=False, separators=(",", ":"),
        default=json_default,
    )
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def check_writer(writer: AnswerWriter, pack: RulePack, registry: PlaceRegistry) -> None:
    """Check the fast answer writer against ``Evaluation.to_json`` on this pack before the
    first request (an empty situation: every rule asks its questions), traced and not."""
    try:
        situation = parse_situation({}, registry=registry)
        writer.check(
            evaluate_pack(pack, situation, registry=registry, trace=trace)
            for trace in (True, False)
        )
    except Exception as exc:  # a pack that cannot decide an empty situation: stay on to_json
        log.warning("answer writer not checked (%s); answering through to_json", exc)
        writer.fast = False


_JSON_TYPE = re.compile(r"^application/([a-z0-9.+-]+\+)?json\s*(;|$)", re.IGNORECASE)


def check_json_body(request: Request) -> None:
    """A body sent as text or as a form is refused (415): only JSON, or no type at all."""
    content_type = request.headers.get("content-type")
    if content_type is not None and not _JSON_TYPE.match(content_type):
        raise UnsupportedMediaType(
            "content-type",
            f"expected a JSON body (Content-Type: application/json), got {content_type[:80]!r}",
        )


_heavy: weakref.WeakKeyDictionary[Any, anyio.CapacityLimiter] = weakref.WeakKeyDictionary()


def heavy_limiter() -> anyio.CapacityLimiter:
    """The running event loop's limiter of heavy requests (one loop per worker process; tests
    start several)."""
    loop = asyncio.get_running_loop()
    limiter = _heavy.get(loop)
    if limiter is None:
        limiter = _heavy[loop] = anyio.CapacityLimiter(HEAVY_AT_ONCE)
    return limiter


async def answer(request: Request) -> Response:
    """Read, check, evaluate and write one evaluate request (errors are raised, not answered).
    Small bodies are answered at once; larger ones in a worker thread (see ``INLINE_BODY``)."""
    check_json_body(request)
    raw = await read_body(request, *read_settings(request))
    state = request.app.state
    if len(raw) <= INLINE_BODY:
        return decide(state, raw)
    return await anyio.to_thread.run_sync(decide, state, raw, limiter=heavy_limiter())


def decide(state: Any, raw: bytes) -> Response:
    """The answer to one evaluate body (``state``: the app's state)."""
    pack, registry = state.pack, state.registry
    options = parse_request(load_json(raw, bare="situation"), pack, registry)
    situation = options.situation
    assert situation is not None
    result = evaluate_pack(
        pack, situation, as_of=options.as_of, rules=options.rules, registry=registry,
        trace=options.trace,
    )
    return Response(
        state.answer_writer.write(result, options.lang),
        media_type="application/json",
        headers={
            "X-Situation-Digest": situation_digest(situation),
            "Content-Language": options.lang,
        },
    )
