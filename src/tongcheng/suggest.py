""""Did you mean …?": the nearest known word to a mistyped one, for every face's messages."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(word: str, known: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The known word nearest to ``word``, when one is near enough to be the intended one."""
    close = difflib.get_close_matches(str(word), list(known), n=1, cutoff=cutoff)
    return close[0] if close else None


def did_you_mean(word: str, known: Iterable[str], lang: str = "en") -> str:
    """`` (did you mean 'x'?)`` — or nothing when no known word is near."""
    hit = closest(word, known)
    if hit is None:
        return ""
    return f"(是否应为 {hit!r}?)" if lang == "zh" else f" (did you mean {hit!r}?)"
