"""Life events as situation updates, facts given over time, and the case's bookkeeping."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

import pytest

import tongcheng
from tongcheng.cases import (
    CardIssued,
    Case,
    CaseClosed,
    CaseStore,
    HospitalAdmission,
    LoanApplication,
    Move,
    ResidencePermitIssued,
    Retirement,
    ServiceRequest,
    TransferIn,
    parse_event,
)
from tongcheng.errors import SituationError

D = date(2025, 6, 16)
MEDICAL = {"scheme": "employee_medical", "place": "370600", "from": "2000-01"}


# --- each event's facts --------------------------------------------------------------------------


def test_transfer_in_closes_running_periods_elsewhere_and_opens_one_at_the_destination():
    facts = {"insurance": [MEDICAL, {"scheme": "pension", "place": "370600", "from": "2000-01"},
                           {"scheme": "employee_medical", "place": "370700", "from": "1995-01",
                            "to": "1999-12"}]}
    out = TransferIn(on=D, scheme="employee_medical", to="370200").apply(facts)
    assert out == {"target": "370200", "insurance": [
        {**MEDICAL, "to": "2025-05"},
        {"scheme": "pension", "place": "370600", "from": "2000-01"},  # another scheme: kept
        {"scheme": "employee_medical", "place": "370700", "from": "1995-01", "to": "1999-12"},
        {"scheme": "employee_medical", "place": "370200", "from": "2025-06"},
    ]}
    assert facts["insurance"][0] == MEDICAL  # the input is not changed


def test_transfer_in_to_where_one_already_pays_changes_no_period():
    facts = {"insurance": [{**MEDICAL, "place": "370200"}]}
    out = TransferIn(on=D, scheme="employee_medical", to="370200").apply(facts)
    assert out["insurance"] == facts["insurance"]


def test_transfer_of_a_period_begun_this_month_keeps_a_valid_period():
    facts = {"insurance": [{**MEDICAL, "from": "2025-06"}]}
    out = TransferIn(on=D, scheme="employee_medical", to="370200").apply(facts)
    assert out["insurance"][0]["to"] == "2025-06"


def test_provident_fund_transfer():
    facts = {"provident_fund": {"periods": [{"place": "370700", "from": "2015-01"}],
                                "balance": 1000}}
    out = TransferIn(on=D, scheme="provident_fund", to="370200").apply(facts)
    assert out["provident_fund"] == {"balance": 1000, "periods": [
        {"place": "370700", "from": "2015-01", "to": "2025-05"},
        {"place": "370200", "from": "2025-06"}]}


@pytest.mark.parametrize(
    ("event", "facts", "path"),
    [
        (TransferIn(on=D, scheme="employee_medical", to="370200"), {}, "insurance"),
        (TransferIn(on=D, scheme="provident_fund", to="370200"), {"provident_fund": {}},
         "provident_fund.periods"),
        (CardIssued(on=D, kind="transit", issuer="370200"), {}, "cards"),
        (ResidencePermitIssued(on=D, place="370200"), {"person": {}}, "person.residence"),
    ],
)
def test_an_unknown_list_stays_unknown(event, facts, path):
    with pytest.raises(SituationError) as caught:
        event.apply(facts)
    (problem,) = caught.value.problems
    assert problem.path == path and "give" in problem.message


def test_the_other_events():
    assert Retirement(on=D, pension_place="370600").apply({"person": {"sex": "male"}}) == {
        "person": {"sex": "male", "employment": "retired", "retired_on": "2025-06-16",
                   "pension_place": "370600"}}
    assert Retirement(on=D).apply({}) == {"person": {"employment": "retired",
                                                     "retired_on": "2025-06-16"}}
    assert Move(on=D, to="371000").apply({"target": "370600"}) == {
        "target": "371000", "person": {"lives_in": "371000"}}
    assert HospitalAdmission(on=D, hospital="370200", grade=3).apply({}) == {
        "target": "370200", "request": {"hospital_grade": 3}}
    assert LoanApplication(on=D, place="370200", couple=True).apply({}) == {
        "target": "370200", "provident_fund": {"couple_application": True}}
    assert CardIssued(on=D, kind="transit", issuer="370700").apply({"cards": []}) == {
        "cards": [{"kind": "transit", "issuer": "370700"}]}
    assert ResidencePermitIssued(on=D, place="370785").apply({"person": {"residence": []}}) == {
        "person": {"residence": [{"place": "370785", "since": "2025-06-16"}]}}
    assert ServiceRequest(on=D, service="hukou_migration", place="370285").apply({}) == {
        "target": "370285", "request": {"service": "hukou_migration"}}


@pytest.mark.parametrize(
    ("data", "expect"),
    [
        ({"type": "moving", "on": "2025-06-16"}, "event: expected an event type"),
        ({"type": "move", "on": "2025-06-16", "to": "371000", "why": "x"}, "event.why: unknown"),
        ({"type": "move", "on": "2025-6-16", "to": "371000"}, "event.on: expected a date"),
        ({"type": "move", "on": "2025-06-16"}, "event.to: required key is missing"),
        ({"type": "move", "on": "2025-06-16", "to": "999999"}, "event.to: unknown place"),
        ({"type": "move", "on": "2025-06-16", "to": "370282"}, "event.to: place code '370282'"),
        ({"type": "hospital_admission", "on": "2025-06-16", "hospital": "370200", "grade": "3"},
         "event.grade: expected a whole number"),
        ({"type": "transfer_in", "on": "2025-06-16", "scheme": "car", "to": "370200"},
         "event.scheme"),
        ("move", "event: expected a mapping"),
    ],
)
def test_invalid_events_name_the_path(data, expect):
    with pytest.raises(SituationError) as caught:
        parse_event(data)
    assert expect in str(caught.value)


@pytest.mark.parametrize(
    ("data", "path", "zh"),
    [
        ({"type": "moving", "on": "2025-06-16"}, "event", "应为以下事件类型之一"),
        ({"type": "move", "on": "2025-06-16", "to": "371000", "why": "x"}, "event.why",
         "未知的键"),
        ({"type": "move", "on": "2025-06-16"}, "event.to", "缺少必填的键"),
        ({"type": "move", "on": "2025-06-16", "to": "999999"}, "event.to", "未知的地区代码"),
        ({"type": "move", "on": "2025-06-16", "to": "370282"}, "event.to", "已于 2017-09-20 停用"),
        ({"type": "transfer_in", "on": "2025-06-16", "scheme": "provident", "to": "370200"},
         "event.scheme.literal['provident_fund']", "应为 'provident_fund'"),
        ("move", "event", "应为含事件类型"),
    ],
)
def test_invalid_events_are_worded_in_chinese_too(data, path, zh):
    """The watch stream's rejects and a zh caller read these: each said in Chinese as well."""
    from test_languages import foreign
    from tongcheng.cases.events import EVENT_TYPES

    with pytest.raises(SituationError) as caught:
        parse_event(data)
    said = {p.path: p.text("zh") for p in caught.value.problems}
    assert zh in said[path]
    for problem in caught.value.problems:
        assert problem.zh, problem
        names = ("on", "type", *EVENT_TYPES)  # keys and event types, as written
        assert not [w for w in foreign(problem.zh, "zh") if w not in names], problem


