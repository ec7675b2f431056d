"""Every rule of the bundled pack is tested on every status it can take, somewhere."""

from __future__ import annotations

import test_rules
import test_rules_catalogue
import test_rules_more
import test_rules_promises
import tongcheng


def test_every_rule_of_the_pack_is_tested_on_every_status():
    seen = {
        (rule, status)
        for module in (test_rules, test_rules_more, test_rules_catalogue, test_rules_promises)
        for _, rule, _, status, _, _ in module.CASES
    }
    for rule in tongcheng.bundled_pack().rules:
        statuses = ["eligible", "undetermined", "not_applicable"]
        if rule.conditions:  # without conditions a rule grants whenever it is in scope
            statuses.append("ineligible")
        for status in statuses:
            assert (rule.id, status) in seen, (rule.id, status)
