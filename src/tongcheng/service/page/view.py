"""The page as HTML: one ``PageView`` per rule pack renders the form, its problems and the
decisions (the routes that call it are in ``service/routers/page.py``)."""

from __future__ import annotations

from typing import Any

from fastapi.responses import HTMLResponse

from tongcheng.errors import Problem
from tongcheng.evaluate.decision import Evaluation
from tongcheng.months import month_of
from tongcheng.pack.model import RulePack
from tongcheng.places import PlaceRegistry
from tongcheng.questions import question_for
from tongcheng.service.page.decisions import STATUS_WORDS, decisions_view
from tongcheng.service.page.fields import (
    ENTERPRISE_FIELDS,
    LIST_BY_PATH,
    PROJECT_FIELDS,
    SCALAR_FIELDS,
)
from tongcheng.service.page.form import FormState, problem_target
from tongcheng.service.page.places import place_label, resolve_place
from tongcheng.service.page.recorded import LETTER_WORDS
from tongcheng.service.page.strips import strips
from tongcheng.service.page.timeline import timeline
from tongcheng.service.page.words import WORDS, make_environment
from tongcheng.situation import Situation

# The page runs its own script and style only, sends forms and place look-ups to itself, and
# may not be framed (clickjacking).
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


# Decisions by status: what the person gets, then what is still open (with its questions),
# shown; what was refused and what does not apply, folded.
GROUP_ORDER = ("eligible", "undetermined", "ineligible", "not_applicable")
OPEN = frozenset({"eligible", "undetermined"})


class Page(HTMLResponse):
    """The page's HTML as UTF-8; a lone surrogate (input refuses them, but a page must never
    fail) is shown as its escape."""

    def render(self, content: Any) -> bytes:
        return content.encode("utf-8", "backslashreplace")


class PageView:
    """Renders the page for one rule pack and place registry."""

    def __init__(self, pack: RulePack, registry: PlaceRegistry) -> None:
        self.pack, self.registry = pack, registry
        services: dict[str, Any] = {}
        for item in getattr(pack, "services", ()):
            services.setdefault(item.id, item.name)
        self.services = services  # the pack's one-stop service items, for the picker
        self.template = make_environment().get_template("page.html")

    def display_places(self, state: FormState) -> None:
        """Show each resolved place as names and code, so the person sees what was understood."""
        registry = self.registry

        def pretty(raw: str) -> str:
            code, message = resolve_place(registry, raw) if raw.strip() else (None, "")
            if message or code is None or code not in registry:
                return raw
            return place_label(registry.get(code))

        for name, value in state.values.items():
            if SCALAR_FIELDS[name].kind == "place":
                state.values[name] = pretty(value)
        for path, rows in state.rows.items():
            places = [f.name for f in LIST_BY_PATH[path].fields if f.kind == "place"]
            for row in rows:
                for name in places:
                    if name in row:
                        row[name] = pretty(row[name])

    def render(
        self,
        state: FormState,
        *,
        problems: list[Problem] = (),  # type: ignore[assignment]
        result: Evaluation | None = None,
        situation: Situation | None = None,
        failure: str | None = None,
        status: int = 200,
        headers: dict[str, str] | None = None,
        record_id: str | None = None,
        recording: bool = False,
    ) -> Page:
        lang = state.lang
        words = WORDS[lang]
        errors: dict[str, list[str]] = {}
        for p in problems:
            errors.setdefault(p.path, []).append(p.text(lang))
        context: dict[str, Any] = {
            "lang": lang,
            "w": words,
            "state": state,
            "problems": [
                {"path": p.path, "message": p.text(lang), "id": problem_target(p.path, state)}
                for p in problems
            ],
            "errors": errors,
            "pack": self.pack.info,
            "services": self.services,
            "failure": failure,
            "project_open": any(state.values.get(f.name, "").strip() for f in PROJECT_FIELDS)
            or any(p.path.startswith("project") for p in problems),
            "enterprise_open": any(state.values.get(f.name, "").strip()
                                   for f in ENTERPRISE_FIELDS)
            or any(p.path.startswith("enterprise") for p in problems),
            "record_id": record_id,  # the decision's record (recording on)
            "recording": recording,  # offer to reopen a case from its record id
            "letter_words": LETTER_WORDS,
        }
        if result is not None and situation is not None:
            context.update(self._decided(state, result, situation))
        headers = {**(headers or {}), "content-security-policy": PAGE_CSP}
        return Page(self.template.render(**context), status_code=status, headers=headers)

    def _decided(
        self, state: FormState, result: Evaluation, situation: Situation
    ) -> dict[str, Any]:
        lang = state.lang
        decisions = decisions_view(result, self.registry, lang)
        counts = {k: 0 for k in STATUS_WORDS}
        for d in decisions:
            counts[d["status"]] += 1
        words = WORDS[lang]
        groups = [
            {"status": status, "title": words[f"group_{status}"], "open": status in OPEN,
             "decisions": [d for d in decisions if d["status"] == status]}
            for status in GROUP_ORDER
        ]
        return {
            "result": result,
            "decisions": decisions,
            "groups": [g for g in groups if g["decisions"]],
            "counts": WORDS[lang]["counts"].format(**counts),
            "questions": [
                {
                    "path": q.path,
                    "question": question_for(q.path, lang),
                    "id": problem_target(q.path, state),
                    "settles": [result.decision(r).title.get(lang) for r in q.rules],
                }
                for q in result.questions
            ],
            "timeline": timeline(situation, result, self.pack, self.registry, lang),
            "strips": strips(situation, month_of(result.as_of), self.pack, self.registry,
                             lang),
        }
