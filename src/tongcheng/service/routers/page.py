"""The caseworker page at ``/``: the form, and the decisions once it is submitted. Rendering
is ``page.PageView``'s; this module reads the request and picks what to render."""

from __future__ import annotations

import io
import json
from typing import Annotated
from urllib.parse import parse_qsl

import anyio
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from ruamel.yaml import YAML

from tongcheng.errors import Problem, RuleConflict, SituationError
from tongcheng.evaluate.evaluator import RuleError
from tongcheng.evaluate.evaluator import evaluate as evaluate_pack
from tongcheng.service.deps import (
    BodyTimeout,
    PayloadTooLarge,
    Refusal,
    answer_lang,
    capped,
    read_body,
    read_settings,
)
from tongcheng.service.observe import Metrics
from tongcheng.service.page import LANGS, WORDS, FormState, PageView, situation_from_form
from tongcheng.situation import Situation, parse_situation

router = APIRouter(include_in_schema=False)


def page_view(request: Request) -> PageView:
    """The app's page renderer, made on first use (templates are compiled once)."""
    state = request.app.state
    view = getattr(state, "page_view", None)
    if view is None:
        view = state.page_view = PageView(state.pack, state.registry)
    return view


PageDep = Annotated[PageView, Depends(page_view)]


@router.get("/", response_class=HTMLResponse)
def page(view: PageDep, lang: str = "zh") -> HTMLResponse:
    return view.render(FormState.blank(lang if lang in LANGS else "zh"))


@router.post("/", response_class=HTMLResponse)
async def submit(request: Request, view: PageDep) -> Response:
    metrics = request.app.state.metrics
    try:
        raw = await read_body(request, *read_settings(request))
    except Refusal as exc:  # too large, too slow: said in the language the browser asks for
        state = FormState.blank(answer_lang(request))
        return view.render(state, problems=[Problem("", refusal_words(exc, state.lang))],
                           status=exc.status, headers=exc.headers)
    # resolving places and deciding: off the event loop (a full form is a few milliseconds)
    return await anyio.to_thread.run_sync(answer_form, view, raw, metrics)


def refusal_words(exc: Refusal, lang: str) -> str:
    words = WORDS[lang]
    if isinstance(exc, PayloadTooLarge):
        return words["too_large"].format(limit=f"{exc.limit:,}")
    if isinstance(exc, BodyTimeout):
        return words["too_slow"].format(seconds=f"{exc.seconds:g}")
    return exc.message


def answer_form(view: PageView, raw: bytes, metrics: Metrics) -> Response:
    """The page's answer to a submitted form: rows added or removed, a case imported or
    exported, or the situation decided."""
    text = raw.decode("utf-8", errors="replace")
    state, op = FormState.from_pairs(parse_qsl(text, keep_blank_values=True))
    if op == "import":
        return import_case(view, state, metrics)
    if not op.startswith("export:") and not state.apply(op):
        return view.render(state)
    state.compact()
    situation, problems = read_form(view, state)
    if situation is None:
        view.display_places(state)
        return view.render(state, problems=capped(problems), status=422)
    if op.startswith("export:"):
        return export_case(situation, op.partition(":")[2])
    return decide(view, state, situation, metrics)


def read_form(view: PageView, state: FormState) -> tuple[Situation | None, list[Problem]]:
    data, problems = situation_from_form(state, view.registry)
    situation = None
    try:
        situation = parse_situation(data, registry=view.registry)
    except SituationError as exc:
        seen = {p.path for p in problems}
        problems += [p for p in exc.problems if p.path not in seen]
    return (None if problems else situation), problems


def decide(view: PageView, state: FormState, situation: Situation, metrics: Metrics) -> Response:
    try:
        result = evaluate_pack(view.pack, situation, registry=view.registry)
        metrics.decided(result)
    except (RuleConflict, RuleError) as exc:
        return view.render(state, failure=str(exc), status=409)
    state.evaluated = True
    view.display_places(state)
    return view.render(state, result=result, situation=situation)


def import_case(view: PageView, state: FormState, metrics: Metrics) -> Response:
    """A case pasted or loaded from a file (JSON or YAML): shown in the form and decided, or
    its problems shown beside the box."""
    try:
        situation = parse_situation(state.case, source=None, registry=view.registry)
    except SituationError as exc:
        problems = [Problem("_case", f"{p.path}: {p.message}" if p.path else p.message)
                    for p in exc.problems]
        return view.render(state, problems=capped(problems), status=422)
    loaded = FormState.from_situation(situation.to_dict(), state.lang)
    return decide(view, loaded, situation, metrics)


def export_case(situation: Situation, kind: str) -> Response:
    """The form's situation as a file to keep (``situation.json`` or ``situation.yaml``): the
    same facts ``tongcheng check`` and ``POST /v1/evaluate`` read."""
    data = situation.to_dict()
    if kind == "yaml":
        buffer = io.StringIO()
        yaml = YAML(typ="safe", pure=True)
        yaml.default_flow_style = False
        yaml.allow_unicode = True
        yaml.dump(data, buffer)
        body, media, name = buffer.getvalue().encode(), "application/yaml", "situation.yaml"
    else:
        body = json.dumps(data, ensure_ascii=False, indent=2).encode() + b"\n"
        media, name = "application/json", "situation.json"
    return Response(body, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})
