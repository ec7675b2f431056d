"""Cases over time: life events, changed decisions, proactive services, working-day deadlines.

>>> from tongcheng.cases import Case, Move
>>> case = Case.open("王大爷", {"target": "370600", "person": {"employment": "retired", ...}})
>>> update = case.record(Move(on=date(2025, 6, 1), to="371000"))
>>> update.changed("newly_eligible"), update.notifications, case.alerts()

Decisions come from the reference evaluator; the pack's durable_rules ruleset
(:mod:`tongcheng.cases.engine`) says which changed and which triggers fire; deadlines are counted
on China's official calendar (:mod:`tongcheng.cases.workdays`). Needs the ``cases`` extra
(durable-rules, chinese-calendar).
"""

from tongcheng.cases.case import (
    Alert,
    Case,
    CaseClosed,
    CaseStore,
    Change,
    Deadline,
    Notification,
    Update,
)
from tongcheng.cases.engine import CHANGE_KINDS, compile_ruleset
from tongcheng.cases.events import (
    EVENT_TYPES,
    CardIssued,
    HospitalAdmission,
    LifeEvent,
    LoanApplication,
    Move,
    ResidencePermitIssued,
    Retirement,
    ServiceRequest,
    TransferIn,
    parse_event,
)
from tongcheng.cases.triggers import Trigger, TriggerSet, load_triggers
from tongcheng.cases.workdays import CalendarUnknown, add_working_days, due_date

__all__ = [
    "CHANGE_KINDS",
    "EVENT_TYPES",
    "Alert",
    "CalendarUnknown",
    "CardIssued",
    "Case",
    "CaseClosed",
    "CaseStore",
    "Change",
    "Deadline",
    "HospitalAdmission",
    "LifeEvent",
    "LoanApplication",
    "Move",
    "Notification",
    "ResidencePermitIssued",
    "Retirement",
    "ServiceRequest",
    "TransferIn",
    "Trigger",
    "TriggerSet",
    "Update",
    "add_working_days",
    "compile_ruleset",
    "due_date",
    "load_triggers",
    "parse_event",
]
