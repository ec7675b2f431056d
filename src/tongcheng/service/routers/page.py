"""The caseworker page at ``/``: the form, and the decisions once it is submitted. Rendering
is ``page.PageView``'s; this module reads the request and picks what to render."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qsl

import anyio
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from tongcheng.errors import Problem, RuleConflict, SituationError
from tongcheng.evaluate.evaluator import RuleError
from tongcheng.evaluate.evaluator import evaluate as evaluate_pack
from tongcheng.service.deps import Refusal, capped, read_body, read_settings
from tongcheng.service.page import LANGS, FormState, PageView, situation_from_form
from tongcheng.situation import parse_situation

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
async def submit(request: Request, view: PageDep) -> HTMLResponse:
    try:
        raw = await read_body(request, *read_settings(request))
    except Refusal as exc:  # too large, too slow
        return view.render(FormState.blank(), problems=[Problem("", exc.message)],
                           status=exc.status, headers=exc.headers)
    # resolving places and deciding: off the event loop (a full form is a few milliseconds)
    return await anyio.to_thread.run_sync(answer_form, view, raw)


def answer_form(view: PageView, raw: bytes) -> HTMLResponse:
    text = raw.decode("utf-8", errors="replace")
    state, op = FormState.from_pairs(parse_qsl(text, keep_blank_values=True))
    if not state.apply(op):
        return view.render(state)
    state.compact()
    registry = view.registry
    data, problems = situation_from_form(state, registry)
    situation = None
    try:
        situation = parse_situation(data, registry=registry)
    except SituationError as exc:
        seen = {p.path for p in problems}
        problems += [p for p in exc.problems if p.path not in seen]
    if problems or situation is None:
        view.display_places(state)
        return view.render(state, problems=capped(problems), status=422)
    try:
        result = evaluate_pack(view.pack, situation, registry=registry)
    except (RuleConflict, RuleError) as exc:
        return view.render(state, failure=str(exc), status=409)
    state.evaluated = True
    view.display_places(state)
    return view.render(state, result=result, situation=situation)
