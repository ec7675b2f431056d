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
from starlette.datastructures import Headers, QueryParams

from tongcheng import wording as W
from tongcheng.errors import Problem, RuleConflict, SituationError
from tongcheng.evaluate.evaluator import RuleError
from tongcheng.evaluate.evaluator import evaluate as evaluate_pack
from tongcheng.pack.model import RulePack
from tongcheng.places import PlaceRegistry
from tongcheng.service.answer import _DECISION_FIELDS, AnswerWriter
from tongcheng.service.deps import (
    LANGS,
    Refusal,
    UnsupportedMediaType,
    check_actor,
    dumps,
    json_default,
    lang_of,
    load_json,
    narrow,
    receive_body,
)
from tongcheng.service.observe import REQUEST_ID
from tongcheng.situation import Situation, parse_situation

log = logging.getLogger("tongcheng.service")

REQUEST_KEYS = ("situation", "as_of", "rules", "lang", "trace", "fields")
# The parts of an answer ``fields`` may choose: each decision's parts (its ``rule`` is always
# there) and the top-level ``questions``. ``as_of`` and ``rule_pack`` are always there.
FIELDS = (
    *("unverified_parameters" if f == "flagged_parameters" else f
      for f in _DECISION_FIELDS if f != "rule"),
    "questions",
)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_LIST_ITEMS = 1000  # items in any one list of a situation (periods, cards, results...)
INLINE_BODY = 16 * 1024  # bodies up to this size are answered on the event loop
# Larger bodies are answered in worker threads, at most this many at once: a few heavy
# requests never hold the event loop, and the cores stay shared with light ones.
HEAVY_AT_ONCE = 1


class EvaluateOptions:
    """An evaluate request, checked. ``lang``, ``trace`` and ``fields`` are None when the
    request did not say (``complete`` fills them from the query and headers)."""

    __slots__ = ("as_of", "fields", "lang", "rules", "situation", "trace")

    def __init__(self) -> None:
        self.situation: Situation | None = None
        self.as_of: date | None = None
        self.rules: list[str] | None = None
        self.lang: str | None = None
        self.trace: bool | None = None
        self.fields: tuple[str, ...] | None = None

    def complete(self, defaults: Defaults) -> EvaluateOptions:
        self.lang = self.lang or defaults.lang
        if self.fields is None:
            self.fields = defaults.fields
        if self.trace is None:
            # reasons are written only when asked for: without them, no trace is made
            self.trace = defaults.trace if defaults.trace is not None else (
                self.fields is None or "reasons" in self.fields)
        return self


class Defaults:
    """What the query string and headers say for every situation of a request."""

    __slots__ = ("fields", "lang", "trace")

    def __init__(self, lang: str = "zh", fields: tuple[str, ...] | None = None,
                 trace: bool | None = None) -> None:
        self.lang, self.fields, self.trace = lang, fields, trace


def request_defaults(request: Request) -> Defaults:
    """The query's ``lang`` (else Accept-Language, else zh), ``fields`` and ``trace``;
    problems named ``lang``, ``fields``, ``trace`` as in a body."""
    return defaults_of(request.query_params, request.headers.get("accept-language"))


_NO_QUERY: dict[str, str] = {}


def defaults_of(query: Mapping[str, str], accept_language: str | None) -> Defaults:
    """``request_defaults`` from the parsed query and the Accept-Language header's value."""
    if not query:
        return Defaults(lang_of(None, accept_language))
    problems: list[Problem] = []
    lang = query.get("lang")
    if lang is not None and lang not in LANGS:
        problems.append(_problem("lang", W.expected_choice(LANGS, lang[:40])))
    fields = query.get("fields")
    chosen = _fields(fields.split(","), problems) if fields is not None else None
    trace = query.get("trace")
    if trace is not None and trace not in ("true", "false"):
        problems.append(_problem("trace", W.expected_bool(trace[:40])))
    if problems:
        raise SituationError(problems, lang=lang_of(None, accept_language))
    return Defaults(lang_of(lang, accept_language), chosen,
                    None if trace is None else trace == "true")


