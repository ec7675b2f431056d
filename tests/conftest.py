"""Hypothesis profiles: a thorough default (new examples every run), `ci` (the same examples,
derandomised, so a CI result can be reproduced), and `deep` for long searches.

    HYPOTHESIS_PROFILE=deep bash scripts/test.sh tests/test_properties.py
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_COMMON = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow,
                                                       HealthCheck.data_too_large,
                                                       HealthCheck.filter_too_much]}
settings.register_profile("default", max_examples=150, **_COMMON)
settings.register_profile("ci", max_examples=150, derandomize=True, **_COMMON)
settings.register_profile("deep", max_examples=3000, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
