"""The caseworker page at ``/``: the form, and the decisions once it is submitted. Rendering
is ``page.PageView``'s; this module reads the request and picks what to render."""

from __future__ import annotations

import io
import json
from typing import Annotated, Any
from urllib.parse import parse_qsl

import anyio
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from ruamel.yaml import YAML

from tongcheng.errors import Problem, RuleConflict, SituationError
from tongcheng.evaluate.evaluator import RuleError
from tongcheng.evaluate.evaluator import evaluate as evaluate_pack
from tongcheng.records.actor import ActorRefused
from tongcheng.records.ids import is_record_id
from tongcheng.service.deps import (
    BodyTimeout,
    PayloadTooLarge,
    Refusal,
    answer_lang,
    capped,
    read_body,
    read_settings,
)
from tongcheng.service.observe import REQUEST_ID, Metrics
from tongcheng.service.page import LANGS, WORDS, FormState, PageView, situation_from_form
from tongcheng.service.page.recorded import LETTER_WORDS
from tongcheng.service.routers.records import StoreUnreadable, read_record
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
def page(request: Request, view: PageDep, lang: str = "zh") -> HTMLResponse:
    recording = getattr(request.app.state, "recorder", None) is not None
    return view.render(FormState.blank(lang if lang in LANGS else "zh"), recording=recording)


@router.post("/", response_class=HTMLResponse)
async def submit(request: Request, view: PageDep) -> Response:
    metrics = request.app.state.metrics
    try:
        raw = await read_body(request, *read_settings(request))
    except Refusal as exc:
        return refused(view, request, exc)
    # resolving places and deciding: off the event loop (a full form is a few milliseconds)
    recorder = getattr(request.app.state, "recorder", None)
    return await anyio.to_thread.run_sync(answer_form, view, raw, metrics,
                                          Recording(recorder, request.headers))


def refused(view: PageView, request: Request, exc: Refusal) -> Response:
    """A form refused before it was read (too large, too slow), said on the page in the
    language the browser asks for (the form's own is in the body)."""
    state = FormState.blank(answer_lang(request))
    problem = Problem("", refusal_words(exc, "en"), refusal_words(exc, "zh"))
    return view.render(state, problems=[problem], status=exc.status, headers=exc.headers,
                       recording=getattr(request.app.state, "recorder", None) is not None)


def refusal_words(exc: Refusal, lang: str) -> str:
    """A refusal as the page says it (a caseworker's words, not an API's)."""
    words = WORDS[lang]
    if isinstance(exc, PayloadTooLarge):
        return words["too_large"].format(limit=f"{exc.limit:,}")
    if isinstance(exc, BodyTimeout):
        return words["too_slow"].format(seconds=f"{exc.seconds:g}")
    return exc.problem.text(lang)


class Recording:
    """With recording on: the deployment's recorder and the request's headers (its actor)."""

    def __init__(self, recorder: Any = None, headers: Any = None) -> None:
        self.recorder, self.headers = recorder, headers or {}

    @property
    def on(self) -> bool:
        return self.recorder is not None


def answer_form(view: PageView, raw: bytes, metrics: Metrics,
                recording: Recording | None = None) -> Response:
    """The page's answer to a submitted form: rows added or removed, a case imported or
    exported, or the situation decided."""
    text = raw.decode("utf-8", errors="replace")
    state, op = FormState.from_pairs(parse_qsl(text, keep_blank_values=True))
    recording = recording or Recording()
    if op == "import":
        return import_case(view, state, metrics, recording)
    if not op.startswith("export:") and not state.apply(op):
        return view.render(state, recording=recording.on)
    state.compact()
    situation, problems = read_form(view, state)
    if situation is None:
        view.display_places(state)
        return view.render(state, problems=capped(problems), status=422)
    if op.startswith("export:"):
        return export_case(situation, op.partition(":")[2])
    return decide(view, state, situation, metrics, recording)


