"""What the service tells its operators: request ids, structured JSON logs, Prometheus metrics.

- **Request ids**: every request gets one, taken from its ``X-Request-Id`` header when that is a
  plain token (letters, digits, ``._:-``, at most 128) or made (32 hex digits); the answer
  echoes it, and every log line written while the request runs carries it (``request_id``).
- **JSON logs**: ``JsonFormatter`` writes one JSON object per line (time, level, logger,
  message, request id, and for errors the exception); ``log_config`` gives uvicorn the same.
- **Metrics** (``Metrics``, one registry per app, at ``GET /metrics``): requests and their
  latency per route template (``/v1/rules/{rule_id}``, never the raw path, so a scan of
  unknown paths cannot grow the label set), and decisions per rule and status.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.metrics_core import CounterMetricFamily

REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "tongcheng_request_id", default=None
)
_TOKEN = re.compile(rb"^[A-Za-z0-9._:-]{1,128}$")

access_log = logging.getLogger("tongcheng.service.access")


def request_id(headers: Any) -> str:
    """The request's id: its ``X-Request-Id`` when that is a plain token, else a new one."""
    for name, value in headers:
        if name == b"x-request-id":
            if _TOKEN.match(value):
                return value.decode()
            break
    return uuid.uuid4().hex


class JsonFormatter(logging.Formatter):
    """One JSON object per log line, with the running request's id."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = getattr(record, "request_id", None) or REQUEST_ID.get()
        if rid:
            line["request_id"] = rid
        for key in ("method", "path", "status", "ms", "client"):
            if hasattr(record, key):
                line[key] = getattr(record, key)
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def log_config(level: str, fmt: str = "json") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for the server: uvicorn's and tongcheng's loggers on
    stderr, as JSON lines (``fmt="json"``) or as plain text."""
    formatter = ({"()": "tongcheng.service.observe.JsonFormatter"} if fmt == "json" else
                 {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"})
    handler = {"class": "logging.StreamHandler", "formatter": "main",
               "stream": "ext://sys.stderr"}
    quiet = {"handlers": ["main"], "level": level.upper(), "propagate": False}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"main": formatter},
        "handlers": {"main": handler},
        "loggers": {"uvicorn": quiet, "uvicorn.error": {"level": level.upper()},
                    "uvicorn.access": {"handlers": [], "propagate": False},
                    "tongcheng": quiet},
    }


class Metrics:
    """The app's Prometheus metrics (its own registry: several apps may share a process)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "tongcheng_http_requests", "HTTP requests answered, by route and status",
            ["method", "route", "status"], registry=self.registry)
        self.latency = Histogram(
            "tongcheng_http_request_duration_seconds", "Time to answer, by route",
            ["method", "route"], registry=self.registry,
            buckets=(.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30))
        self.decisions = DecisionCounts()
        self.registry.register(self.decisions)
        self._answered: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def decided(self, result: Any) -> None:
        """Count an evaluation's decisions."""
        self.decisions.add(result.decisions)

    def answered(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, status)
        pair = self._answered.get(key)
        if pair is None:
            pair = self._answered[key] = (
                self.requests.labels(method, route, str(status)),
                self.latency.labels(method, route),
            )
        pair[0].inc()
        pair[1].observe(seconds)


class DecisionCounts:
    """``tongcheng_decisions_total{rule, status}``: decisions made, by rule and status.

    A prometheus-client collector over plain counts: an answer holds a decision per rule (30
    and more), and a ``Counter`` child's ``inc`` per decision (its label lookup, its lock) cost
    more than the rest of the bookkeeping of a request; here an answer takes the lock once and
    adds its decisions, and ``/metrics`` reads the counts as the same counter family (with
    each series' ``_created`` time)."""

    NAME, HELP = "tongcheng_decisions", "Decisions made, by rule and status"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[tuple[str, Any], int] = {}
        self._created: dict[tuple[str, Any], float] = {}

    def add(self, decisions: Any) -> None:
        counts = self._counts
        with self._lock:
            for d in decisions:
                key = (d.rule, d.status)
                n = counts.get(key)
                if n is None:
                    counts[key] = 1
                    self._created[key] = time.time()
                else:
                    counts[key] = n + 1

    def describe(self) -> Iterator[CounterMetricFamily]:
        yield CounterMetricFamily(self.NAME, self.HELP, labels=["rule", "status"])

    def collect(self) -> Iterator[CounterMetricFamily]:
        with self._lock:
            counts, created = dict(self._counts), dict(self._created)
        family = CounterMetricFamily(self.NAME, self.HELP, labels=["rule", "status"])
        for (rule, status), n in counts.items():
            family.add_metric([rule, str(status)], n, created=created[(rule, status)])
        yield family


def route_of(scope: dict) -> str:
    """The route template a request matched (``unmatched`` for none: a 404)."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "unmatched"


class Timer:
    """One request's clock, status and access-log line."""

    __slots__ = ("rid", "start", "status")

    def __init__(self, rid: str) -> None:
        self.rid, self.start, self.status = rid, time.perf_counter(), 500

    def finish(self, scope: dict, metrics: Metrics, route: str | None, log: bool) -> None:
        seconds = time.perf_counter() - self.start
        route = route or route_of(scope)
        metrics.answered(scope["method"], route, self.status, seconds)
        if log:
            client = scope.get("client")
            access_log.info(
                "%s %s %d", scope["method"], scope["path"], self.status,
                extra={"request_id": self.rid, "method": scope["method"],
                       "path": scope["path"], "status": self.status,
                       "ms": round(seconds * 1000, 2),
                       "client": client[0] if client else None},
            )
