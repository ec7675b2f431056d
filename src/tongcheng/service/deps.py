"""What every router shares: the app's rule pack and registry as dependencies (``PackDep``,
``RegistryDep``), JSON in and out, the problem answers, and body reading within a limit.

One module that routers, the page and the middleware all import, and that imports none of
them: the routers depend on it, never on each other or on ``app.py``.
"""

from __future__ import annotations

import asyncio
import functools
import json
import re
from collections.abc import Iterator, Mapping
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

import attrs
from fastapi import Depends, Query, Request
from fastapi.responses import JSONResponse
from starlette.datastructures import QueryParams

from tongcheng import wording as W
from tongcheng.errors import Problem, RuleConflict, SituationError, TongchengError
from tongcheng.evaluate.evaluator import RuleError
from tongcheng.jsonio import Repeated, keeping_repeated, repeated_keys
from tongcheng.pack.model import RulePack
from tongcheng.places import PlaceRegistry, RetiredPlace, UnknownPlace
from tongcheng.service import schemas as s
from tongcheng.service.answer import AnswerWriter

API = "/v1"
MAX_BODY = 256 * 1024  # bytes of a request body
MAX_BATCH_BODY = 8 * 2**20  # bytes of a batch request's body (POST /v1/evaluate/batch)
BODY_TIMEOUT = 15.0  # seconds to receive a whole body
MAX_PROBLEMS = 100  # problems listed in one answer; the rest are counted


@attrs.frozen
class Settings:
    """How one app is configured (``create_app``'s options)."""

    max_body: int = MAX_BODY
    body_timeout: float = BODY_TIMEOUT


# --- dependencies -------------------------------------------------------------------------------


def get_pack(request: Request) -> RulePack:
    return request.app.state.pack


def get_registry(request: Request) -> PlaceRegistry:
    return request.app.state.registry


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_writer(request: Request) -> AnswerWriter:
    return request.app.state.answer_writer


