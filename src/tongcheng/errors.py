"""The errors tongcheng reports to people: each names where the problem is and what was expected.

Adapters (command line, HTTP) turn these into messages and exit codes; the core never prints.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs


@attrs.frozen
class Problem:
    """One thing wrong with an input: a path into it (``insurance[1].to``) and what was expected.

    ``message`` is English; ``zh`` says the same in Chinese (the situation model words every
    problem in both, see wording.py); ``line`` is where the path is in a YAML or JSON text;
    ``code`` names the kind of problem for programs.
    """

    path: str
    message: str
    zh: str | None = None
    line: int | None = None
    code: str | None = None

    def text(self, lang: str = "en") -> str:
        """The message in ``lang`` (Chinese falls back to English only where none was written)."""
        return self.zh if lang == "zh" and self.zh else self.message

    def describe(self, lang: str = "en", source: str | None = None) -> str:
        """``path: message``, after ``file:line: `` (or the line in words) when it is known."""
        out = f"{self.path}: {self.text(lang)}" if self.path else self.text(lang)
        if self.line is None:
            return out
        if source:
            return f"{source}:{self.line}: {out}"
        return f"第 {self.line} 行:{out}" if lang == "zh" else f"line {self.line}: {out}"

    def __str__(self) -> str:
        return self.describe("en")


class TongchengError(Exception):
    """Base of every error tongcheng raises on purpose."""


class Worded(Exception):
    """An error said in both languages: ``str(e)`` is English, ``zh`` the same in Chinese,
    ``describe(lang)`` the one a face in ``lang`` shows (Chinese is every face's default)."""

    def __init__(self, message: str, zh: str) -> None:
        super().__init__(message)
        self.zh = zh

    def __reduce__(self):  # pickled (a worker's error) with both languages
        return type(self), (str(self), self.zh)

    def describe(self, lang: str = "en") -> str:
        return self.zh if lang == "zh" else str(self)


class SituationError(TongchengError):
    """A situation is invalid. It is refused whole, with every problem named."""

    def __init__(
        self, problems: list[Problem], source: str | None = None, lang: str | None = None
    ) -> None:
        self.problems = list(problems)
        self.source = source
        self.lang = lang  # the language the input asked for, where it said (HTTP ``lang``)
        super().__init__(self.describe())

    def describe(self, lang: str = "en") -> str:
        if lang == "zh":
            head = f"情形无效{f'({self.source})' if self.source else ''}"
        else:
            head = f"invalid situation{f' in {self.source}' if self.source else ''}"
        lines = [f"  {p.describe(lang, self.source)}" for p in self.problems]
        return head + ":\n" + "\n".join(lines)


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


@attrs.frozen
class PackProblem:
    """One thing wrong in a rule pack: where it is and what is wrong, in English (``message``)
    and Chinese (``zh``), so a rule author or an office loading an overlay reads it in the
    language of the face they use. Identifiers, file names and quoted text stay as written.

    It unpacks as the ``(where, message)`` pair PackError's problems always were, so a caller
    reading them as pairs keeps working; ``text(lang)`` gives the one to show.
    """

    where: Location
    message: str
    zh: str

    def text(self, lang: str = "en") -> str:
        return self.zh if lang == "zh" else self.message

    def describe(self, lang: str = "en") -> str:
        """``file:line: message`` (the location is the same in both languages)."""
        return f"{self.where}: {self.text(lang)}"

    def __iter__(self):
        return iter((self.where, self.message))


class PackError(TongchengError):
    """A rule pack fails to load. Every problem found is listed with its file and line."""

    def __init__(self, problems: Iterable[PackProblem]) -> None:
        self.problems = list(problems)
        for p in self.problems:
            if not isinstance(p, PackProblem):  # (an English-only pair would leak into zh)
                raise TypeError(f"a pack problem is a PackProblem (where, message, zh), got {p!r}")
        super().__init__(self.describe())

    def __reduce__(self):  # pickled (a worker's error) with every problem in both languages
        return type(self), (self.problems,)

    def describe(self, lang: str = "en") -> str:
        """The head and every problem with its file and line, all in ``lang``."""
        head = "规则包载入失败(规则包的缺陷,请告知规则维护人员):" if lang == "zh" else \
            "rule pack failed to load:"
        return head + "\n" + "\n".join(f"  {p.describe(lang)}" for p in self.problems)


class RuleConflict(TongchengError):
    """Two applicable exceptions of one rule disagree and neither overrides the other.

    Catala's rule: never pick silently. This is a defect of the rule pack, reported with the
    places of both exceptions so the rule author can add an override.
    """

    lang: str | None = None  # the language of the request it ends (HTTP), where one said

    def __init__(self, rule: str, first: str, second: str, where: list[Location]) -> None:
        self.rule, self.first, self.second, self.where = rule, first, second, where
        super().__init__(self.describe())

    def describe(self, lang: str = "en") -> str:
        """The conflict worded in ``lang`` (a caseworker's page or a zh answer reads it too)."""
        places = ", ".join(str(w) for w in self.where)
        if lang == "zh":
            return (f"规则 {self.rule}:例外 {self.first!r} 与 {self.second!r} 同时适用且结论不同,"
                    f"两者都未声明优先于对方({places});请用 overrides 声明哪一个优先"
                    "(规则包的缺陷,请告知规则维护人员)")
        return (f"rule {self.rule}: exceptions {self.first!r} and {self.second!r} both apply "
                f"and disagree, and neither overrides the other ({places}); declare which one "
                "wins with 'overrides'")
