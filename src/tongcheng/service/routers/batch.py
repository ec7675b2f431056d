"""``POST /v1/evaluate/batch``: many evaluate requests in one, answered as a stream of lines.

The body is a JSON array of evaluate requests, or NDJSON (one request per line, Content-Type
``application/x-ndjson``). Each request may carry an ``id`` (a string or a number), echoed in
its answer. Each is answered or refused on its own, in order, one NDJSON line each:

    {"index": 0, "id": "a-17", "status": 200, "situation_digest": "sha256:…", "answer": {…}}
    {"index": 1, "status": 422, "problems": [{"path": "insurance[0].to", "message": "…"}]}

A bad item (invalid JSON on its line, an invalid situation, a rule pack defect: 409) never
fails the others. With recording on, each decided item is recorded (channel ``api``, the
batch's request id and actor) and its line carries ``"record": "<id>"``; a chunk's lines are
written once its records are committed, and an item whose record could not be committed is
answered 503 instead (nothing is answered unrecorded). The query's ``lang``, ``trace`` and
``fields`` (and Accept-Language) hold for every item that does not say. Limits: ``MAX_ITEMS``
items and ``MAX_BATCH_BODY`` bytes per request (413 beyond either); each item is checked as a
single request is (lists, problems).
Items are decided in a worker thread, ``CHUNK`` at a time, and written as they are decided.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from typing import Any

import anyio
import attrs
from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from tongcheng import wording as W
from tongcheng.errors import Problem, RuleConflict, SituationError, TongchengError
from tongcheng.evaluate.evaluator import RuleError
from tongcheng.jsonio import Repeated
from tongcheng.service.deps import (
    API,
    INVALID,
    MAX_BATCH_BODY,
    PayloadTooLarge,
    UnsupportedMediaType,
    capped,
    check_actor,
    dumps,
    input_problems,
    json_text,
    load_json,
    parse_json,
    problem_of,
    problems_doc,
    read_body,
    read_settings,
)
from tongcheng.service.evaluating import (
    Defaults,
    heavy_limiter,
    not_recorded,
    parse_request,
    recorded,
    request_defaults,
    situation_digest,
    write_answer,
)

router = APIRouter(prefix=API, tags=["decisions"])

MAX_ITEMS = 1000
CHUNK = 10  # items decided per trip to the worker thread
_NDJSON = re.compile(r"^application/(x-ndjson|ndjson|jsonl|x-jsonlines|jsonlines)\s*(;|$)",
                     re.IGNORECASE)
_JSON = re.compile(r"^application/([a-z0-9.+-]+\+)?json\s*(;|$)", re.IGNORECASE)

LINE_SCHEMA = {
    "type": "object",
    "required": ["index", "status"],
    "properties": {
        "index": {"type": "integer", "description": "the item's place in the request, from 0"},
        "id": {"type": ["string", "integer"], "description": "the item's id, when it gave one"},
        "line": {"type": "integer", "description": "NDJSON: the item's line, from 1"},
        "status": {"type": "integer", "enum": [200, 409, 422, 503]},
        "situation_digest": {"type": "string"},
        "record": {"type": "string", "description": "the item's record id (recording on)"},
        "answer": {"$ref": "#/components/schemas/EvaluationOut"},
        "problems": {"type": "array", "items": {"$ref": "#/components/schemas/ProblemOut"}},
        "rule": {"type": "string"},
    },
}


class Item:
    """One request of the batch, as read: its data, or why it could not be read."""

    __slots__ = ("data", "index", "line", "problems")

    def __init__(self, index: int, data: Any = None, line: int | None = None,
                 problems: list[Problem] | None = None) -> None:
        self.index, self.data, self.line = index, data, line
        self.problems = problems or []


def read_items(raw: bytes, ndjson: bool) -> list[Item]:
    """The batch's items (a JSON array, or one per non-blank NDJSON line), or a
    ``SituationError`` for a body that is no batch at all. What JSON allows but no request may
    hold (a key named twice, a lone surrogate) is its item's problem, named by its path."""
    items = _lines(raw) if ndjson else _array(raw)
    if len(items) > MAX_ITEMS:
        raise PayloadTooLarge.items(MAX_ITEMS, len(items))
    if not items:
        raise SituationError([Problem("", "an empty batch: expected evaluate requests",
                                      "批量请求为空:应含求值请求")])
    return items