def read_form(view: PageView, state: FormState) -> tuple[Situation | None, list[Problem]]:
    data, problems = situation_from_form(state, view.registry)
    situation = None
    try:
        situation = parse_situation(data, registry=view.registry,
                                    services=view.pack.service_ids)
    except SituationError as exc:
        seen = {p.path for p in problems}
        problems += [p for p in exc.problems if p.path not in seen]
    return (None if problems else situation), problems


def decide(view: PageView, state: FormState, situation: Situation, metrics: Metrics,
           recording: Recording | None = None, reopened: str | None = None) -> Response:
    """Decide and show; with recording on, the decision is kept before it is shown (a record
    being reopened is shown with its own id, and not recorded again)."""
    recording = recording or Recording()
    try:
        result = evaluate_pack(view.pack, situation, registry=view.registry)
        metrics.decided(result)
    except (RuleConflict, RuleError) as exc:
        return view.render(state, failure=exc.describe(state.lang), status=409,
                           recording=recording.on)
    state.evaluated = True
    view.display_places(state)
    record_id = reopened
    if recording.on and reopened is None:
        try:
            record = recording.recorder.make(result, situation, channel="page",
                                             lang=state.lang, rules=None,
                                             headers=recording.headers,
                                             request_id=REQUEST_ID.get())
        except ActorRefused as exc:  # the form kept, the header named: nothing recorded
            problem = Problem(exc.header, exc.message, exc.zh)
            return view.render(state, problems=[problem], status=422, recording=True)
        try:
            recording.recorder.submit(record).result(timeout=60)
        except Exception:
            return view.render(state, failure=LETTER_WORDS[state.lang]["not_recorded"],
                               status=503, recording=True)
        record_id = record.id
    return view.render(state, result=result, situation=situation, record_id=record_id,
                       recording=recording.on)


def import_case(view: PageView, state: FormState, metrics: Metrics,
                recording: Recording | None = None) -> Response:
    """A case pasted or loaded from a file (JSON or YAML): shown in the form and decided, or
    its problems shown beside the box."""
    try:
        situation = parse_situation(state.case, source=None, registry=view.registry,
                                    services=view.pack.service_ids)
    except SituationError as exc:
        problems = [Problem("_case", p.describe("en"), p.describe("zh"))
                    for p in exc.problems]
        return view.render(state, problems=capped(problems), status=422)
    loaded = FormState.from_situation(situation.to_dict(), state.lang)
    return decide(view, loaded, situation, metrics, recording)


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


@router.post("/v1/records/reopen", response_class=HTMLResponse)
async def reopen(request: Request, view: PageDep) -> Response:
    """Reopen a case from its record id (with the deployment's token): the recorded situation
    back in the form, decided again under the page's pack."""
    try:
        raw = await read_body(request, *read_settings(request))
    except Refusal as exc:
        return refused(view, request, exc)
    form = dict(parse_qsl(raw.decode("utf-8", errors="replace"), keep_blank_values=True))
    lang = form.get("_lang") if form.get("_lang") in LANGS else "zh"
    recorder = getattr(request.app.state, "recorder", None)

    def refuse(path: str, key: str, status: int) -> HTMLResponse:
        problem = Problem(path, LETTER_WORDS["en"][key], LETTER_WORDS["zh"][key])
        return view.render(FormState.blank(lang), problems=[problem], status=status,
                           recording=recorder is not None)

    if recorder is None:
        return refuse("", "recording_off", 404)
    if not recorder.settings.allows(f"Bearer {form.get('token', '')}"):
        return refuse("token", "no_token", 401)
    record_id = form.get("record", "").strip()
    try:
        record = await read_record(recorder, record_id) if is_record_id(record_id) else None
    except StoreUnreadable:
        return refuse("record", "unreadable", 503)
    if record is None:
        return refuse("record", "no_record", 404)
    facts = {**record.situation, "as_of": record.as_of.isoformat()}
    situation = parse_situation(facts, registry=view.registry)
    state = FormState.from_situation(facts, lang)
    return await anyio.to_thread.run_sync(decide, view, state, situation,
                                          request.app.state.metrics, Recording(recorder),
                                          record.id)
