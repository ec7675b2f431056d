"""Events per second through a case, against the reference evaluator alone.

Every example person in examples/ opens a case and lives the same scripted life (a hospital
admission, a retirement, moves, transfers, a loan application, a card, a permit, a service
request). Three lines, measured in the same run on the same steps:

- ``reference_evaluate`` (baseline): ``tongcheng.evaluate`` on each step's accumulated situation,
  validation included — what a portal would pay re-deciding the whole situation at every event;
- ``case_events``: ``case.record(event)`` — the event applied and validated, the reference
  evaluator, the derived facts matched by the durable_rules ruleset (changes and triggers),
  notifications and deadlines; ``ratio`` is its time over the baseline's;
- ``durable_match``: the durable_rules part alone, on the same steps' derived facts (one
  session each: assert, collect, delete).

The three are timed step by step, interleaved, so that they share the machine's load.

    python benchmarks/cases_events.py [--rounds 20]
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from datetime import timedelta
from pathlib import Path

import tongcheng
from tongcheng.cases import Case, engine, load_triggers, parse_event
from tongcheng.errors import SituationError
from tongcheng.situation import load_situation, parse_situation

ROOT = Path(__file__).resolve().parents[1]
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


def people() -> list[dict]:
    out = []
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        facts = load_situation(path).to_dict()
        if "project" in facts:
            continue
        facts.setdefault("cards", [])
        facts.setdefault("person", {}).setdefault("residence", [])
        out.append(facts)
    return out


def row(name: str, count: int, seconds: float, **extra) -> dict:
    return {"name": name, "situations": count, "seconds": round(seconds, 4),
            "per_second": round(count / seconds, 1), **extra}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    pack = tongcheng.bundled_pack()
    triggers = load_triggers(pack)
    compiled = engine.compile_ruleset(pack, triggers)
    persons = people()

    # Interleaved, step by step, so that the three lines see the same machine load.
    case_seconds = reference_seconds = match_seconds = 0.0
    steps = notifications = 0
    for _ in range(args.rounds):
        for facts in persons:
            case = Case.open("bench", facts, pack=pack)
            for i, event in enumerate(SCRIPT):
                day = case.clock + timedelta(days=9 * i)
                model = parse_event({**event, "on": day.isoformat()})
                previous = case.evaluation
                t0 = time.perf_counter()
                try:
                    update = case.record(model)
                except SituationError:  # an event the facts do not allow: not counted
                    continue
                case_seconds += time.perf_counter() - t0
                steps += 1
                notifications += len(update.notifications)

                accumulated = {**case.facts, "as_of": case.clock.isoformat()}
                t0 = time.perf_counter()
                tongcheng.evaluate(parse_situation(accumulated), pack)
                reference_seconds += time.perf_counter() - t0

                posted = [engine.event_fact(compiled, model.type, model.model_dump())]
                for k, d in enumerate(update.evaluation.decisions):
                    old = previous.decision(d.rule)
                    posted.append(engine.decision_fact(
                        compiled, k, d.rule, old.status.value, d.status.value,
                        old.status is d.status and old.outcome != d.outcome, d.outcome))
                t0 = time.perf_counter()
                engine.run(compiled, posted)
                match_seconds += time.perf_counter() - t0

    env = {"name": "machine", "python": platform.python_version(),
           "processor": platform.machine(), "people": len(persons), "rules": len(pack.rules),
           "triggers": len(triggers), "durable_rules": len(compiled.actions)}
    base = row("reference_evaluate", steps, reference_seconds)
    case = row("case_events", steps, case_seconds, baseline="reference_evaluate",
               ratio=round(case_seconds / reference_seconds, 2), notifications=notifications)
    match = row("durable_match", steps, match_seconds, baseline="reference_evaluate",
                ratio=round(match_seconds / reference_seconds, 2),
                facts_per_session=1 + len(pack.rules))
    for line in (env, base, case, match):
        print(json.dumps(line))


if __name__ == "__main__":
    main()