def _array(raw: bytes) -> list[Item]:
    text = json_text(raw)
    found: list[Repeated] = []
    data = parse_json(text, found)
    if not isinstance(data, list):
        en, zh = W.describe(data)
        raise SituationError([Problem(
            "", f"expected a JSON array of evaluate requests (or NDJSON lines), got {en}",
            f"应为由求值请求组成的 JSON 数组(或每行一个请求),实际为{zh}")])
    return [Item(i, value, problems=input_problems(value, text, found, bare="situation"))
            for i, value in enumerate(data)]


def _lines(raw: bytes) -> list[Item]:
    items: list[Item] = []
    for number, line in enumerate(raw.split(b"\n"), start=1):
        if not line.strip():
            continue
        try:
            items.append(Item(len(items), load_json(line, bare="situation"), number))
        except SituationError as exc:  # the line's number is the item's own "line"
            problems = [attrs.evolve(p, message=p.message.replace("line 1, column", "column"),
                                     zh=p.zh and p.zh.replace("第 1 行", ""))
                        for p in exc.problems]
            items.append(Item(len(items), line=number, problems=problems))
    return items


class Answered:
    """One item's line, and with recording on its record (None: refused, nothing recorded)
    with what a 503 line needs should the record not be committed."""

    __slots__ = ("head", "lang", "line", "record")

    def __init__(self, line: bytes, record: Any = None, head: dict[str, Any] | None = None,
                 lang: str = "zh") -> None:
        self.line, self.record, self.head, self.lang = line, record, head, lang


def answer_item(state: Any, item: Item, defaults: Defaults, headers: Any = None) -> Answered:
    """One item's NDJSON line: its decisions, or its problems; with recording on, its record
    (``headers``: the batch request's, for the actor and request id)."""
    head: dict[str, Any] = {"index": item.index}
    data = item.data
    if isinstance(data, dict) and "id" in data:
        data = dict(data)
        given = data.pop("id")
        if (isinstance(given, str) and len(given) <= 200) or (
            isinstance(given, int) and not isinstance(given, bool) and abs(given) < 2**53
        ):
            head["id"] = given
        else:
            en, zh = W.describe(given)
            item.problems.append(Problem(
                "id", f"expected a string of at most 200 characters or an integer, got {en}",
                f"应为不超过 200 个字符的字符串或整数,实际为{zh}"))
    if item.line is not None:
        head["line"] = item.line
    if item.problems:
        return Answered(_refused(head, 422, item.problems, lang=defaults.lang))
    recorder = getattr(state, "recorder", None)
    results: list[Any] = []
    try:
        options = parse_request(data, state.pack, state.registry).complete(defaults)
        body, situation = write_answer(state, options, results.append if recorder else None)
    except (RuleConflict, RuleError) as exc:
        return Answered(_refused(head, 409, [problem_of(exc)], lang=exc.lang or defaults.lang,
                                 rule=exc.rule))
    except SituationError as exc:  # worded in the item's language, else the request's
        return Answered(_refused(head, 422, exc.problems, lang=exc.lang or defaults.lang))
    except TongchengError as exc:
        return Answered(_refused(head, 422, [problem_of(exc)], lang=defaults.lang))
    if recorder is None:
        head["status"] = 200
        head["situation_digest"] = situation_digest(situation)
        return Answered(dumps(head)[:-1] + b',"answer":' + body + b"}\n")
    record, digest = recorded(recorder, results[0], situation, options, headers)
    line = dumps({**head, "status": 200, "situation_digest": digest,
                  "record": record.id})[:-1] + b',"answer":' + body + b"}\n"
    return Answered(line, record, head, options.lang or defaults.lang)


