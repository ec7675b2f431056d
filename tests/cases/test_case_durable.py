"""durable_rules 2.0.28 hazards: each shown on the stock library (in a subprocess, so this
process stays clean) and shown handled by tongcheng.cases.engine."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from datetime import date

import pytest

from tongcheng.cases import Case, CaseStore, engine
from tongcheng.cases.engine import FactError, compile_ruleset, decision_fact, event_fact, run
from tongcheng.cases.triggers import load_triggers

QUIET = """
import os
from durable import engine
fired = []
class Quiet(engine.Host):
    def _run(self): pass
    def get_action(self, name):
        def act(c):
            fired.append(name)
            if len(fired) > 5000:
                print("LOOP", flush=True)
                os._exit(0)  # durable_rules catches every exception an action raises
        return act
h = Quiet()
"""


def _stock(script: str, timeout: float = 20) -> str:
    """Run ``script`` against the stock durable_rules in a fresh interpreter; its stdout."""
    done = subprocess.run([sys.executable, "-c", QUIET + script], capture_output=True,
                          text=True, timeout=timeout)
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def compiled(pack):
    return compile_ruleset(pack, load_triggers(pack))


def _facts(compiled, event="move", before="none", after="eligible", outcome=None):
    out = [event_fact(compiled, event)]
    for i, rule in enumerate(compiled.rules):
        out.append(decision_fact(compiled, i, rule, before, after, False, outcome or {}))
    return out


# --- dispatcher threads ------------------------------------------------------------------------


def test_stock_host_starts_dispatcher_threads():
    out = _stock("import threading\nbefore = threading.active_count()\n"
                 "engine.Host()\nprint(threading.active_count() - before)\n")
    assert out.split()[-1] == "2"


def test_cases_start_no_thread(small_pack):
    before = set(threading.enumerate())
    case = Case.open("x", {"target": "370200", "insurance": []}, on=date(2025, 6, 3),
                     pack=small_pack)
    case.record({"type": "move", "on": "2025-06-04", "to": "371000"})
    case.advance_to(date(2025, 7, 1))
    started = set(threading.enumerate()) - before
    assert not started
    assert not [t for t in threading.enumerate() if isinstance(t, threading.Timer)]


def test_actions_run_inline_nothing_left_pending(compiled):
    fired = run(compiled, _facts(compiled))
    # every rule's decision went from no decision to eligible: two kinds each, plus triggers
    changes = [f for f in fired if f.name.startswith("change:")]
    assert len(changes) == 2 * len(compiled.rules)
    assert {f.facts["d"] for f in changes} == {f"d{i}" for i in range(len(compiled.rules))}


# --- 1024 live sessions per ruleset -------------------------------------------------------------


def test_stock_ruleset_refuses_the_1025th_live_session():
    out = _stock(
        "h.register_rulesets({'r': {'a': {'all': [{'m': {'kind': 't'}}], 'run': 'a'}}})\n"
        "for i in range(1100):\n"
        "    try:\n"
        "        h.assert_fact('r', {'sid': str(i), 'kind': 't'})\n"
        "    except MemoryError:\n"
        "        print('full at', i); break\n"
    )
    assert "full at 1024" in out


def test_sessions_never_outlive_a_step(small_pack):
    compiled = compile_ruleset(small_pack, load_triggers(small_pack))
    facts = _facts(compiled)
    for _ in range(3000):  # three times the limit, one after the other
        run(compiled, facts)


def test_more_than_1024_open_cases(small_pack):
    store = CaseStore()
    cases = []
    for i in range(1100):
        cases.append(Case.open(
            f"person {i}",
            {"target": "370600", "person": {"employment": "retired", "pension_place": "370600",
                                            "lives_in": "370600"},
             "insurance": [{"scheme": "employee_medical", "place": "370600", "from": "2000-01"}]},
            on=date(2025, 5, 6), pack=small_pack, store=store,
        ))
    assert len(store) == 1100
    for i, case in enumerate(cases):  # every open case takes a step after all are open
        update = case.record({"type": "move", "on": "2025-06-03",
                              "to": "371000" if i % 2 else "370100"})
        eligible = [n.trigger for n in update.notifications]
        assert eligible == (["pension.certify_where_living"] if i % 2 else [])
    for case in cases[:550]:
        case.close()
    assert len(store) == 550
    assert cases[-1].decision("pension.remote_certification").status.value == "eligible"


# --- an absence test alone matches the session's state object ---------------------------------


def test_stock_absence_rule_loops_on_the_state_object():
    out = _stock(
        "h.register_rulesets({'r': {'a': {'all': [{'m': {'$nex': {'v': 1}}}], 'run': 'a'},"
        " 'b': {'all': [{'m': {'kind': 'x'}}], 'run': 'b'}}})\n"
        "h.assert_fact('r', {'sid': '1', 'kind': 'x', 'v': 1})\nprint('ended')\n"
    )
    assert "LOOP" in out and "ended" not in out


def test_a_discriminated_absence_test_fires_once():
    out = _stock(
        "h.register_rulesets({'r': {'a': {'all': [{'m': {'$and': [{'kind': 'x'},"
        " {'$nex': {'v': 1}}]}}], 'run': 'a'}}})\n"
        "h.assert_fact('r', {'sid': '1', 'kind': 'x', 'w': 1})\nprint(fired)\n"
    )
    assert "['a']" in out


def test_every_generated_condition_has_a_discriminator(compiled):
    definition = compiled.definition()
    engine.check_definition(definition)
    for rule in definition.values():
        for condition in rule["all"]:
            for test in condition.values():
                assert {"kind": "decision"} in test["$and"] or {"kind": "event"} in test["$and"]
    with pytest.raises(ValueError, match="discriminator"):
        engine.check_definition({"x": {"all": [{"m": {"$nex": {"v": 1}}}], "run": "x"}})
    with pytest.raises(ValueError, match="discriminator"):
        engine.check_definition({"x": {"all": [{"m": {"$or": [{"kind": "a"}, {"v": 1}]}}]}})


# --- no $in -------------------------------------------------------------------------------------


def test_stock_has_no_in_operator():
    out = _stock(
        "try:\n"
        "    h.register_rulesets({'r': {'a': {'all': [{'m': {'$and': [{'kind': 'x'},"
        " {'$in': {'v': ['a', 'b']}}]}}], 'run': 'a'}}})\n"
        "except Exception as e:\n    print('refused', e)\n"
    )
    assert "refused" in out


def test_lists_are_expanded_to_or(compiled):
    text = compiled.definition_json
    assert '"$in"' not in text and '"$or"' in text
    with pytest.raises(ValueError, match=r"\$in"):
        engine.check_definition({"x": {"all": [{"m": {"$and": [
            {"kind": "a"}, {"$in": {"v": [1]}}]}}]}})
    # transit.card_accepted listens to card_issued and move, and nothing else
    for event, fires in (("card_issued", True), ("move", True), ("retirement", False)):
        fired = {f.name for f in run(compiled, _facts(compiled, event=event))}
        assert ("trigger:transit.card_accepted" in fired) is fires, event


# --- loose typing -------------------------------------------------------------------------------


def test_stock_matches_a_string_as_a_number():
    out = _stock(
        "h.register_rulesets({'r': {'a': {'all': [{'m': {'$and': [{'kind': 'x'},"
        " {'$gte': {'n': 15}}]}}], 'run': 'a'}}})\n"
        "h.assert_fact('r', {'sid': '1', 'kind': 'x', 'n': '16'})\nprint(fired)\n"
    )
    assert "['a']" in out


def test_facts_are_validated_before_posting(pack, tmp_path):
    path = tmp_path / "triggers.yaml"
    path.write_text(
        "- id: long_record\n  rule: medical_insurance.contribution_years_recognition\n"
        "  where: [{outcome: recognized_months, op: '>=', value: 15}]\n"
        "  service: {zh: 长, en: long}\n  message: {zh: 长, en: long}\n", encoding="utf-8")
    compiled = compile_ruleset(pack, load_triggers(pack, path))
    rule = "medical_insurance.contribution_years_recognition"
    index = compiled.rules.index(rule)

    def fired(months):
        facts = _facts(compiled, before="ineligible", after="ineligible")
        facts[index + 1] = decision_fact(compiled, index, rule, "none", "eligible", False,
                                         {"recognized_months": months})
        return "trigger:long_record" in {f.name for f in run(compiled, facts)}

    assert fired(16) and fired(15) and not fired(14)
    assert not fired("16")  # not posted as a number: the test is false, never a loose match
    assert not fired(True) and not fired(None)
    fact = decision_fact(compiled, index, rule, "none", "eligible", False,
                         {"recognized_months": "16"})
    assert "o_recognized_months" not in fact
    bad = dict(fact, o_recognized_months="16")
    with pytest.raises(FactError, match="must be a number"):
        run(compiled, [bad])
    with pytest.raises(FactError, match="'after' must be a status"):
        run(compiled, [dict(fact, after="granted")])
    with pytest.raises(FactError, match="rule of the pack"):
        run(compiled, [dict(fact, rule="no.such")])
    with pytest.raises(FactError, match="unexpected field"):
        run(compiled, [dict(fact, extra=1)])
    with pytest.raises(FactError, match="'event' must be one of"):
        run(compiled, [{"id": "e", "kind": "event", "event": 3}])


# --- rulesets cannot be deleted; definitions are mutated ----------------------------------------


def test_stock_names_register_once_and_definitions_are_mutated():
    out = _stock(
        "d = {'a': {'all': [{'m': {'kind': 'x'}}], 'run': 'a'}}\n"
        "h.register_rulesets({'r': d})\nprint('run' in d['a'])\n"
        "try:\n    h.register_rulesets({'r': {'a': {'all': [{'m': {'kind': 'x'}}],"
        " 'run': 'a'}}})\nexcept Exception as e:\n    print('refused', e)\n"
    )
    assert out.splitlines()[0] == "False" and "already registered" in out


def test_registered_once_per_pack_and_triggers(pack, small_pack):
    first = compile_ruleset(pack, load_triggers(pack))
    again = compile_ruleset(pack, load_triggers(pack))
    assert first.name == again.name and first.definition_json == again.definition_json
    for _ in range(3):
        Case.open("x", {"target": "370200"}, on=date(2025, 6, 3), pack=pack)
    assert engine.registered().count(first.name) == 1
    other = compile_ruleset(small_pack, load_triggers(small_pack))
    assert other.name != first.name
    with pytest.raises(ValueError, match="does not have"):
        compile_ruleset(small_pack, load_triggers(pack))
    engine.register(other)
    engine.register(other)
    assert {first.name, other.name} <= set(engine.registered())
    # durable_rules deleted 'run' from the copy it was given, not from the compiled form
    assert all("run" in rule for rule in first.definition().values())
    assert json.loads(first.definition_json) == first.definition()


# --- the C extension holds the GIL: one thread at a time ------------------------------------------


def test_the_engine_lock_is_documented():
    assert "GIL" in (engine.run.__doc__ or "") and "lock" in (engine.run.__doc__ or "")
    assert "GIL" in (engine.__doc__ or "")


def test_parallel_cases_give_the_sequential_results(small_pack):
    def script(i):
        case = Case.open(f"p{i}", {
            "target": "370600", "insurance": [
                {"scheme": "employee_medical", "place": "370600", "from": "2001-01"}],
            "person": {"employment": "retired", "pension_place": "370600"}},
            on=date(2025, 5, 6), pack=small_pack)
        out = []
        for k, place in enumerate(["371000", "370200", "370100", "371000"] * 4):
            u = case.record({"type": "move", "on": f"2025-06-{k + 1:02d}", "to": place})
            out.append((tuple((c.rule, c.after.value) for c in u.changes),
                        tuple(n.trigger for n in u.notifications)))
            u = case.record({"type": "transfer_in", "on": f"2025-06-{k + 1:02d}",
                             "scheme": "employee_medical", "to": place})
            out.append((tuple((c.rule, c.after.value) for c in u.changes),
                        tuple(n.trigger for n in u.notifications)))
        return out

    expected = [script(i) for i in range(4)]
    results: dict[int, list] = {}
    errors: list[BaseException] = []

    def worker(i):
        try:
            results[i] = script(i)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert [results[i] for i in range(4)] == expected


# --- a session where no rule fired ------------------------------------------------------------


def test_stock_session_where_no_rule_fired_aborts_on_delete():
    for fact in ("{'sid': 's', 'kind': 'other'}",  # no rule handles it
                 "{'sid': 's', 'kind': 'd'}"):  # kept, waiting for the join's other half
        out = _stock(
            "h.register_rulesets({'r': {'a': {'all': [{'e': {'kind': 'e'}}, {'d': {'kind': 'd'}}],"
            " 'run': 'a'}}})\n"
            "try:\n"
            f"    h.assert_fact('r', {fact})\n"
            "    print('kept', flush=True)\n"
            "except engine.MessageNotHandledException:\n"
            "    print('not handled', flush=True)\n"
            "h.delete_state('r', 's')\n"
            "print('deleted', flush=True)\n"
        )
        assert "kept" in out or "not handled" in out
        assert "deleted" not in out  # the process aborted in the native engine


@pytest.mark.parametrize("status", ["eligible", "ineligible", "undetermined", "not_applicable"])
def test_decision_facts_where_no_rule_fires(compiled, status):
    # statuses unchanged and no event: nothing fires (a trigger joining an event keeps some)
    facts = [decision_fact(compiled, i, rule, status, status, False, {})
             for i, rule in enumerate(compiled.rules)]
    for _ in range(1100):  # more than the 1024 live sessions: none is left behind
        assert run(compiled, facts) == []
    assert run(compiled, []) == []
    # a session where rules fire still reports exactly its own firings
    fired = run(compiled, _facts(compiled))
    assert len([f for f in fired if f.name.startswith("change:")]) == 2 * len(compiled.rules)
