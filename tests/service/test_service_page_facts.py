"""The page can say everything the rule pack asks: a field for every fact a rule reads, the
"ask next" links land on fields (never on the JSON box), decisions grouped by status, and a
case exported as JSON or YAML and loaded back."""

from __future__ import annotations

import json

import pytest
from ruamel.yaml import YAML
from servicetools import RECOGNITION_CASE, RECOGNITION_RULE, ROOT

from tongcheng.expr import ast
from tongcheng.expr import check as checking
from tongcheng.pack.loader import load_pack
from tongcheng.service.page import LIST_BY_PATH, SCALAR_FIELDS, FormState, problem_target
from tongcheng.situation import Situation, load_situation

EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


def facts_read(pack_dir) -> set[str]:
    """Every situation fact the pack's rules read, as ``Model.field`` (``Person.talent``):
    the type checker's own view of each expression, recorded while the pack loads."""
    seen: set[str] = set()
    original = checking.Checker._t

    def recording(self, node, env):
        if isinstance(node, ast.Attr):
            base = original(self, node.obj, env)
            if base.kind == "model" and base.model is not None:
                seen.add(f"{base.model.__name__}.{node.name}")
        elif isinstance(node, ast.Name) and node.name in self.roots and node.name not in env:
            seen.add(f"Situation.{node.name}")
        return original(self, node, env)

    checking.Checker._t = recording
    try:
        load_pack(pack_dir)
    finally:
        checking.Checker._t = original
    return seen


# Where each model's facts are entered on the page.
MODEL_PATHS = {
    "Situation": "", "Person": "person.", "ProvidentFund": "provident_fund.",
    "Request": "request.", "Project": "project.", "Enterprise": "enterprise.",
    "InsurancePeriod": "insurance[].",
    "FundPeriod": "provident_fund.periods[].", "Card": "cards[].",
    "Residence": "person.residence[].", "Result": "results[].",
}


def page_can_enter(fact: str) -> bool:
    model, _, field = fact.partition(".")
    path = MODEL_PATHS[model] + field
    if path in SCALAR_FIELDS or path in LIST_BY_PATH:
        return True
    if path in ("person", "provident_fund", "request", "project", "enterprise"):
        return True  # a group of fields, each checked on its own
    if "[]." in path:
        owner, _, name = path.partition("[].")
        return owner in LIST_BY_PATH and name in {f.name for f in LIST_BY_PATH[owner].fields}
    return False


def test_the_page_has_a_field_for_every_fact_the_bundled_pack_reads():
    read = facts_read(ROOT / "rules")
    assert {"Person.talent", "Result.hospital_grade", "Request.hospital_grade",
            "ProvidentFund.couple_application"} <= read, sorted(read)
    missing = sorted(f for f in read if not page_can_enter(f))
    assert missing == [], f"the rules read facts the page cannot enter: {missing}"


def test_a_fact_without_a_field_is_caught(monkeypatch):
    """The check above can fail: take the talent field away and it names it."""
    from tongcheng.service import page

    monkeypatch.delitem(page.SCALAR_FIELDS, "person.talent")
    assert not page_can_enter("Person.talent")


def test_every_question_asked_links_to_a_field():
    import tongcheng

    situations = [{}, {"as_of": "2025-06-01", "target": "370200"}]
    situations += [load_situation(p).to_dict() for p in EXAMPLES]
    state = FormState.blank()
    asked = set()
    for data in situations:
        for trimmed in (data, {k: v for k, v in data.items() if k in ("as_of", "target")}):
            for q in tongcheng.evaluate(trimmed).questions:
                asked.add(q.path)
    assert len(asked) > 10
    for path in sorted(asked):
        assert problem_target(path, state) != "f-extra", path


def test_every_example_fits_the_form_with_nothing_left_for_the_json_box():
    from tongcheng.places import default_registry
    from tongcheng.service.page import situation_from_form
    from tongcheng.situation import parse_situation

    for path in EXAMPLES:
        situation = load_situation(path)
        state = FormState.from_situation(situation.to_dict())
        assert state.extra == "", path.name
        data, problems = situation_from_form(state, default_registry())
        assert problems == []
        assert parse_situation(data).to_dict() == situation.to_dict(), path.name


# --- over HTTP -----------------------------------------------------------------------------------

FORM = {"_lang": "en", "target": "青岛", "as_of": "2025-06-01",
        "insurance[0].scheme": "employee_medical", "insurance[0].place": "烟台",
        "insurance[0].from": "2000-01", "insurance[0].to": "2015-12",
        "insurance[1].scheme": "employee_medical", "insurance[1].place": "Qingdao",
        "insurance[1].from": "2016-01", "insurance[1].to": "2025-05"}


