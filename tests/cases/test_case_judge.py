"""The reference evaluator judges the cases: random sequences of facts, life events and clock
moves give, after every step, exactly the decisions ``tongcheng.evaluate`` gives on the
accumulated situation; the changes and notifications durable_rules reports are exactly those a
plain comparison of consecutive evaluations gives."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import tongcheng
from tongcheng.cases import Case, load_triggers
from tongcheng.cases.events import LifeEvent, parse_event
from tongcheng.cases.workdays import due_date
from tongcheng.errors import SituationError
from tongcheng.evaluate.decision import Status
from tongcheng.situation import load_situation

E, INE, U, NA = Status.ELIGIBLE, Status.INELIGIBLE, Status.UNDETERMINED, Status.NOT_APPLICABLE

# Mostly the Jiaodong cities and metro-area counties, some other Shandong cities, one outsider.
PLACES = ["370200", "370215", "370285", "370600", "370682", "370700", "370785", "371000",
          "371100", "370100", "370300", "320100"]
places = st.one_of(st.sampled_from(PLACES[:9]), st.sampled_from(PLACES))


def maybe(strategy, absent=0.2):
    """``strategy``'s value, or None (an unknown fact) about ``absent`` of the time."""
    return st.tuples(st.floats(0, 1), strategy).map(lambda t: None if t[0] < absent else t[1])


def known(mapping):
    return {k: v for k, v in mapping.items() if v is not None}


def months(lo=1995, hi=2024):
    return st.tuples(st.integers(lo, hi), st.integers(1, 12)).map(lambda t: f"{t[0]}-{t[1]:02d}")


@st.composite
def periods(draw, scheme=None):
    start = draw(months())
    period = {"place": draw(places), "from": start}
    if scheme is not None:
        period["scheme"] = draw(scheme)
    if draw(st.floats(0, 1)) < 0.4:
        year, month = map(int, start.split("-"))
        end = year * 12 + month - 1 + draw(st.integers(0, 150))
        period["to"] = f"{end // 12}-{end % 12 + 1:02d}"
    return period


schemes = st.sampled_from(["employee_medical", "employee_medical", "resident_medical", "pension"])
persons = st.fixed_dictionaries({
    "birth_date": maybe(st.dates(date(1950, 1, 1), date(1990, 12, 31)).map(date.isoformat)),
    "sex": maybe(st.sampled_from(["male", "female"])),
    "hukou": maybe(places),
    "lives_in": maybe(places),
    "employment": maybe(st.sampled_from(["employed", "flexible", "unemployed"])),
    "residence": maybe(st.lists(st.fixed_dictionaries({"place": places}), max_size=2)),
}).map(known)
funds = st.fixed_dictionaries({
    "periods": maybe(st.lists(periods(), max_size=2)),
    "balance": maybe(st.integers(0, 200000)),
    "outstanding_loans": maybe(st.integers(0, 1)),
}).map(known)
situations = st.fixed_dictionaries({
    "target": maybe(places),
    "person": maybe(persons, 0.1),
    "insurance": maybe(st.lists(periods(schemes), max_size=3)),
    "provident_fund": maybe(funds),
    "cards": maybe(st.lists(st.fixed_dictionaries({
        "kind": st.sampled_from(["transit", "social_security", "library"]),
        "issuer": places}), max_size=2)),
}).map(known)

