"""The /v1 API as a portal developer meets it: the contract's decisions, problems named by path,
refusals that say why, and the rule pack's catalogue."""

from __future__ import annotations

import copy
import json
import subprocess
import sys

import pytest
from servicetools import RECOGNITION_CASE, RECOGNITION_RULE, ROOT, test_client

import tongcheng
from tongcheng.service.deps import narrow
from tongcheng.situation import situation_json_schema

CONFLICT_PACK = ROOT / "tests" / "packs" / "conflict"


def post(client, body, **kwargs):
    return client.post("/v1/evaluate", json=body, **kwargs)


def problems(response) -> dict[str, str]:
    assert response.headers["content-type"].startswith("application/json")
    return {p["path"]: p["message"] for p in response.json()["problems"]}


# --- evaluate ------------------------------------------------------------------------------------


def test_golden_case_yantai_qingdao_worker_is_recognised_305_months(client):
    r = post(client, {"situation": RECOGNITION_CASE, "lang": "en"})
    assert r.status_code == 200, r.text
    d = next(d for d in r.json()["decisions"] if d["rule"] == RECOGNITION_RULE)
    assert d["status"] == "eligible"
    assert d["outcome"]["recognized_months"] == 305
    assert d["outcome"]["processing_limit_working_days"] == 9
    assert d["reasons"] and d["basis"]


def test_answer_is_the_librarys_json_in_one_language(client):
    for lang in ("zh", "en"):
        r = post(client, {"situation": RECOGNITION_CASE, "lang": lang})
        assert r.json() == narrow(tongcheng.evaluate(RECOGNITION_CASE).to_json(lang), lang)
        assert r.headers["content-language"] == lang
        out = r.json()
        assert all(d["title"].keys() == {lang} for d in out["decisions"])
        assert all(q["question"].keys() == {lang} for q in out["questions"])


def test_accept_language_chooses_where_lang_is_not_given(client):
    headers = {"accept-language": "en-GB,en;q=0.9,zh-CN;q=0.5"}
    r = post(client, {"situation": RECOGNITION_CASE}, headers=headers)
    assert r.headers["content-language"] == "en"
    assert r.json()["decisions"][0]["title"].keys() == {"en"}
    r = post(client, {"situation": RECOGNITION_CASE, "lang": "zh"}, headers=headers)
    assert r.headers["content-language"] == "zh"  # the body's lang wins
    r = client.post("/v1/evaluate?lang=en", json={"situation": RECOGNITION_CASE},
                    headers={"accept-language": "zh"})
    assert r.headers["content-language"] == "en"  # so does the query's
    r = post(client, {"situation": RECOGNITION_CASE}, headers={"accept-language": "fr, de"})
    assert r.headers["content-language"] == "zh"


def test_fields_choose_the_parts_of_each_decision(client):
    full = post(client, {"situation": RECOGNITION_CASE, "lang": "en"}).json()
    lean = post(client, {"situation": RECOGNITION_CASE, "lang": "en",
                         "fields": ["status", "outcome", "missing"]}).json()
    assert lean.keys() == {"as_of", "rule_pack", "decisions"}
    for a, b in zip(full["decisions"], lean["decisions"], strict=True):
        assert b == {"rule": a["rule"], "status": a["status"], "outcome": a["outcome"],
                     "missing": a["missing"]}
    by_query = client.post("/v1/evaluate?fields=status,questions&lang=en",
                           json={"situation": RECOGNITION_CASE}).json()
    assert by_query["questions"] == full["questions"]
    assert by_query["decisions"][0].keys() == {"rule", "status"}
    bad = post(client, {"situation": RECOGNITION_CASE, "fields": ["status", "reason"],
                        "lang": "en"})
    assert bad.status_code == 422
    assert "did you mean 'reasons'" in problems(bad)["fields[1]"]
    assert "fields[0]" in problems(client.post("/v1/evaluate?fields=nope",
                                               json={"situation": RECOGNITION_CASE}))


