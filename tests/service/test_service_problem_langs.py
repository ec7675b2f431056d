"""Refusals and request errors in the request's language: Chinese by default, English when the
request asks (``?lang=en``, ``Accept-Language: en``, or the body's ``"lang": "en"`` where the
endpoint reads one). A Chinese answer holds no English sentence."""

from __future__ import annotations

import re
from html import unescape

import pytest

ENGLISH = ("expected", "unknown", "must", "got", "allowed", "larger", "request", "body", "not",
           "found", "should")
JSON_TYPE = {"content-type": "application/json"}
EN = {"accept-language": "en-GB,en;q=0.9"}


def assert_chinese(message: str) -> None:
    """Chinese, with no English word but what is quoted, codes and keys (``YYYY-MM``,
    ``situation, from, to``): never two English words in a row."""
    assert re.search(r"[\u4e00-\u9fff]", message), message
    bare = re.sub(r"'[^']*'|\"[^\"]*\"|“[^”]*”", "", message).lower()
    assert not [w for w in ENGLISH if re.search(rf"\b{w}\b", bare)], message
    assert not re.search(r"\b[a-z]{2,} [a-z]{2,}\b", bare), message


def messages(response) -> dict[str, str]:
    assert response.headers["content-type"].startswith("application/json"), response.text
    return {p["path"]: p["message"] for p in response.json()["problems"]}


# --- refused at the door: the query's or the header's language, else zh -------------------------

BIG = b'{"situation": {"request": {"service": "' + b"x" * 300_000 + b'"}}}'


@pytest.mark.parametrize("path", ["/v1/evaluate", "/v1/timeline"])
def test_a_body_declared_too_large_is_413_in_the_request_language(client, path):
    zh = client.post(path, content=BIG, headers=JSON_TYPE)
    assert zh.status_code == 413
    assert messages(zh)[""] == "请求体超过 262144 字节"
    assert_chinese(messages(zh)[""])
    for asked in ({"params": {"lang": "en"}}, {"headers": {**JSON_TYPE, **EN}}):
        en = client.post(path, content=BIG, **{"headers": JSON_TYPE, **asked})
        assert en.status_code == 413
        assert messages(en)[""] == "request body larger than 262144 bytes"


def test_a_body_found_too_large_while_read_is_413_in_the_request_language(client):
    def chunks():  # no Content-Length: counted as it arrives
        for _ in range(30):
            yield b" " * 10_000

    zh = client.post("/v1/evaluate", content=chunks(), headers=JSON_TYPE)
    assert zh.status_code == 413
    assert_chinese(messages(zh)[""])
    en = client.post("/v1/evaluate", content=chunks(), headers={**JSON_TYPE, **EN})
    assert "larger than 262144 bytes" in messages(en)[""]


# --- the timeline's request: the body's lang, else the header's, else zh ------------------------

TIMELINE = {"situation": {}, "from": "2020-01", "to": "2020-12", "colour": "red"}


def test_an_unknown_key_of_a_timeline_request_in_the_request_language(client):
    zh = messages(client.post("/v1/timeline", json=TIMELINE))
    assert zh["colour"].startswith("未知的键") and "situation, from, to" in zh["colour"]
    assert_chinese(zh["colour"])
    en = messages(client.post("/v1/timeline", json={**TIMELINE, "lang": "en"}))
    assert en["colour"].startswith("unknown key; allowed keys: situation, from, to")
    assert messages(client.post("/v1/timeline", json=TIMELINE, headers=EN)) == en
    # the body's lang wins over the header's
    assert messages(client.post("/v1/timeline", json={**TIMELINE, "lang": "zh"},
                                headers=EN)) == zh


def test_every_problem_of_a_timeline_request_in_chinese(client):
    response = client.post("/v1/timeline", json={
        "situation": [], "from": "2020-13", "to": 2030, "rules": ["nope"], "lang": "fr"})
    found = messages(response)
    assert set(found) == {"situation", "from", "to", "rules", "lang"}
    for message in found.values():
        assert_chinese(message)
    assert_chinese(messages(client.post("/v1/timeline", content=b"[1]"))[""])


# --- the batch's framing: the query's lang, else the header's, else zh ---------------------------


def test_a_batch_that_is_not_an_array_in_the_request_language(client):
    zh = messages(client.post("/v1/evaluate/batch", json={"situation": {}}))
    assert zh[""].startswith("应为由求值请求组成的 JSON 数组")
    assert_chinese(zh[""])
    en = messages(client.post("/v1/evaluate/batch?lang=en", json={"situation": {}}))
    assert en[""] == ("expected a JSON array of evaluate requests (or NDJSON lines), "
                      "got a mapping")
    assert messages(client.post("/v1/evaluate/batch", json={}, headers=EN)) == en
    assert_chinese(messages(client.post("/v1/evaluate/batch", json=[]))[""])