PackDep = Annotated[RulePack, Depends(get_pack)]
RegistryDep = Annotated[PlaceRegistry, Depends(get_registry)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
LANGS = ("zh", "en")
LangQuery = Annotated[
    Literal["zh", "en"] | None,
    Query(description="language of the answer's texts (absent: the request's "
          "Accept-Language, else zh); texts come in that language only"),
]


def accepted_lang(header: str | None) -> str | None:
    """The language an ``Accept-Language`` header prefers among zh and en (None: neither)."""
    if not header:
        return None
    best, best_q = None, 0.0
    for part in header.split(",")[:20]:
        tag, *params = part.split(";")
        q = _weight(params)
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGS and q is not None and q > best_q:
            best, best_q = primary, q
    return best


def _weight(params: list[str]) -> float | None:
    """A language range's ``q`` among its parameters, as RFC 9110 writes it (any case, any
    place, spaces about ``=``): 1 when absent, None when it is no weight (not 0 to 1)."""
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                q = float(value.strip())
            except ValueError:
                return None
            return q if 0 <= q <= 1 else None
    return 1.0


def answer_lang(request: Request, explicit: Any = None) -> str:
    """The answer's language: ``explicit`` (a ``lang`` the request gave), else the
    ``Accept-Language`` header's choice, else zh."""
    if explicit in LANGS:
        return explicit
    return accepted_lang(request.headers.get("accept-language")) or "zh"


def lang_of(explicit: Any, accept_language: str | None) -> str:
    """``answer_lang`` from the ``Accept-Language`` header's value (None: no header)."""
    if explicit in LANGS:
        return explicit
    return accepted_lang(accept_language) or "zh"


def request_lang(scope: Mapping[str, Any]) -> str:
    """The language a request asks for before its body is read, for what is refused at the
    door or answered without a body (413, 408, 415, 404, a bad query): the query's ``lang``,
    else Accept-Language, else zh. A ``lang`` in the body is not read: a route that reads it
    sets it on its errors (``SituationError.lang``, ``Refusal.lang``)."""
    query = scope.get("query_string") or b""
    asked = QueryParams(query).get("lang") if b"lang" in query else None
    header = next((value.decode("latin-1") for name, value in scope.get("headers", ())
                   if name == b"accept-language"), None)
    return lang_of(asked, header)


def narrow(data: Any, lang: str) -> Any:
    """``data`` with every text given in both languages (``{"zh": …, "en": …}``) given in
    ``lang`` only: an answer in one language carries only that language."""
    if isinstance(data, dict):
        if data and data.keys() <= {"zh", "en"}:
            return {lang: data.get(lang)}
        return {k: narrow(v, lang) for k, v in data.items()}
    if isinstance(data, list):
        return [narrow(v, lang) for v in data]
    return data


def get_lang(request: Request, lang: LangQuery = None) -> str:
    return answer_lang(request, lang)


LangDep = Annotated[str, Depends(get_lang)]


# --- errors -------------------------------------------------------------------------------------


class Refusal(Exception):
    """A request refused with an HTTP status and one problem (413, 404, 408, 415...), said in
    English (``message``) and Chinese (``zh``): the answer picks the request's language.
    ``lang`` is set by a route that read the request's own ``lang``; otherwise the answer
    takes ``request_lang``'s."""

    status = 400
    headers: dict[str, str] = {}  # noqa: RUF012 - read only
    lang: str | None = None

    def __init__(self, path: str, message: str, zh: str) -> None:
        self.path, self.message, self.zh = path, message, zh
        super().__init__(message)

    @property
    def problem(self) -> Problem:
        return Problem(self.path, self.message, self.zh)


class PayloadTooLarge(Refusal):
    status = 413

    def __init__(self, limit: int, words: tuple[str, str] | None = None) -> None:
        self.limit = limit
        en, zh = words or (f"request body larger than {limit} bytes",
                           f"请求体超过 {limit} 字节")
        super().__init__("", en, zh)

    @classmethod
    def items(cls, limit: int, count: int) -> PayloadTooLarge:
        return cls(limit, (f"{count:,} items: a request holds at most {limit:,}",
                           f"共 {count:,} 项:一个请求最多 {limit:,} 项"))


class NotFound(Refusal):
    status = 404


class BodyTimeout(Refusal):
    """The body did not arrive in time: answered, and the connection closed."""

    status = 408
    headers = {"connection": "close"}  # noqa: RUF012

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__("", f"request body not received within {seconds:g} seconds",
                         f"未能在 {seconds:g} 秒内收到完整的请求体")


class UnsupportedMediaType(Refusal):
    status = 415


class BadHeader(Refusal):
    """A header the request is decided with says nothing usable (the actor header)."""

    status = 422


def check_actor(recorder: Any, headers: Mapping[str, str]) -> None:
    """With recording on, refuse (422, naming the header) a request whose actor header names
    no one, before anything is decided: its record could only name the caseworker garbled."""
    from tongcheng.records.actor import ActorRefused, actor_of

    if recorder is None:
        return
    try:
        actor_of(headers, recorder.settings.actor_header)
    except ActorRefused as exc:
        raise BadHeader(exc.header, exc.message, exc.zh) from None


class ClientGone(Exception):
    """The client closed the connection before its body arrived: nothing to answer, nothing
    to log (a dropped slow body is the client's doing, not a server error)."""


def problems_doc(description: str) -> dict[str, Any]:
    """An OpenAPI ``responses`` entry for a problems answer."""
    return {"model": s.ProblemsOut, "description": description}


INVALID = {422: problems_doc("Invalid input: every problem named by its path")}


# --- JSON in and out ----------------------------------------------------------------------------


def json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    return str(value)


def dumps(data: Any) -> bytes:
    """Compact UTF-8 JSON. A lone surrogate (input refuses them, but an answer must never
    fail) is written as its JSON escape ``\\udxxx``: still valid JSON."""
    return json.dumps(
        data, ensure_ascii=False, separators=(",", ":"), default=json_default
    ).encode("utf-8", "backslashreplace")


class JSON(JSONResponse):
    """A JSON response written with the standard library (Decimal- and date-safe, compact,
    UTF-8 rather than escapes)."""

    def render(self, content: Any) -> bytes:
        return dumps(content)


def capped(problems: list[Problem], limit: int = MAX_PROBLEMS) -> list[Problem]:
    """The first ``limit`` problems, and one more saying how many were left out (an answer
    stays small whatever the input: 65,000 bad items answer 101 problems, not 13 MB)."""
    if len(problems) <= limit:
        return problems
    more = len(problems) - limit
    return [*problems[:limit],
            Problem("", f"and {more:,} more problems (the first {limit} are listed)",
                    f"另有 {more:,} 个问题(只列出前 {limit} 个)")]


def too_large_response(scope: Mapping[str, Any], limit: int) -> JSON:
    """413 for a body declared over ``limit`` bytes, answered before it is read (so in the
    query's or the header's language) and closing the connection."""
    return problems_response(413, [PayloadTooLarge(limit).problem],
                             headers={"connection": "close"}, lang=request_lang(scope))


def internal_error(lang: str) -> JSON:
    """500 for an error nothing expected (the caller logs it), in ``lang``."""
    return problems_response(500, [Problem("", "internal error; the log has the details",
                                           "服务器内部错误,详情见服务日志")], lang=lang)


def problems_response(
    status: int, problems: list[Problem], headers: dict[str, str] | None = None,
    lang: str = "zh", **extra: Any
) -> JSON:
    """Every problem by its path, worded in ``lang`` (the request's; the decisions' default
    language when the request did not say or could not be read)."""
    listed = [{"path": p.path, "message": p.text(lang)} for p in capped(problems)]
    return JSON({"problems": listed, **extra}, status_code=status, headers=headers)


def error_response(exc: Exception, lang: str = "zh") -> JSON | None:
    """The answer for an error tongcheng raises on purpose (None for any other error), in the
    language the error carries (where the route read the request's ``lang``), else ``lang``
    (the handler's ``request_lang``)."""
    lang = getattr(exc, "lang", None) or lang
    if isinstance(exc, Refusal):
        return problems_response(exc.status, [exc.problem], headers=exc.headers or None,
                                 lang=lang)
    if isinstance(exc, SituationError):
        return problems_response(422, exc.problems, lang=lang)
    if isinstance(exc, RuleConflict | RuleError):
        return problems_response(409, [problem_of(exc)], lang=lang, rule=exc.rule)
    if isinstance(exc, TongchengError):
        return problems_response(422, [problem_of(exc)], lang=lang)
    return None


def problem_of(error: Exception) -> Problem:
    """Any other tongcheng error as a problem in both languages: a place code's own words, or
    the error's ``describe(lang)``; an error worded in English only is said in Chinese as a
    refusal without its detail (no English in a Chinese answer)."""
    if isinstance(error, UnknownPlace):
        words = W.unknown_place(error.code)
    elif isinstance(error, RetiredPlace):
        old, new = error.place, error.current
        words = W.retired_place(old.code, (old.name_en or old.name_zh, old.name_zh),
                                old.retired, error.at, new.code,
                                (new.name_en or new.name_zh, new.name_zh))
    else:
        describe = getattr(error, "describe", None)
        if describe is not None:
            return Problem("", describe("en"), describe("zh"))
        return Problem("", str(error), "无法处理该请求")
    return Problem("", words.en, words.zh, code=words.code)


ANSWERED = (TongchengError, Refusal)  # the errors error_response answers


class NotANumber(ValueError):
    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"{name} is not a JSON number")


