"""Cases a portal follows: proactive services on the bundled triggers, and deadlines."""

from __future__ import annotations

from datetime import date

import pytest
from casetools import copy_pack

import tongcheng
from tongcheng.cases import Case, HospitalAdmission, Move, Retirement, TransferIn, load_triggers
from tongcheng.cases.workdays import known_years

RETIREE = {
    "target": "370600",
    "person": {"birth_date": "1962-04-01", "sex": "male", "employment": "retired",
               "retired_on": "2022-04-01", "pension_place": "370600", "lives_in": "370600"},
    "insurance": [{"scheme": "employee_medical", "place": "370600", "from": "1990-01"}],
}


def _triggers(update):
    return [n.trigger for n in update.notifications]


def test_a_retiree_who_moves_to_weihai_is_told_once(pack):
    case = Case.open("王", RETIREE, on=date(2025, 5, 6), pack=pack)
    assert "pension.certify_where_living" not in _triggers(case.opening)
    moved = case.record(Move(on=date(2025, 6, 3), to="371000"))
    assert "pension.certify_where_living" in _triggers(moved)
    note = next(n for n in moved.notifications if n.trigger == "pension.certify_where_living")
    assert note.decision == tongcheng.evaluate(case.situation, pack).decision(
        "pension.remote_certification")
    assert "烟台市" in note.message.zh and "Yantai" in note.message.en
    assert note.service.en.startswith("Pension entitlement certification")
    # 烟台 and 威海 share only the five Jiaodong cities, whose 2020 sentence only promises it
    assert any(b.quote and "资格核查互认" in b.quote for b in note.basis)
    assert note.decision.firmness == "promise"
    assert note.to_json("en")["firmness"] == "promise"
    assert "only promises" in note.to_json("en")["message"]
    assert "承诺" in note.to_json("zh")["message"]
    assert note.decision in moved.changed("newly_eligible")
    # nothing changes for the rule: no second notification
    again = case.update({"person": {"sex": "male"}}, on=date(2025, 7, 1))
    later = case.advance_to(date(2025, 9, 1))
    assert "pension.certify_where_living" not in _triggers(again) + _triggers(later)
    # a move outside every zone of the rule, and back: a new transition, told again
    away = case.record(Move(on=date(2025, 10, 8), to="370100"))
    assert case.decision("pension.remote_certification") in away.changed("no_longer_eligible")
    back = case.record(Move(on=date(2025, 11, 3), to="371000"))
    assert "pension.certify_where_living" in _triggers(back)
    assert [n.trigger for n in case.notifications].count("pension.certify_where_living") == 2


def test_retirement_then_move(pack):
    facts = {**RETIREE, "person": {"birth_date": "1965-04-01", "sex": "female",
                                   "employment": "employed", "lives_in": "371000"},
             "target": "371000"}
    case = Case.open("李", facts, on=date(2025, 3, 3), pack=pack)
    retired = case.record(Retirement(on=date(2025, 4, 1), pension_place="370600"))
    assert "pension.certify_where_living" in _triggers(retired)


def test_each_hospital_admission_in_another_member_city_is_settled_directly(pack):
    case = Case.open("赵", RETIREE, on=date(2025, 5, 6), pack=pack)
    first = case.record(HospitalAdmission(on=date(2025, 6, 3), hospital="370200"))
    assert "medical.direct_settlement_at_hospital" in _triggers(first)
    note = first.notifications[0]
    assert note.decision.outcome == {"insured_place": "370600"}
    assert "烟台市" in note.message.zh
    # a second admission: the decision was already eligible, the admission is a new occasion
    second = case.record(HospitalAdmission(on=date(2025, 7, 1), hospital="370700"))
    assert "medical.direct_settlement_at_hospital" in _triggers(second)
    # at home the rule says no, and a move is not an admission
    home = case.record(HospitalAdmission(on=date(2025, 7, 2), hospital="370600"))
    assert "medical.direct_settlement_at_hospital" not in _triggers(home)
    moved = case.record(Move(on=date(2025, 7, 3), to="371000"))
    assert case.decision("medical.inpatient_direct_settlement").status.value == "eligible"
    assert "medical.direct_settlement_at_hospital" not in _triggers(moved)


WORKER = {"target": "370600", "insurance": [
    {"scheme": "employee_medical", "place": "370600", "from": "2010-01"},
    {"scheme": "pension", "place": "370600", "from": "2010-01"}]}