def _problem(path: str, words: W.Words) -> Problem:
    return Problem(path, words.en, words.zh, code=words.code)


def parse_request(
    data: Any, pack: RulePack, registry: PlaceRegistry
) -> EvaluateOptions:
    """Validate an evaluate request whole: request keys, then the situation, every problem
    named (situation problems by their situation path, as on the command line) and worded in
    both languages; the answer picks the request's ``lang`` (else the query's, the
    Accept-Language header's, or Chinese)."""
    if not isinstance(data, Mapping):
        en, zh = W.describe(data)
        raise SituationError([Problem(
            "", f"expected a JSON object with a 'situation', got {en}",
            f"应为含 'situation' 的 JSON 对象,实际为{zh}")])
    out = EvaluateOptions()
    problems: list[Problem] = []
    for key in data:
        if key not in REQUEST_KEYS:
            problems.append(_problem(str(key), W.unknown_key(key, REQUEST_KEYS)))
    out.as_of = _as_of(data.get("as_of"), problems)
    out.rules = _rules(data.get("rules"), pack, problems)
    lang = data.get("lang")
    if lang is not None and lang not in LANGS:
        problems.append(_problem("lang", W.expected_choice(LANGS, lang)))
    else:
        out.lang = lang
    trace = data.get("trace")
    if trace is not None and not isinstance(trace, bool):
        problems.append(_problem("trace", W.expected_bool(trace)))
    else:
        out.trace = trace
    fields = data.get("fields")
    if fields is not None:
        if not isinstance(fields, list):
            en, zh = W.describe(fields)
            problems.append(Problem("fields", f"expected a list of answer parts, got {en}",
                                    f"应为回答部分的列表,实际为{zh}"))
        else:
            out.fields = _fields(fields, problems)
    situation = data.get("situation")
    if situation is None:
        problems.append(Problem(
            "situation", "required key is missing: the facts to evaluate, as a mapping",
            "缺少必填的键:要判断的情形(一个映射)", code=W.MISSING_KEY))
    elif not isinstance(situation, Mapping):
        problems.append(_problem("situation", W.expected_mapping(situation)))
    else:
        too_long = list(long_lists(situation))
        if too_long:
            problems.extend(too_long)
        else:
            try:
                out.situation = parse_situation(situation, as_of=out.as_of, registry=registry,
                                                services=pack.service_ids)
            except SituationError as exc:
                problems.extend(exc.problems)
    if problems:
        raise SituationError(problems, lang=out.lang)
    return out


def long_lists(value: Any, path: str = "", depth: int = 0) -> Any:
    """A problem for each list longer than ``MAX_LIST_ITEMS``, found before the situation is
    validated: the work of one request stays bounded (65,000 empty periods are refused in a
    millisecond, not validated one by one)."""
    if depth > 8:  # a situation is four levels deep; the model names anything deeper
        return
    if isinstance(value, Mapping):
        for key, item in value.items():  # only containers can hold a list: scalars skipped
            if isinstance(item, Mapping | list):
                yield from long_lists(item, f"{path}.{key}" if path else str(key), depth + 1)
    elif isinstance(value, list):
        if len(value) > MAX_LIST_ITEMS:
            yield Problem(path, f"at most {MAX_LIST_ITEMS:,} items in a list, got {len(value):,}",
                          f"一个列表最多 {MAX_LIST_ITEMS:,} 项,实际为 {len(value):,} 项")
            return
        for i, item in enumerate(value):
            if isinstance(item, Mapping | list):
                yield from long_lists(item, f"{path}[{i}]", depth + 1)