def test_decisions_are_grouped_applicable_first_the_rest_folded(client):
    html = client.post("/", data=FORM).text
    order = [html.index(f'data-group="{s}"') for s in
             ("eligible", "undetermined", "ineligible", "not_applicable") if
             f'data-group="{s}"' in html]
    assert order == sorted(order) and len(order) >= 3
    assert '<section class="status-group" id="group-eligible"' in html
    assert '<details class="status-group folded" id="group-not_applicable"' in html
    eligible = html[html.index('id="group-eligible"'):html.index('id="group-undetermined"')]
    assert f'data-rule="{RECOGNITION_RULE}"' in eligible
    # the summary and the questions come before any decision
    assert html.index('class="counts"') < html.index('class="ask"') < html.index(
        'class="decisions"')


def test_new_fields_reach_the_situation(client):
    form = {**FORM, "person.talent": "high_level", "request.hospital_grade": "3",
            "results[0].kind": "medical_test", "results[0].place": "莱阳",
            "results[0].issued": "2025-05-01", "results[0].hospital_grade": "2",
            "provident_fund.couple_application": "true", "provident_fund.spouse_balance": "1000",
            "_op": "export:json"}
    r = client.post("/", data=form)
    assert r.status_code == 200, r.text[:500]
    data = r.json()
    assert data["person"]["talent"] == "high_level"
    assert data["request"]["hospital_grade"] == 3
    assert data["results"] == [{"kind": "medical_test", "place": "370682",
                                "issued": "2025-05-01", "hospital_grade": 2}]
    assert data["provident_fund"] == {"couple_application": True, "spouse_balance": 1000}


@pytest.mark.parametrize("kind", ["json", "yaml"])
def test_a_case_exported_and_loaded_back_decides_the_same(client, kind):
    r = client.post("/", data={**FORM, "_op": f"export:{kind}"})
    assert r.status_code == 200
    assert r.headers["content-disposition"] == f'attachment; filename="situation.{kind}"'
    text = r.text
    data = json.loads(text) if kind == "json" else YAML(typ="safe").load(text)
    assert Situation.model_validate(data).to_dict()["target"] == "370200"
    loaded = client.post("/", data={"_lang": "en", "_op": "import", "_case": text})
    assert loaded.status_code == 200
    assert 'value="青岛市 Qingdao (370200)"' in loaded.text
    assert f'data-rule="{RECOGNITION_RULE}" data-status="eligible"' in loaded.text
    direct = client.post("/", data=FORM).text
    statuses = direct.split('data-status="')[1:]
    assert [s[:12] for s in loaded.text.split('data-status="')[1:]] == [s[:12] for s in statuses]


def test_a_bad_case_is_refused_beside_the_box(client):
    for text in ("", "insurance: [", json.dumps({"target": "999999"}), "[1, 2]"):
        r = client.post("/", data={"_lang": "en", "_op": "import", "_case": text})
        assert r.status_code == 422, text
        assert 'href="#f-case"' in r.text
        assert 'id="f-case-err" aria-live="polite">' in r.text.replace(" hidden", "")
    r = client.post("/", data={"_lang": "en", "_op": "import",
                               "_case": json.dumps({"target": "999999"})})
    assert "target: unknown place code" in r.text


def test_a_form_with_problems_is_not_exported(client):
    r = client.post("/", data={**FORM, "insurance[1].to": "2015-01", "_op": "export:json"})
    assert r.status_code == 422 and "text/html" in r.headers["content-type"]


def test_refusals_are_said_in_the_page_language(client):
    big = "x" * (300 * 1024)
    r = client.post("/", data={"_lang": "zh", "_extra": big},
                    headers={"accept-language": "zh-CN"})
    assert r.status_code == 413 and "提交的内容过大" in r.text
    r = client.post("/", data={"_extra": big}, headers={"accept-language": "en"})
    assert "too large" in r.text


def test_the_recognition_case_still_decides_as_before(client):
    html = client.post("/", data={**RECOGNITION_CASE_FORM}).text
    assert f'data-rule="{RECOGNITION_RULE}" data-status="eligible"' in html


RECOGNITION_CASE_FORM = {
    "target": RECOGNITION_CASE["target"], "as_of": RECOGNITION_CASE["as_of"],
    **{f"insurance[{i}].{k}": v for i, p in enumerate(RECOGNITION_CASE["insurance"])
       for k, v in p.items()},
}
