"""tongcheng (同城): same-city treatment across Shandong's integration zones, as cited rules.

>>> import tongcheng
>>> result = tongcheng.evaluate({"as_of": "2025-06-01", "target": "370200", ...})
>>> result.decision("medical_insurance.contribution_years_recognition").status
"""

from tongcheng.api import bundled_pack, evaluate
from tongcheng.builder import SituationBuilder
from tongcheng.errors import PackError, Problem, RuleConflict, SituationError, TongchengError
from tongcheng.evaluate.decision import Decision, Evaluation, Reason, Status
from tongcheng.pack.loader import bundled_pack_path, load_pack
from tongcheng.pack.model import Rule, RulePack
from tongcheng.situation import Situation, load_situation, parse_situation

__version__ = "0.1.0"

__all__ = [
    "Decision",
    "Evaluation",
    "PackError",
    "Problem",
    "Reason",
    "Rule",
    "RuleConflict",
    "RulePack",
    "Situation",
    "SituationBuilder",
    "SituationError",
    "Status",
    "TongchengError",
    "__version__",
    "bundled_pack",
    "bundled_pack_path",
    "evaluate",
    "load_pack",
    "load_situation",
    "parse_situation",
]


def __getattr__(name: str):
    # tongcheng.Case (cases over time, tongcheng.cases) needs the `cases` extra (durable_rules):
    # imported on first use, so `import tongcheng` stays light. Not in __all__ for that reason.
    if name == "Case":
        from tongcheng.cases import Case

        return Case
    raise AttributeError(f"module 'tongcheng' has no attribute {name!r}")
