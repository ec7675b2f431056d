"""``GET /v1/records/{id}``: a decision record (``tongcheng.record/1``), behind a bearer token.

Records hold personal data: without the deployment's token (``TONGCHENG_RECORDS_TOKEN``) no
record is revealed — 401, whether the id exists or not. With recording off the endpoint
answers 404. How answers get recorded: ``tongcheng.records.writer`` (the evaluate answer
carries ``X-Record-Id`` and ``"record"`` when it was recorded).
"""

from __future__ import annotations

import logging
from typing import Any

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import Response

from tongcheng.records.ids import is_record_id
from tongcheng.service.deps import API, JSON, NotFound, Refusal, problems_doc
from tongcheng.service.page.recorded import LETTER_WORDS

router = APIRouter(prefix=API, tags=["records"])
log = logging.getLogger("tongcheng.service")


class Unauthorized(Refusal):
    status = 401
    headers = {"www-authenticate": 'Bearer realm="tongcheng records"'}  # noqa: RUF012


class StoreUnreadable(Refusal):
    """The store failed while the record was read (a damaged file, a server gone): the
    deployment's problem, said as such, not a 500 — and nothing of the record revealed."""

    status = 503


@router.get(
    "/records/{record_id}",
    summary="A decision record, as stored (needs the deployment's bearer token)",
    response_class=JSON,
    responses={200: {"description": "The record, format tongcheng.record/1 (see the README)"},
               401: problems_doc("No token, or not the deployment's token"),
               404: problems_doc("No such record, or recording is off"),
               503: problems_doc("The record store cannot be read right now")},
)
async def get_record(record_id: str, request: Request) -> Response:
    """The record `record_id` exactly as stored: when, channel, actor, request id, the
    situation and its digest, `as_of`, language, the rule pack (name, version, digest), the
    package version and every decision (status, firmness, outcome, missing facts and
    parameters). Send `Authorization: Bearer <token>`."""
    recorder = getattr(request.app.state, "recorder", None)
    if recorder is None:
        raise NotFound("", "recording is off in this deployment", "本部署未开启决定记录")
    if not recorder.settings.allows(request.headers.get("authorization")):
        raise Unauthorized("authorization", "records hold personal data: send the "
                           "deployment's token as Authorization: Bearer <token>",
                           '记录含个人信息:请在请求头中附上本部署的令牌'
                           '("Authorization: Bearer <token>")')
    if not is_record_id(record_id):
        raise NotFound("record_id", f"{record_id[:40]!r} is not a record id",
                       f"{record_id[:40]!r} 不是记录编号")
    record = await read_record(recorder, record_id)
    if record is None:
        raise NotFound("record_id", f"no record {record_id}", f"没有记录 {record_id}")
    return JSON(record.to_json())


async def read_record(recorder: Any, record_id: str) -> Any:
    """The record ``record_id`` (None: no such record) read in a worker thread; a store that
    fails while read raises ``StoreUnreadable`` (503), logged for the operators."""
    from tongcheng.records.failures import FAILURES

    try:
        return await anyio.to_thread.run_sync(recorder.get, record_id)
    except FAILURES as exc:
        log.error("record store unreadable: %s", exc)
        raise StoreUnreadable("record_id", LETTER_WORDS["en"]["unreadable"],
                              LETTER_WORDS["zh"]["unreadable"]) from None
