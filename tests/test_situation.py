"""The situation model: what validates, what is refused, and how each refusal is worded."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError
from ruamel.yaml import YAML

from tongcheng.errors import SituationError
from tongcheng.months import format_month, parse_month
from tongcheng.situation import (
    Card,
    InsurancePeriod,
    Situation,
    load_situation,
    parse_situation,
    situation_json_schema,
)

ROOT = Path(__file__).resolve().parent.parent

# The vocabulary example of CONTRACT.md, "Situation (input)", verbatim.
CONTRACT_EXAMPLE = """\
as_of: 2025-06-01            # the date rules are evaluated at; `--as-of` overrides it
target: "370200"
person:
  birth_date: 1964-05-10
  sex: male
  hukou: "370600"
  lives_in: "370200"
  residence:
    - {place: "370200", since: 2019-05-01}
  employment: employed
  work_place: "370200"
  retired_on: null
  pension_place: null
insurance:
  - {scheme: employee_medical, place: "370600", from: 2000-01, to: 2015-12}
  - {scheme: employee_medical, place: "370200", from: 2016-01}          # no `to`: still paying
  - {scheme: employee_medical, place: "370600", from: 1988-01, to: 1992-12, deemed: true}
provident_fund:
  periods:
    - {place: "370600", from: 2012-01, to: 2020-06}
  balance: 52000.00
  outstanding_loans: 0
cards:
  - {kind: transit, issuer: "370700"}
request:
  service: hukou_migration
"""


def _golden_file() -> Path:
    """The contract's golden cases, wherever the project keeps its copy."""
    candidates = [
        ROOT / "tests" / "golden-cases.yaml",
        ROOT / "tests" / "golden" / "golden-cases.yaml",
        ROOT / "tests" / "data" / "golden-cases.yaml",
        *sorted((ROOT / "tests").glob("**/golden*.yaml")),
        ROOT.parent / "shared" / "product" / "golden-cases.yaml",
    ]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    pytest.fail("golden-cases.yaml not found; looked in: " + ", ".join(map(str, candidates)))


def _golden_cases() -> list[Any]:
    try:
        path = _golden_file()
    except pytest.fail.Exception:
        return [pytest.param(None, id="golden-cases-missing")]
    cases = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
    return [pytest.param(case, id=case["name"]) for case in cases]


def problems_of(data: Any, **kwargs: Any) -> list[tuple[str, str]]:
    """The (path, message) pairs a refused situation reports; fails if it is accepted."""
    with pytest.raises(SituationError) as caught:
        parse_situation(data, **kwargs)
    return [(p.path, p.message) for p in caught.value.problems]


def only_problem(data: Any, **kwargs: Any) -> tuple[str, str]:
    problems = problems_of(data, **kwargs)
    assert len(problems) == 1, problems
    return problems[0]


def period(**fields: Any) -> dict[str, Any]:
    return {"scheme": "employee_medical", "place": "370200", "from": "2010-01", **fields}


# --- what validates -----------------------------------------------------------------------------


@pytest.mark.parametrize("case", _golden_cases())
def test_every_golden_situation_validates(case: dict[str, Any] | None) -> None:
    if case is None:
        _golden_file()  # fails, naming where it looked
        return
    situation = parse_situation(case["situation"])
    assert situation.to_dict()  # every golden situation states at least as_of


def test_contract_example_reads_as_the_contract_says() -> None:
    s = parse_situation(CONTRACT_EXAMPLE)
    assert s.as_of == date(2025, 6, 1)
    assert s.target == "370200"
    assert s.person is not None
    assert s.person.sex == "male"
    assert s.person.retired_on is None
    assert s.person.residence is not None
    assert s.person.residence[0].since == date(2019, 5, 1)
    assert s.insurance is not None
    first, running, deemed = s.insurance
    assert (first.from_, first.to) == (parse_month("2000-01"), parse_month("2015-12"))
    assert running.to is None
    assert (first.deemed, deemed.deemed) == (False, True)
    assert s.provident_fund is not None
    assert s.provident_fund.balance == Decimal("52000")
    assert s.provident_fund.outstanding_loans == 0
    assert s.cards == (Card(kind="transit", issuer="370700"),)
    assert s.request is not None
    assert s.request.service == "hukou_migration"