def test_the_readme_example_without_trace_is_under_5_kb(client):
    """The README's compact request: untraced, status, outcome, firmness and what is missing."""
    body = {"situation": RECOGNITION_CASE, "lang": "en", "trace": False,
            "fields": ["status", "outcome", "firmness", "missing"]}
    r = post(client, body)
    assert r.status_code == 200
    assert len(r.content) < 5 * 1024, len(r.content)
    d = next(d for d in r.json()["decisions"] if d["rule"] == RECOGNITION_RULE)
    assert d["status"] == "eligible" and d["outcome"]["recognized_months"] == 305


def test_answers_about_a_person_are_not_stored_by_caches(client):
    assert post(client, {"situation": RECOGNITION_CASE}).headers["cache-control"] == "no-store"


def test_default_language_is_chinese(client):
    r = post(client, {"situation": RECOGNITION_CASE})
    d = next(d for d in r.json()["decisions"] if d["rule"] == RECOGNITION_RULE)
    assert d["reasons"][0]["label"] == "规则在评估日期有效"


def test_trace_false_leaves_out_the_reasons_and_nothing_else(client):
    full = post(client, {"situation": RECOGNITION_CASE, "lang": "en"}).json()
    lean = post(client, {"situation": RECOGNITION_CASE, "lang": "en", "trace": False}).json()
    assert all(d["reasons"] == [] for d in lean["decisions"])
    for d in full["decisions"]:
        d["reasons"] = []
    assert lean == full  # unverified_parameters too, though they rest on the trace


def test_rules_filter_and_as_of_override(client):
    r = post(client, {"situation": RECOGNITION_CASE, "rules": [RECOGNITION_RULE],
                      "as_of": "2023-01-01"})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["as_of"] == "2023-01-01"
    assert [d["rule"] for d in out["decisions"]] == [RECOGNITION_RULE]
    # before the metropolitan area (2023-10-06) no zone of the rule is in force
    assert out["decisions"][0]["status"] == "not_applicable"


def test_every_rule_in_the_packs_order(client):
    out = post(client, {"situation": RECOGNITION_CASE}).json()
    assert [d["rule"] for d in out["decisions"]] == list(tongcheng.bundled_pack().rule_ids)


def test_undetermined_decisions_come_with_questions(client):
    out = post(client, {"situation": {"as_of": "2025-06-01", "insurance": []}}).json()
    assert out["questions"], "a situation without target must ask where the person asks"
    target = next(q for q in out["questions"] if q["path"] == "target")
    assert target["question"] == {"zh": "此人在哪个城市或县区办理?"} or target["question"]["zh"]
    en = post(client, {"situation": {"as_of": "2025-06-01", "insurance": []}, "lang": "en"})
    assert next(q for q in en.json()["questions"] if q["path"] == "target")["question"]["en"]


def test_situation_digest_names_the_facts_not_their_spelling(client):
    one = post(client, {"situation": RECOGNITION_CASE})
    reordered = dict(reversed(list(copy.deepcopy(RECOGNITION_CASE).items())))
    reordered["target"] = 370200  # a six-digit number is the same code
    two = post(client, {"situation": reordered, "trace": False})
    other = post(client, {"situation": {**RECOGNITION_CASE, "target": "370600"}})
    assert one.headers["x-situation-digest"].startswith("sha256:")
    assert one.headers["x-situation-digest"] == two.headers["x-situation-digest"]
    assert one.headers["x-situation-digest"] != other.headers["x-situation-digest"]


# --- invalid input: 422 with paths, as on the command line ---------------------------------------


def test_period_ending_before_it_starts_is_named_by_path(client):
    case = copy.deepcopy(RECOGNITION_CASE)
    case["insurance"][1]["to"] = "2015-01"
    r = post(client, {"situation": case, "lang": "en"})
    assert r.status_code == 422
    assert r.json() == {"problems": [{"path": "insurance[1].to", "message": "month before 'from'"}]}
    # in the request's language; Chinese when it does not say, as decisions are
    zh = post(client, {"situation": case})
    assert zh.json() == {"problems": [{"path": "insurance[1].to", "message": "早于 'from' 的月份"}]}


