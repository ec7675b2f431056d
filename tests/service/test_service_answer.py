"""The evaluate endpoint writes its answer without building the contract's dicts
(``tongcheng.service.answer``): the bytes must be exactly the library's JSON (each text in the
answer's language only), for every example, both languages, with and without the trace, and the
writer must step aside when it cannot vouch for that."""

from __future__ import annotations

import json
from datetime import date

import pytest
from servicetools import ROOT, test_client

import tongcheng
from tongcheng.evaluate.evaluator import evaluate
from tongcheng.places import default_registry
from tongcheng.service import answer
from tongcheng.service.answer import AnswerWriter
from tongcheng.service.deps import dumps, narrow
from tongcheng.service.deps import json_default as _json_default
from tongcheng.situation import load_situation

EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


def library_bytes(situation, lang: str, trace: bool, as_of: date | None = None) -> bytes:
    result = evaluate(tongcheng.bundled_pack(), situation, as_of=as_of,
                      registry=default_registry(), trace=trace)
    return dumps(narrow(result.to_json(lang), lang))


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_answer_bytes_are_the_librarys_json_for_every_example(client, path):
    situation = load_situation(path)
    for lang in ("zh", "en"):
        for trace in (True, False):
            for as_of in (None, date(2019, 1, 1), date(2031, 3, 1)):
                body = {"situation": situation.to_dict(), "lang": lang, "trace": trace}
                if as_of:
                    body["as_of"] = as_of.isoformat()
                r = client.post("/v1/evaluate", json=body,
                                headers={"accept-encoding": "identity"})
                assert r.status_code == 200, r.text
                assert r.headers["content-type"] == "application/json"
                assert r.headers["content-length"] == str(len(r.content))
                assert r.content == library_bytes(situation, lang, trace, as_of), (
                    path.name, lang, trace, as_of)


def test_examples_meet_every_part_of_a_decision():
    """The examples above reach exceptions, outcomes, unverified parameters, readings and
    questions, so the byte comparison covers every optional key the writer writes."""
    seen: set[str] = set()
    for path in EXAMPLES:
        result = evaluate(tongcheng.bundled_pack(), load_situation(path), trace=False)
        out = result.to_json("en")
        for d in out["decisions"]:
            seen.update(k for k in ("exception", "reading", "unverified_parameters") if k in d)
            if d["outcome"]:
                seen.add("outcome")
        if out["questions"]:
            seen.add("questions")
    assert seen == {"exception", "reading", "unverified_parameters", "outcome", "questions"}


def test_writer_checks_itself_against_to_json_at_start(app):
    assert app.state.answer_writer.fast, (
        "the answer writer failed its start-up check against Evaluation.to_json: answers are "
        "still right (written through to_json) but slow; update tongcheng/service/answer.py"
    )
    situation = load_situation(EXAMPLES[0])
    result = evaluate(tongcheng.bundled_pack(), situation)
    writer = AnswerWriter(dumps, _json_default, narrow)
    assert writer.check([result])
    assert writer.fast


def test_writer_falls_back_to_to_json_on_any_difference():
    situation = load_situation(EXAMPLES[0])
    result = evaluate(tongcheng.bundled_pack(), situation)
    writer = AnswerWriter(dumps, _json_default, narrow)
    writer.reference = lambda result, lang: b"{}"  # type: ignore[method-assign]
    assert not writer.check([result])
    assert not writer.fast
    assert writer.write(result, "zh") == b"{}"


def test_writer_falls_back_when_the_decision_classes_change(monkeypatch):
    monkeypatch.setattr(answer, "_DECISION_FIELDS", (*answer._DECISION_FIELDS, "new_field"))
    writer = AnswerWriter(dumps, _json_default, narrow)
    assert not writer.fast
    result = evaluate(tongcheng.bundled_pack(), load_situation(EXAMPLES[0]))
    assert writer.write(result, "en") == dumps(narrow(result.to_json("en"), "en"))


def test_question_texts_are_cached_within_a_bound(monkeypatch):
    monkeypatch.setattr(answer, "_MAX_QUESTIONS", 3)
    writer = AnswerWriter(dumps, _json_default, narrow)
    for i in range(10):
        head = writer._question(f"insurance[{i}].place", "zh")
        assert json.loads(head + b"[]}")["path"] == f"insurance[{i}].place"
    assert len(writer._questions) <= 3


def without_lane(app):
    """The app with every request going through FastAPI's middleware and router."""
    app.front = None
    return app


def test_the_fast_lane_answers_as_the_route_does():
    """``POST /v1/evaluate`` skips the router; without the lane the route gives the same
    answers, headers and errors."""
    from tongcheng.service.app import create_app

    with_lane = create_app()
    without = without_lane(create_app())
    situation = load_situation(EXAMPLES[0]).to_dict()
    bodies = [
        {"situation": situation, "lang": "en", "trace": False},
        {"situation": situation},
        {"situation": {**situation, "target": "999999"}},
        {"situation": situation, "rules": ["no.such_rule"], "trace": "no"},
        [],
    ]
    # gzip asked (httpx asks by default) and not; the language from the header; the query's
    # lang, fields and trace, and its problems
    asked = [({}, ""), ({"accept-encoding": "identity", "accept-language": "en;q=0.8"}, ""),
             ({"accept-language": "en"}, "?fields=status,missing&trace=true"),
             ({}, "?lang=fr&fields=nope")]
    with test_client(with_lane) as a, test_client(without) as b:
        for body in bodies:
            for extra, query in asked:
                same = {"x-request-id": "lane-check", **extra}
                ra = a.post(f"/v1/evaluate{query}", json=body, headers=same)
                rb = b.post(f"/v1/evaluate{query}", json=body, headers=same)
                assert ra.status_code == rb.status_code
                assert ra.content == rb.content
                assert ra.headers.multi_items() == rb.headers.multi_items()
        # the lane's answer carries Guard's and gzip's headers (the lane went first)
        r = a.post("/v1/evaluate", json=bodies[0], headers={"accept-encoding": "gzip"})
        assert r.headers["content-encoding"] == "gzip" and r.headers["vary"] == "Accept-Encoding"
        assert r.headers["x-content-type-options"] == "nosniff" and r.headers["x-request-id"]
        assert r.headers["x-situation-digest"].startswith("sha256:")
        big = b"{" + b" " * 300_000 + b"}"
        for raw in (b"{", b"", "{}".encode("utf-16"), big):
            ra = a.post("/v1/evaluate", content=raw, headers={"content-type": "application/json"})
            rb = b.post("/v1/evaluate", content=raw, headers={"content-type": "application/json"})
            assert (ra.status_code, ra.content) == (rb.status_code, rb.content)
    # a defect of the pack met while evaluating: 409 naming the rule, both ways
    conflict = {"situation": {"as_of": "2025-06-01", "target": "370200"}}
    answers = []
    for lanes in (True, False):
        app = create_app(ROOT / "tests" / "packs" / "conflict")
        if not lanes:
            without_lane(app)
        with test_client(app) as c:
            r = c.post("/v1/evaluate", json=conflict)
            answers.append((r.status_code, r.content))
    assert answers[0] == answers[1]
    assert answers[0][0] == 409
