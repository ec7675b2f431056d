"""The caseworker page without a browser: the form posts situation paths, places typed by name
are resolved, problems land beside their fields, and the page works without JavaScript."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlencode

import pytest
from servicetools import RECOGNITION_RULE, ROOT

from tongcheng.places import default_registry
from tongcheng.service.page import FormState, field_id, resolve_place, situation_from_form

CASE_FORM = {
    "_lang": "zh",
    "target": "青岛",
    "as_of": "2025-06-01",
    "insurance[0].scheme": "employee_medical",
    "insurance[0].place": "烟台",
    "insurance[0].from": "2000-01",
    "insurance[0].to": "2015-12",
    "insurance[1].scheme": "employee_medical",
    "insurance[1].place": "Qingdao",
    "insurance[1].from": "2016-01",
    "insurance[1].to": "2025-05",
}


def card(html: str, rule: str) -> str:
    m = re.search(rf'<article class="decision[^"]*" data-rule="{re.escape(rule)}".*?</article>',
                  html, re.S)
    assert m, f"no decision card for {rule}"
    return m.group(0)


def text(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


# --- places typed by name ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "code"),
    [("青岛", "370200"), ("青岛市", "370200"), ("Qingdao", "370200"), (" qingdao ", "370200"),
     ("烟台", "370600"), ("莱西", "370285"), ("Gaomi", "370785"), ("东港区", "371102"),
     ("青岛市 Qingdao (370200)", "370200"), ("370782", "370782"), ("即墨", "370215")],
)
def test_places_typed_by_name_or_code(typed, code):
    assert resolve_place(default_registry(), typed) == (code, None)


def test_ambiguous_and_unknown_names_say_so():
    code, message = resolve_place(default_registry(), "朝阳区")
    assert code is None and "matches several places" in message and "110105" in message
    code, message = resolve_place(default_registry(), "烟苔")
    assert code is None and "no place named '烟苔'" in message
    code, message = resolve_place(default_registry(), "烟苔", "zh")
    assert code is None and "没有名为“烟苔”的地点" in message


def test_form_paths_become_the_situation():
    pairs = [
        *CASE_FORM.items(),
        ("person.sex", "male"),
        ("provident_fund.balance", "52,000.50"),
        ("provident_fund.outstanding_loans", "0"),
        ("provident_fund.couple_application", "false"),
        ("_none.cards", "1"),
        ("person.residence[0].place", ""),  # a blank row is dropped
        ("person.residence[0].since", ""),
        ("insurance[1].deemed", "on"),
    ]
    state, op = FormState.from_pairs(pairs)
    assert op == "evaluate"
    state.compact()
    data, problems = situation_from_form(state, default_registry())
    assert problems == []
    assert data["target"] == "370200"
    assert data["insurance"][0] == {"scheme": "employee_medical", "place": "370600",
                                    "from": "2000-01", "to": "2015-12"}
    assert data["insurance"][1]["deemed"] is True
    assert data["person"] == {"sex": "male"}  # residence unknown: no rows and not "none"
    assert data["cards"] == []  # "holds no card" was ticked
    assert str(data["provident_fund"]["balance"]) == "52000.50"
    assert data["provident_fund"]["couple_application"] is False


def test_field_ids_follow_situation_paths():
    assert field_id("insurance[1].to") == "f-insurance-1-to"
    assert field_id("provident_fund.periods[0].place") == "f-provident_fund-periods-0-place"


# --- the page over HTTP --------------------------------------------------------------------------


def test_empty_form_in_both_languages(client):
    zh = client.get("/")
    assert zh.status_code == 200 and '<html lang="zh-Hans">' in zh.text
    assert 'id="f-target"' in zh.text and 'id="f-insurance-0-place"' in zh.text
    assert 'for="f-target"' in zh.text
    en = client.get("/", params={"lang": "en"})
    assert '<html lang="en">' in en.text and "Where the person asks" in en.text
    assert client.get("/static/app.js").status_code == 200
    assert client.get("/static/style.css").status_code == 200


def test_cross_city_case_is_decided_on_the_page(client):
    r = client.post("/", data=CASE_FORM)
    assert r.status_code == 200, r.text
    html = r.text
    recognition = card(html, RECOGNITION_RULE)
    assert 'data-status="eligible"' in recognition
    assert "符合" in text(recognition)
    assert "305 (25年5个月)" in text(recognition)
    # 烟台 (the city) joins 青岛 through the five Jiaodong cities: their 2025 sentence is cited
    assert "胶东五市职工医疗保险实现缴费年限互认" in recognition
    # places are shown as understood
    assert 'value="青岛市 Qingdao (370200)"' in html
    assert 'value="烟台市 Yantai (370600)"' in html
    # the timeline: one lane per city, the months recognised at the target marked
    assert 'data-city="370200" data-kind="employee_medical"' in html
    assert 'data-city="370600" data-kind="employee_medical"' in html
    assert html.count('class="recognised-strip"') == 2


def test_english_page_decides_the_same(client):
    r = client.post("/", data={**CASE_FORM, "_lang": "en", "target": "Qingdao",
                               "insurance[0].place": "Yantai"})
    recognition = text(card(r.text, RECOGNITION_RULE))
    assert "eligible" in recognition and "305 (25 years 5 months)" in recognition
    assert "Recognition of employee medical insurance contribution years" in recognition


def test_undetermined_decisions_list_the_questions_to_ask(client):
    r = client.post("/", data={"_lang": "en", "as_of": "2025-06-01",
                               "insurance[0].scheme": "employee_medical",
                               "insurance[0].place": "Yantai", "insurance[0].from": "2000-01"})
    html = r.text
    recognition = card(html, RECOGNITION_RULE)
    assert 'data-status="undetermined"' in recognition
    assert 'data-missing="target"' in recognition
    assert "Where does the person ask" in text(recognition)
    assert 'data-question="target"' in html and 'href="#f-target"' in html


def test_problems_are_named_beside_their_fields(client):
    r = client.post("/", data={**CASE_FORM, "insurance[1].to": "2015-01",
                               "insurance[0].place": "烟苔", "person.birth_date": "1975-02-30"})
    assert r.status_code == 422
    html = r.text
    assert 'href="#f-insurance-1-to"' in html
    # the Chinese page words its problems in Chinese (they were English only)
    assert re.search(r'id="f-insurance-1-to-err"[^>]*>早于 &#39;from&#39; 的月份<', html)
    assert re.search(r'id="f-insurance-0-place"[^>]*aria-invalid="true"', html)
    assert "没有名为“烟苔”的地点" in html
    assert 'id="f-person-birth_date-err"' in html and "1975 年 2 月没有 30 日" in html
    assert "month before" not in html and "calendar date" not in html
    english = client.post("/", data={**CASE_FORM, "_lang": "en", "insurance[1].to": "2015-01",
                                     "person.birth_date": "1975-02-30"}).text
    assert re.search(r'id="f-insurance-1-to-err"[^>]*>month before &#39;from&#39;<', english)
    assert "calendar date" in english
    # what was typed stays in the form
    assert 'value="烟苔"' in html and 'value="2015-01"' in html
    assert "data-as-of" not in html  # no decisions from invalid facts


def test_rows_added_and_removed_without_javascript(client):
    r = client.post("/", data={**CASE_FORM, "_op": "add:cards"})
    assert r.status_code == 200 and "data-as-of" not in r.text
    assert 'name="cards[0].kind"' in r.text and 'name="insurance[1].place"' in r.text
    r = client.post("/", data={**CASE_FORM, "_op": "remove:insurance:0"})
    assert 'name="insurance[1].place"' not in r.text
    assert re.search(r'name="insurance\[0\]\.place" value="Qingdao"', r.text)


def test_language_switch_keeps_the_facts_and_the_decisions(client):
    r = client.post("/", data={**CASE_FORM, "_evaluated": "1", "_op": "lang:en"})
    assert '<html lang="en">' in r.text
    assert "eligible" in text(card(r.text, RECOGNITION_RULE))
    before = client.post("/", data={**CASE_FORM, "_op": "lang:en"})  # nothing decided yet
    assert '<html lang="en">' in before.text and "data-as-of" not in before.text


def test_facts_the_form_has_no_field_for_go_in_the_json_box(client):
    r = client.post("/", data={**CASE_FORM, "_extra": '{"person": {"sex": "female"}}'})
    assert r.status_code == 200
    bad = client.post("/", data={**CASE_FORM, "_extra": "{nope"})
    assert bad.status_code == 422 and 'href="#f-extra"' in bad.text
    wrong = client.post("/", data={**CASE_FORM, "_extra": '{"persn": 1}'})
    assert wrong.status_code == 422 and "是否应为 &#39;person&#39;" in wrong.text
    english = client.post("/", data={**CASE_FORM, "_lang": "en", "_extra": '{"persn": 1}'})
    assert english.status_code == 422 and "did you mean &#39;person&#39;" in english.text


def test_the_page_refuses_oversized_forms(client):
    r = client.post("/", data={"request.service": "x" * 300_000})
    assert r.status_code == 413


def test_user_text_is_escaped(client):
    r = client.post("/", data={**CASE_FORM, "insurance[0].place": "<script>alert(1)</script>"})
    assert "<script>alert(1)</script>" not in r.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text


# --- the timeline --------------------------------------------------------------------------------


def _timeline(path: str, lang: str = "zh"):
    import tongcheng
    from tongcheng.service.page import timeline
    from tongcheng.situation import load_situation

    situation = load_situation(ROOT / "examples" / path)
    result = tongcheng.evaluate(situation)
    return timeline(situation, result, tongcheng.bundled_pack(), default_registry(), lang)


def test_timeline_marks_fund_months_transferable_to_the_target():
    t = _timeline("fund-transfer-weifang-qingdao.yaml", "en")
    lanes = {(lane["city"], lane["kind"]): lane for lane in t["lanes"]}
    assert set(lanes) == {("370200", "fund"), ("370700", "fund")}
    assert t["lanes"][0]["city"] == "370200"  # the target's city first
    assert lanes[("370700", "fund")]["months"] == 94
    assert lanes[("370700", "fund")]["recognised"] == 94
    assert lanes[("370200", "fund")]["months"] == 66  # 2020-01 .. 2025-06, still depositing
    assert t["has_fund"] and not t["has_insurance"] and not t["has_deemed"]
    assert t["as_of"] == "2025-06"


def test_timeline_deemed_years_are_drawn_but_not_recognised():
    t = _timeline("retiree-minimum-qingdao-2026.yaml")
    gaomi = next(lane for lane in t["lanes"] if lane["city"] == "370700")
    deemed = [b for b in gaomi["bars"] if b["deemed"]]
    assert len(deemed) == 1 and not deemed[0]["recognised"]
    assert t["has_deemed"]
    assert all(0 <= b["x"] <= 100 and b["x"] + b["w"] <= 100.01
               for lane in t["lanes"] for b in lane["bars"])


def test_no_timeline_without_periods():
    import tongcheng
    from tongcheng.service.page import timeline
    from tongcheng.situation import parse_situation

    situation = parse_situation({"as_of": "2025-06-01", "target": "370200", "insurance": []})
    result = tongcheng.evaluate(situation)
    assert timeline(situation, result, tongcheng.bundled_pack(), default_registry(), "zh") is None


# --- whatever is posted, the page answers (never a server error) ----------------------------------

_NAMES = [
    "_lang", "_op", "_evaluated", "_extra", "_none.insurance", "_none.cards", "target", "as_of",
    "request.service", "person.birth_date", "person.sex", "person.hukou", "person.employment",
    "person.retired_on", "person.pension_place", "provident_fund.balance",
    "provident_fund.outstanding_loans", "provident_fund.couple_application",
    "insurance[0].scheme", "insurance[0].place", "insurance[0].from", "insurance[0].to",
    "insurance[0].deemed", "insurance[7].place", "provident_fund.periods[0].place",
    "provident_fund.periods[0].from", "person.residence[0].since", "cards[0].kind",
    "cards[0].issuer", "insurance[x].place", "person", "insurance",
]
_VALUES = [
    "", "青岛", "Qingdao", "370200", "370282", "999999", "2025-06-01", "2025-13", "2000-01",
    "employee_medical", "retired", "male", "true", "on", "-5", "1e999", "NaN", "add:insurance",
    "remove:insurance:0", "remove:cards:9", "lang:en", "lang:xx", "evaluate", '{"person": 5}',
    '{"results": []}', "[" * 3000, "<b>x</b>", "\x00", "朝阳区",
]


def test_any_form_gets_an_answer_never_a_server_error(client):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    pairs = st.lists(st.tuples(st.sampled_from(_NAMES),
                               st.sampled_from(_VALUES) | st.text(max_size=12)), max_size=14)

    @settings(max_examples=120, deadline=None, derandomize=True)
    @given(pairs)
    def check(form):
        body = urlencode(form).encode()
        r = client.post("/", content=body,
                        headers={"content-type": "application/x-www-form-urlencoded"})
        assert r.status_code in (200, 409, 422), r.text[:500]
        assert r.headers["content-type"].startswith("text/html")

    check()


def test_outcome_codes_show_as_words_of_the_page_language(client):
    form = {**CASE_FORM, "target": "370211", "person.birth_date": "1960-01-01"}
    zh = text(card(client.post("/", data=form).text, "transit.senior_free_ride"))
    assert "琴岛通老年卡(凭身份证办理)" in zh and "是" in zh
    assert "qindaotong" not in zh and "ID card" not in zh and "True" not in zh
    en = text(card(client.post("/", data={**form, "_lang": "en"}).text,
                   "transit.senior_free_ride"))
    assert "Qindaotong senior card (applied for with an ID card)" in en
    assert "琴岛通老年卡" not in en


def test_a_pack_defect_is_said_on_the_page_in_its_language():
    """A rule conflict met while deciding: 409, the rule and both exceptions named, in the
    caseworker's language (no English sentence on the Chinese page)."""
    from servicetools import ROOT, test_client

    from tongcheng.service import create_app

    form = {"as_of": "2025-06-01", "target": "370200"}
    with test_client(create_app(ROOT / "tests" / "packs" / "conflict")) as c:
        zh = c.post("/", data=form)
        en = c.post("/", data={**form, "_lang": "en"})
    assert zh.status_code == en.status_code == 409
    assert "test.conflicting_exceptions" in zh.text and "同时适用且结论不同" in zh.text
    assert "disagree" not in zh.text
    assert "both apply and disagree" in en.text