def test_absent_and_null_are_both_unknown_and_an_empty_list_is_none() -> None:
    absent = parse_situation({"as_of": "2025-06-01"})
    nulls = parse_situation(
        {"as_of": "2025-06-01", "person": None, "insurance": None, "cards": None}
    )
    assert absent == nulls
    assert absent.insurance is None
    empty = parse_situation({"as_of": "2025-06-01", "insurance": [], "cards": []})
    assert empty.insurance == () and empty.cards == ()
    assert empty != absent


def test_yaml_text_json_text_and_bytes_give_the_same_situation() -> None:
    data = {
        "as_of": "2025-06-01",
        "target": "370200",
        "insurance": [period(to="2015-12")],
        "provident_fund": {"balance": 1234.5},
    }
    from_dict = parse_situation(data)
    as_json = json.dumps(data)
    yaml_text = (
        "as_of: 2025-06-01\ntarget: 370200\n"
        "insurance:\n  - {scheme: employee_medical, place: '370200', from: 2010-01, to: 2015-12}\n"
        "provident_fund: {balance: 1234.50}\n"
    )
    assert parse_situation(as_json) == from_dict
    assert parse_situation(as_json.encode()) == from_dict
    assert parse_situation(yaml_text) == from_dict
    assert parse_situation(yaml_text.encode()) == from_dict


def test_a_retired_code_in_a_period_begun_before_the_change_maps_to_its_successor() -> None:
    s = parse_situation({"insurance": [period(place="370282", **{"from": "2010-01"})]})
    assert s.insurance is not None
    assert s.insurance[0].place == "370215"  # 即墨市 -> 即墨区
    fund = parse_situation(
        {"provident_fund": {"periods": [{"place": 370282, "from": "2010-01", "to": "2012-12"}]}}
    )
    assert fund.provident_fund is not None and fund.provident_fund.periods is not None
    assert fund.provident_fund.periods[0].place == "370215"


def test_a_retired_code_on_a_permit_issued_before_the_change_maps_to_its_successor() -> None:
    s = parse_situation({"person": {"residence": [{"place": "370282", "since": "2012-03-01"}]}})
    assert s.person is not None and s.person.residence is not None
    assert s.person.residence[0].place == "370215"


def test_a_six_digit_number_is_the_same_place_code() -> None:
    s = parse_situation({"target": 370200, "person": {"hukou": 370600}})
    assert s.target == "370200"
    assert s.person is not None and s.person.hukou == "370600"


def test_as_of_argument_overrides_the_situation() -> None:
    s = parse_situation({"as_of": "2025-06-01"}, as_of=date(2024, 1, 2))
    assert s.as_of == date(2024, 1, 2)
    # and the override takes part in the checks
    path, message = only_problem(
        {"as_of": "2030-01-01", "person": {"birth_date": "2025-01-01"}}, as_of=date(2024, 1, 1)
    )
    assert path == "person.birth_date"
    assert "as_of" in message


def test_money_is_exact() -> None:
    s = parse_situation({"provident_fund": {"balance": 0.1, "spouse_balance": 3}})
    assert s.provident_fund is not None
    assert s.provident_fund.balance == Decimal("0.1")
    assert s.provident_fund.spouse_balance == Decimal(3)
    from_json = parse_situation('{"provident_fund": {"balance": 52000.07}}')
    assert from_json.provident_fund is not None
    assert from_json.provident_fund.balance == Decimal("52000.07")


def test_absurd_amounts_are_refused_quickly() -> None:
    path, message = only_problem('{"provident_fund": {"balance": 1e999999999}}')
    assert path == "provident_fund.balance" and "below 10^13" in message


def test_models_are_immutable() -> None:
    s = parse_situation(CONTRACT_EXAMPLE)
    with pytest.raises(ValidationError):
        s.target = "370600"  # type: ignore[misc]
    assert s.insurance is not None
    with pytest.raises(ValidationError):
        s.insurance[0].to = None  # type: ignore[misc]
    assert isinstance(s.insurance, tuple)
    assert hash(s) == hash(parse_situation(CONTRACT_EXAMPLE))


def test_models_validate_when_built_directly() -> None:
    period_model = InsurancePeriod.model_validate(period(place=370282))
    assert period_model.place == "370215"
    with pytest.raises(ValidationError):
        Card(kind="bus", issuer="370200")  # type: ignore[arg-type]


# --- what is refused, and how it is said --------------------------------------------------------

