"""The situation's JSON Schema, as ``GET /v1/schema/situation`` publishes it, checked with an
independent validator (the ``jsonschema`` package, formats checked): every example and golden
situation is accepted, and every bad input of the project's catalogue that JSON Schema can
express is refused. Portals build forms and validate with it before they send. Its titles and
descriptions come in the request's language (Chinese by default, as every answer)."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import jsonschema
import pytest
from ruamel.yaml import YAML
from servicetools import ROOT

from test_situation import CATALOGUE, _golden_file
from tongcheng.situation import load_situation, parse_situation

EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))

# Bad inputs whose refusal rests on what no JSON Schema can know, with the reason.
NOT_EXPRESSIBLE = {
    "retired code as target": "a retired code is valid before its retirement date",
    "retired code as a card issuer": "a retired code is valid before its retirement date",
    "retired code in a period begun after the change": "depends on the period's months",
    "retired code on a permit of unknown date": "depends on the permit's date",
    "retired_on while employed": "a condition between two fields",
    "pension_place while unemployed": "a condition between two fields",
    "retired before being born": "a comparison of two dates",
    "born after as_of": "a comparison of two dates",
}


@pytest.fixture(scope="module")
def validator(client):
    schema = client.get("/v1/schema/situation").json()
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def as_json(value: Any) -> Any:
    """The value as a portal would send it (JSON), or None when JSON cannot carry it."""
    try:
        return json.loads(json.dumps(value))
    except TypeError:
        return None


def as_sent(value: Any) -> Any:
    """A YAML situation as a portal sends it: dates written as text."""
    return json.loads(json.dumps(value, default=lambda d: d.isoformat()))


def golden() -> list[dict[str, Any]]:
    return [c["situation"] for c in YAML(typ="safe", pure=True).load(
        _golden_file().read_text(encoding="utf-8"))]


def test_every_example_and_golden_situation_is_accepted(validator):
    situations = [load_situation(p).to_dict() for p in EXAMPLES]
    raw = [YAML(typ="safe", pure=True).load(p.read_text(encoding="utf-8")) for p in EXAMPLES]
    situations += [as_sent(r) for r in raw]
    situations += [as_sent(g) for g in golden()]
    assert len(situations) > 2 * len(EXAMPLES)
    for situation in situations:
        errors = [e.message for e in validator.iter_errors(situation)]
        assert errors == [], (situation, errors)


@pytest.mark.parametrize("case", CATALOGUE, ids=[c[0] for c in CATALOGUE])
def test_the_bad_input_catalogue_is_refused_where_json_schema_can_say_it(validator, case):
    name, data, _path, _gist = case
    sent = as_json(data)
    if sent is None:
        assert any(isinstance(v, date | datetime) for v in _leaves(data)), name
        return  # a YAML date object: JSON cannot carry it
    if name in NOT_EXPRESSIBLE:
        assert validator.is_valid(sent), f"{name}: the schema refuses it after all; remove it"
        with pytest.raises(Exception):  # noqa: B017 - the model refuses it, as the catalogue says
            parse_situation(data)
        return
    errors = list(validator.iter_errors(sent))
    assert errors, f"{name}: the schema accepts {sent}"


def _leaves(value: Any):
    if isinstance(value, dict):
        for v in value.values():
            yield from _leaves(v)
    elif isinstance(value, list):
        for v in value:
            yield from _leaves(v)
    else:
        yield value


@pytest.mark.parametrize(
    ("name", "situation"),
    [("month 00", {"insurance": [{"scheme": "pension", "place": "370200", "from": "2015-00"}]}),
     ("month 13", {"insurance": [{"scheme": "pension", "place": "370200", "from": "2015-13"}]}),
     ("30 February", {"as_of": "2025-02-30"}),
     ("day 32", {"person": {"birth_date": "1990-01-32"}}),
     ("unknown service", {"request": {"service": "no_such_item"}}),
     ("unknown place", {"target": "999999"}),
     ("unknown place as a number", {"person": {"hukou": 999999}}),
     ("place with letters", {"target": "37O200"})],
)
def test_what_the_schema_now_refuses(validator, name, situation):
    assert not validator.is_valid(situation), name
    known = {"request": {"service": "hukou_migration"}, "target": 370200,
             "insurance": [{"scheme": "pension", "place": "370200", "from": "2015-12"}],
             "as_of": "2024-02-29"}
    assert validator.is_valid(known)


def test_the_schema_is_the_models_with_the_packs_enumerations(client):
    import tongcheng
    from tongcheng.places import default_registry
    from tongcheng.situation import situation_json_schema

    served = client.get("/v1/schema/situation").json()
    model = situation_json_schema()
    assert served["properties"].keys() == model["properties"].keys()
    codes = served["$defs"]["PlaceCode"]["anyOf"][0]["enum"]
    assert len(codes) == len(default_registry()) and "370200" in codes
    services = served["$defs"]["Request"]["properties"]["service"]["anyOf"][0]["enum"]
    assert set(services) == {s.id for s in tongcheng.bundled_pack().services}
    # a place field keeps its own label beside the registry's codes, required or not
    issuer = served["$defs"]["Card"]["properties"]["issuer"]
    assert issuer["$ref"] == "#/$defs/PlaceCode" and issuer["title"] == "发卡地"
    english = client.get("/v1/schema/situation?lang=en").json()
    assert english["$defs"]["Card"]["properties"]["issuer"] == {
        "$ref": "#/$defs/PlaceCode", "description": "The place that issued the card.",
        "title": "Issuer"}
    assert english["properties"]["target"]["title"] == "Target"


def test_the_schema_in_the_requests_language(client):
    import tongcheng
    from tongcheng.places import default_registry
    from tongcheng.service.schema import situation_schema

    pack, registry = tongcheng.bundled_pack(), default_registry()
    zh, en = situation_schema(pack, registry, "zh"), situation_schema(pack, registry, "en")

    def served(query: str = "", **headers: str):
        answer = client.get("/v1/schema/situation" + query, headers=headers)
        assert answer.status_code == 200, answer.text
        return answer

    assert served().json() == zh and zh["title"] == "情形"  # the service's default: zh
    assert json.dumps(served("?lang=en").json()) == json.dumps(en)  # key order too
    assert en["title"] == "Situation"
    assert served("?lang=zh").json() == zh
    assert served(**{"accept-language": "en-GB,en;q=0.9"}).json() == en
    assert served("?lang=zh", **{"accept-language": "en"}).json() == zh  # the query wins
    assert zh["$defs"]["PlaceCode"]["description"].startswith("行政区划代码表中的一个代码")
    assert served("?lang=en").headers["etag"] != served("?lang=zh").headers["etag"]
    refused = client.get("/v1/schema/situation?lang=fr")
    assert refused.status_code == 422
    assert [p["path"] for p in refused.json()["problems"]] == ["lang"]