def test_every_problem_is_named_at_once(client):
    case = copy.deepcopy(RECOGNITION_CASE)
    case["persn"] = {}
    case["insurance"][0]["from"] = "2000-13"
    case["insurance"][1]["place"] = "999999"
    r = post(client, {"situation": case, "lang": "en", "rules": ["no.such_rule"], "trace": "no"})
    assert r.status_code == 422
    found = problems(r)
    assert "did you mean 'person'" in found["persn"]
    assert "not a calendar month" in found["insurance[0].from"]
    assert "unknown place code '999999'" in found["insurance[1].place"]
    assert "unknown rule 'no.such_rule'" in found["rules[0]"]
    assert "expected true or false" in found["trace"]
    # a language that is not offered is a problem too, and the others are worded in Chinese
    zh = problems(post(client, {"situation": case, "lang": "fr", "trace": "no"}))
    assert "zh, en" in zh["lang"] and "应为以下之一" in zh["lang"]
    assert "是否应为 'person'" in zh["persn"]
    assert "不是日历上的月份" in zh["insurance[0].from"]
    assert "未知的地区代码 '999999'" in zh["insurance[1].place"]
    assert "应为 true 或 false" in zh["trace"]


def test_same_messages_as_the_command_line(client, tmp_path):
    case = copy.deepcopy(RECOGNITION_CASE)
    case["insurance"][1]["to"] = "2015-01"
    case["person"]["sex"] = "m"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(case), encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "tongcheng.cli", "check", str(path)],
        capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 2
    api = post(client, {"situation": case}).json()["problems"]
    for p in api:
        assert f"{p['path']}: {p['message']}" in proc.stderr


