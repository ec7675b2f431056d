"""``POST /v1/timeline``: a situation's decisions month by month over a window, the days they
change and why (``tongcheng.timeline``; the command line's ``tongcheng timeline``)."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any, Literal

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from tongcheng import wording as W
from tongcheng.errors import Problem, SituationError
from tongcheng.scalars import to_month
from tongcheng.service.deps import (
    API,
    INVALID,
    JSON,
    LANGS,
    RegistryDep,
    load_json,
    narrow,
    problems_doc,
    read_body,
    read_settings,
    request_lang,
)
from tongcheng.service.evaluating import (
    check_json_body,
    heavy_limiter,
    long_lists,
    situation_digest,
)
from tongcheng.situation import parse_situation

router = APIRouter(prefix=API, tags=["decisions"])

KEYS = ("situation", "from", "to", "rules", "lang")
MAX_MONTHS = 240  # a window of at most twenty years: the work of one request stays bounded
MAX_ITEMS = 100  # items in a list: each period's start and end may split the window


class TimelineRequest(BaseModel):
    """A situation and the window of months to decide it over (each month as of its last
    day)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    situation: dict[str, Any]
    from_: str = Field(alias="from", pattern=r"^\d{4}-\d{2}$", description="first month")
    to: str = Field(pattern=r"^\d{4}-\d{2}$", description="last month (at most 240 months)")
    rules: list[str] | None = Field(None, description="only these rules (ids)")
    lang: Literal["zh", "en"] | None = Field(
        None, description="language of the answer's texts (absent: the request's "
        "Accept-Language, else zh); texts come in that language only")


class SegmentOut(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)

    from_: str = Field(alias="from")
    to: str
    status: str
    firmness: str
    outcome_first: dict[str, Any]
    outcome_last: dict[str, Any]
    missing: list[str]


class ChangeOut(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)

    day: str
    month: str
    from_: dict[str, Any] = Field(alias="from")
    to: dict[str, Any]
    why: list[dict[str, Any]]


class RuleTimelineOut(BaseModel):
    rule: str
    title: dict[str, str]
    statuses: list[str]
    segments: list[SegmentOut]
    changes: list[ChangeOut]


class TimelineOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: str = Field(alias="from")
    to: str
    months: int
    day: str
    rule_pack: dict[str, str]
    rules: list[RuleTimelineOut]


def _request_schema() -> dict[str, Any]:
    schema = TimelineRequest.model_json_schema(by_alias=True)
    schema["properties"]["situation"] = {"$ref": "#/components/schemas/Situation"}
    return schema


@router.post(
    "/timeline",
    summary="Decide every rule (or the chosen ones) month by month over a window",
    response_class=JSON,
    response_model=TimelineOut,
    responses={409: problems_doc("A defect of the rule pack met while evaluating"),
               408: problems_doc("Body not received in time"),
               413: problems_doc("Body larger than the limit"),
               415: problems_doc("Body not sent as JSON"), **INVALID},
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
        "schema": _request_schema(),
        "example": {"situation": {"target": "370200", "insurance": [
            {"scheme": "employee_medical", "place": "370600", "from": "2000-01",
             "to": "2015-12"},
            {"scheme": "employee_medical", "place": "370200", "from": "2016-01"}]},
            "from": "2020-01", "to": "2030-12", "lang": "en"}}}}},
)
async def timeline(request: Request, registry: RegistryDep) -> Response:
    """Every rule decided as of the last day of each month from `from` to `to` (an open
    period keeps running); per rule the months' statuses, the stretches with one status and
    firmness, and the days a decision changes with why (a zone opened, a parameter changed, a
    count of months reached a bound, a birthday, a period started or ended)."""
    from tongcheng.timeline import TimelineError, build

    check_json_body(request)
    raw = await read_body(request, *read_settings(request))
    pack = request.app.state.pack
    data = load_json(raw, bare="situation")
    # the answer (and its problems) in the body's lang when it is one, else the query's, else
    # the Accept-Language header's, else zh: as every endpoint with text (README, "Language")
    body_lang = data.get("lang") if isinstance(data, Mapping) else None
    lang = body_lang if body_lang in LANGS else request_lang(request.scope)
    try:
        situation, start, end, rules = _parse(data, pack, registry)
    except SituationError as exc:
        exc.lang = lang
        raise
    try:  # in a worker thread, as many at once as heavy evaluations (it decides per month)
        result = await anyio.to_thread.run_sync(
            functools.partial(build, pack, situation, start, end, rules=rules,
                              registry=registry), limiter=heavy_limiter())
    except TimelineError as exc:
        raise SituationError([Problem(exc.field, str(exc), exc.zh)], lang=lang) from None
    return JSON(narrow(result.to_json(lang), lang), headers={
        "X-Situation-Digest": situation_digest(situation), "Content-Language": lang,
        "Cache-Control": "no-store"})  # a person's situation: kept by no cache