CATALOGUE: list[tuple[str, dict[str, Any], str, str]] = [
    # (id, situation, path, gist of the message)
    (
        "month 13",
        {"insurance": [period(**{"from": "2015-13"})]},
        "insurance[0].from",
        "'2015-13'",
    ),
    (
        "month of the wrong shape",
        {"insurance": [period(**{"from": "2015-1"})]},
        "insurance[0].from",
        "expected a month as YYYY-MM",
    ),
    (
        "month as a number",
        {"insurance": [period(**{"from": 201512})]},
        "insurance[0].from",
        "expected a month as YYYY-MM",
    ),
    (
        "month as a date",
        {"insurance": [period(to=date(2015, 12, 1))]},
        "insurance[0].to",
        "expected a month as YYYY-MM",
    ),
    (
        "unknown key at the top",
        {"persn": {"sex": "male"}},
        "persn",
        "unknown key (did you mean 'person'?)",
    ),
    (
        "unknown key in a period",
        {
            "insurance": [
                {"sceme": "pension", "place": "370200", "from": "2010-01", "scheme": "pension"}
            ]
        },
        "insurance[0].sceme",
        "unknown key (did you mean 'scheme'?)",
    ),
    (
        "the Python name of from",
        {"insurance": [period(from_="2010-01")]},
        "insurance[0].from_",
        "did you mean 'from'?",
    ),
    ("bad sex", {"person": {"sex": "m"}}, "person.sex", "expected one of: male, female"),
    (
        "bad employment",
        {"person": {"employment": "Retired"}},
        "person.employment",
        "expected one of: employed, flexible, retired, unemployed",
    ),
    (
        "bad scheme",
        {"insurance": [period(scheme="medical")]},
        "insurance[0].scheme",
        "expected one of: employee_medical, resident_medical",
    ),
    (
        "negative balance",
        {"provident_fund": {"balance": -0.01}},
        "provident_fund.balance",
        "must not be negative",
    ),
    (
        "negative count",
        {"provident_fund": {"outstanding_loans": -1}},
        "provident_fund.outstanding_loans",
        "must not be negative",
    ),
    (
        "a count as a string",
        {"provident_fund": {"outstanding_loans": "16"}},
        "provident_fund.outstanding_loans",
        "expected a whole number",
    ),
    (
        "a count as true",
        {"provident_fund": {"outstanding_loans": True}},
        "provident_fund.outstanding_loans",
        "expected a whole number, got true",
    ),
    (
        "a count as a fraction",
        {"provident_fund": {"outstanding_loans": 1.5}},
        "provident_fund.outstanding_loans",
        "expected a whole number",
    ),
    (
        "money as a string",
        {"provident_fund": {"balance": "52000"}},
        "provident_fund.balance",
        "expected an amount in yuan (a number)",
    ),
    (
        "money as true",
        {"provident_fund": {"spouse_balance": True}},
        "provident_fund.spouse_balance",
        "expected an amount in yuan",
    ),
    ("deemed as 1", {"insurance": [period(deemed=1)]}, "insurance[0].deemed", "true or false"),
    (
        "couple_application as a string",
        {"provident_fund": {"couple_application": "yes"}},
        "provident_fund.couple_application",
        "true or false",
    ),
    ("unknown place", {"target": "999999"}, "target", "999999"),
    (
        "unknown place in a period",
        {"insurance": [period(place=999999)]},
        "insurance[0].place",
        "999999",
    ),
    ("place of the wrong shape", {"target": "37020"}, "target", "37020"),
    ("place as true", {"person": {"hukou": True}}, "person.hukou", "six-digit place code"),
    ("retired code as target", {"target": "370282"}, "target", "370215"),
    (
        "retired code as a card issuer",
        {"cards": [{"kind": "transit", "issuer": 370282}]},
        "cards[0].issuer",
        "370215",
    ),
    (
        "retired code in a period begun after the change",
        {"insurance": [period(place="370282", **{"from": "2020-01"})]},
        "insurance[0].place",
        "370215",
    ),
    (
        "retired code on a permit of unknown date",
        {"person": {"residence": [{"place": "370282"}]}},
        "person.residence[0].place",
        "370215",
    ),
    (
        "retired_on while employed",
        {"person": {"employment": "employed", "retired_on": "2020-01-01"}},
        "person.retired_on",
        "employment: retired",
    ),
    (
        "pension_place while unemployed",
        {"person": {"employment": "unemployed", "pension_place": "370600"}},
        "person.pension_place",
        "employment: retired",
    ),
    (
        "retired before being born",
        {"person": {"birth_date": "1964-05-10", "retired_on": "1960-01-01"}},
        "person.retired_on",
        "before birth_date",
    ),
    (
        "born after as_of",
        {"as_of": "2025-06-01", "person": {"birth_date": "2025-06-02"}},
        "person.birth_date",
        "after as_of",
    ),
    ("30 February", {"person": {"birth_date": "2025-02-30"}}, "person.birth_date", "2025-02-30"),
    (
        "a date and time as a string",
        {"as_of": "2025-06-01T10:00:00"},
        "as_of",
        "expected a date as YYYY-MM-DD",
    ),
    (
        "a date and time as YAML gives it",
        {"as_of": datetime(2025, 6, 1, 10, 0)},
        "as_of",
        "expected a date as YYYY-MM-DD",
    ),
    ("a date as a number", {"as_of": 20250601}, "as_of", "expected a date as YYYY-MM-DD"),
    ("a date in another shape", {"as_of": "2025/06/01"}, "as_of", "expected a date as YYYY-MM-DD"),
    (
        "a period without from",
        {"insurance": [{"scheme": "pension", "place": "370200"}]},
        "insurance[0].from",
        "required",
    ),
    (
        "a list given as a mapping",
        {"insurance": {"scheme": "pension"}},
        "insurance",
        "expected a list",
    ),
    ("a mapping given as text", {"person": "Zhang San"}, "person", "expected a mapping"),
    ("a list item that is not a mapping", {"cards": ["transit"]}, "cards[0]", "expected a mapping"),
    ("a service as a number", {"request": {"service": 12}}, "request.service", "expected a string"),
]


