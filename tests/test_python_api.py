"""The Python API a portal developer meets: one-line reprs, and a typed situation builder that
writes exactly the situations the contract's JSON describes."""

from __future__ import annotations

import typing
from datetime import date

import pytest

import tongcheng
from tongcheng import builder
from tongcheng.builder import SituationBuilder
from tongcheng.errors import SituationError
from tongcheng.situation import (
    CARD_KINDS,
    CREDITS,
    EMPLOYMENTS,
    RESULT_KINDS,
    SCHEMES,
    SEXES,
    TALENTS,
    load_situation,
)

ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]


def test_reprs_are_one_line():
    pack = tongcheng.bundled_pack()
    text = repr(pack)
    assert "\n" not in text and len(text) < 200
    assert pack.info.name in text and f"{len(pack.rules)} rules" in text
    result = tongcheng.evaluate(load_situation(ROOT / "examples"
                                               / "recognition-yantai-qingdao.yaml"))
    text = repr(result)
    assert "\n" not in text and len(text) < 300
    assert "eligible" in text and "2025-06-01" in text
    for d in result.decisions:
        assert "\n" not in repr(d) and len(repr(d)) < 400 and d.rule in repr(d)
    recognition = result.decision("medical_insurance.contribution_years_recognition")
    assert "recognized_months=305" in repr(recognition)


def test_the_builders_choices_are_the_models():
    for alias, values in ((builder.Sex, SEXES), (builder.Employment, EMPLOYMENTS),
                          (builder.Scheme, SCHEMES), (builder.CardKind, CARD_KINDS),
                          (builder.ResultKind, RESULT_KINDS), (builder.Talent, TALENTS),
                          (builder.Credit, CREDITS)):
        assert typing.get_args(alias) == tuple(values)


def test_the_builder_writes_the_contracts_case():
    built = (
        SituationBuilder(as_of=date(2025, 6, 1), target="370200")
        .person(birth_date=date(1975, 5, 10), sex="male", hukou="370600", lives_in="370200",
                employment="employed", work_place=370200)
        .insurance("employee_medical", place="370600", start="2000-01", end=date(2015, 12, 31))
        .insurance("employee_medical", place="370200", start=date(2016, 1, 1), end="2025-05")
        .build()
    )
    example = load_situation(ROOT / "examples" / "recognition-yantai-qingdao.yaml")
    assert built.to_dict()["insurance"] == example.to_dict()["insurance"]
    d = tongcheng.evaluate(built).decision("medical_insurance.contribution_years_recognition")
    assert d.status.value == "eligible" and d.outcome["recognized_months"] == 305


def test_every_example_can_be_built():
    """Each example rebuilt through the builder's methods gives the same situation."""
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        data = load_situation(path).to_dict()
        b = SituationBuilder(as_of=data.get("as_of"), target=data.get("target"))
        person = dict(data.get("person") or {})
        for permit in person.pop("residence", None) or []:
            b.residence(**permit)
        if person:
            b.person(**person)
        for p in data.get("insurance") or []:
            b.insurance(p["scheme"], place=p["place"], start=p["from"], end=p.get("to"),
                        deemed=p.get("deemed", False))
        fund = dict(data.get("provident_fund") or {})
        for p in fund.pop("periods", None) or []:
            b.fund_period(place=p["place"], start=p["from"], end=p.get("to"))
        if fund:
            b.fund(**fund)
        for c in data.get("cards") or []:
            b.card(c["kind"], issuer=c["issuer"])
        for r in data.get("results") or []:
            b.result(r["kind"], **{k: v for k, v in r.items() if k != "kind"})
        if data.get("request"):
            b.request(**data["request"])
        if data.get("project"):
            b.project(**data["project"])
        if data.get("enterprise"):
            b.enterprise(**data["enterprise"])
        for key, empty in (("insurance", b.no_insurance), ("cards", b.no_cards),
                           ("results", b.no_results)):
            if data.get(key) == []:
                empty()
        assert b.build().to_dict() == data, path.name


def test_the_builder_names_every_problem_by_path():
    b = (SituationBuilder(target="999999")
         .insurance("pension", place="370200", start="2016-01", end="2015-01")
         .person(sex="m"))  # type: ignore[arg-type] - what a type checker would refuse
    with pytest.raises(SituationError) as caught:
        b.build()
    paths = {p.path for p in caught.value.problems}
    assert paths == {"target", "insurance[0].to", "person.sex"}
    assert "SituationBuilder" in repr(b)
