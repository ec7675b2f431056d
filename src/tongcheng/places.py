"""The place registry: every GB/T 2260 division code of mainland China, current and retired.

People's places (where they paid in, where they live) arrive as six-digit national codes, and
zones name cities or counties. The registry answers, from memory and with dict lookups, which
city and province a code lies in, whether one place contains another, and which current code
an old code stands for. A code it does not know is bad input (``UnknownPlace``), never silently
"outside every zone".

The data is ``tongcheng/data/places.tsv``, written by ``tongcheng/data/make_places.py`` (see
there for sources and the confidence of each retirement date).

Levels and parents:

* ``province``: the 31 province-level divisions; no parent.
* ``city``: prefecture-level divisions; parent is the province. Municipalities have a city
  level of their own, as in GB/T 2260: 110000 北京市 (province) > 110100 北京市 (city) >
  110101 东城区. Chongqing has two: 500100 for its districts and 500200 for its counties.
* ``county``: every county-level unit (区, 县, 县级市, 旗, ...); parent is its city. The few
  governed directly by a province (济源 419001, 仙桃 429004, 五指山 469001, 石河子 659001,
  ...) have the province as parent and no city: ``city_of`` gives None for them.

Retired codes keep the parent they had (371202 莱城区 lies in 371200 莱芜市, itself retired).
Ask ``resolve(code, at)`` first to get today's code, then ask about containment.
"""

from __future__ import annotations

import csv
import functools
import os
import unicodedata
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

import attrs

from tongcheng.errors import TongchengError

LEVELS: Final = ("province", "city", "county")
_LEVEL_RANK: Final = {level: i for i, level in enumerate(LEVELS)}
_COLUMNS: Final = ("code", "name_zh", "name_en", "level", "parent", "retired", "successor")
_CODE_HINT: Final = 'expected a six-digit place code as a string, e.g. "370200"'
_SHANDONG: Final = "37"


@attrs.frozen
class Place:
    """One administrative division, as listed in GB/T 2260."""

    code: str  # "370285"
    name_zh: str  # "莱西市"
    name_en: str  # "Laixi" ("" when unknown)
    level: str  # "province" | "city" | "county"
    parent: str | None  # city for a county, province for a city, None for a province
    retired: date | None = None  # the day the code stopped being valid; None if current
    successor: str | None = None  # the code a retired code was replaced by

    @property
    def current(self) -> bool:
        return self.retired is None


class UnknownPlace(TongchengError, ValueError):
    """A code that is not a division code at all: bad input, to be reported, never ignored."""

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(
            f"unknown place code {code!r}: not a GB/T 2260 administrative division code"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.code,))


class RetiredPlace(TongchengError, ValueError):
    """A code that was valid once, used for a date on or after its retirement (or undated)."""

    def __init__(self, place: Place, current: Place, at: date | None = None) -> None:
        self.place, self.current, self.at = place, current, at
        self.code = place.code
        self.retired = place.retired
        self.successor = current.code
        head = f"place code {place.code!r} ({place.name_zh}) was retired on {place.retired}"
        use = f"use {current.code!r} ({current.name_zh}) instead"
        if at is None:
            message = (
                f"{head}: {use} (the old code is valid only for dates before "
                f"{place.retired}, and no date was given)"
            )
        else:
            message = f"{head}, so it is not valid for {at}: {use}"
        super().__init__(message)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.place, self.current, self.at))