def test_a_batch_item_with_a_bad_id_in_the_request_language(client):
    zh = client.post("/v1/evaluate/batch", json=[{"id": [1], "situation": {}}]).json()
    assert_chinese(zh["problems"][0]["message"])
    en = client.post("/v1/evaluate/batch?lang=en", json=[{"id": [1], "situation": {}}]).json()
    assert en["problems"][0]["message"].startswith("expected a string of at most 200")


# --- the catalogue, the query's own checks, routes -----------------------------------------------


@pytest.mark.parametrize(
    ("url", "status", "path", "english"),
    [
        ("/v1/rules/nope", 404, "rule_id", "unknown rule 'nope'"),
        ("/v1/zones/nope", 404, "zone_id", "unknown zone 'nope'"),
        ("/v1/parameters/nope", 404, "parameter_id", "unknown parameter 'nope'"),
        ("/v1/places/12", 422, "code", "expected a six-digit place code"),
        ("/v1/places/999999", 404, "code", "unknown place code '999999'"),
        ("/v1/places?limit=0", 422, "limit", "greater than or equal to 1"),
        ("/v1/places?q=" + "x" * 101, 422, "q", "at most 100 characters"),
        ("/v1/no/such/route", 404, "", "Not Found"),
    ],
)
def test_catalogue_refusals_in_the_request_language(client, url, status, path, english):
    zh = client.get(url)
    assert zh.status_code == status
    assert_chinese(messages(zh)[path])
    en = client.get(url + ("&" if "?" in url else "?") + "lang=en")
    assert english in messages(en)[path]
    assert english in messages(client.get(url, headers=EN))[path]


def test_a_bad_lang_in_the_query_is_said_in_chinese_unless_the_header_asks(client):
    zh = messages(client.get("/v1/rules?lang=fr"))
    assert zh["lang"] == "应为以下之一:'zh'、'en'"
    assert "Input should be 'zh' or 'en'" in messages(client.get("/v1/rules?lang=fr",
                                                                 headers=EN))["lang"]


def test_a_method_the_route_does_not_take(client):
    assert messages(client.put("/v1/rules"))[""] == "此地址不接受该请求方法"
    assert messages(client.put("/v1/rules?lang=en"))[""] == "Method Not Allowed"


# --- the page's form: the form's language ---------------------------------------------------------


def page_problems(response) -> dict[str, str]:
    box = re.search(r'<div class="problems".*?</div>', response.text, re.S)
    assert box, response.text[:400]
    items = re.findall(r"<li[^>]*>(.*?)</li>", box.group(0), re.S)
    out = {}
    for item in items:
        text = unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", item))).strip()
        field, _, message = text.partition(" : ")
        out[field.strip()] = message.strip()
    return out


def test_bad_form_fields_are_said_in_the_form_language(client):
    form = {"target": "烟苔", "as_of": "2025-06-01", "_extra": "{"}
    zh = client.post("/", data={"_lang": "zh", **form})
    assert zh.status_code == 422
    found = page_problems(zh)
    assert found["target"].startswith("没有名为“烟苔”的地点")
    assert "不是有效的 JSON" in found["_extra"]
    for message in found.values():
        assert_chinese(message)
    en = page_problems(client.post("/", data={"_lang": "en", **form, "_extra": "[1]"}))
    assert en["target"].startswith("no place named '烟苔'")
    assert en["_extra"].startswith("expected a JSON object of situation keys")
    zh = page_problems(client.post("/", data={"_lang": "zh", **form, "_extra": "[1]"}))
    assert zh["_extra"].startswith("应为情形各项的 JSON 对象")


@pytest.mark.parametrize(("header", "lang"), [
    ("en-US;q=0.9;level=1", "en"),  # a parameter after q
    ("en-US;level=1;q=0.9, zh;q=0.5", "en"),  # q after another parameter
    ("zh;Q=0.1, en;Q=0.8", "en"),  # the parameter's name in capitals (RFC 9110: no case)
    ("en ; q = 0.7", "en"),  # spaces about the separators
    ("en;q=2, zh;q=0.5", "zh"),  # a weight past 1 is no weight: that range is ignored
    ("en;q=nan, zh;q=0.1", "zh"),
    ("en;q=0", "zh"),  # "not English": the default
    ("*", "zh"),
])
def test_accept_language_is_read_as_rfc_9110_writes_it(client, header, lang):
    answer = client.get("/nowhere", headers={"accept-language": header})
    assert answer.status_code == 404
    assert answer.json()["problems"][0]["message"] == (
        "Not Found" if lang == "en" else "没有这个地址")
