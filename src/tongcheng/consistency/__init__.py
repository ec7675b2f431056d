"""Rule-pack consistency: static checks (``tongcheng lint``) and a property suite any pack can
run (``tongcheng verify``), built on the hypothesis strategies of ``tongcheng.testing``.

- :mod:`tongcheng.consistency.lint` — unknown fact paths and values, unused parameters, values
  without a usable reference, citations without a sentence, declared parameters with no value,
  zone and rule dates before their documents, exceptions that overlap with no override (decided
  exactly with z3 where the conditions allow), and gaps where a rule's parameter is declared for
  some members of its zones and not others. Needs ``z3-solver`` for the overlap check.
- :mod:`tongcheng.consistency.verify` — the properties every pack must have (no contradictions,
  determinism, order independence, information monotonicity and completeness, symmetric mutual
  recognition, dates, declared monotonic outcomes), searched with hypothesis; a failure prints
  the shrunk counterexample as a situation file for ``tongcheng check``. Needs ``hypothesis``.
- :mod:`tongcheng.consistency.pytest_plugin` — the same from a rule author's pytest suite.

``import tongcheng.consistency`` needs neither hypothesis nor z3; the modules that do import
them when they run.
"""
