"""The closed catalogue of functions a rule may call.

The catalogue is the language's whole vocabulary beyond operators: the loader refuses any other
name, and each backend implements exactly these. Each entry says its arguments and what it means.
"""

from __future__ import annotations

import attrs


@attrs.frozen
class FunctionSpec:
    name: str
    min_args: int
    max_args: int | None  # None: any number
    kwargs: tuple[str, ...]
    doc: str
    literal_first: bool = False  # first argument must be a string literal (a parameter id)


CATALOGUE: dict[str, FunctionSpec] = {
    s.name: s
    for s in [
        FunctionSpec("count", 1, 1, (), "number of items in a list, or of months in a month set"),
        FunctionSpec("exists", 1, 1, (), "true when a list has at least one item"),
        FunctionSpec(
            "months",
            1,
            1,
            (),
            "the months covered by a list of periods, up to the month of as_of; a month covered "
            "by two periods counts once; a period without 'to' runs through as_of",
        ),
        FunctionSpec(
            "months_by_place",
            1,
            1,
            (),
            "months of a list of periods per place (each month once per place), up to as_of",
        ),
        FunctionSpec(
            "consecutive_months",
            1,
            1,
            (),
            "length of the unbroken run of months ending at the month of as_of, or at the month "
            "before when the month of as_of is not yet covered",
        ),
        FunctionSpec("running", 1, 1, (), "the periods still running at as_of"),
        FunctionSpec(
            "latest",
            1,
            1,
            (),
            "the periods of a list that start last (every one starting in that month); "
            "unknown which when a period that may be in the list starts later",
        ),
        FunctionSpec(
            "age",
            1,
            2,
            (),
            "age in whole years at a date (default as_of); a person "
            "born on 29 February turns a year older on 1 March in common years",
        ),
        FunctionSpec("city", 1, 1, (), "the prefecture-level city of a place"),
        FunctionSpec(
            "member",
            1,
            1,
            (),
            "true when one of the rule's zones in force at as_of holds both the place "
            "and the target; unknown when the place is too coarse to say",
        ),
        FunctionSpec("in_zone", 2, 2, (), "true when a zone (by id) holds the place at as_of"),
        FunctionSpec(
            "param",
            1,
            1,
            ("place", "at"),
            "a parameter's value at a place (default target) and date (default as_of)",
            literal_first=True,
        ),
        FunctionSpec(
            "declared",
            1,
            1,
            ("place",),
            "true when the pack declares the parameter for the place (default target), "
            "with or without a known value",
            literal_first=True,
        ),
        FunctionSpec(
            "pick", 2, 2, (), "the field of a record named by a value: pick(p, person.sex)"
        ),
        FunctionSpec("places", 1, 1, (), "the distinct places of a list of periods or cards"),
        FunctionSpec("min", 1, None, (), "the least of its arguments, or of one list"),
        FunctionSpec("max", 1, None, (), "the greatest of its arguments, or of one list"),
        FunctionSpec(
            "shares_zone",
            2,
            2,
            (),
            "true when the named zone, as the rule cites it and in force at as_of, holds both "
            "the place and the target",
        ),
        FunctionSpec("round_down", 2, 2, (), "a number cut (not rounded) to so many decimals"),
        FunctionSpec(
            "service_items",
            1,
            1,
            (),
            "the one-stop service items of the rule's zones in force that hold both the place "
            "and the target",
        ),
        FunctionSpec(
            "given", 1, 1, (), "true when a fact is given; unknown (never false) when not"
        ),
        FunctionSpec("date", 1, 1, (), "a date from text 'YYYY-MM-DD'", literal_first=True),
        FunctionSpec("month", 1, 1, (), "a month from text 'YYYY-MM', or the month of a date"),
    ]
}
