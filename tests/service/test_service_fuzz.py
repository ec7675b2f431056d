"""Fuzzing the HTTP service (hypothesis, bounded by the profile's example count): arbitrary
JSON values, byte strings, situations with one fact replaced by anything, path segments, query
strings and page forms. The property is the contract: every answer is a 2xx or 4xx, a 4xx says
its problems in the problems shape (JSON) or on the page (HTML), and nothing is logged as an
unexpected error. (The test client raises any server exception, so a 500 fails the test.)"""

from __future__ import annotations

import json
import logging
from urllib.parse import quote, urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st
from servicetools import RECOGNITION_CASE

from tongcheng import testing
from tongcheng.service.page import LIST_BY_PATH, SCALAR_FIELDS

JSON_TYPE = {"content-type": "application/json"}

scalars = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
           | st.text(max_size=30) | st.sampled_from(["", "370200", "2025-06-01", "2025-13",
                                                     "²", "①", "9" * 5000, "\ud800"]))
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=12), inner,
                                                                  max_size=5),
    max_leaves=25,
)


class Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="module")
def errors():
    handler = Errors()
    logger = logging.getLogger("tongcheng.service")
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)
    assert handler.records == [], [r.getMessage() for r in handler.records]


def check(r) -> None:
    assert 200 <= r.status_code < 500, (r.status_code, r.text[:500])
    kind = r.headers.get("content-type", "")
    if r.status_code >= 400 and kind.startswith("application/json"):
        problems = r.json()["problems"]
        assert problems and all({"path", "message"} <= p.keys() for p in problems)
    assert "Traceback" not in r.text


def dump(value) -> bytes:
    """JSON text, lone surrogates as escapes (as a client would send them)."""
    return json.dumps(value, ensure_ascii=True).encode()


@given(body=json_values)
def test_any_json_value_as_the_body(client, errors, body):
    check(client.post("/v1/evaluate", content=dump(body), headers=JSON_TYPE))


@given(body=st.binary(max_size=300))
def test_any_bytes_as_the_body(client, errors, body):
    check(client.post("/v1/evaluate", content=body, headers=JSON_TYPE))


@given(data=st.data(), options=st.dictionaries(
    st.sampled_from(["as_of", "rules", "lang", "trace", "fields"]), json_values, max_size=3))
def test_a_situation_with_one_fact_replaced_by_anything(client, errors, data, options):
    situation = data.draw(testing.situations())
    paths = [p for p in testing.removable_paths(situation) if p]
    if paths:
        path = data.draw(st.sampled_from(paths))
        testing.set_path(situation, path, data.draw(json_values))
    body = {"situation": situation, **options}
    check(client.post("/v1/evaluate", content=dump(body), headers=JSON_TYPE))


segments = st.text(max_size=40) | st.sampled_from(["370200", "jiaodong", "%ED%A0%80", "..",
                                                   "a/b", "medical_insurance.retiree_min_months"])


@given(
    where=st.sampled_from(["rules", "zones", "parameters", "places"]),
    segment=segments,
    query=st.dictionaries(st.sampled_from(["q", "limit", "lang", "offset", "fields"]),
                          st.text(max_size=20), max_size=3),
)
def test_any_path_segment_and_query(client, errors, where, segment, query):
    url = f"/v1/{where}/{quote(segment, safe='%')}"
    check(client.get(url, params=query))
    check(client.get(f"/v1/{where}", params=query))


field_names = st.sampled_from(
    [*SCALAR_FIELDS, *(f"{path}[{i}].{f.name}" for path, spec in LIST_BY_PATH.items()
                       for f in spec.fields for i in (0, 1, 59, 60)),
     "_op", "_lang", "_extra", "_evaluated", "_none.cards", "_none.insurance"]
) | st.text(max_size=20)
ops = st.sampled_from(["evaluate", "add:insurance", "add:cards", "remove:insurance:0",
                       "remove:insurance:²", "lang:en", "lang:zz", "export:json"]) | st.text(
    max_size=20)
form_values = st.text(max_size=40) | st.sampled_from(
    ["青岛", "Qingdao", "370200", "2025-06-01", "2000-13", "{}", '{"results": [1]}',
     '{"a": "\\ud800"}', "[" * 2000, "1e999", "-1", "on"])


@given(pairs=st.lists(st.tuples(field_names, form_values), max_size=12), op=ops)
def test_any_page_form(client, errors, pairs, op):
    body = urlencode([*pairs, ("_op", op)]).encode()
    r = client.post("/", content=body,
                    headers={"content-type": "application/x-www-form-urlencoded"})
    check(r)


@given(body=st.binary(max_size=300))
def test_any_bytes_as_the_page_form(client, errors, body):
    check(client.post("/", content=body,
                      headers={"content-type": "application/x-www-form-urlencoded"}))


def test_the_recognition_case_still_decides(client):
    """The fuzzed endpoints still answer the contract's case (the fuzz is not all refusals)."""
    r = client.post("/v1/evaluate", content=dump({"situation": RECOGNITION_CASE}),
                    headers=JSON_TYPE)
    assert r.status_code == 200