@pytest.mark.parametrize(
    ("data", "path", "gist"), [pytest.param(*c[1:], id=c[0]) for c in CATALOGUE]
)
def test_bad_input_is_refused_at_its_path(data: dict[str, Any], path: str, gist: str) -> None:
    got_path, message = only_problem(data)
    assert got_path == path
    assert gist in message


def test_to_before_from_has_the_contract_message() -> None:
    data = {"insurance": [period(to="2015-12"), period(**{"from": "2016-01", "to": "2015-12"})]}
    with pytest.raises(SituationError) as caught:
        parse_situation(data)
    assert [str(p) for p in caught.value.problems] == ["insurance[1].to: month before 'from'"]


def test_a_period_of_one_month_is_fine() -> None:
    s = parse_situation({"insurance": [period(**{"from": "2015-12", "to": "2015-12"})]})
    assert s.insurance is not None and s.insurance[0].to == s.insurance[0].from_


def test_unknown_key_message_lists_the_allowed_keys() -> None:
    path, message = only_problem({"insurance": [period(sceme="x")]})
    assert path == "insurance[0].sceme"
    assert "scheme, place, from, to, deemed" in message
    _, far = only_problem({"zzz": 1})
    assert "did you mean" not in far and "as_of, target, person" in far


@pytest.mark.parametrize(
    ("data", "gist"),
    [
        pytest.param([{"as_of": "2025-06-01"}], "got a list", id="list"),
        pytest.param("just words", "got the string 'just words'", id="scalar text"),
        pytest.param("", "empty", id="empty"),
        pytest.param("[1, 2]", "got a list", id="json list"),
    ],
)
def test_the_top_level_must_be_a_mapping(data: Any, gist: str) -> None:
    path, message = only_problem(data)
    assert path == ""
    assert "expected a mapping" in message and gist in message


def test_unparsable_text_names_line_and_column() -> None:
    path, message = only_problem("as_of: 2025-06-01\nperson: [\n")
    assert path == ""
    assert "not valid YAML" in message and "line 3" in message
    # text that is meant as JSON (it opens with a brace) and is neither: the JSON parser speaks
    path, message = only_problem('{"as_of": "2025-06-01",\n "person": [}')
    assert "not valid JSON" in message and "line 2, column 13" in message


def test_duplicate_keys_are_refused() -> None:
    path, message = only_problem('{"target": "370200", "target": "370600"}')
    assert "duplicate key 'target'" in message and path == "target"
    # the key named where it is, as a refused value is
    path, message = only_problem('{"insurance": [{"scheme": "pension"}, '
                                 '{"place": "370200", "place": "370100"}]}')
    assert path == "insurance[1].place" and "duplicate key 'place'" in message
    _, message = only_problem("target: '370200'\ntarget: '370600'\n")
    assert "duplicate key" in message


