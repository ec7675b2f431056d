"""Policy change impact: two rule packs (or one at two dates, or with an overlay) decided over
one population, and what changes — counted, by city and age, with its report.

``sides`` (the two packs and which rules differ), ``run`` (one read, both sides decided by the
vectorised evaluator), ``tally`` (transitions and numbers, chunk by chunk), ``report`` (JSON,
terminal table, self-contained HTML) and ``command`` (``tongcheng compare``).
"""