def _fold(text: str) -> str:
    """Lower-case ASCII letters and digits only, so "dong e", "Dong'e" and "Dongé" all match."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed.casefold() if ch.isascii() and ch.isalnum())


def _as_date(at: object) -> date:
    if isinstance(at, datetime):
        return at.date()
    if isinstance(at, date):
        return at
    raise TypeError(f"expected a date for 'at', got {at!r}")


class PlaceRegistry:
    """All places, indexed once at construction; immutable afterwards.

    Construction checks the data (unique codes, parents and successors that exist, successor
    chains that end at a current code) so that lookups never meet a dangling reference.
    """

    __slots__ = (
        "_ancestors",
        "_by_code",
        "_children",
        "_city",
        "_current_of",
        "_ordered",
        "_province",
    )

    def __init__(self, places: Iterable[Place]) -> None:
        by_code: dict[str, Place] = {}
        for place in places:
            if place.code in by_code:
                raise ValueError(f"place code {place.code!r} is listed twice")
            by_code[place.code] = place
        for place in by_code.values():
            _check_place(place, by_code)

        current_of = {code: _follow(code, by_code) for code in by_code}
        province: dict[str, str] = {}
        city: dict[str, str | None] = {}
        ancestors: dict[str, tuple[str, ...]] = {}
        children: dict[str, list[str]] = {}
        for code, place in by_code.items():
            chain = [code]
            parent = place.parent
            while parent is not None:
                if parent in chain or len(chain) > len(LEVELS):
                    raise ValueError(f"place code {code!r} has a cyclic parent chain")
                chain.append(parent)
                parent = by_code[parent].parent
            province[code] = chain[-1]
            city[code] = next((c for c in chain if by_code[c].level == "city"), None)
            ancestors[code] = tuple(chain)
            if place.parent is not None and place.current:
                children.setdefault(place.parent, []).append(code)

        setattr_ = object.__setattr__
        setattr_(self, "_by_code", MappingProxyType(by_code))
        setattr_(self, "_ordered", tuple(by_code[c] for c in sorted(by_code)))
        setattr_(self, "_current_of", MappingProxyType(current_of))
        setattr_(self, "_province", MappingProxyType(province))
        setattr_(self, "_city", MappingProxyType(city))
        setattr_(self, "_ancestors", MappingProxyType(ancestors))
        setattr_(
            self,
            "_children",
            MappingProxyType({k: tuple(sorted(v)) for k, v in children.items()}),
        )

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"PlaceRegistry is immutable (cannot set {name!r})")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"PlaceRegistry is immutable (cannot delete {name!r})")

    @classmethod
    def from_tsv(cls, path: str | os.PathLike[str] | Traversable) -> PlaceRegistry:
        """Load a ``places.tsv`` (columns as written by ``make_places.py``)."""
        source = Path(path) if isinstance(path, str | os.PathLike) else path
        with source.open("r", encoding="utf-8", newline="") as f:
            reader = csv.reader(f, delimiter="\t")
            header = tuple(next(reader, ()))
            if header != _COLUMNS:
                raise ValueError(f"{path}: expected columns {_COLUMNS}, got {header}")
            places = []
            for line, row in enumerate(reader, start=2):
                if len(row) != len(_COLUMNS):
                    raise ValueError(f"{path}:{line}: expected {len(_COLUMNS)} columns")
                code, name_zh, name_en, level, parent, retired, successor = row
                places.append(
                    Place(
                        code=code,
                        name_zh=name_zh,
                        name_en=name_en,
                        level=level,
                        parent=parent or None,
                        retired=date.fromisoformat(retired) if retired else None,
                        successor=successor or None,
                    )
                )
        return cls(places)

    # -- lookups ---------------------------------------------------------------------------

    def normalise(self, code: str | int) -> str:
        """The canonical form of a code: six ASCII digits as a string (format only)."""
        if isinstance(code, bool):
            raise ValueError(f"{_CODE_HINT}, got {code!r}")
        if isinstance(code, int):
            if 100000 <= code <= 999999:
                return str(code)
            raise ValueError(f"{_CODE_HINT}, got {code!r}")
        if isinstance(code, str) and len(code) == 6 and code.isascii() and code.isdigit():
            return code
        raise ValueError(f"{_CODE_HINT}, got {code!r}")

    def _key(self, code: object) -> str:
        key = code if isinstance(code, str) else self.normalise(code)  # type: ignore[arg-type]
        if key not in self._by_code:
            raise UnknownPlace(key)
        return key

    def get(self, code: str) -> Place:
        """The place with this code, current or retired; UnknownPlace if there is none."""
        return self._by_code[self._key(code)]

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and code in self._by_code

    def __len__(self) -> int:
        return len(self._by_code)

    def __iter__(self) -> Iterator[Place]:
        return iter(self._ordered)

    def all(self) -> Iterable[Place]:
        """Every place, current and retired, in code order."""
        return self._ordered

    def resolve(self, code: str, at: date | None = None) -> str:
        """The current code for ``code``.

        A current code is returned as is. A retired code is accepted only for a date before
        its retirement, and then maps to the current code that replaced it (following chains:
        372330 邹平县 -> 371626 邹平县 -> 371681 邹平市). Otherwise RetiredPlace says which
        code to use instead.
        """
        place = self.get(code)
        when = None if at is None else _as_date(at)
        if place.retired is None:
            return place.code
        current = self._current_of[place.code]
        if when is not None and when < place.retired:
            return current
        raise RetiredPlace(place, self._by_code[current], when)

    def city_of(self, code: str) -> str | None:
        """The prefecture-level code (a city is its own); None for a province or a county-level
        unit governed directly by its province."""
        return self._city[self._key(code)]

    def province_of(self, code: str) -> str:
        return self._province[self._key(code)]

    def ancestors(self, code: str) -> tuple[str, ...]:
        """``(code, city, province)`` without duplicates, most specific first."""
        return self._ancestors[self._key(code)]

    def children(self, code: str) -> tuple[str, ...]:
        """Current direct children: a province's cities, a city's counties."""
        return self._children.get(self._key(code), ())

    def contains(self, outer: str, inner: str) -> bool:
        """Whether ``inner`` is ``outer`` or lies inside it."""
        outer_key = self._key(outer)
        return outer_key in self._ancestors[self._key(inner)]

    def name(self, code: str, lang: str = "zh") -> str:
        """The place's name in Chinese, or in English falling back to Chinese."""
        place = self.get(code)
        if lang == "zh":
            return place.name_zh
        if lang == "en":
            return place.name_en or place.name_zh
        raise ValueError(f"expected lang 'zh' or 'en', got {lang!r}")

    def search(self, text: str, limit: int = 20) -> list[Place]:
        """Places whose code starts with ``text``, or whose Chinese or English name contains it.

        Shandong first, then current before retired, exact names before partial ones, larger
        places before smaller, and code order.
        """
        query = text.strip()
        if not query or limit <= 0:
            return []
        folded = _fold(query)
        ranked: list[tuple[tuple[int, int, int, int, str], Place]] = []
        for place in self._ordered:
            rank = _match_rank(place, query, folded)
            if rank is None:
                continue
            key = (
                0 if place.code.startswith(_SHANDONG) else 1,
                0 if place.current else 1,
                rank,
                _LEVEL_RANK.get(place.level, len(LEVELS)),
                place.code,
            )
            ranked.append((key, place))
        ranked.sort(key=lambda item: item[0])
        return [place for _, place in ranked[:limit]]