def _refused(head: dict[str, Any], status: int, problems: list[Problem], lang: str = "en",
             **extra: Any) -> bytes:
    listed = [{"path": p.path, "message": p.text(lang)} for p in capped(problems)]
    return dumps({**head, "status": status, "problems": listed, **extra}) + b"\n"


def answer_chunk(state: Any, items: list[Item], defaults: Defaults,
                 headers: Any = None) -> list[Answered]:
    return [answer_item(state, item, defaults, headers) for item in items]


async def committed(state: Any, answered: list[Answered]) -> bytes:
    """The chunk's lines once its records are committed (recording on); an item whose record
    could not be committed is refused 503, in its language, its decisions not sent."""
    records = [a for a in answered if a.record is not None]
    if records:
        outcomes = await asyncio.gather(*(state.recorder.commit(a.record) for a in records),
                                        return_exceptions=True)
        for a, outcome in zip(records, outcomes, strict=True):
            if isinstance(outcome, Exception):
                refusal = not_recorded(outcome, a.lang)
                a.line = _refused(a.head or {}, 503, [refusal.problem], lang=a.lang)
    return b"".join(a.line for a in answered)


@router.post(
    "/evaluate/batch",
    summary="Decide many situations: a JSON array or NDJSON in, NDJSON lines out",
    response_class=StreamingResponse,
    responses={
        200: {"description": "One line per item, in order (each answered or refused alone)",
              "content": {"application/x-ndjson": {"schema": {
                  "type": "array", "items": LINE_SCHEMA,
                  "description": "the lines of the stream, one JSON object each"}}}},
        408: problems_doc("Body not received in time"),
        413: problems_doc(f"Body over {MAX_BATCH_BODY // 2**20} MiB or more than "
                          f"{MAX_ITEMS:,} items"),
        415: problems_doc("Body neither JSON nor NDJSON"),
        **INVALID,
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {
                    "type": "array", "maxItems": MAX_ITEMS,
                    "items": {"$ref": "#/components/schemas/BatchItem"}}},
                "application/x-ndjson": {"schema": {
                    "type": "array", "maxItems": MAX_ITEMS,
                    "items": {"$ref": "#/components/schemas/BatchItem"},
                    "description": "one request per line"}},
            },
        }
    },
)
async def evaluate_batch(request: Request) -> StreamingResponse:
    """Many evaluate requests at once, each with an optional `id`; the answer streams one
    NDJSON line per item, in order, as each is decided. An item that cannot be decided is
    refused on its own line (`status` 422 or 409, `problems`); the others are answered."""
    content_type = request.headers.get("content-type") or "application/json"
    ndjson = bool(_NDJSON.match(content_type))
    if not ndjson and not _JSON.match(content_type):
        got = repr(content_type[:80])
        raise UnsupportedMediaType(
            "content-type", "expected a JSON array (application/json) or NDJSON "
            f"(application/x-ndjson), got {got}", '应为 JSON 数组("application/json")或每行一个'
            f' JSON 对象的文本("application/x-ndjson"),实际为 {got}')
    defaults = request_defaults(request)
    check_actor(getattr(request.app.state, "recorder", None), request.headers)
    _, timeout = read_settings(request)
    raw = await read_body(request, MAX_BATCH_BODY, timeout)
    items = await anyio.to_thread.run_sync(read_items, raw, ndjson, limiter=heavy_limiter())
    state = request.app.state
    headers = request.headers if getattr(state, "recorder", None) is not None else None

    async def lines() -> AsyncIterator[bytes]:
        for start in range(0, len(items), CHUNK):
            answered = await anyio.to_thread.run_sync(
                answer_chunk, state, items[start:start + CHUNK], defaults, headers,
                limiter=heavy_limiter())
            yield await committed(state, answered)

    return StreamingResponse(
        lines(), media_type="application/x-ndjson",
        headers={"Cache-Control": "no-store", "X-Batch-Items": str(len(items)),
                 "Content-Language": defaults.lang},
    )
