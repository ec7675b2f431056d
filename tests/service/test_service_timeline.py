"""``POST /v1/timeline`` and the page's strips: the same timeline as the library, problems by
path, and one strip per rule in a real browser."""

from __future__ import annotations

import pagetools as pt
from selenium.webdriver.common.by import By
from servicetools import RECOGNITION_RULE

import tongcheng
from tongcheng.months import parse_month
from tongcheng.service.deps import narrow
from tongcheng.situation import parse_situation
from tongcheng.timeline import build

SITUATION = {
    "target": "370200",
    "insurance": [
        {"scheme": "employee_medical", "place": "370600", "from": "2000-01", "to": "2015-12"},
        {"scheme": "employee_medical", "place": "370200", "from": "2016-01", "to": "2025-05"},
    ],
}


def test_the_api_answers_the_librarys_timeline(client):
    body = {"situation": SITUATION, "from": "2020-01", "to": "2030-12", "lang": "en"}
    response = client.post("/v1/timeline", json=body)
    assert response.status_code == 200, response.text
    assert response.headers["x-situation-digest"].startswith("sha256:")
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-rule-pack-digest"] == tongcheng.bundled_pack().info.digest
    want = build(tongcheng.bundled_pack(), parse_situation(SITUATION), parse_month("2020-01"),
                 parse_month("2030-12")).to_json("en")
    assert response.json() == narrow(want, "en")  # texts in the answer's language only
    assert response.json()["rules"][0]["title"] == {"en": want["rules"][0]["title"]["en"]}
    rule = next(r for r in response.json()["rules"] if r["rule"] == RECOGNITION_RULE)
    assert [c["day"] for c in rule["changes"]] == ["2023-10-06", "2025-04-28"]
    assert rule["changes"][1]["why"][0]["kind"] == "zone_opened"
    only = client.post("/v1/timeline", json={k: v for k, v in body.items() if k != "lang"} | {
        "rules": [RECOGNITION_RULE]}, headers={"accept-language": "zh-CN,en;q=0.5"})
    assert [r["rule"] for r in only.json()["rules"]] == [RECOGNITION_RULE]
    assert only.headers["content-language"] == "zh"
    assert "都市圈" in only.json()["rules"][0]["changes"][0]["why"][0]["text"]
    # the query's lang, as on every endpoint with text (the body's would win)
    queried = client.post("/v1/timeline?lang=en", json={
        k: v for k, v in body.items() if k != "lang"} | {"rules": [RECOGNITION_RULE]},
        headers={"accept-language": "zh-CN"})
    assert queried.headers["content-language"] == "en"
    assert "metro" in queried.json()["rules"][0]["changes"][0]["why"][0]["text"].lower()


def test_the_api_names_every_problem(client):
    response = client.post("/v1/timeline", json={
        "situation": {"insurance": [{"scheme": "x", "place": "370200", "from": "2020-01"}]},
        "from": "2020-13", "to": 2030, "rules": ["nope"], "lang": "fr", "as_of": "2020-01-01"})
    assert response.status_code == 422
    paths = {p["path"] for p in response.json()["problems"]}
    assert paths == {"as_of", "from", "to", "rules", "lang", "insurance[0].scheme"}
    long = client.post("/v1/timeline", json={"situation": {}, "from": "1950-01",
                                             "to": "2030-12"})
    assert long.status_code == 422 and "240 个月" in long.json()["problems"][0]["message"]
    long = client.post("/v1/timeline", json={"situation": {}, "from": "1950-01",
                                             "to": "2030-12", "lang": "en"})
    assert long.status_code == 422 and "240 months" in long.json()["problems"][0]["message"]
    many = client.post("/v1/timeline", json={"situation": {"insurance": [
        {"scheme": "pension", "place": "370200", "from": "2010-01"}] * 101},
        "from": "2020-01", "to": "2020-12"})
    assert many.status_code == 422 and many.json()["problems"][0]["path"] == "insurance"
    born = client.post("/v1/timeline", json={"situation": {"person": {
        "birth_date": "2024-01-01"}}, "from": "2020-01", "to": "2030-12"})
    assert born.status_code == 422
    # (the request's own names for the bounds, not the command line's)
    assert born.json()["problems"] == [{"path": "from", "message": (
        "'from' 2020-01 早于此人出生(2024-01-01):请从 2024-01 或之后开始")}]
    born = client.post("/v1/timeline", json={"situation": {"person": {
        "birth_date": "2024-01-01"}}, "from": "2020-01", "to": "2030-12"},
        headers={"accept-language": "en"})
    assert born.json()["problems"][0]["message"] == (
        "'from' 2020-01 is before the person's birth (2024-01-01): start at 2024-01 or later")
    assert client.post("/v1/timeline", content=b"[1]").status_code == 422
    assert client.post("/v1/timeline", content=b"x", headers={
        "content-type": "text/plain"}).status_code == 415


def test_the_openapi_document_has_the_timeline(client):
    spec = client.get("/v1/openapi.json").json()
    post = spec["paths"]["/v1/timeline"]["post"]
    schema = post["requestBody"]["content"]["application/json"]["schema"]
    assert schema["required"] == ["situation", "from", "to"]
    assert schema["properties"]["situation"] == {"$ref": "#/components/schemas/Situation"}
    assert {"200", "422", "409"} <= set(post["responses"])


def test_the_page_draws_a_strip_per_rule(client):
    form = {"lang": "en", "target": "青岛", "insurance[0].scheme": "employee_medical",
            "insurance[0].place": "烟台", "insurance[0].from": "2000-01",
            "insurance[0].to": "2015-12", "insurance[1].scheme": "employee_medical",
            "insurance[1].place": "370200", "insurance[1].from": "2016-01",
            "insurance[1].to": "2025-05", "as_of": "2025-06-01", "op": "decide"}
    page = client.post("/", data=form).text
    pack = tongcheng.bundled_pack()
    for rule in pack.rule_ids:
        assert f'<g class="strip" data-rule="{rule}">' in page
    assert "2023-10-06: " in page and "2025-04-28: " in page


def test_the_strips_in_a_browser(browser, live_server):
    pt.open_page(browser, live_server.url, "en")
    pt.fill_recognition_case(browser, target="Qingdao", first_place="Yantai",
                             second_place="qingdao")
    pt.submit(browser)
    strips = browser.find_elements(By.CSS_SELECTOR, "section.strips g.strip")
    assert len(strips) == len(tongcheng.bundled_pack().rules)
    row = browser.find_element(By.CSS_SELECTOR, f'g.strip[data-rule="{RECOGNITION_RULE}"]')
    cells = row.find_elements(By.CSS_SELECTOR, "rect.cell")
    assert [c.get_attribute("data-status") for c in cells][-1] == "eligible"
    assert all(c.size["width"] > 0 for c in cells)
    browser.find_element(By.CSS_SELECTOR, "details.strip-changes summary").click()
    change = browser.find_element(By.CSS_SELECTOR,
                                  f'li[data-rule="{RECOGNITION_RULE}"][data-day="2025-04-28"]')
    assert "Jiaodong" in change.text and change.is_displayed()
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
