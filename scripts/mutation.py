"""Mutation testing of the evaluator's core: do the tests catch a wrong answer?

Small faults are planted in the six core files one at a time (a flipped comparison, ``and`` for
``or``, a constant off by one, a dropped ``not``, swapped branches, a changed constant, a deleted
statement, ``min`` for ``max``, ``|`` for ``&``); each mutant runs the default suite's fast subset
(``FAST_TESTS``, in two stages) in a private copy of the package, and is *killed* when a test
fails, *survives* when all pass, *times out* past a limit measured on the unmutated code.
Mutants reviewed as equivalent (no input can tell them from the original) are listed, with the
reason, in ``scripts/mutation_equivalents.yaml``; they are counted apart and not run.

    python scripts/mutation.py                       # the default sample (seed 18, 320 mutants)
    python scripts/mutation.py --seed 7 --sample 300 # a reviewer's fresh sample
    python scripts/mutation.py --all                 # every mutant (hours on two cores)
    python scripts/mutation.py --budget 40 --json run.json      # start no mutant after 40 min
    python scripts/mutation.py --budget 40 --resume run.json    # ... then go on where it stopped
    python scripts/mutation.py --list [--file months.py]   # the mutants, without running them
    python scripts/mutation.py --show ID             # one mutant as a diff

Mutants are identified by file, function, operator and the code changed, plus an occurrence
number — not by line, so that an equivalents entry survives edits elsewhere in the file. The
sample is stratified: each file gets its share of N in proportion to its mutants (at least 20).
Mutants run interleaved across the files (round robin over each file's drawn mutants), so
that a run stopped by ``--budget`` has tried every file; mutants it did not start are reported
as not run, apart from the figures.
Not part of the default CI run; figures in benchmarks/README.md ("Mutation testing").
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import copy
import difflib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "tongcheng"
EQUIVALENTS = ROOT / "scripts" / "mutation_equivalents.yaml"
CORE = (
    "evaluate/interpreter.py",
    "evaluate/operators.py",
    "evaluate/functions.py",
    "evaluate/evaluator.py",
    "evaluate/values.py",
    "months.py",
    "pack/parameters.py",
    "pack/zones.py",
    # the decision machinery both evaluators share, and the compiled evaluator every face runs
    # by default (issue 13): its faults must show as a difference from the reference
    "evaluate/decision.py",
    "evaluate/finite.py",
    "evaluate/firmness.py",
    "evaluate/compiled/codegen.py",
    "evaluate/compiled/decider.py",
    "evaluate/compiled/deciding.py",
    "evaluate/compiled/plan.py",
    "evaluate/compiled/settled.py",
    "evaluate/compiled/cases.py",
    "evaluate/compiled/lets.py",
    "evaluate/compiled/runtime.py",
    # the checker: what it should refuse at load and lets through is a wrong answer later
    "expr/check.py",
    "expr/kinds.py",
)
# The default suite's fast subset: the tests that pin what users read of a decision, in two
# stages: a mutant the first stage kills (most) never pays for collecting the second.
FIRST_STAGE = (
    "tests/test_snapshots.py",
    "tests/test_evaluation_edges.py",
    "tests/test_expressions.py",
    "tests/test_months.py",
    "tests/test_values.py",
    "tests/test_kinds.py",  # what the checker refuses at load, and what it must let load
    "tests/test_functions_hostile.py",  # a value or a rule error, whatever a function is given
)
SECOND_STAGE = (
    "tests/test_golden.py",  # every golden case on both evaluators
    "tests/test_compiled.py",  # compiled against the interpreter, traces included
    "tests/test_compiled_cases.py",  # what the compiled evaluator skips, against the reference
    "tests/test_compiled_constructs.py",  # constructs the bundled pack hardly uses
    "tests/test_compiled_generated.py",  # rules drawn by hypothesis, both evaluators
    "tests/batch/test_batch_finite.py",  # finite cases as the screening evaluator reads them
    "tests/test_examples.py",
    "tests/test_rules.py",
    "tests/test_rules_more.py",
    "tests/test_rules_catalogue.py",
)
FAST_TESTS = FIRST_STAGE + SECOND_STAGE
DEFAULT_SEED = 18
DEFAULT_SAMPLE = 320
MIN_PER_FILE = 20


# --- the mutants ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mutant:
    file: str  # relative to src/tongcheng
    function: str  # qualified name of the enclosing function or class ("<module>" at top)
    operator: str
    change: str  # "original -> mutated", one line
    occurrence: int  # among mutants of this file with the same function, operator and change
    line: int
    site: int  # index of the site in the file's walk order
    variant: int  # which of the site's mutations

    @property
    def id(self) -> str:
        return f"{self.file}:{self.function}:{self.operator}:{self.change}#{self.occurrence}"


_COMPARE_SWAPS: dict[type, tuple[type, ...]] = {
    ast.Lt: (ast.LtE, ast.Gt), ast.LtE: (ast.Lt, ast.Gt), ast.Gt: (ast.GtE, ast.Lt),
    ast.GtE: (ast.Gt, ast.Lt), ast.Eq: (ast.NotEq,), ast.NotEq: (ast.Eq,),
    ast.In: (ast.NotIn,), ast.NotIn: (ast.In,), ast.Is: (ast.IsNot,), ast.IsNot: (ast.Is,),
}
_BINOP_SWAPS: dict[type, type] = {
    ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.FloorDiv, ast.FloorDiv: ast.Mult,
    ast.Div: ast.Mult, ast.Mod: ast.FloorDiv, ast.BitOr: ast.BitAnd, ast.BitAnd: ast.BitOr,
}
_BUILTIN_SWAPS = {"min": "max", "max": "min", "any": "all", "all": "any"}
_DELETABLE = (ast.Expr, ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Return, ast.Raise,
              ast.Continue, ast.Break)

Apply = Callable[[ast.AST], ast.AST | None]  # mutates the node in place or returns a replacement


@dataclass
class Site:
    node: ast.AST
    function: str
    line: int
    # operator, fixed description (statements; None: described from the code), mutation
    mutations: list[tuple[str, str | None, Apply]] = field(default_factory=list)


def _text(node: ast.AST, limit: int = 100) -> str:
    text = " ".join(ast.unparse(node).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _sites(tree: ast.Module) -> Iterator[Site]:
    """Every place a mutation can be planted, in a fixed walk order."""
    yield from _body(tree.body, "<module>")


def _is_docstring(node: ast.AST, body: list[ast.stmt] | None) -> bool:
    return (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str) and bool(body) and body[0] is node)


def _body(body: list[ast.stmt], function: str) -> Iterator[Site]:
    for stmt in body:
        if not _is_docstring(stmt, body):
            yield from _walk(stmt, function, False, body)


def _walk(node: ast.AST, function: str, in_fstring: bool,
          body: list[ast.stmt] | None = None) -> Iterator[Site]:
    if isinstance(node, ast.Assert | ast.Import | ast.ImportFrom):
        return  # assertions are the code's own checks; imports are not behaviour
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        inner = node.name if function == "<module>" else f"{function}.{node.name}"
        for d in node.decorator_list:
            yield from _walk(d, function, in_fstring)
        if not isinstance(node, ast.ClassDef):
            for default in (*node.args.defaults, *node.args.kw_defaults):
                if default is not None:
                    yield from _walk(default, function, in_fstring)
        yield from _body(node.body, inner)
        return
    if isinstance(node, ast.stmt):
        site = _statement_site(node, function)
        if site is not None:
            yield site
        if isinstance(node, ast.AnnAssign):  # the annotation is never evaluated
            if node.value is not None:
                yield from _walk(node.value, function, in_fstring)
            return
    else:
        site = _expression_site(node, function, in_fstring)
        if site is not None:
            yield site
    in_fstring = in_fstring or isinstance(node, ast.JoinedStr)
    for name, value in ast.iter_fields(node):
        if name in ("body", "orelse", "finalbody") and isinstance(value, list) and value and \
                isinstance(value[0], ast.stmt):
            yield from _body(value, function)
        elif isinstance(value, list):
            for child in value:
                if isinstance(child, ast.AST):
                    yield from _walk(child, function, in_fstring)
        elif isinstance(value, ast.AST):
            yield from _walk(value, function, in_fstring)


def _statement_site(node: ast.stmt, function: str) -> Site | None:
    site = Site(node, function, node.lineno)
    if isinstance(node, _DELETABLE):
        site.mutations.append(("delete", f"delete: {_text(node)}", lambda n: ast.Pass()))
    if isinstance(node, ast.If) and node.orelse:
        def swap(n: ast.AST) -> None:
            n.body, n.orelse = n.orelse, n.body  # type: ignore[attr-defined]
        site.mutations.append(("branches", f"swap branches of: if {_text(node.test)}", swap))
    return site if site.mutations else None


def _set(attr: str, make: Callable[[], ast.AST]) -> Apply:
    def apply(n: ast.AST) -> None:
        setattr(n, attr, make())
    return apply


def _expression_site(node: ast.AST, function: str, in_fstring: bool) -> Site | None:
    site = Site(node, function, getattr(node, "lineno", 0))
    add = site.mutations.append
    if isinstance(node, ast.Compare):
        for i, op in enumerate(node.ops):
            for new in _COMPARE_SWAPS.get(type(op), ()):
                def flip(n: ast.AST, i=i, new=new) -> None:
                    n.ops[i] = new()  # type: ignore[attr-defined]
                add(("compare", None, flip))
    elif isinstance(node, ast.BoolOp):
        add(("and_or", None, _set("op", ast.Or if isinstance(node.op, ast.And) else ast.And)))
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        add(("not", None, lambda n: n.operand))  # type: ignore[attr-defined]
    elif isinstance(node, ast.IfExp):
        def swap(n: ast.AST) -> None:
            n.body, n.orelse = n.orelse, n.body  # type: ignore[attr-defined]
        add(("branches", None, swap))
    elif isinstance(node, ast.BinOp) and type(node.op) in _BINOP_SWAPS:
        add(("arith", None, _set("op", _BINOP_SWAPS[type(node.op)])))
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
            node.func.id in _BUILTIN_SWAPS:
        name = _BUILTIN_SWAPS[node.func.id]
        add(("builtin", None, _set("func", lambda: ast.Name(name, ast.Load()))))
    elif isinstance(node, ast.Constant) and not in_fstring:
        value = node.value
        if isinstance(value, bool):
            add(("constant", None, lambda n: ast.Constant(not value)))
        elif isinstance(value, int):
            for delta in (1, -1):
                add(("off_by_one", None, lambda n, d=delta: ast.Constant(value + d)))
        elif isinstance(value, str):
            add(("constant", None, lambda n: ast.Constant("" if value else "~")))
    return site if site.mutations else None


def _apply(tree: ast.AST, node: ast.AST, apply: Apply) -> ast.AST:
    """Plant one mutation at ``node`` inside ``tree``; the tree (or its replacement) is returned."""
    replacement = apply(node)
    if replacement is None or replacement is node:
        return tree
    if node is tree:
        return replacement
    _replace(tree, node, replacement)
    return tree


def _replace(tree: ast.AST, old: ast.AST, new: ast.AST) -> None:
    for parent in ast.walk(tree):
        for name, value in ast.iter_fields(parent):
            if value is old:
                setattr(parent, name, new)
                return
            if isinstance(value, list):
                for i, child in enumerate(value):
                    if child is old:
                        value[i] = new
                        return
    raise LookupError("node not found")


def _describe(site: Site, apply: Apply, parents: dict[int, ast.AST]) -> str:
    """``before -> after`` of the smallest expression that shows the change."""
    context = site.node
    parent = parents.get(id(context))
    if isinstance(context, ast.Constant | ast.UnaryOp) and isinstance(parent, ast.expr):
        context = parent
    twin = copy.deepcopy(context)
    target = next(b for a, b in zip(ast.walk(context), ast.walk(twin), strict=True)
                  if a is site.node)
    return f"{_text(context)} -> {_text(_apply(twin, target, apply))}"


def _not_behaviour(tree: ast.Module) -> set[int]:
    """Ids of nodes not planted in: the letters of error messages (a deleted ``raise`` is
    planted), type expressions (``isinstance(x, A | B)``, ``dict[str, X]``) and module-level
    type aliases (``Interval = tuple[int, int]``), which only annotations use."""
    out: set[int] = set()

    def under(node: ast.AST | None) -> None:
        if node is not None:
            out.update(id(n) for n in ast.walk(node))

    for node in ast.walk(tree):
        if isinstance(node, ast.Raise):
            under(node.exc)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                node.func.id == "isinstance" and len(node.args) == 2:
            under(node.args[1])
        elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and (
                node.value.id[0].isupper() or node.value.id in _GENERICS):
            under(node.slice)
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(
                stmt.targets[0], ast.Name) and _is_type(stmt.value):
            under(stmt)
    return out


_GENERICS = frozenset({"dict", "tuple", "list", "set", "frozenset", "type"})


def _is_type(node: ast.AST) -> bool:
    if isinstance(node, ast.Subscript):
        return isinstance(node.value, ast.Name) and (
            node.value.id[0].isupper() or node.value.id in _GENERICS)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _is_type(node.left) or _is_type(node.right)
    return False


def mutants_of(file: str) -> list[Mutant]:
    tree = ast.parse((PACKAGE / file).read_text(encoding="utf-8"))
    skip = _not_behaviour(tree)
    parents = {id(c): p for p in ast.walk(tree) for c in ast.iter_child_nodes(p)}
    seen: Counter[tuple[str, str, str]] = Counter()
    out: list[Mutant] = []
    for index, site in enumerate(_sites(tree)):
        if id(site.node) in skip:
            continue
        for variant, (operator, change, apply) in enumerate(site.mutations):
            change = change or _describe(site, apply, parents)
            key = (site.function, operator, change)
            out.append(Mutant(file, site.function, operator, change, seen[key], site.line,
                              index, variant))
            seen[key] += 1
    return out


def mutated_source(mutant: Mutant) -> str:
    tree = ast.parse((PACKAGE / mutant.file).read_text(encoding="utf-8"))
    for index, site in enumerate(_sites(tree)):
        if index == mutant.site:
            _, _, apply = site.mutations[mutant.variant]
            return ast.unparse(ast.fix_missing_locations(_apply(tree, site.node, apply))) + "\n"
    raise LookupError(mutant.id)


def unmutated_source(file: str) -> str:
    """The file as the mutants are written (unparsed), so the baseline runs the same form."""
    return ast.unparse(ast.parse((PACKAGE / file).read_text(encoding="utf-8"))) + "\n"


# --- the reviewed equivalents -------------------------------------------------------------------


@dataclass(frozen=True)
class Equivalent:
    file: str
    function: str
    operator: str
    change: str
    occurrence: int | None
    reason: str

    def matches(self, m: Mutant) -> bool:
        return (m.file, m.function, m.operator, m.change) == (
            self.file, self.function, self.operator, self.change
        ) and (self.occurrence is None or self.occurrence == m.occurrence)


def load_equivalents(path: Path = EQUIVALENTS) -> list[Equivalent]:
    from ruamel.yaml import YAML

    if not path.is_file():
        return []
    rows = YAML(typ="safe").load(path.read_text(encoding="utf-8")) or []
    out = []
    for row in rows:
        if not str(row.get("reason", "")).strip():
            raise SystemExit(f"{path}: equivalent {row} gives no reason")
        out.append(Equivalent(row["file"], row["function"], row["operator"], row["change"],
                              row.get("occurrence"), " ".join(str(row["reason"]).split())))
    return out


# --- sampling ---------------------------------------------------------------------------------


def population(files: tuple[str, ...] = CORE) -> dict[str, list[Mutant]]:
    return {f: mutants_of(f) for f in files}


def sample(pop: dict[str, list[Mutant]], n: int | None, seed: int) -> list[Mutant]:
    """A stratified sample: each file its share of ``n`` (at least MIN_PER_FILE when ``n``
    allows), in a fixed order; ``n`` None takes every mutant."""
    if n is None:
        return [m for ms in pop.values() for m in ms]
    total = sum(len(ms) for ms in pop.values())
    rnd = random.Random(seed)
    out = []
    for ms in pop.values():
        floor = min(MIN_PER_FILE, n // len(pop))
        share = min(len(ms), max(floor, round(n * len(ms) / total)))
        out.extend(sorted(rnd.sample(ms, share), key=lambda m: (m.site, m.variant)))
    return out


# --- running ----------------------------------------------------------------------------------


@dataclass
class Outcome:
    mutant: Mutant
    result: str  # killed | survived | timeout | equivalent | error | not_run
    seconds: float = 0.0
    detail: str = ""


class Workspace:
    """A private copy of the package, and a server process that runs the tests on it."""

    def __init__(self, base: Path, tests: tuple[str, ...]) -> None:
        self.base, self.tests = base, tests
        self.src = base / "src"
        shutil.copytree(PACKAGE, self.src / "tongcheng",
                        ignore=shutil.ignore_patterns("__pycache__"))
        # The bundled pack is found beside src/ when the package holds none (pack/loader.py).
        (base / "rules").symlink_to(ROOT / "rules")
        for file in CORE:  # every core file runs in its unparsed form, as mutants do
            self._write(file, unmutated_source(file))
        self.server = subprocess.Popen(
            [sys.executable, __file__, "--serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            text=True, cwd=ROOT, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})

    def _write(self, file: str, text: str) -> None:
        path = self.src / "tongcheng" / file
        path.write_text(text, encoding="utf-8")
        for stale in path.parent.glob(f"__pycache__/{path.stem}.*.pyc"):
            stale.unlink()

    def run(self, mutant: Mutant | None, timeout: float, deselect: list[str],
            first: list[str]) -> tuple[str, float, list[str]]:
        """killed / survived / timeout, the seconds taken, and the failing tests. The unmutated
        code runs every test at once; a mutant runs stage by stage until one kills it."""
        start = time.monotonic()
        if mutant is None:
            result, failed = self._pytest(self.tests, timeout, [], [], stop=False)
            return result, time.monotonic() - start, failed
        self._write(mutant.file, mutated_source(mutant))
        try:
            for stage in self.stages:
                result, failed = self._pytest(stage, timeout, deselect, first, stop=True)
                if result != "survived":
                    break
        finally:
            self._write(mutant.file, unmutated_source(mutant.file))
        return result, time.monotonic() - start, failed

    @property
    def stages(self) -> tuple[tuple[str, ...], ...]:
        if self.tests == FAST_TESTS:
            return FIRST_STAGE, SECOND_STAGE
        return (self.tests,)

    def _pytest(self, tests: tuple[str, ...], timeout: float, deselect: list[str],
                first: list[str], stop: bool) -> tuple[str, list[str]]:
        args = ["-q", "-p", "no:cacheprovider", "--no-header", "-o", "addopts=",
                *(["-x"] if stop else []), *tests]
        for nodeid in deselect:
            args += ["--deselect", nodeid]
        job = {"src": str(self.src), "args": args, "timeout": timeout, "first": first,
               "log": str(self.base / "pytest.log"), "result": str(self.base / "result.json")}
        assert self.server.stdin is not None and self.server.stdout is not None
        self.server.stdin.write(json.dumps(job) + "\n")
        self.server.stdin.flush()
        answer = json.loads(self.server.stdout.readline())
        if answer["code"] is None:
            return "timeout", []
        if answer["code"] == 0:
            return "survived", []
        return "killed", answer["failed"] or [f"pytest exit code {answer['code']}"]

    def close(self) -> None:
        if self.server.stdin is not None:
            self.server.stdin.close()
        self.server.wait(timeout=60)


# --- the test server: third-party modules imported once, each run in a fork ----------------------


def serve() -> None:
    """Answer jobs read from stdin, one JSON line each: run pytest in a forked child on the
    job's copy of the package. The server imports pytest, hypothesis, pydantic and the other
    heavy libraries once (never tongcheng), so a run starts in a fraction of a second."""
    import attrs  # noqa: F401
    import hypothesis.strategies  # noqa: F401
    import lark  # noqa: F401
    import pydantic  # noqa: F401
    import pytest
    import ruamel.yaml  # noqa: F401

    sys.dont_write_bytecode = True
    assert not any(name.split(".")[0] == "tongcheng" for name in sys.modules)
    for line in sys.stdin:
        job = json.loads(line)
        print(json.dumps(_forked(job, pytest)), flush=True)


def _forked(job: dict, pytest) -> dict:
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 70
        try:
            os.setpgid(0, 0)
            out = os.open(job["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            os.dup2(out, 1)
            os.dup2(out, 2)
            os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
            sys.path.insert(0, job["src"])
            os.environ.update({"HYPOTHESIS_PROFILE": "ci", "PYTHONPATH": job["src"]})
            watch = _Watch(job["first"])
            code = int(pytest.main(job["args"], plugins=[watch]))
            Path(job["result"]).write_text(json.dumps(watch.failed))
        except BaseException:  # reported through the exit code and the log
            import traceback

            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    deadline = time.monotonic() + job["timeout"]
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            code = os.waitstatus_to_exitcode(status)
            try:
                failed = json.loads(Path(job["result"]).read_text())
                Path(job["result"]).unlink()
            except (OSError, ValueError):
                failed = []
            return {"code": code, "failed": failed}
        if time.monotonic() > deadline:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, 9)
            os.waitpid(pid, 0)
            return {"code": None, "failed": []}
        time.sleep(0.02)


class _Watch:
    """A pytest plugin: tests that killed earlier mutants run first; failures are recorded."""

    def __init__(self, first: list[str]) -> None:
        self.first = {nodeid: i for i, nodeid in enumerate(first)}
        self.failed: list[str] = []

    def pytest_collection_modifyitems(self, session, config, items) -> None:
        items.sort(key=lambda item: self.first.get(item.nodeid, len(self.first)))

    def pytest_runtest_logreport(self, report) -> None:
        if report.failed:
            self.failed.append(report.nodeid)

    def pytest_collectreport(self, report) -> None:
        if report.failed:
            self.failed.append(report.nodeid or "<collection>")


def interleaved(mutants: list[Mutant]) -> list[Mutant]:
    """The mutants round robin over their files (each file's in its own order)."""
    by_file: dict[str, list[Mutant]] = defaultdict(list)
    for m in mutants:
        by_file[m.file].append(m)
    queues = [by_file[f] for f in CORE if f in by_file]
    return [q[i] for i in range(max(map(len, queues), default=0)) for q in queues if i < len(q)]


def run_all(mutants: list[Mutant], equivalents: list[Equivalent], jobs: int,
            timeout: float | None, log: Callable[[str], None],
            tests: tuple[str, ...] = FAST_TESTS,
            budget: float | None = None,
            earlier: dict[str, dict] | None = None) -> tuple[list[Outcome], list[str]]:
    """Outcomes of the mutants, and the tests left out because they fail on the unmutated code.
    With a ``budget`` (seconds from now), no mutant is started after it: those are not run.
    ``earlier`` outcomes (by mutant id, from ``--json`` of a stopped run): the mutants killed or
    timed out there are taken, not rerun; survivors are run again (tests may have been added)."""
    stop = time.monotonic() + budget if budget else None
    outcomes: list[Outcome] = []
    to_run = []
    for m in interleaved(mutants):
        eq = next((e for e in equivalents if e.matches(m)), None)
        old = (earlier or {}).get(m.id)
        if eq is not None:
            outcomes.append(Outcome(m, "equivalent", detail=eq.reason))
        elif old is not None and old["result"] in ("killed", "timeout"):
            outcomes.append(Outcome(m, old["result"], old["seconds"], old["detail"]))
        else:
            to_run.append(m)
    with tempfile.TemporaryDirectory(prefix="tongcheng-mutation-") as tmp:
        spaces = [Workspace(Path(tmp) / f"w{i}", tests) for i in range(jobs)]
        try:
            log("baseline: the fast subset on the unmutated code, in every workspace at once …")
            with ThreadPoolExecutor(max_workers=jobs) as pool:
                runs = list(pool.map(lambda w: w.run(None, 3600, [], []), spaces))
            seconds = max(secs for _, secs, _ in runs)
            broken = sorted({b for _, _, failed in runs for b in failed})
            if any(result == "timeout" for result, _, _ in runs) or any(
                    not b.startswith("tests/") for b in broken):
                raise SystemExit(f"the fast subset does not run on the unmutated code: {broken}")
            if broken:
                log(f"left out, failing on the unmutated code: {', '.join(broken)}")
            limit = timeout or max(3 * seconds, seconds + 60)
            log(f"baseline: {seconds:.1f} s; a mutant times out after {limit:.0f} s "
                "(and again after four times as long, to be sure)")
            outcomes += _run_mutants(to_run, spaces, limit, broken, log, stop)
        finally:
            for space in spaces:
                space.close()
    return outcomes, broken


def _run_mutants(to_run: list[Mutant], spaces: list[Workspace], limit: float,
                 broken: list[str], log: Callable[[str], None],
                 stop: float | None = None) -> list[Outcome]:
    free = list(spaces)
    lock = threading.Lock()
    done: Counter[str] = Counter()
    killers: Counter[str] = Counter()

    def one(m: Mutant) -> Outcome:
        if stop is not None and time.monotonic() > stop:
            return Outcome(m, "not_run")
        with lock:
            space = free.pop()
            first = [t for t, _ in killers.most_common(40)]
        try:
            result, secs, failed = space.run(m, limit, broken, first)
            if result == "timeout":  # a busy machine, or a loop? give it time to tell
                result, secs, failed = space.run(m, 4 * limit, broken, first)
        finally:
            with lock:
                free.append(space)
        with lock:
            done[result] += 1
            if failed:
                killers[failed[0]] += 1
            n = sum(done.values())
            if result != "killed" or n % 25 == 0:
                log(f"[{n}/{len(to_run)}] {result:8} {secs:5.1f}s {m.file}:{m.line} {m.id}")
        return Outcome(m, result, secs, failed[0] if failed else "")

    with ThreadPoolExecutor(max_workers=len(spaces)) as pool:
        return list(pool.map(one, to_run))


# --- report -----------------------------------------------------------------------------------


def report(outcomes: list[Outcome], seconds: float, seed: int | None,
           broken: list[str]) -> str:
    by_file: dict[str, Counter[str]] = defaultdict(Counter)
    not_run = [o for o in outcomes if o.result == "not_run"]
    for o in outcomes:
        if o.result != "not_run":
            by_file[o.mutant.file][o.result] += 1
    lines = [f"mutation run: {len(outcomes) - len(not_run)} mutants, seed {seed}, "
             f"{seconds / 60:.1f} min"
             + (f" ({len(not_run)} more drawn, not run: the budget ran out)" if not_run else ""),
             "", f"{'file':28} {'mutants':>7} {'killed':>7} {'timeout':>7} {'survived':>8} "
             f"{'equiv':>6} {'kill rate':>9}"]
    total: Counter[str] = Counter()
    for file in CORE:
        c = by_file.get(file)
        if not c:
            continue
        total += c
        lines.append(_row(file, c))
    lines.append(_row("all", total))
    if broken:
        lines += ["", "left out (failing on the unmutated code):"] + [f"  {b}" for b in broken]
    survivors = [o for o in outcomes if o.result == "survived"]
    if survivors:
        lines += ["", "survivors:"]
        lines += [f"  {o.mutant.file}:{o.mutant.line}  {o.mutant.id}" for o in survivors]
    return "\n".join(lines)


def _row(name: str, c: Counter[str]) -> str:
    detected = c["killed"] + c["timeout"]
    live = detected + c["survived"] + c["error"]
    rate = f"{100 * detected / live:.1f}%" if live else "—"
    return (f"{name:28} {sum(c.values()):>7} {c['killed']:>7} {c['timeout']:>7} "
            f"{c['survived']:>8} {c['equivalent']:>6} {rate:>9}")


def show(mutant: Mutant) -> str:
    before = unmutated_source(mutant.file).splitlines(keepends=True)
    after = mutated_source(mutant).splitlines(keepends=True)
    return "".join(difflib.unified_diff(before, after, f"a/{mutant.file}", f"b/{mutant.file}",
                                        n=2))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sample", type=int, default=DEFAULT_SAMPLE, help="mutants to draw")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed of the draw")
    p.add_argument("--all", action="store_true", help="every mutant, no sampling")
    p.add_argument("--file", action="append", help="only this core file (repeatable)")
    p.add_argument("--operator", action="append", help="only this operator (repeatable)")
    p.add_argument("--jobs", type=int, default=2, help="mutants run at once")
    p.add_argument("--timeout", type=float, help="seconds per mutant (default: from baseline)")
    p.add_argument("--budget", type=float, metavar="MINUTES",
                   help="start no mutant after this many minutes (the rest: not run)")
    p.add_argument("--list", action="store_true", help="list the drawn mutants, run nothing")
    p.add_argument("--show", metavar="ID", help="print one mutant as a diff")
    p.add_argument("--json", type=Path, help="write every outcome to this file")
    p.add_argument("--resume", type=Path, metavar="JSON",
                   help="take the killed and timed-out mutants of an earlier run (its --json) "
                        "on the same code; run the rest and its survivors")
    p.add_argument("--tests", nargs="+", metavar="PATH",
                   help="run these tests instead of the fast subset (to explore; not for figures)")
    p.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.serve:
        serve()
        return 0

    files = tuple(f for f in CORE if not args.file or any(f.endswith(x) for x in args.file))
    pop = population(files)
    if args.operator:
        pop = {f: [m for m in ms if m.operator in args.operator] for f, ms in pop.items()}
    if args.show:
        hit = [m for ms in pop.values() for m in ms if m.id == args.show]
        if not hit:
            print(f"no mutant {args.show!r}", file=sys.stderr)
            return 2
        print(show(hit[0]))
        return 0
    chosen = sample(pop, None if args.all else args.sample, args.seed)
    equivalents = load_equivalents()
    if args.list:
        for m in chosen:
            eq = any(e.matches(m) for e in equivalents)
            print(f"{m.file}:{m.line}\t{'equivalent' if eq else ''}\t{m.id}")
        print(f"{len(chosen)} of {sum(len(ms) for ms in pop.values())} mutants", file=sys.stderr)
        return 0
    every = [m for ms in population().values() for m in ms]
    stale = [e for e in equivalents if not any(e.matches(m) for m in every)]
    for e in stale:
        print(f"warning: equivalent entry matches no mutant: {e.file}:{e.function}:"
              f"{e.operator}:{e.change}", file=sys.stderr)
    start = time.monotonic()
    outcomes, broken = run_all(chosen, equivalents, args.jobs, args.timeout,
                               lambda s: print(s, file=sys.stderr, flush=True),
                               tuple(args.tests) if args.tests else FAST_TESTS,
                               args.budget * 60 if args.budget else None,
                               {o["id"]: o for o in json.loads(args.resume.read_text("utf-8"))}
                               if args.resume else None)
    text = report(outcomes, time.monotonic() - start, None if args.all else args.seed, broken)
    print(text)
    if args.json:
        args.json.write_text(json.dumps([
            {"id": o.mutant.id, "file": o.mutant.file, "line": o.mutant.line,
             "result": o.result, "seconds": round(o.seconds, 2), "detail": o.detail}
            for o in outcomes], ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