events = st.one_of(
    st.fixed_dictionaries({"type": st.just("transfer_in"), "to": places, "scheme": st.sampled_from(
        ["employee_medical", "resident_medical", "pension", "provident_fund"])}),
    st.fixed_dictionaries({"type": st.just("retirement"), "pension_place": maybe(places)}).map(
        known),
    st.fixed_dictionaries({"type": st.just("move"), "to": places}),
    st.fixed_dictionaries({"type": st.just("hospital_admission"), "hospital": places},
                          optional={"grade": st.integers(1, 3)}),
    st.fixed_dictionaries({"type": st.just("loan_application"), "place": places},
                          optional={"couple": st.booleans()}),
    st.fixed_dictionaries({"type": st.just("card_issued"), "issuer": places,
                           "kind": st.sampled_from(["transit", "social_security"])}),
    st.fixed_dictionaries({"type": st.just("residence_permit_issued"), "place": places}),
    st.fixed_dictionaries({"type": st.just("service_request"), "place": places,
                           "service": st.sampled_from(["hukou_migration", "passport"])}),
)
fact_updates = st.one_of(
    st.builds(lambda p: {"target": p}, places),
    st.builds(lambda s: {"person": {"sex": s}}, st.sampled_from(["male", "female", None])),
    st.just({"cards": []}),
    st.just({"insurance": None}),
    st.just({"person": {"lives_in": None}}),
    st.builds(lambda n: {"provident_fund": {"outstanding_loans": n}}, st.integers(0, 1)),
    st.just({"person": {"employment": "employed"}}),  # invalid once retired: refused whole
)
steps = st.lists(
    st.tuples(st.sampled_from(["event", "event", "facts", "clock"]), st.integers(0, 120),
              events, fact_updates),
    min_size=4, max_size=10,
)


def expected_kinds(before, after, outcome_changed):
    """The kinds of change, from their definitions (independent of the durable ruleset)."""
    kinds = []
    if after is E and before is not E:
        kinds.append("newly_eligible")
    if before is E and after is not E:
        kinds.append("no_longer_eligible")
    if before in (U, None) and after is not U:
        kinds.append("newly_determined")
    if after is U and before is not U:
        kinds.append("newly_undetermined")
    if {before, after} == {INE, NA}:
        kinds.append("status_changed")
    if before is after and before in (E, INE) and outcome_changed:
        kinds.append("outcome_changed")  # ineligible: the figures the refusal turned on
    return tuple(kinds)


def expected_notifications(triggers, previous, now, event, fields):
    out = []
    for t in triggers:
        before = previous.decision(t.rule).status if previous else None
        after = now.decision(t.rule).status
        if t.reacts_to(event, fields) and after is t.becomes and (
                t.fires == "on_event" or before is not t.becomes):
            out.append(t.id)
    return out


def check_step(pack, triggers, case, previous, update, event, fields, started):
    truth = tongcheng.evaluate(case.situation, pack)
    assert update.evaluation == truth  # the reference evaluator's decisions, exactly
    assert case.evaluation == truth and update.as_of == case.clock == truth.as_of
    expected = []
    for d in truth.decisions:
        old = previous.decision(d.rule) if previous else None
        before = old.status if old else None
        if old is None or old.status is not d.status or old.outcome != d.outcome:
            expected.append((d.rule, before, d.status, expected_kinds(
                before, d.status, old is not None and old.outcome != d.outcome), d, old))
    got = [(c.rule, c.before, c.after, c.kinds, c.decision, c.previous) for c in update.changes]
    assert got == expected
    assert [n.trigger for n in update.notifications] == expected_notifications(
        triggers, previous, truth, event, fields)
    for n in update.notifications:
        assert n.decision == truth.decision(n.rule)
        spec = triggers.get(n.trigger).deadline
        if spec is not None:
            due = due_date(started, n.decision.outcome.get(spec.working_days))
            assert (n.deadline.due, n.deadline.reason) == (due.due, due.reason)


PACK = tongcheng.bundled_pack()


@given(situations, st.one_of(st.dates(date(2025, 4, 28), date(2026, 11, 30)),
                             st.dates(date(2019, 1, 1), date(2026, 11, 30))), steps)