def _fields(names: list[Any], problems: list[Problem]) -> tuple[str, ...]:
    chosen = []
    for i, name in enumerate(names):
        if name not in FIELDS:
            close = difflib.get_close_matches(str(name), FIELDS, n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            hint_zh = f"(是否应为 {close[0]!r}?)" if close else ""
            en, zh = W.describe(name)
            problems.append(Problem(
                f"fields[{i}]", f"unknown part {en}{hint}; the parts: {', '.join(FIELDS)}",
                f"未知的回答部分:{zh}{hint_zh};可选的部分:{', '.join(FIELDS)}"))
        elif name not in chosen:
            chosen.append(name)
    return tuple(chosen)


def _as_of(raw: Any, problems: list[Problem]) -> date | None:
    if raw is None:
        return None
    if not isinstance(raw, str) or not _DATE.match(raw):
        problems.append(_problem("as_of", W.expected_date(raw)))
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        problems.append(_problem("as_of", W.impossible_date(raw)))
        return None


def _rules(rules: Any, pack: RulePack, problems: list[Problem]) -> list[str] | None:
    if rules is None:
        return None
    if not isinstance(rules, list):
        en, zh = W.describe(rules)
        problems.append(Problem("rules", f"expected a list of rule ids, got {en}",
                                f"应为规则 id 的列表,实际为{zh}"))
        return None
    known = pack.rule_ids
    for i, rule in enumerate(rules):
        if not isinstance(rule, str):
            en, zh = W.describe(rule)
            problems.append(Problem(f"rules[{i}]", f"expected a rule id, got {en}",
                                    f"应为规则 id,实际为{zh}"))
        elif rule not in known:
            problems.append(Problem(
                f"rules[{i}]", f"unknown rule {rule!r}; the pack's rules: {', '.join(known)}",
                f"未知的规则 {rule!r};规则包中的规则:{', '.join(known)}"))
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
    check_content_type(request.headers.get("content-type"))


def check_content_type(content_type: str | None) -> None:
    """``check_json_body`` from the Content-Type header's value (None: no header)."""
    if content_type is not None and not _JSON_TYPE.match(content_type):
        got = repr(content_type[:80])
        raise UnsupportedMediaType(
            "content-type",
            f"expected a JSON body (Content-Type: application/json), got {got}",
            f'请求体应为 JSON(请求头 "Content-Type: application/json"),实际为 {got}')


_heavy: weakref.WeakKeyDictionary[Any, anyio.CapacityLimiter] = weakref.WeakKeyDictionary()


def heavy_limiter() -> anyio.CapacityLimiter:
    """The running event loop's limiter of heavy requests (one loop per worker process; tests
    start several)."""
    loop = asyncio.get_running_loop()
    limiter = _heavy.get(loop)
    if limiter is None:
        limiter = _heavy[loop] = anyio.CapacityLimiter(HEAVY_AT_ONCE)
    return limiter


async def answer(state: Any, scope: dict, receive: Any) -> Response:
    """Read, check, evaluate and write one evaluate request (``state``: the app's state;
    errors are raised, not answered); with recording on, once its record is committed."""
    response = await decided(state, scope, receive)
    record = getattr(response, "record", None)
    if record is not None:  # recording on: answered once the record is committed
        try:
            await state.recorder.commit(record)
        except Exception as exc:
            raise not_recorded(exc, response.headers.get("content-language")) from None
    return response


def not_recorded(exc: BaseException, lang: str | None = None) -> NotRecorded:
    """The refusal when a record could not be committed (``exc``: the store's error), in the
    answer's language ``lang`` (the request's, body included)."""
    refusal = NotRecorded(
        "", f"the decision could not be recorded ({type(exc).__name__}); nothing was "
        "answered: try again", "未能记录本决定,因此未作答复:请重试")
    refusal.lang = lang
    return refusal


async def decided(state: Any, scope: dict, receive: Any) -> Response:
    """The answer to one evaluate request, its record (``response.record``, recording on) not
    yet committed. Read from the ASGI scope itself: the route (``answer``) and the service's
    front lane (``front.Front``) both answer through here. Small bodies are answered at once;
    larger ones in a worker thread (see ``INLINE_BODY``)."""
    content_type = accept_language = None
    for name, value in scope["headers"]:  # the first of each, as ``Request.headers`` reads
        if name == b"content-type":
            if content_type is None:
                content_type = value.decode("latin-1")
        elif name == b"accept-language" and accept_language is None:
            accept_language = value.decode("latin-1")
    check_content_type(content_type)
    query = scope.get("query_string")
    defaults = defaults_of(QueryParams(query) if query else _NO_QUERY, accept_language)
    # the request's headers matter only to a record (its actor), checked before the body is read
    recorder = getattr(state, "recorder", None)
    headers = None if recorder is None else Headers(scope=scope)
    if headers is not None:
        check_actor(recorder, headers)
    settings = state.settings
    raw = await receive_body(receive, settings.max_body, settings.body_timeout)
    args = (state, raw, defaults) if headers is None else (state, raw, defaults, headers)
    try:
        if len(raw) <= INLINE_BODY:
            response = decide(*args)
        else:
            response = await anyio.to_thread.run_sync(decide, *args, limiter=heavy_limiter())
    except SituationError as exc:
        exc.lang = exc.lang or defaults.lang  # problems in the language the answer would be
        raise
    return response


class NotRecorded(Refusal):
    """Recording is on and the record store failed: no answer without its record."""

    status = 503


def decide(state: Any, raw: bytes, defaults: Defaults, headers: Any = None) -> Response:
    """The answer to one evaluate body (``state``: the app's state). With recording on, the
    answer carries its record id and holds the record (``response.record``) to commit."""
    options = parse_request(load_json(raw, bare="situation"), state.pack, state.registry)
    recorder = getattr(state, "recorder", None)
    results: list[Any] = []
    options = options.complete(defaults)
    body, situation = write_answer(state, options, results.append if recorder else None)
    record, digest = (recorded(recorder, results[0], situation, options, headers)
                      if recorder is not None else (None, situation_digest(situation)))
    out_headers = {
        "X-Situation-Digest": digest,
        "Content-Language": options.lang,
        "Cache-Control": "no-store",  # a person's situation: kept by no cache
    }
    if record is not None:
        body = body[:-1] + b',"record":"' + record.id.encode() + b'"}'
        out_headers["X-Record-Id"] = record.id
    response = Response(body, media_type="application/json", headers=out_headers)
    response.record = record  # type: ignore[attr-defined]
    return response


def recorded(recorder: Any, evaluation: Any, situation: Situation, options: EvaluateOptions,
             headers: Any) -> tuple[Any, str]:
    """The record of an answer (channel ``api``; ``headers``: the request's, for the actor and
    request id) and the situation's digest, its canonical JSON made once for both."""
    from tongcheng.records.record import digest, situation_facts

    data, text = situation_facts(situation)
    facts = (data, text, digest(text))
    record = recorder.make(evaluation, situation, channel="api", lang=options.lang,
                           rules=options.rules, headers=headers or {},
                           request_id=REQUEST_ID.get(), facts=facts)
    return record, facts[2]


def write_answer(state: Any, options: EvaluateOptions,
                 decided: Any = None) -> tuple[bytes, Situation]:
    """The decisions for checked options, as the answer's bytes (``decided`` is handed the
    evaluation, for a record)."""
    situation = options.situation
    assert situation is not None and options.lang is not None
    try:
        result = evaluate_pack(
            state.pack, situation, as_of=options.as_of, rules=options.rules,
            registry=state.registry, trace=bool(options.trace),
        )
    except (RuleConflict, RuleError) as exc:
        exc.lang = options.lang  # answered in the request's language (deps.error_response)
        raise
    state.metrics.decided(result)
    if decided is not None:
        decided(result)
    if options.fields is None:
        return state.answer_writer.write(result, options.lang), situation
    return dumps(chosen_parts(result, options.lang, options.fields)), situation


def chosen_parts(result: Any, lang: str, fields: tuple[str, ...]) -> dict[str, Any]:
    """The answer with only the chosen parts (``fields``) of each decision."""
    data = narrow(result.to_json(lang), lang)
    keep = {"rule", *fields}
    data["decisions"] = [{k: v for k, v in d.items() if k in keep} for d in data["decisions"]]
    if "questions" not in fields:
        del data["questions"]
    return data
