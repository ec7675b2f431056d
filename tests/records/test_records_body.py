"""A record's body, byte for byte: the canonical JSON of ``tongcheng.record/1`` that the store
keeps and the Merkle log hashes. The body is written in parts (a decision's text made once per
shape and shared, the head written straight); these tests pin the bytes for fixed records and
hold the fast path to the plain one (``canonical(record.to_json())``) on many evaluations."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import attrs
import pytest
from recordtools import RECOGNITION, YANTAI_QINGDAO, record_of, synthetic

import tongcheng
from tongcheng.records.ids import new_id
from tongcheng.records.record import Record, RecordedDecision, canonical, digest
from tongcheng.records.store import compact_columns

RECORD_ID = "01JEXAMP1E0000000000000000"  # 2024-12-12T11:39:06.158Z
RETIREE = "medical_insurance.retiree_benefit_years"

PINNED = (
    '{"actor":"窗口-7","as_of":"2025-06-01","at":"2024-12-12T11:39:06.158Z","channel":"page",'
    '"decisions":[{"firmness":"in_force","missing":[],"missing_parameters":[],"outcome":'
    '{"processing_limit_working_days":9,"recognized_months":305,"recognized_months_by_place":'
    '{"370200":113,"370600":192}},"rule":"medical_insurance.contribution_years_recognition",'
    '"status":"eligible"},{"firmness":"in_force","missing":[],"missing_parameters":[],'
    '"outcome":{},"rule":"medical_insurance.retiree_benefit_years","status":"not_applicable"}],'
    '"format":"tongcheng.record/1","id":"01JEXAMP1E0000000000000000","lang":"zh","package":'
    '{"name":"tongcheng","version":"{package_version}"},"request_id":"req \\"1\\"","rule_pack":'
    '{"digest":"{pack_digest}","name":"tongcheng-shandong","version":"{pack_version}"},"rules":'
    '["medical_insurance.contribution_years_recognition",'
    '"medical_insurance.retiree_benefit_years"],"situation":{"as_of":"2025-06-01","insurance":'
    '[{"from":"2000-01","place":"370600","scheme":"employee_medical","to":"2015-12"},'
    '{"from":"2016-01","place":"370200","scheme":"employee_medical","to":"2025-05"}],"person":'
    '{"birth_date":"1960-05-10","employment":"employed","hukou":"370600","lives_in":"370200",'
    '"sex":"male","work_place":"370200"},"target":"370200"},"situation_digest":'
    '"sha256:ed4bdaa8c7dd8490649e5da9ad39f5ef15533101344109a6fe50baf13cda173b"}'
)


def _pinned() -> str:
    info = tongcheng.bundled_pack().info
    return (PINNED.replace("{package_version}", tongcheng.__version__)
            .replace("{pack_digest}", info.digest).replace("{pack_version}", info.version))


def test_the_body_of_a_fixed_record_is_pinned_byte_for_byte():
    record = record_of(YANTAI_QINGDAO, actor="窗口-7", rules=[RECOGNITION, RETIREE],
                       channel="page")
    record = attrs.evolve(record, id=RECORD_ID, request_id='req "1"')
    assert record.body == _pinned() == canonical(record.to_json())
    # the same record read back (no text made already) writes the same bytes
    again = Record.from_body(record.body)
    assert again == record and again.body == record.body
    assert again.decisions[0].written is None
    assert compact_columns(again) == compact_columns(record)
    assert compact_columns(record)["decided"] == (
        f"{RECOGNITION}\teligible\tin_force\t"
        '{"processing_limit_working_days":9,"recognized_months":305,'
        '"recognized_months_by_place":{"370200":113,"370600":192}}\n'
        f"{RETIREE}\tnot_applicable\tin_force\t")


def test_a_record_made_by_hand_writes_its_values_canonically():
    """Texts with quotes, newlines and Chinese, exact decimals, dates, no actor, all rules."""
    record = Record(
        RECORD_ID, "api", None, 'a "quoted"\nid\t', {"名": "张三", "amount": Decimal("1.50"),
                                                     "day": date(2025, 1, 2), "n": Decimal(3)},
        "sha256:00", date(2025, 6, 1), "en", "pack", "1.0", "sha256:ff", "9.9",
        (RecordedDecision("b.rule", "eligible", "in_force", {"天": [1, 2], "a": 0.5},
                          ("x.y",), ()),
         RecordedDecision("a.rule", "undetermined", "provisional", {}, ("p", "q"), ("k",))),
    )
    assert record.body == (
        '{"actor":null,"as_of":"2025-06-01","at":"2024-12-12T11:39:06.158Z","channel":"api",'
        '"decisions":[{"firmness":"in_force","missing":["x.y"],"missing_parameters":[],'
        '"outcome":{"a":0.5,"天":[1,2]},"rule":"b.rule","status":"eligible"},'
        '{"firmness":"provisional","missing":["p","q"],"missing_parameters":["k"],"outcome":{},'
        '"rule":"a.rule","status":"undetermined"}],"format":"tongcheng.record/1",'
        '"id":"01JEXAMP1E0000000000000000","lang":"en","package":{"name":"tongcheng",'
        '"version":"9.9"},"request_id":"a \\"quoted\\"\\nid\\t","rule_pack":{"digest":'
        '"sha256:ff","name":"pack","version":"1.0"},"rules":null,"situation":{"amount":1.5,'
        '"day":"2025-01-02","n":3,"名":"张三"},"situation_digest":"sha256:00"}'
    )
    assert record.body == canonical(record.to_json())


@pytest.fixture(scope="module")
def population() -> list[Record]:
    people = synthetic(150, seed=7)
    assert len(people) > 100
    pack = tongcheng.bundled_pack()
    some = list(pack.rule_ids)[::5]
    return [record_of(p, rules=some if k % 4 == 0 else None, actor=f"cw-{k}" if k % 3 else None)
            for k, p in enumerate(people)]


def test_bodies_written_in_parts_equal_the_canonical_json_of_the_record(population):
    outcomes = 0
    for record in population:
        body = record.body
        assert body == canonical(record.to_json())
        assert digest(body) == digest(canonical(json.loads(body)))
        plain = Record.from_body(body)  # decisions without their texts made already
        assert plain == record and plain.body == body
        assert compact_columns(plain) == compact_columns(record)
        outcomes += sum(1 for d in record.decisions if d.outcome)
    assert outcomes > len(population)  # outcome values are among them


def test_decisions_of_one_shape_are_shared_and_equal_to_one_made_afresh(population):
    evaluation = tongcheng.evaluate(
        tongcheng.parse_situation(YANTAI_QINGDAO), tongcheng.bundled_pack(), trace=False)
    for decision in evaluation.decisions:
        made = RecordedDecision.of(decision)
        fresh = RecordedDecision.from_json(json.loads(made.text()))
        assert made == fresh and made.text() == fresh.text()
        assert made.decided_line() == fresh.decided_line()
        if not decision.outcome:
            assert RecordedDecision.of(decision) is made


def test_ids_made_in_one_millisecond_still_sort_and_read_back_their_time():
    ids = [new_id(1.7e9) for _ in range(50)]
    assert len(set(ids)) == 50 and all(i[:10] == ids[0][:10] for i in ids)
    assert Record.from_body(_pinned()).at.isoformat() == "2024-12-12T11:39:06.158000+00:00"
