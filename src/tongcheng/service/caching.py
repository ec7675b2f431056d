"""Validators for what changes only with the rule pack: the catalogue (rules, zones,
parameters), the places and the situation's schema.

Their answers depend on nothing but the pack, the place registry, the package version, the
URL and the answer's language, so the ETag is made from those alone, before any work: a
client that sends ``If-None-Match`` with it gets ``304 Not Modified`` at once. Answers are
``public`` for ``MAX_AGE`` seconds (a deployment changes the pack rarely; the ETag tells a
client when it has).
"""

from __future__ import annotations

import hashlib

from tongcheng.service.deps import API, accepted_lang

CACHED = tuple(f"{API}/{p}" for p in ("rules", "zones", "parameters", "places", "schema"))
MAX_AGE = 3600
CACHE_CONTROL = f"public, max-age={MAX_AGE}".encode()
VARY = b"Accept-Language, Accept-Encoding"


def cacheable(scope: dict) -> bool:
    return scope["method"] in ("GET", "HEAD") and scope["path"].startswith(CACHED)


def family(scope: dict) -> str:
    """The metrics label of a revalidated request: its family of paths (``/v1/rules*``)."""
    return next(p for p in CACHED if scope["path"].startswith(p)) + "*"


def etag(scope: dict, salt: bytes) -> bytes:
    """The weak ETag of a cacheable GET: ``salt`` (pack digest, package version), the path,
    the query and the language the answer will be in."""
    language = b""
    for name, value in scope.get("headers", ()):
        if name == b"accept-language":
            language = (accepted_lang(value.decode("latin-1")) or "").encode()
            break
    digest = hashlib.sha256(
        b"\0".join((salt, scope.get("raw_path") or scope["path"].encode(),
                    scope.get("query_string", b""), language))
    ).hexdigest()[:32]
    return b'W/"' + digest.encode() + b'"'


def matches(scope: dict, tag: bytes) -> bool:
    """The request's ``If-None-Match`` names ``tag`` (or is ``*``)."""
    for name, value in scope.get("headers", ()):
        if name == b"if-none-match":
            for candidate in value.split(b","):
                candidate = candidate.strip()
                if candidate in (b"*", tag, tag[2:]):
                    return True
    return False