def _match_rank(place: Place, query: str, folded: str) -> int | None:
    """0 exact name or code, 1 name prefix or code prefix, 2 substring; None if no match."""
    if query.isascii() and query.isdigit():
        if place.code == query:
            return 0
        return 1 if place.code.startswith(query) else None
    best: int | None = None
    candidates = [(place.name_zh, query)]
    if folded:
        candidates.append((_fold(place.name_en), folded))
    for name, q in candidates:
        if not name or q not in name:
            continue
        rank = 0 if name == q or _strip_suffix(name) == q else 1 if name.startswith(q) else 2
        best = rank if best is None else min(best, rank)
    return best


def _strip_suffix(name_zh: str) -> str:
    for suffix in ("自治县", "市", "区", "县", "旗", "省"):
        if name_zh.endswith(suffix) and len(name_zh) > len(suffix) + 1:
            return name_zh[: -len(suffix)]
    return name_zh


def _check_place(place: Place, by_code: dict[str, Place]) -> None:
    code = place.code
    if not (len(code) == 6 and code.isascii() and code.isdigit()):
        raise ValueError(f"place code {code!r} is not six digits")
    if place.level not in LEVELS:
        raise ValueError(f"place {code}: level {place.level!r} is not one of {LEVELS}")
    if (place.parent is None) != (place.level == "province"):
        raise ValueError(f"place {code}: only a province has no parent")
    if place.parent is not None:
        parent = by_code.get(place.parent)
        if parent is None:
            raise ValueError(f"place {code}: parent {place.parent!r} is not listed")
        if _LEVEL_RANK.get(parent.level, len(LEVELS)) >= _LEVEL_RANK[place.level]:
            raise ValueError(f"place {code}: parent {parent.code} is not above it")
    if (place.retired is None) != (place.successor is None):
        raise ValueError(f"place {code}: a retired code needs a successor, and only it")
    if place.successor is not None and place.successor not in by_code:
        raise ValueError(f"place {code}: successor {place.successor!r} is not listed")


def _follow(code: str, by_code: dict[str, Place]) -> str:
    """The current code at the end of a successor chain."""
    seen = [code]
    place = by_code[code]
    while place.successor is not None:
        if place.successor in seen:
            raise ValueError(f"place code {code!r} has a cyclic successor chain")
        seen.append(place.successor)
        place = by_code[place.successor]
    return place.code


@functools.cache
def default_registry() -> PlaceRegistry:
    """The registry of the packaged ``places.tsv``, loaded once and shared (it is read-only)."""
    return PlaceRegistry.from_tsv(resources.files("tongcheng.data").joinpath("places.tsv"))
