"""Helpers for the cases tests: a writable copy of the bundled pack, a small set of triggers."""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

import tongcheng

# Two rules and their triggers: enough for the many-cases tests, cheap to evaluate.
SMALL_TRIGGERS = """\
- id: pension.certify_where_living
  rule: pension.remote_certification
  service: {zh: 养老待遇资格就地认证, en: Certification where the retiree lives}
  message: {zh: "养老金由{pension_place}发放", en: "Pension paid by {pension_place}"}

- id: medical_insurance.recognition_due
  rule: medical_insurance.contribution_years_recognition
  on: [transfer_in]
  with: {scheme: employee_medical}
  fires: on_event
  service: {zh: 缴费年限互认, en: Recognition of contribution years}
  message: {zh: "{recognized_months}个月", en: "{recognized_months} months"}
  deadline: {working_days: processing_limit_working_days}
"""


def copy_pack(dest: Path) -> Path:
    """A private, writable copy of the bundled pack at ``dest``."""
    shutil.copytree(tongcheng.bundled_pack_path(), dest)
    for path in [dest, *dest.rglob("*")]:
        path.chmod(path.stat().st_mode | stat.S_IWUSR)
    return dest