def test_a_list_unknown_to_an_event_and_a_bad_update_are_worded_in_chinese_too(case):
    with pytest.raises(SituationError) as caught:
        CardIssued(on=D, kind="transit", issuer="370700").apply({})
    assert caught.value.describe("zh") == (
        "情形无效:\n  cards: 未知(尚未给出),因此无法向其中加入新卡(列表一经给出即视为完整):"
        "请先给出 cards(没有则填 [])")
    assert "cards: unknown, so a card cannot be added" in caught.value.describe("en")
    for facts, zh in (([1], "应为情形各项"), ({"as_of": "2025-07-01"}, "由案件的时钟设定")):
        with pytest.raises(SituationError) as caught:
            case.update(facts)
        assert zh in caught.value.describe("zh")


def test_events_from_mappings_and_models_are_the_same():
    assert parse_event({"type": "move", "on": "2025-06-16", "to": 371000}) == Move(
        on=D, to="371000")


# --- facts over time ----------------------------------------------------------------------------


@pytest.fixture
def case(pack):
    return Case.open("张", {"target": "370600", "person": {"sex": "female", "lives_in": "370600"},
                            "insurance": [MEDICAL], "cards": []}, on=date(2025, 6, 3), pack=pack)


def test_update_merges_mappings_replaces_lists_and_null_is_unknown(case):
    case.update({"person": {"birth_date": "1970-01-02"}, "insurance": [
        {**MEDICAL, "place": "370700"}]})
    assert case.facts["person"] == {"sex": "female", "lives_in": "370600",
                                    "birth_date": "1970-01-02"}
    assert case.facts["insurance"] == [{**MEDICAL, "place": "370700"}]
    case.update({"person": {"sex": None}, "cards": None})
    assert "sex" not in case.facts["person"] and "cards" not in case.facts
    assert case.situation.cards is None
    case.update({"person": {"birth_date": None, "lives_in": None}})
    assert "person" not in case.facts