@pytest.mark.parametrize(
    ("body", "path", "words"),
    [
        # a body that cannot be read says nothing of its language: Chinese, the default
        (b"{not json", "", "不是有效的 JSON"),
        (b"", "", "请求体为空"),
        (b"[1, 2]", "", "应为含 'situation' 的 JSON 对象"),
        (b'{"situation": {}, "situation": {}}', "situation", "键 'situation' 出现了两次"),
        (b'{"situation": {"as_of": NaN}}', "", "NaN 不是 JSON 数值"),
        (b"\xff\xfe{}", "", "不是 UTF-8"),
        (b"[" * 100_000 + b"]" * 100_000, "", "不是有效的 JSON"),
        # one that can be read is answered in its language
        (b'{"situation": "target: 370200", "lang": "en"}', "situation", "expected a mapping"),
        (b'{"lang": "en"}', "situation", "required key is missing"),
        (b'{"situation": {}, "as_of": "2025-02-30", "lang": "en"}', "as_of", "calendar date"),
        (b'{"situation": {}, "rules": "medical", "lang": "en"}', "rules", "expected a list"),
        (b'{"situation": {"provident_fund": {"balance": -1}}, "lang": "en"}',
         "provident_fund.balance", "must not be negative"),
        (b'{"situation": {"provident_fund": {"balance": -1}}}', "provident_fund.balance",
         "不能为负数"),
    ],
)
def test_bad_bodies_are_refused_with_422_naming_the_problem(client, body, path, words):
    r = client.post("/v1/evaluate", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 422, r.text
    found = problems(r)
    assert path in found, found
    assert words in found[path]


def test_oversized_body_is_refused_with_413(client):
    big = {"situation": {"request": {"service": "x" * 300_000}}}
    r = post(client, big)
    assert r.status_code == 413
    assert r.json()["problems"][0]["message"] == "请求体超过 262144 字节"
    r = post(client, big, params={"lang": "en"})
    assert "larger than 262144 bytes" in r.json()["problems"][0]["message"]


def test_oversized_body_without_length_is_refused_with_413(client):
    def chunks():
        for _ in range(40):
            yield b" " * 10_000

    r = client.post("/v1/evaluate", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_rule_conflict_is_a_409_naming_the_rule():
    from tongcheng.service import create_app

    with test_client(create_app(CONFLICT_PACK)) as c:
        r = post(c, {"situation": {"as_of": "2025-06-01", "target": "370200"}})
        assert r.status_code == 409
        out = r.json()
        assert out["rule"] == "test.conflicting_exceptions"
        message = out["problems"][0]["message"]
        assert "'city_rule'" in message and "'place_rule'" in message
        # worded in the request's language, Chinese throughout by default
        assert "同时适用且结论不同" in message and "disagree" not in message
        english = post(c, {"situation": {"as_of": "2025-06-01", "target": "370200"},
                           "lang": "en"})
        assert english.status_code == 409
        assert "both apply and disagree" in english.json()["problems"][0]["message"]
        # where neither exception applies the same pack decides
        ok = post(c, {"situation": {"as_of": "2025-06-01", "target": "370600"}})
        assert ok.status_code == 200
        assert ok.json()["rule_pack"]["name"] == "test-conflict"


def test_unknown_routes_and_methods_answer_in_the_same_shape(client):
    r = client.get("/v1/nothing-here")
    assert r.status_code == 404 and problems(r)
    r = client.get("/v1/evaluate")
    assert r.status_code == 405 and problems(r)


# --- the rule pack's catalogue -------------------------------------------------------------------


def test_rules_list_every_rule_with_basis_zones_and_parameter_confidences(client):
    pack = tongcheng.bundled_pack()
    rules = client.get("/v1/rules", params={"lang": "en"}).json()["rules"]
    assert [r["id"] for r in rules] == list(pack.rule_ids)
    recognition = next(r for r in rules if r["id"] == RECOGNITION_RULE)
    assert {z["zone"] for z in recognition["zones"]} == {"qingdao_metro", "jiaodong"}
    assert any(b.get("quote") for b in recognition["basis"])
    conf = recognition["parameters"]["medical_insurance.transfer_processing_limit_working_days"]
    assert conf["confidences"] == ["high"]


def test_one_rule_with_members_clauses_and_parameter_values(client):
    r = client.get(f"/v1/rules/{RECOGNITION_RULE}", params={"lang": "en"})
    assert r.status_code == 200
    rule = r.json()
    metro = next(z for z in rule["zones"] if z["zone"] == "qingdao_metro")
    assert {"code": "370785", "name": {"en": "Gaomi"}} in metro["members"]
    assert rule["conditions"][0]["expression"].startswith("count(")
    limit = rule["parameters"]["medical_insurance.transfer_processing_limit_working_days"]
    value = limit["places"][0]["values"][0]
    assert value["value"] == 9 and value["confidence"] == "high" and value["reference"]


def test_unknown_rule_is_404_listing_the_known_ones(client):
    r = client.get("/v1/rules/no.such_rule")
    assert r.status_code == 404
    assert RECOGNITION_RULE in problems(r)["rule_id"]


def test_zones_with_dated_members(client):
    zones = {z["id"]: z for z in client.get("/v1/zones").json()["zones"]}
    jiaodong = zones["jiaodong"]
    assert {m["code"] for m in jiaodong["members"]} >= {"370200", "370600", "370700", "371000",
                                                        "371100"}
    assert all(m["from"] == "2020-01-14" for m in jiaodong["members"])
    assert client.get("/v1/zones/jiaodong").json() == jiaodong
    assert client.get("/v1/zones/atlantis").status_code == 404


def test_parameters_with_dated_values_and_references(client):
    params = {p["id"]: p for p in client.get("/v1/parameters").json()["parameters"]}
    minimum = params["medical_insurance.retiree_min_months"]
    qingdao = next(p for p in minimum["places"] if p["code"] == "370200")
    assert [v["from"] for v in qingdao["values"]][-1] == "2026-01-01"
    assert all(v["reference"] for v in qingdao["values"])
    yantai = next(p for p in minimum["places"] if p["code"] == "370600")
    assert yantai["declared_without_value"] and yantai["values"] == []
    one = client.get("/v1/parameters/medical_insurance.retiree_min_months").json()
    assert one == minimum
    assert client.get("/v1/parameters/nothing").status_code == 404


# --- places --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "code"),
    [("青岛", "370200"), ("qingdao", "370200"), ("Yantai", "370600"), ("莱西", "370285"),
     ("370782", "370782")],
)
def test_places_search_by_name_or_code(client, query, code):
    places = client.get("/v1/places", params={"q": query}).json()["places"]
    assert places[0]["code"] == code


def test_places_search_limit_and_prefix(client):
    places = client.get("/v1/places", params={"q": "3702", "limit": 5}).json()["places"]
    assert len(places) == 5 and all(p["code"].startswith("3702") for p in places)
    assert client.get("/v1/places", params={"q": "x", "limit": 0}).status_code == 422


def test_places_come_a_page_at_a_time_with_the_total(client):
    first = client.get("/v1/places", params={"q": "3702", "limit": 5}).json()
    total = first["total"]
    assert total > 5 and (first["offset"], first["limit"]) == (0, 5)
    codes = [p["code"] for p in first["places"]]
    offset = 5
    while offset < total:
        page = client.get("/v1/places", params={"q": "3702", "limit": 5, "offset": offset})
        assert page.json()["total"] == total
        codes += [p["code"] for p in page.json()["places"]]
        offset += 5
    assert len(codes) == len(set(codes)) == total
    everything = client.get("/v1/places", params={"limit": 200}).json()
    assert (everything["total"] > 150 and len(everything["places"]) == 200) or (
        everything["total"] == len(everything["places"]))
    beyond = client.get("/v1/places", params={"q": "3702", "offset": 10_000}).json()
    assert beyond["places"] == [] and beyond["total"] == total
    assert "offset" in problems(client.get("/v1/places", params={"offset": -1}))


@pytest.mark.parametrize("path", ["/v1/places/370200", "/v1/places?q=qingdao", "/v1/zones",
                                  "/v1/parameters", "/v1/rules", f"/v1/rules/{RECOGNITION_RULE}"])
def test_lang_on_every_text_endpoint_gives_that_language_only(client, path):
    def texts(value, found):
        if isinstance(value, dict):
            if value and value.keys() <= {"zh", "en"}:
                found.append(value)
            else:
                for v in value.values():
                    texts(v, found)
        elif isinstance(value, list):
            for v in value:
                texts(v, found)
        return found

    for lang, header in (("en", None), ("zh", None), ("en", "en-US,en;q=0.8")):
        params = {} if header else {"lang": lang}
        headers = {"accept-language": header} if header else {}
        found = texts(client.get(path, params=params, headers=headers).json(), [])
        assert found, path
        assert all(t.keys() == {lang} for t in found), (path, lang, found[:3])


def test_places_without_query_are_shandongs_current_places(client):
    places = client.get("/v1/places", params={"limit": 200}).json()["places"]
    places += client.get("/v1/places", params={"limit": 200, "offset": 200}).json()["places"]
    assert all(p["code"].startswith("37") and p["current"] for p in places)
    assert {"370200", "370285", "371100"} <= {p["code"] for p in places}


def test_one_place_with_its_children(client):
    qingdao = client.get("/v1/places/370200").json()
    assert qingdao["name"] == {"zh": "青岛市"}
    assert client.get("/v1/places/370200?lang=en").json()["name"] == {"en": "Qingdao"}
    assert "370285" in {c["code"] for c in qingdao["children"]}
    retired = client.get("/v1/places/370282").json()
    assert retired["current"] is False and retired["successor"] == "370215"
    assert client.get("/v1/places/999999").status_code == 404
    assert "code" in problems(client.get("/v1/places/qingdao"))


# --- schema, version, health, OpenAPI ------------------------------------------------------------


def test_situation_schema_is_the_models_with_the_packs_items_and_places(client):
    from tongcheng.places import default_registry
    from tongcheng.service.schema import situation_schema

    served = client.get("/v1/schema/situation?lang=en").json()
    assert served == situation_schema(tongcheng.bundled_pack(), default_registry())
    assert served["properties"].keys() == situation_json_schema()["properties"].keys()


def test_version_digest_equals_the_packs(client):
    pack = tongcheng.bundled_pack()
    r = client.get("/v1/version")
    out = r.json()
    assert out == {
        "api": "v1",
        "tongcheng": tongcheng.__version__,
        "rule_pack": {"name": pack.info.name, "version": pack.info.version,
                      "digest": pack.info.digest},
    }
    assert r.headers["x-rule-pack-digest"] == pack.info.digest
    assert r.headers["x-tongcheng-version"] == tongcheng.__version__
    evaluated = post(client, {"situation": RECOGNITION_CASE}).json()
    assert evaluated["rule_pack"]["digest"] == pack.info.digest


def test_health(client):
    out = client.get("/v1/health").json()
    assert out["status"] == "ok" and out["rules"] == len(tongcheng.bundled_pack().rules)


def test_openapi_is_served_with_the_situation_schema(client):
    spec = client.get("/v1/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    assert {"/v1/evaluate", "/v1/rules", "/v1/rules/{rule_id}", "/v1/zones", "/v1/places",
            "/v1/parameters", "/v1/schema/situation", "/v1/health", "/v1/version"} <= set(
        spec["paths"])
    schemas = spec["components"]["schemas"]
    assert schemas["EvaluateRequest"]["properties"]["situation"] == {
        "$ref": "#/components/schemas/Situation"}
    assert "insurance" in schemas["Situation"]["properties"]
    assert client.get("/v1/docs").status_code == 200


# --- the command ---------------------------------------------------------------------------------


def test_other_commands_do_not_import_the_web_stack():
    code = ("import sys, tongcheng.cli; "
            "print(sorted(m for m in ('fastapi', 'uvicorn', 'starlette', 'jinja2') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, check=True).stdout
    assert out.strip() == "[]"


def test_serve_refuses_a_broken_pack_with_exit_3(tmp_path):
    from click.testing import CliRunner

    from tongcheng.cli import main

    (tmp_path / "pack.yaml").write_text("name: [unclosed\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["serve", "--pack", str(tmp_path)])
    assert result.exit_code == 3
    assert "pack.yaml" in result.output and result.stderr.startswith("错误: 规则包载入失败")
    result = CliRunner().invoke(main, ["serve", "--pack", str(tmp_path), "--lang", "en"])
    assert result.exit_code == 3 and result.stderr.startswith("error: rule pack failed to load")
    assert "serve" in CliRunner().invoke(main, ["--help"]).output


def test_routers_import_neither_the_app_nor_each_other():
    """Each resource's router stands alone on ``service.deps`` (no app <-> page circle), so a
    new router is one module and one line in ``routers.ROUTERS``. One fresh interpreter imports
    them in turn and lists what each import brought in."""
    from tongcheng.service import routers

    code = (
        "import sys, importlib, json\n"
        "out = {}\n"
        "for name in sys.argv[1:]:\n"
        "    before = set(sys.modules)\n"
        "    importlib.import_module('tongcheng.service.routers.' + name)\n"
        "    new = set(sys.modules) - before\n"
        "    out[name] = sorted(m for m in new if m == 'tongcheng.service.app' or\n"
        "                       (m.startswith('tongcheng.service.routers.') and\n"
        "                        m != 'tongcheng.service.routers.' + name))\n"
        "print(json.dumps(out))\n"
    )
    out = subprocess.run([sys.executable, "-c", code, *routers.ROUTERS], capture_output=True,
                         text=True, timeout=120, check=True).stdout
    assert json.loads(out) == {name: [] for name in routers.ROUTERS}


UNKNOWN_SERVICE = {"as_of": "2025-06-01", "target": "370285", "person": {"hukou": "370682"},
                   "request": {"service": "hukou_migraton"}}


def test_unknown_service_is_a_422_naming_it_and_the_nearest_ids(client):
    r = client.post("/v1/evaluate", json={"situation": UNKNOWN_SERVICE, "lang": "en"})
    assert r.status_code == 422
    [problem] = r.json()["problems"]
    assert problem["path"] == "request.service"
    assert "nearest known ids: hukou_migration" in problem["message"]
    zh = client.post("/v1/evaluate", json={"situation": UNKNOWN_SERVICE}).json()["problems"]
    assert zh[0]["path"] == "request.service" and "最接近的已知事项:hukou_migration" in \
        zh[0]["message"]