def test_every_step_gives_the_reference_decisions(facts, opened, sequence):
    triggers = load_triggers(PACK)
    case = Case.open("x", facts, on=opened, pack=PACK)
    check_step(PACK, triggers, case, None, case.opening, "opened", {}, opened)
    for kind, days, event, update in sequence:
        previous, history = case.evaluation, len(case.history)
        day = case.clock + timedelta(days=days)
        try:
            if kind == "event":
                model = parse_event({**event, "on": day.isoformat()})
                step = case.record(model)
                name, fields, started = model.type, model.model_dump(), model.on
            elif kind == "facts":
                step = case.update(update, on=day)
                name, fields, started = "facts", {}, case.clock
            else:
                step = case.advance_to(day)
                name, fields, started = "clock", {}, day
        except SituationError:
            assert case.evaluation == previous and len(case.history) == history
            continue
        assert len(case.history) == history + 1 and case.history[-1] is step
        if isinstance(step.detail, LifeEvent):
            check_event_facts(step.detail, case.situation)
        check_step(PACK, triggers, case, previous, step, name, fields, started)


def check_event_facts(event, situation):
    """What each event says, read back from the accumulated situation."""
    person = situation.person
    if event.type == "move":
        assert person.lives_in == event.to == situation.target
    elif event.type == "hospital_admission":
        assert situation.target == event.hospital
    elif event.type in ("loan_application", "service_request"):
        assert situation.target == event.place
    elif event.type == "retirement":
        assert (person.employment, person.retired_on) == ("retired", event.on)
    elif event.type == "card_issued":
        assert (situation.cards[-1].kind, situation.cards[-1].issuer) == (event.kind, event.issuer)
    elif event.type == "residence_permit_issued":
        assert person.residence[-1].place == event.place
    elif event.type == "transfer_in":
        assert situation.target == event.to
        periods = (situation.provident_fund.periods if event.scheme == "provident_fund" else
                   [p for p in situation.insurance if p.scheme == event.scheme])
        running = [p.place for p in periods if p.to is None]
        assert set(running) == {event.to}  # running only at the destination


# Person examples only: a project has no life events.
EXAMPLES = sorted(
    p for p in (Path(__file__).resolve().parents[2] / "examples").glob("*.yaml")
    if "project" not in load_situation(p).to_dict()
)
SCRIPT = [
    {"type": "hospital_admission", "hospital": "370200"},
    {"type": "retirement", "pension_place": "370600"},
    {"type": "move", "to": "371000"},
    {"type": "hospital_admission", "hospital": "371000"},
    {"type": "transfer_in", "scheme": "employee_medical", "to": "370200"},
    {"type": "transfer_in", "scheme": "provident_fund", "to": "370200"},
    {"type": "loan_application", "place": "370200"},
    {"type": "card_issued", "kind": "transit", "issuer": "370700"},
    {"type": "residence_permit_issued", "place": "370785"},
    {"type": "service_request", "service": "hukou_migration", "place": "370285"},
    {"type": "move", "to": "370100"},
    {"type": "move", "to": "370600"},
]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_a_scripted_life_on_every_example(example):
    triggers = load_triggers(PACK)
    facts = load_situation(example).to_dict()
    facts.setdefault("cards", [])
    facts.setdefault("person", {}).setdefault("residence", [])
    case = Case.open(example.stem, facts, pack=PACK)
    check_step(PACK, triggers, case, None, case.opening, "opened", {}, case.clock)
    fired = []
    for i, event in enumerate(SCRIPT):
        previous = case.evaluation
        try:
            model = parse_event({**event, "on": (case.clock + timedelta(days=9 * i)).isoformat()})
            step = case.record(model)
        except SituationError:
            assert case.evaluation == previous
            continue
        check_event_facts(model, case.situation)
        check_step(PACK, triggers, case, previous, step, model.type, model.model_dump(), model.on)
        fired.extend(n.trigger for n in step.notifications)
    previous = case.evaluation
    check_step(PACK, triggers, case, previous, case.advance_to(case.clock + timedelta(days=40)),
               "clock", {}, case.clock)
    # an enterprise is not a person: a person's life events change nothing of its decisions
    assert fired or example.stem.startswith(("culture", "household", "enterprise"))