def test_invalid_steps_leave_the_case_as_it_was(case):
    before = (case.facts, case.clock, case.evaluation, len(case.history))
    with pytest.raises(SituationError) as caught:
        case.update({"insurance": [{**MEDICAL, "to": "1999-01"}], "persn": {}})
    assert {p.path for p in caught.value.problems} == {"insurance[0].to", "persn"}
    with pytest.raises(SituationError, match="as_of"):
        case.update({"as_of": "2025-07-01"})
    with pytest.raises(SituationError):
        case.record(ResidencePermitIssued(on=date(2025, 7, 1), place="370200"))
    with pytest.raises(SituationError):
        case.record({"type": "move", "on": "2025-07-01", "to": "999999"})
    with pytest.raises(ValueError, match="cannot go back"):
        case.advance_to(date(2025, 1, 1))
    assert (case.facts, case.clock, case.evaluation, len(case.history)) == before


def test_the_clock(case):
    assert case.clock == date(2025, 6, 3) and case.situation.as_of == date(2025, 6, 3)
    case.record(Move(on=date(2025, 6, 20), to="371000"))
    assert case.clock == date(2025, 6, 20)
    case.record(Move(on=date(2025, 6, 10), to="370600"))  # recorded late: the clock stays
    assert case.clock == date(2025, 6, 20)
    case.update({"person": {"sex": "male"}}, on=date(2025, 7, 1))
    assert case.clock == date(2025, 7, 1)
    update = case.advance_to(date(2025, 8, 1))
    assert update.event == "clock" and update.as_of == date(2025, 8, 1)
    assert [u.event for u in case.history] == ["opened", "move", "move", "facts", "clock"]


def test_open_takes_as_of_or_a_situation(pack):
    a = Case.open("a", {"as_of": "2025-03-04", "target": "370200"}, pack=pack)
    assert a.clock == date(2025, 3, 4) and "as_of" not in a.facts
    b = Case.open("b", tongcheng.parse_situation({"as_of": "2025-03-04", "target": "370200"}),
                  pack=pack)
    assert b.evaluation == a.evaluation
    c = Case.open("c", {"as_of": "2025-03-04"}, on=date(2025, 5, 1), pack=pack)
    assert c.clock == date(2025, 5, 1)
    with pytest.raises(SituationError):
        Case.open("d", {"target": "12"}, pack=pack)


def test_store_close_and_idle(pack):
    store = CaseStore()
    old = Case.open("old", {}, on=date(2025, 1, 1), pack=pack, store=store)
    new = Case.open("new", {}, on=date(2025, 6, 1), pack=pack, store=store)
    assert len(store) == 2 and old.id in store and store.get(new.id).subject == "new"
    assert {c.id for c in store} == {old.id, new.id}
    assert store.close_idle(date(2025, 3, 1)) == (old.id,)
    with pytest.raises(CaseClosed):
        old.record(Move(on=date(2025, 6, 1), to="370200"))
    new.close()
    assert len(store) == 0
    with pytest.raises(CaseClosed, match="not open"):
        _ = new.evaluation


def test_update_json_is_plain_json(case):
    update = case.record(Move(on=date(2025, 6, 20), to="371000"))
    text = json.dumps(update.to_json("en"), ensure_ascii=False)
    assert '"event": "move"' in text
    with pytest.raises(ValueError, match="unknown kind"):
        update.changed("newly_granted")


def test_tongcheng_case_is_lazy():
    code = (
        "import sys, tongcheng\n"
        "assert 'tongcheng.cases' not in sys.modules and 'durable' not in sys.modules\n"
        "from tongcheng.cases import Case\n"
        "assert tongcheng.Case is Case\n"
        "try:\n    tongcheng.Nope\nexcept AttributeError as e:\n    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert "no attribute 'Nope'" in out.stdout