def test_every_problem_is_reported_at_once() -> None:
    data = {
        "persn": {},
        "as_of": "2025-06-31",
        "target": "370282",
        "person": {"sex": "x", "employment": "employed", "retired_on": "2020-01-01"},
        "insurance": [
            period(place="999999", **{"from": "2015-13"}),
            period(**{"from": "2016-01", "to": "2015-12"}, sceme="pension"),
        ],
        "provident_fund": {
            "balance": -1,
            "outstanding_loans": "16",
            "periods": [{"place": "37020", "from": "2010-01"}],
        },
        "cards": [{"kind": "bus", "issuer": "370200"}],
    }
    with pytest.raises(SituationError) as caught:
        parse_situation(data, source="case.yaml")
    paths = [p.path for p in caught.value.problems]
    assert sorted(paths) == sorted(
        [
            "persn",
            "as_of",
            "target",
            "person.sex",
            "person.retired_on",
            "insurance[0].place",
            "insurance[0].from",
            "insurance[1].to",
            "insurance[1].sceme",
            "provident_fund.balance",
            "provident_fund.outstanding_loans",
            "provident_fund.periods[0].place",
            "cards[0].kind",
        ]
    )
    assert caught.value.source == "case.yaml"
    text = str(caught.value)
    assert "case.yaml" in text and "insurance[1].to: month before 'from'" in text


def test_a_period_reports_its_own_problems_together() -> None:
    # a bad place does not hide the order of the months, nor the reverse
    problems = problems_of({"insurance": [period(place="37020", to="2009-12")]})
    assert sorted(problems) == [
        ("insurance[0].place", problems[0][1]),
        ("insurance[0].to", "month before 'from'"),
    ]


# --- files --------------------------------------------------------------------------------------


def test_load_situation_reads_json_yaml_and_unsuffixed_files(tmp_path: Path) -> None:
    expected = parse_situation(CONTRACT_EXAMPLE)
    yaml_file = tmp_path / "s.yaml"
    yaml_file.write_text(CONTRACT_EXAMPLE, encoding="utf-8")
    json_file = tmp_path / "s.json"
    json_file.write_text(json.dumps(expected.to_dict()), encoding="utf-8")
    plain = tmp_path / "situation"
    plain.write_text(CONTRACT_EXAMPLE, encoding="utf-8")
    assert load_situation(yaml_file) == expected
    assert load_situation(str(json_file)) == expected
    assert load_situation(plain) == expected
    assert load_situation(yaml_file, as_of=date(2024, 1, 1)).as_of == date(2024, 1, 1)


def test_file_problems_name_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(SituationError) as caught:
        load_situation(missing)
    [problem] = caught.value.problems
    assert (
        problem.path == "" and str(missing) in problem.message and "cannot read" in problem.message
    )

    broken = tmp_path / "broken.json"
    broken.write_text('{"as_of": "2025-06-01",\n  "target" "370200"}', encoding="utf-8")
    with pytest.raises(SituationError) as caught:
        load_situation(broken)
    [problem] = caught.value.problems
    assert problem.path == ""
    assert problem.message.startswith(f"{broken}:2:")
    assert "not valid JSON" in problem.message

    bad_yaml = tmp_path / "bad.yml"
    bad_yaml.write_text("as_of: 2025-06-01\nperson:\n  sex: male\n   hukou: x\n", encoding="utf-8")
    with pytest.raises(SituationError) as caught:
        load_situation(bad_yaml)
    [problem] = caught.value.problems
    assert problem.message.startswith(f"{bad_yaml}:4:") and "not valid YAML" in problem.message

    not_utf8 = tmp_path / "latin.yaml"
    not_utf8.write_bytes("target: '370200' # Jímò".encode("latin-1"))
    with pytest.raises(SituationError) as caught:
        load_situation(not_utf8)
    assert "UTF-8" in caught.value.problems[0].message


def test_validation_problems_from_a_file_carry_its_name(tmp_path: Path) -> None:
    f = tmp_path / "s.yaml"
    f.write_text("person: {sex: x}\n", encoding="utf-8")
    with pytest.raises(SituationError) as caught:
        load_situation(f)
    assert caught.value.source == str(f)
    assert [(p.path, p.message) for p in caught.value.problems] == [
        ("person.sex", "expected one of: male, female, got the string 'x'")
    ]


