"""The errors tongcheng reports to people: each names where the problem is and what was expected.

Adapters (command line, HTTP) turn these into messages and exit codes; the core never prints.
"""

from __future__ import annotations

import attrs


@attrs.frozen
class Problem:
    """One thing wrong with an input: a path into it (``insurance[1].to``) and what was expected."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class TongchengError(Exception):
    """Base of every error tongcheng raises on purpose."""


class SituationError(TongchengError):
    """A situation is invalid. It is refused whole, with every problem named."""

    def __init__(self, problems: list[Problem], source: str | None = None) -> None:
        self.problems = list(problems)
        self.source = source
        super().__init__(self.describe())

    def describe(self) -> str:
        head = f"invalid situation{f' in {self.source}' if self.source else ''}"
        return head + ":\n" + "\n".join(f"  {p}" for p in self.problems)


@attrs.frozen
class Location:
    """Where in a rule-pack file: file path (relative to the pack) and 1-based line."""

    file: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        out = self.file
        if self.line is not None:
            out += f":{self.line}"
            if self.column is not None:
                out += f":{self.column}"
        return out


class PackError(TongchengError):
    """A rule pack fails to load. Every problem found is listed with its file and line."""

    def __init__(self, problems: list[tuple[Location, str]]) -> None:
        self.problems = list(problems)
        super().__init__(self.describe())

    def describe(self) -> str:
        return "rule pack failed to load:\n" + "\n".join(
            f"  {loc}: {msg}" for loc, msg in self.problems
        )


class RuleConflict(TongchengError):
    """Two applicable exceptions of one rule disagree and neither overrides the other.

    Catala's rule: never pick silently. This is a defect of the rule pack, reported with the
    places of both exceptions so the rule author can add an override.
    """

    def __init__(self, rule: str, first: str, second: str, where: list[Location]) -> None:
        self.rule, self.first, self.second, self.where = rule, first, second, where
        places = ", ".join(str(w) for w in where)
        super().__init__(
            f"rule {rule}: exceptions {first!r} and {second!r} both apply and disagree, and "
            f"neither overrides the other ({places}); declare which one wins with 'overrides'"
        )
