"""What one step of a case returns: the decisions that changed, the notifications of proactive
services (with their basis), the working-day deadlines and their alerts, all in one ``Update``."""

from __future__ import annotations

from datetime import date
from typing import Any

import attrs

from tongcheng.cases import engine
from tongcheng.cases.decided import Decided
from tongcheng.cases.events import LifeEvent
from tongcheng.cases.workdays import CalendarUnknown, working_days_after
from tongcheng.evaluate.decision import Decision, Evaluation, Status, basis_json
from tongcheng.pack.model import Basis, Text

__all__ = ["Alert", "Change", "Deadline", "Notification", "Update"]


@attrs.frozen(eq=False)
class Change:
    """A decision whose status or outcome changed in a step.

    ``before`` is None at the case's opening (no decision yet). ``decision`` and ``previous``
    are the evaluator's own Decision objects, traced: made when first read (``Decided``), so
    that a step explains only the changes someone reads.
    """

    rule: str
    before: Status | None
    after: Status
    kinds: tuple[str, ...]
    now: Decided = attrs.field(repr=False)  # the step's decisions
    then: Decided | None = attrs.field(repr=False)  # the step before's (None: the opening)

    @property
    def decision(self) -> Decision:
        return self.now.traced([self.rule])[self.rule]

    @property
    def previous(self) -> Decision | None:
        return None if self.then is None else self.then.traced([self.rule])[self.rule]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Change):
            return NotImplemented
        return (self.rule, self.before, self.after, self.kinds, self.decision,
                self.previous) == (other.rule, other.before, other.after, other.kinds,
                                   other.decision, other.previous)

    __hash__ = None  # type: ignore[assignment]  (equal by value, and mutable inside)

    def to_json(self, lang: str = "zh") -> dict[str, Any]:
        return {
            "rule": self.rule,
            "before": self.before.value if self.before else None,
            "after": self.after.value,
            "kinds": list(self.kinds),
            "decision": self.decision.to_json(lang),
        }


@attrs.frozen
class Deadline:
    """A working-day clock started by a trigger: due ``working_days`` working days after
    ``started`` by China's official calendar; ``due`` is None when that cannot be known, and
    ``reason`` says why."""

    id: str
    trigger: str
    rule: str
    label: Text
    started: date
    working_days: int | None
    due: date | None
    reason: str | None = None
    done_on: date | None = None

    @property
    def status(self) -> str:
        """open | done | undetermined."""
        if self.done_on is not None:
            return "done"
        return "open" if self.due is not None else "undetermined"

    def to_json(self, lang: str = "zh") -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "trigger": self.trigger,
            "rule": self.rule,
            "label": self.label.get(lang),
            "started": self.started.isoformat(),
            "working_days": self.working_days,
            "due": self.due.isoformat() if self.due else None,
            "status": self.status,
        }
        if self.reason:
            out["reason"] = self.reason
        if self.done_on:
            out["done_on"] = self.done_on.isoformat()
        return out


# Said after a notification's message when the decision rests only on a pilot or a promise.
_FIRMNESS_NOTE = {
    "pilot": Text("(注意:此项依据的原文仅为“探索”,属试点,尚未说明已实施。)",
                  " (Note: the source only explores this: a pilot, not said to be in force.)"),
    "promise": Text("(注意:此项依据的原文为“推动”等承诺,尚未说明已实施,请先向经办机构核实。)",
                    " (Note: the source only promises this, not said to be in force; check with "
                    "the office first.)"),
}