def _parse(data: Any, pack, registry):
    """The request, every problem named (situation problems by their situation path) and
    worded in both languages."""
    if not isinstance(data, Mapping):
        en, zh = W.describe(data)
        raise SituationError([Problem(
            "", f"expected a JSON object with a 'situation', 'from' and 'to', got {en}",
            f"应为含 'situation'、'from' 和 'to' 的 JSON 对象,实际为{zh}")])
    problems = [_problem(str(k), W.unknown_key(k, KEYS)) for k in data if k not in KEYS]
    months = {}
    for key in ("from", "to"):
        try:
            months[key] = to_month(data.get(key))
        except PydanticCustomError as exc:  # the situation model's words for a month
            words = exc.context or {}
            problems.append(Problem(key, words["message"], words["zh"], code=words["code"]))
    if len(months) == 2 and not 0 <= months["to"] - months["from"] < MAX_MONTHS:
        problems.append(Problem(
            "to", f"expected a month from 'from' to {MAX_MONTHS} months later",
            f"应为不早于 'from'、且在其后 {MAX_MONTHS} 个月以内的月份"))
    rules = data.get("rules")
    if rules is not None and not (isinstance(rules, list) and all(
            isinstance(r, str) and r in pack.rule_ids for r in rules)):
        known = ", ".join(pack.rule_ids)
        problems.append(Problem("rules", f"expected a list of rule ids of the pack: {known}",
                                f"应为本规则包中规则 id 的列表:{known}"))
    lang = data.get("lang")
    if lang is not None and lang not in ("zh", "en"):
        problems.append(_problem("lang", W.expected_choice(("zh", "en"), lang)))
    raw = data.get("situation")
    situation = None
    if not isinstance(raw, Mapping):
        problems.append(_problem("situation", W.expected_mapping(raw)))
    else:
        too_long = list(long_lists(raw)) or list(_many_items(raw))
        problems.extend(too_long)
        if not too_long:
            try:
                situation = parse_situation(raw, registry=registry)
            except SituationError as exc:
                problems.extend(exc.problems)
    if problems:
        raise SituationError(problems)
    return situation, months["from"], months["to"], rules or None


def _problem(path: str, words: W.Words) -> Problem:
    return Problem(path, words.en, words.zh, code=words.code)


def _many_items(situation: Mapping) -> Any:
    """A problem for each list of the situation longer than a timeline decides over."""
    fund = situation.get("provident_fund")
    person = situation.get("person")
    for path, value in (("insurance", situation.get("insurance")),
                        ("provident_fund.periods",
                         fund.get("periods") if isinstance(fund, Mapping) else None),
                        ("person.residence",
                         person.get("residence") if isinstance(person, Mapping) else None),
                        ("cards", situation.get("cards")), ("results", situation.get("results"))):
        if isinstance(value, list) and len(value) > MAX_ITEMS:
            yield Problem(path, f"at most {MAX_ITEMS} items in a list for a timeline, got "
                                f"{len(value):,} (POST /v1/evaluate takes more)",
                          f"时间线的每个列表最多 {MAX_ITEMS} 项,实际为 {len(value):,} 项"
                          "(求值接口 /v1/evaluate 可以接受更多)")