def test_a_transfer_request_starts_a_nine_working_day_clock_across_national_day(pack):
    case = Case.open("孙", WORKER, on=date(2025, 9, 1), pack=pack)
    update = case.record(TransferIn(on=date(2025, 9, 30), scheme="employee_medical",
                                    to="370200"))
    note = next(n for n in update.notifications if n.trigger == "medical_insurance.recognition_due")
    assert note.decision.outcome["processing_limit_working_days"] == 9
    deadline = note.deadline
    assert (deadline.started, deadline.working_days, deadline.due) == (
        date(2025, 9, 30), 9, date(2025, 10, 20))
    assert case.deadlines == (deadline,) and deadline.status == "open"
    assert not update.alerts
    assert not case.advance_to(date(2025, 10, 17)).alerts
    due = case.advance_to(date(2025, 10, 20)).alerts
    assert [a.kind for a in due] == ["due"]
    late = case.advance_to(date(2025, 10, 22)).alerts
    assert [(a.kind, a.working_days_late) for a in late] == [("overdue", 2)]
    assert "2 working days late" in late[0].message.en
    assert not case.advance_to(date(2025, 10, 23)).alerts  # raised once, not at every step
    assert [a.kind for a in case.alerts()] == ["overdue"]  # but still there when asked
    assert [a.kind for a in case.alerts(date(2025, 10, 20))] == ["due"]
    assert case.alerts(date(2025, 10, 1)) == ()
    done = case.complete(deadline.id, on=date(2025, 10, 24))
    assert done.status == "done" and case.alerts() == ()
    with pytest.raises(KeyError):
        case.complete("nope")


def test_spring_festival_and_adjusted_working_days(pack):
    # before 2025-04-28 only the metropolitan area recognises: 莱阳 (Yantai) is a member
    laiyang = {"target": "370682", "insurance": [
        {"scheme": "employee_medical", "place": "370682", "from": "2010-01"}]}
    case = Case.open("周", laiyang, on=date(2025, 1, 2), pack=pack)
    update = case.record(TransferIn(on=date(2025, 1, 24), scheme="employee_medical",
                                    to="370200"))
    (deadline,) = case.deadlines
    assert deadline.due == date(2025, 2, 12)
    assert [a.kind for a in update.alerts] == []


def test_a_pension_transfer_starts_no_recognition_clock(pack):
    case = Case.open("吴", WORKER, on=date(2025, 9, 1), pack=pack)
    update = case.record(TransferIn(on=date(2025, 9, 30), scheme="pension", to="370200"))
    assert "medical_insurance.recognition_due" not in _triggers(update)
    assert case.deadlines == ()


def test_a_date_beyond_the_calendar_leaves_the_deadline_undetermined(pack):
    _, last = known_years()
    case = Case.open("郑", WORKER, on=date(last + 1, 2, 1), pack=pack)
    update = case.record(TransferIn(on=date(last + 1, 3, 2), scheme="employee_medical",
                                    to="370200"))
    (deadline,) = case.deadlines
    assert deadline.due is None and deadline.status == "undetermined"
    assert f"{last + 1} is not known" in deadline.reason
    assert [a.kind for a in update.alerts] == ["undetermined"]
    assert "cannot be determined" in update.alerts[0].message.en
    assert not case.advance_to(date(last + 1, 6, 1)).alerts  # raised once


def test_the_length_comes_from_the_decision_not_a_constant(tmp_path):
    root = copy_pack(tmp_path / "pack")
    params = root / "parameters" / "medical_insurance.yaml"
    text = params.read_text(encoding="utf-8")
    assert text.count("        value: 9\n") == 1
    params.write_text(text.replace("        value: 9\n", "        value: 5\n"), encoding="utf-8")
    pack = tongcheng.load_pack(root)
    case = Case.open("冯", WORKER, on=date(2025, 9, 1), pack=pack, triggers=load_triggers(pack))
    case.record(TransferIn(on=date(2025, 9, 30), scheme="employee_medical", to="370200"))
    (deadline,) = case.deadlines
    assert (deadline.working_days, deadline.due) == (5, date(2025, 10, 14))


def test_time_alone_changes_decisions(pack):
    case = Case.open("陈", {"target": "370200", "person": {"birth_date": "1965-07-01"}},
                     on=date(2025, 6, 30), pack=pack)
    assert case.decision("transit.senior_free_ride").status.value == "ineligible"
    update = case.advance_to(date(2025, 7, 1))
    assert [c.rule for c in update.changes] == ["transit.senior_free_ride"]
    (change,) = update.changes
    assert change.kinds == ("newly_eligible",)
    assert change.before.value == "ineligible" and change.previous.status.value == "ineligible"
