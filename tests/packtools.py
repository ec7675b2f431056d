"""Helpers shared by the rule-pack tests: copy the bundled pack, break it in one known way, and
know which file and line the loader must name for that breakage.

Each breakage changes one piece of text in one file of a copy of the bundled pack. The expected
line is computed from the broken file itself (the line where ``at`` starts), never written down
as a number, so the tests keep working when the bundled pack is edited.
"""

from __future__ import annotations

import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

import tongcheng

HERE = Path(__file__).parent
CONFLICT_PACK = HERE / "packs" / "conflict"

MEDICAL = "rules/medical_insurance.yaml"
TRANSIT_PARAMS = "parameters/transit.yaml"
MEDICAL_PARAMS = "parameters/medical_insurance.yaml"


def copy_pack(dest: Path, source: Path | None = None) -> Path:
    """A private copy of a pack (the bundled one by default) at ``dest/pack``."""
    target = dest / "pack"
    shutil.copytree(source or tongcheng.bundled_pack_path(), target)
    # the pack's texts may be read-only (sources/ is): the copy is ours to break
    for path in [target, *target.rglob("*")]:
        path.chmod(path.stat().st_mode | stat.S_IWUSR)
    return target


def line_of(path: Path, text: str) -> int:
    """The 1-based line where ``text`` starts in ``path``; ``text`` must occur exactly once."""
    content = path.read_text(encoding="utf-8")
    assert content.count(text) == 1, f"{text!r} occurs {content.count(text)} times in {path}"
    return content[: content.index(text)].count("\n") + 1


def replace_once(path: Path, old: str, new: str) -> None:
    content = path.read_text(encoding="utf-8")
    assert content.count(old) == 1, f"{old!r} occurs {content.count(old)} times in {path}"
    path.write_text(content.replace(old, new), encoding="utf-8")


@dataclass(frozen=True)
class Breakage:
    """One way to break a pack: replace ``old`` by ``new`` in ``file``.

    The loader must report a problem in ``file`` at the line where ``at`` (default: ``new``)
    starts in the broken file, with every word of ``expect`` in its message.
    """

    id: str
    file: str
    old: str
    new: str
    expect: tuple[str, ...]
    at: str | None = None

    def apply(self, pack: Path) -> int:
        """Break ``pack`` in place; return the line the problem must be reported at."""
        path = pack / self.file
        replace_once(path, self.old, self.new)
        return line_of(path, self.at or self.new)


BREAKAGES = [
    Breakage(  # member() in the place where the rule is asked reads that very place
        "place-reads-itself",
        "rules/enclave.yaml",
        "  subject: project\n  place: project.flying_in\n  zones:\n    - {zone: laixi_laiyang",
        "  subject: project\n  place: if member(project.flying_out) then project.flying_in else "
        "project.flying_out\n  zones:\n    - {zone: laixi_laiyang",
        ("place:", "member()", "in_zone"),
        at="  place: if member(",
    ),
    Breakage(
        "invalid-yaml",
        MEDICAL,
        "    en: Recognition of employee medical insurance contribution years\n"
        "  domain: social_insurance\n",
        "    en: Recognition of employee medical insurance contribution years\n"
        "  domain: social: insurance\n",
        ("not valid YAML",),
        at="  domain: social: insurance",
    ),
    Breakage(
        "unknown-key-in-rule",
        MEDICAL,
        "    en: Recognition of employee medical insurance contribution years\n"
        "  domain: social_insurance\n",
        "    en: Recognition of employee medical insurance contribution years\n"
        "  domain: social_insurance\n  colour: red\n",
        ("colour", "unknown key"),
        at="  colour: red",
    ),
    Breakage(
        "expression-syntax-error",
        MEDICAL,
        "when: count(months(outside[member(item.place)])) > 0",
        "when: count(months(outside[member(item.place)])) > > 0",
        ("conditions[0].when", "unexpected"),
    ),
    Breakage(
        "unknown-fact-path",
        MEDICAL,
        "required: pick(minimum, person.sex)",
        "required: pick(minimum, person.sexx)",
        ("sexx", "no field"),
    ),
    Breakage(
        "unknown-function",
        MEDICAL,
        "when: count(months(outside[member(item.place)])) > 0",
        "when: cnt(months(outside[member(item.place)])) > 0",
        ("unknown function", "cnt"),
    ),
    Breakage(
        "unknown-parameter",
        MEDICAL,
        'expr: param("medical_insurance.transfer_processing_limit_working_days")',
        'expr: param("medical_insurance.transfer_limit")',
        ("unknown parameter", "medical_insurance.transfer_limit"),
    ),
    Breakage(
        "unknown-zone",
        MEDICAL,
        "- zone: jiaodong\n      from: 2025-04-28\n      basis:\n"
        "        - document: qingdao_metro_joint_meeting_2025\n"
        "          quote: 胶东五市职工医疗保险实现缴费年限互认,",
        "- zone: jiaodongg\n      from: 2025-04-28\n      basis:\n"
        "        - document: qingdao_metro_joint_meeting_2025\n"
        "          quote: 胶东五市职工医疗保险实现缴费年限互认,",
        ("unknown zone", "jiaodongg"),
        at="- zone: jiaodongg",
    ),
    Breakage(
        "unknown-document",
        MEDICAL,
        "- document: shandong_medical_transfer_notice_2021",
        "- document: shandong_notice_2099",
        ("unknown document", "shandong_notice_2099"),
    ),
    Breakage(
        "quote-not-in-source",
        MEDICAL,
        "quote: 胶东五市职工医疗保险实现缴费年限互认\n",
        "quote: 胶东六市职工医疗保险实现缴费年限互认\n",
        ("quote", "sources/qingdao-metro-joint-meeting-2025-news.md"),
    ),
    Breakage(
        "duplicate-rule-id",
        "rules/pension.yaml",
        "- id: pension.remote_certification",
        "- id: medical.inpatient_direct_settlement",
        ("medical.inpatient_direct_settlement", "twice", "rules/medical_insurance.yaml"),
    ),
    Breakage(
        "value-without-reference",
        TRANSIT_PARAMS,
        "        value: 60\n        reference:\n",
        "        value: 60\n        note:\n",
        ("reference", "missing"),
        at="      - from: 2021-01-01",
    ),
    Breakage(
        "bad-confidence-word",
        TRANSIT_PARAMS,
        "confidence: high",
        "confidence: certain",
        ("confidence", "'high'", "'medium'", "'low'"),
    ),
    Breakage(
        # The second Qingdao minimum now starts before the first one ends (2025-12-31).
        "overlapping-dated-values",
        MEDICAL_PARAMS,
        "      - from: 2026-01-01\n        value: {male: 360",
        "      - from: 2025-06-01\n        value: {male: 360",
        ("overlap",),
        at="      - from: 2025-06-01",
    ),
    Breakage(
        "definition-cycle",
        MEDICAL,
        "    outside: medical[city(item.place) != city(target)]\n",
        "    outside: medical[city(item.place) != city(target)]\n    aa: bb + 1\n    bb: aa + 1\n",
        ("cycle", "aa -> bb -> aa"),
        at="    aa: bb + 1",
    ),
    Breakage(
        "zone-place-not-a-place",
        "zones.yaml",
        '{place: "370687", from: 2023-10-06}   # 海阳\n',
        '{place: "379999", from: 2023-10-06}   # 海阳\n',
        ("379999", "unknown place code"),
    ),
]

BREAKAGE_IDS = [b.id for b in BREAKAGES]
