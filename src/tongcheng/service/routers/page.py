"""The caseworker page at ``/``: the form, and the decisions once it is submitted. Rendering
is ``page.PageView``'s; this module reads the request and picks what to render."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import parse_qsl

import anyio
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from tongcheng.errors import Problem, RuleConflict, SituationError
from tongcheng.evaluate.evaluator import RuleError
from tongcheng.evaluate.evaluator import evaluate as evaluate_pack
from tongcheng.records.ids import is_record_id
from tongcheng.service.deps import Refusal, capped, read_body, read_settings
from tongcheng.service.page import LANGS, FormState, PageView, situation_from_form
from tongcheng.service.page.reopen import LETTER_WORDS, state_from_situation
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
def page(request: Request, view: PageDep, lang: str = "zh") -> HTMLResponse:
    recording = getattr(request.app.state, "recorder", None) is not None
    return view.render(FormState.blank(lang if lang in LANGS else "zh"), recording=recording)


@router.post("/", response_class=HTMLResponse)
async def submit(request: Request, view: PageDep) -> HTMLResponse:
    try:
        raw = await read_body(request, *read_settings(request))
    except Refusal as exc:  # too large, too slow
        return view.render(FormState.blank(), problems=[Problem("", exc.message)],
                           status=exc.status, headers=exc.headers)
    # resolving places and deciding: off the event loop (a full form is a few milliseconds)
    recorder = getattr(request.app.state, "recorder", None)
    return await anyio.to_thread.run_sync(answer_form, view, raw, recorder, request.headers)


def answer_form(view: PageView, raw: bytes, recorder: Any = None,
                headers: Any = None) -> HTMLResponse:
    text = raw.decode("utf-8", errors="replace")
    state, op = FormState.from_pairs(parse_qsl(text, keep_blank_values=True))
    if not state.apply(op):
        return view.render(state, recording=recorder is not None)
    state.compact()
    return decide_form(view, state, recorder, headers)


def decide_form(view: PageView, state: FormState, recorder: Any = None, headers: Any = None,
                reopened: str | None = None) -> HTMLResponse:
    """Decide what the form says; with recording on, record it (unless it is a record being
    reopened, shown with that record's id)."""
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
    record_id = reopened
    if recorder is not None and reopened is None:  # the decision is kept before it is shown
        record = recorder.make(result, situation, channel="page", lang=state.lang, rules=None,
                               headers=headers or {})
        try:
            recorder.submit(record).result(timeout=60)
        except Exception:
            return view.render(state, failure=LETTER_WORDS[state.lang]["not_recorded"],
                               status=503, recording=True)
        record_id = record.id
    return view.render(state, result=result, situation=situation, record_id=record_id,
                       recording=recorder is not None)


@router.post("/v1/records/reopen", response_class=HTMLResponse)
async def reopen(request: Request, view: PageDep) -> HTMLResponse:
    """Reopen a case from its record id (with the deployment's token): the recorded situation
    back in the form, decided again."""
    raw = await read_body(request, *read_settings(request))
    form = dict(parse_qsl(raw.decode("utf-8", errors="replace"), keep_blank_values=True))
    lang = form.get("_lang") if form.get("_lang") in LANGS else "zh"
    words = LETTER_WORDS[lang]
    recorder = getattr(request.app.state, "recorder", None)

    def refuse(path: str, key: str, status: int) -> HTMLResponse:
        return view.render(FormState.blank(lang), problems=[Problem(path, words[key])],
                           status=status, recording=recorder is not None)

    if recorder is None:
        return refuse("", "recording_off", 404)
    if not recorder.settings.allows(f"Bearer {form.get('token', '')}"):
        return refuse("token", "no_token", 401)
    record_id = form.get("record", "").strip()
    record = (await anyio.to_thread.run_sync(recorder.get, record_id)
              if is_record_id(record_id) else None)
    if record is None:
        return refuse("record", "no_record", 404)
    state = state_from_situation({**record.situation, "as_of": record.as_of.isoformat()}, lang)
    return await anyio.to_thread.run_sync(decide_form, view, state, recorder, None, record.id)