@attrs.frozen
class Notification:
    """A proactive service to offer: the trigger that fired, on which event, with the decision
    that turned and the basis it rests on."""

    trigger: str
    rule: str
    event: str
    on: date
    service: Text
    message: Text
    decision: Decision
    deadline: Deadline | None = None

    @property
    def basis(self) -> tuple[Basis, ...]:
        return self.decision.basis

    def to_json(self, lang: str = "zh") -> dict[str, Any]:
        out: dict[str, Any] = {
            "trigger": self.trigger,
            "rule": self.rule,
            "event": self.event,
            "on": self.on.isoformat(),
            "service": self.service.get(lang),
            "message": self.message.get(lang) + _FIRMNESS_NOTE.get(self.decision.firmness,
                                                                   Text("", "")).get(lang),
            "status": self.decision.status.value,
            "firmness": self.decision.firmness,
            "outcome": dict(self.decision.outcome),
            "basis": [basis_json(b, lang) for b in self.basis],
        }
        if self.deadline is not None:
            out["deadline"] = self.deadline.to_json(lang)
        return out


@attrs.frozen
class Alert:
    """A deadline that needs attention at ``as_of``: ``due`` (today), ``overdue`` or
    ``undetermined`` (its due date cannot be known)."""

    kind: str
    deadline: Deadline
    as_of: date
    reason: str | None = None

    @property
    def working_days_late(self) -> int | None:
        """For an overdue deadline, the working days from its due date to ``as_of`` (None
        where the official calendar does not know them)."""
        if self.kind != "overdue" or self.deadline.due is None:
            return None
        try:
            return working_days_after(self.deadline.due, self.as_of)
        except CalendarUnknown:
            return None

    @property
    def message(self) -> Text:
        d, label = self.deadline, self.deadline.label
        if self.kind == "undetermined":
            return Text(f"{label.zh}:无法确定办结日期({self.reason})",
                        f"{label.en}: the due date cannot be determined ({self.reason})")
        if self.kind == "due":
            return Text(f"{label.zh}:今天({d.due})到期", f"{label.en}: due today ({d.due})")
        late = self.working_days_late
        zh = f"已超期{late}个工作日" if late is not None else "已超期"
        en = f"{late} working days late" if late is not None else "late"
        return Text(f"{label.zh}:应于{d.due}办结,{zh}", f"{label.en}: was due {d.due}, {en}")

    def to_json(self, lang: str = "zh") -> dict[str, Any]:
        return {
            "kind": self.kind,
            "as_of": self.as_of.isoformat(),
            "message": self.message.get(lang),
            "working_days_late": self.working_days_late,
            "deadline": self.deadline.to_json(lang),
        }


@attrs.frozen
class Update:
    """What one step did: the decisions that changed, the services to offer, the alerts."""

    case: str
    event: str  # opened | facts | clock | a life event type
    as_of: date
    changes: tuple[Change, ...]
    notifications: tuple[Notification, ...]
    alerts: tuple[Alert, ...]
    decided: Decided  # every rule untraced; traced when read (``evaluation``)
    detail: Any = None  # the life event, or the facts given

    @property
    def evaluation(self) -> Evaluation:
        """Every decision after the step, traced: exactly ``tongcheng.evaluate`` of the
        situation (made when first read)."""
        return self.decided.evaluation

    @property
    def decisions(self) -> tuple[Decision, ...]:
        """The changed decisions, as the reference evaluator returns them."""
        return tuple(c.decision for c in self.changes)

    def changed(self, kind: str) -> tuple[Decision, ...]:
        """The changed decisions of one kind (``newly_eligible``, ``no_longer_eligible``, …)."""
        if kind not in engine.CHANGE_KINDS:
            raise ValueError(f"unknown kind {kind!r}; kinds: {', '.join(engine.CHANGE_KINDS)}")
        return tuple(c.decision for c in self.changes if kind in c.kinds)

    def to_json(self, lang: str = "zh") -> dict[str, Any]:
        detail = self.detail
        if isinstance(detail, LifeEvent):
            detail = detail.to_dict()
        return {
            "case": self.case,
            "event": self.event,
            "as_of": self.as_of.isoformat(),
            "detail": detail,
            "changes": [c.to_json(lang) for c in self.changes],
            "notifications": [n.to_json(lang) for n in self.notifications],
            "alerts": [a.to_json(lang) for a in self.alerts],
        }