# --- writing back out, and the schema -----------------------------------------------------------


def test_to_dict_is_json_ready_and_round_trips() -> None:
    s = parse_situation(CONTRACT_EXAMPLE)
    out = s.to_dict()
    assert json.loads(json.dumps(out)) == out
    assert out["as_of"] == "2025-06-01"
    assert out["insurance"][0] == {
        "scheme": "employee_medical",
        "place": "370600",
        "from": "2000-01",
        "to": "2015-12",
    }
    assert out["insurance"][2]["deemed"] is True
    assert out["provident_fund"]["balance"] == 52000
    assert "retired_on" not in out["person"]  # null is unknown: omitted
    assert parse_situation(out) == s
    assert parse_situation(json.dumps(out)) == s


def test_to_dict_keeps_empty_lists_and_fractional_money() -> None:
    s = parse_situation({"insurance": [], "provident_fund": {"balance": 0.1}})
    out = s.to_dict()
    assert out == {"insurance": [], "provident_fund": {"balance": 0.1}}
    assert parse_situation(out) == s


def test_schema_is_strict_and_uses_the_input_keys() -> None:
    schema = situation_json_schema()
    objects = [schema, *schema["$defs"].values()]
    assert {d["title"] for d in schema["$defs"].values()} >= {
        "Person",
        "InsurancePeriod",
        "FundPeriod",
        "ProvidentFund",
        "Card",
        "Request",
        "Residence",
    }
    for obj in objects:
        assert obj["type"] == "object"
        assert obj["additionalProperties"] is False, obj["title"]
    for name in ("InsurancePeriod", "FundPeriod"):
        props = schema["$defs"][name]["properties"]
        assert "from" in props and "from_" not in props
        assert props["from"]["pattern"] == r"^[0-9]{4}-(0[1-9]|1[0-2])$"  # months 01-12
        assert props["from"]["type"] == "string"
        assert props["from"]["description"]
    insurance = schema["properties"]["insurance"]["anyOf"][0]
    assert insurance["type"] == "array"
    assert schema["properties"]["person"]["description"]
    json.dumps(schema)  # serialisable as it is


# --- properties ---------------------------------------------------------------------------------

months = st.integers(min_value=1900 * 12, max_value=9999 * 12 + 11)


@given(months)
def test_any_valid_month_round_trips(index: int) -> None:
    text = format_month(index)
    s = parse_situation({"insurance": [period(**{"from": text})]})
    assert s.insurance is not None and s.insurance[0].from_ == index
    assert s.to_dict()["insurance"][0]["from"] == text
    assert parse_situation(s.to_dict()) == s


@given(st.lists(st.tuples(months, months), min_size=1, max_size=5), st.data())
def test_a_period_ending_before_it_starts_is_refused_at_its_to(
    pairs: list[tuple[int, int]], data: st.DataObject
) -> None:
    bad = data.draw(st.integers(min_value=0, max_value=len(pairs) - 1))
    periods = []
    for i, (a, b) in enumerate(pairs):
        lo, hi = sorted((a, b))
        if i == bad:
            if lo == hi:  # make them differ without leaving the calendar (9999-12 is the last)
                lo, hi = (lo, hi + 1) if hi < 9999 * 12 + 11 else (lo - 1, hi)
            lo, hi = hi, lo  # to < from
        periods.append(period(**{"from": format_month(lo), "to": format_month(hi)}))
    assert problems_of({"insurance": periods}) == [(f"insurance[{bad}].to", "month before 'from'")]


@given(st.decimals(min_value=0, max_value=10**12, places=2, allow_nan=False, allow_infinity=False))
def test_money_round_trips_exactly(amount: Decimal) -> None:
    s = parse_situation({"provident_fund": {"balance": amount}})
    assert s.provident_fund is not None and s.provident_fund.balance == amount
    again = parse_situation(json.loads(json.dumps(s.to_dict())))
    assert again == s


@given(st.text(min_size=1, max_size=12).filter(lambda k: k not in Situation.model_fields))
def test_any_unknown_top_level_key_is_refused_at_its_path(key: str) -> None:
    path, message = only_problem({key: 1})
    assert path == key
    assert message.startswith("unknown key")
