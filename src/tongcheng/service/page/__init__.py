"""The caseworker page: a form for a person's situation and the decisions, server-rendered.

The form's field names are the situation's own paths (``insurance[1].to``), so a problem the
situation model reports lands beside the field it names. Places are typed by name (Chinese or
English) or code and resolved against the registry; the page works without JavaScript (rows are
added and removed by submit buttons), and ``static/app.js`` makes it quicker: place
suggestions, rows added in place, dates checked as they are typed.

Modules: ``fields`` (the form's fields) · ``form`` (``FormState``, form → situation) ·
``places`` (places typed by name) · ``timeline`` · ``decisions`` (decisions in words) ·
``words`` (the page's words, templates) · ``view`` (``PageView`` renders it). The routes are
in ``service/routers/page.py``.
"""

from tongcheng.service.page.decisions import STATUS_WORDS, decisions_view, show_value
from tongcheng.service.page.fields import (
    ENTERPRISE_FIELDS,
    FUND_FIELDS,
    LANGS,
    LIST_BY_PATH,
    LISTS,
    MAX_ROWS,
    OPTION_WORDS,
    PROJECT_FIELDS,
    SCALAR_FIELDS,
    SECTIONS,
    Field,
    ListSpec,
    field_id,
)
from tongcheng.service.page.form import FormState, problem_target, situation_from_form
from tongcheng.service.page.places import place_label, resolve_place
from tongcheng.service.page.timeline import timeline
from tongcheng.service.page.view import PageView
from tongcheng.service.page.words import WORDS, make_environment

__all__ = [
    "ENTERPRISE_FIELDS",
    "FUND_FIELDS",
    "LANGS",
    "LISTS",
    "LIST_BY_PATH",
    "MAX_ROWS",
    "OPTION_WORDS",
    "PROJECT_FIELDS",
    "SCALAR_FIELDS",
    "SECTIONS",
    "STATUS_WORDS",
    "WORDS",
    "Field",
    "FormState",
    "ListSpec",
    "PageView",
    "decisions_view",
    "field_id",
    "make_environment",
    "place_label",
    "problem_target",
    "resolve_place",
    "show_value",
    "situation_from_form",
    "timeline",
]
