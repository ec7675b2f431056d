"""Terms: the words, in Chinese and English, for the codes a rule's outcome gives.

An outcome is data (``handling: "accepted_in_one_place"``, ``discount_kinds: [...]``), the same in
every language and every evaluator; what a person reads is the term's words in the language asked
(the table, the page). ``terms.yaml`` holds them; the loader refuses an outcome text that is not
a term, so no rule can put prose of one language into an outcome.
"""

from __future__ import annotations

from collections.abc import Iterator

from tongcheng.expr import ast


def outcome_texts(node: ast.Node) -> Iterator[ast.Literal]:
    """The string literals an outcome expression can give as its value (or as items of it):
    a literal, the items of a list, either branch of ``if``. Strings that are arguments (a
    parameter's id) or compared with facts (``item.kind == "transit"``) are not values."""
    match node:
        case ast.Literal(value=str()):
            yield node
        case ast.ListLit(items=items):
            for item in items:
                yield from outcome_texts(item)
        case ast.If(then=then, otherwise=otherwise):
            yield from outcome_texts(then)
            yield from outcome_texts(otherwise)