def _no_constant(name: str) -> Any:
    raise NotANumber(name)


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def lone_surrogates(value: Any, path: str = "") -> Iterator[Problem]:
    """A problem for every key or string holding a lone surrogate (``"\\ud800"``: valid
    JSON, but no Unicode text; it cannot be written back, so it is refused at the door)."""
    if isinstance(value, str):
        if found := _SURROGATE.search(value):
            escape, at = json.dumps(found.group()), found.start() + 1
            yield Problem(path, f"not valid Unicode text: a lone surrogate ({escape}) at "
                          f"character {at}", f"不是有效的文本:第 {at} 个字符是孤立的代理码元"
                          f"({escape})", code=W.LONE_SURROGATE)
    elif isinstance(value, dict):
        for key, item in value.items():
            if _SURROGATE.search(key):
                yield Problem(path, "not valid Unicode text: a key with a lone surrogate "
                              f"({json.dumps(key)})", f"不是有效的文本:键 "
                              f"{json.dumps(key)} 含有孤立的代理码元", code=W.LONE_SURROGATE)
            else:
                yield from lone_surrogates(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from lone_surrogates(item, f"{path}[{i}]")


def load_json(raw: bytes, bare: str | None = None) -> Any:
    """The request body as JSON (exact decimals, no duplicate keys, no lone surrogates), or
    SituationError naming each problem by its path. Paths inside the top-level key ``bare`` are
    named without it (situation paths are named as on the command line: ``insurance[1].to``)."""
    text = json_text(raw)
    found: list[Repeated] = []
    value = parse_json(text, found)
    problems = input_problems(value, text, found, bare)
    if problems:
        raise SituationError(problems)
    return value


def json_text(raw: bytes) -> str:
    """The body as text: UTF-8 (a byte-order mark dropped), not blank; else SituationError."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        words = W.not_utf8(exc.start)
        raise SituationError([Problem("", words.en, words.zh, code=words.code)]) from None
    if not text.strip():
        raise SituationError([Problem("", "empty body: expected a JSON object",
                                      "请求体为空:应为一个 JSON 对象")])
    return text


def input_problems(value: Any, text: str, found: list[Repeated],
                   bare: str | None = None) -> list[Problem]:
    """What JSON allows but no request may hold, below ``value`` (parsed from ``text``, or a
    part of it): a key named twice (``found``: the objects ``parse_json`` saw doing it) and a
    lone surrogate, each named by its path (inside ``bare`` without it)."""
    problems = []
    if found:
        for path, key in repeated_keys(value):
            words = W.duplicate_key(key)
            problems.append(Problem(_unbare(path, bare), words.en, words.zh, code=words.code))
    # UTF-8 cannot carry a surrogate: only a JSON escape can, so most bodies skip the walk
    if _SURROGATE_ESCAPE.search(text):
        try:
            if bare is not None and isinstance(value, dict) and bare in value:
                rest = {k: v for k, v in value.items() if k != bare}
                problems += [*lone_surrogates(value[bare]), *lone_surrogates(rest)]
            else:
                problems += lone_surrogates(value)
        except RecursionError:
            problems.append(Problem("", "not valid JSON: nested too deeply",
                                    "不是有效的 JSON:嵌套过深", code=W.NOT_JSON))
    return problems


def _unbare(path: str, bare: str | None) -> str:
    return path[len(bare) + 1:] if bare and path.startswith(f"{bare}.") else path


def parse_json(text: str, found: list[Repeated]) -> Any:
    """``text`` parsed (exact decimals; NaN and Infinity refused), each object naming a key
    twice marked and added to ``found``, or SituationError."""
    try:
        return json.loads(
            text,
            object_pairs_hook=functools.partial(keeping_repeated, found=found),
            parse_float=Decimal,
            parse_constant=_no_constant,
        )
    except json.JSONDecodeError as exc:
        words = W.not_json(exc.msg, W.where(None, exc.lineno, exc.colno))
        raise SituationError([Problem("", words.en, words.zh, code=words.code)]) from None
    except NotANumber as exc:
        raise SituationError([Problem("", f"not valid JSON: {exc}",
                                      f"不是有效的 JSON:{exc.name} 不是 JSON 数值",
                                      code=W.NOT_JSON)]) from None
    except (ValueError, RecursionError) as exc:
        words = W.not_json(str(exc))
        raise SituationError([Problem("", words.en, words.zh, code=words.code)]) from None


async def read_body(request: Request, limit: int, timeout: float = BODY_TIMEOUT) -> bytes:
    """The body, refusing more than ``limit`` bytes even when no Content-Length was sent, and
    a body still arriving after ``timeout`` seconds (a slow sender holds no worker)."""
    return await receive_body(request.receive, limit, timeout)


async def receive_body(receive: Any, limit: int, timeout: float = BODY_TIMEOUT) -> bytes:
    """``read_body`` from the ASGI ``receive`` itself (the evaluate lane has no ``Request``):
    a body that came in one message (most) is taken as it is, without copies."""
    try:
        async with asyncio.timeout(timeout):
            message = await receive()
            if message["type"] != "http.request":
                raise ClientGone()
            first = message.get("body", b"")
            if not message.get("more_body", False):
                if len(first) > limit:
                    raise PayloadTooLarge(limit)
                return first
            body = bytearray(first)
            while True:
                if len(body) > limit:
                    raise PayloadTooLarge(limit)
                message = await receive()
                if message["type"] != "http.request":
                    raise ClientGone()
                body += message.get("body", b"")
                if not message.get("more_body", False):
                    break
            if len(body) > limit:
                raise PayloadTooLarge(limit)
    except TimeoutError:
        raise BodyTimeout(timeout) from None
    return bytes(body)


def read_settings(request: Request) -> tuple[int, float]:
    """The body limit and timeout of the request's app."""
    settings: Settings = request.app.state.settings
    return settings.max_body, settings.body_timeout
