"""uvicorn's HTTP protocol with the limits a public service needs before the app is called.

uvicorn closes idle keep-alive connections, but a client that opens a connection and sends its
request head slowly, a byte at a time (slowloris), holds the connection as long as it likes,
and httptools accepts request heads of any size. ``GuardedHttpTools`` adds:

- a **head timeout**: the request line and headers must arrive within ``HEAD_TIMEOUT`` seconds
  of the connection opening or of the request's first byte, or the connection is closed with
  ``408``;
- a **head size limit**: more than ``MAX_HEAD`` bytes of request line and headers answer
  ``431`` and close the connection;
- a request the parser cannot read is ``400`` in the service's problems shape (uvicorn's own
  answer is English plain text).

The body's own timeout is the app's (``deps.read_body``), which answers 408 in JSON.
``tongcheng serve`` and the tests' live server use this protocol (``http=PROTOCOL``); set
``TONGCHENG_HEAD_TIMEOUT`` (seconds) and ``TONGCHENG_MAX_HEAD`` (bytes) to change the limits
(the environment reaches every worker process).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

HEAD_TIMEOUT = 10.0
MAX_HEAD = 16 * 1024
LINGER = 2.0  # seconds a refused connection drops what still arrives before it is closed
PROTOCOL = "tongcheng.service.protocol:GuardedHttpTools"
SEND_NOW = "tongcheng.send_now"  # the ASGI extension saying ``send`` may run outside a task


def _limits() -> tuple[float, int]:
    return (
        float(os.environ.get("TONGCHENG_HEAD_TIMEOUT") or HEAD_TIMEOUT),
        int(os.environ.get("TONGCHENG_MAX_HEAD") or MAX_HEAD),
    )


def _refusal(status: bytes, message: bytes) -> bytes:
    return (
        b"HTTP/1.1 " + status + b"\r\ncontent-type: application/json\r\n"
        b"content-length: " + str(len(message)).encode() + b"\r\nconnection: close\r\n\r\n"
        + message
    )


# Said in the service's default language, Chinese: refused before a whole head has been read,
# the request's language (its query, its Accept-Language header) cannot be known.
SLOW_HEAD = '{"problems":[{"path":"","message":"未能按时收到请求行和请求头"}]}'.encode()
LARGE_HEAD = '{"problems":[{"path":"","message":"请求行和请求头过大"}]}'.encode()
UNREADABLE = ('{"problems":[{"path":"","message":"无法读取该请求:请求行或请求头不符合 '
              'HTTP/1.1"}]}').encode()
TIMEOUT_408 = _refusal(b"408 Request Timeout", SLOW_HEAD)
BAD_400 = _refusal(b"400 Bad Request", UNREADABLE)
TOO_LARGE_431 = _refusal(b"431 Request Header Fields Too Large", LARGE_HEAD)


class GuardedHttpTools(HttpToolsProtocol):
    """``HttpToolsProtocol`` with a head timeout and a head size limit (module doc)."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.head_timeout, self.max_head = _limits()
        self._head_timer: asyncio.TimerHandle | None = None
        self._in_head = True  # between a request's first byte (or the connection) and its head
        self._head_bytes = 0
        self._dropping = False  # refused: what still arrives is dropped until the close

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._head_timer = self.loop.call_later(self.head_timeout, self._head_too_slow)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_too_slow(self) -> None:
        self._head_timer = None
        if self._in_head:
            self._refuse(TIMEOUT_408)

    def _refuse(self, answer: bytes) -> None:
        """Answer and close gently: stop sending, read and drop what the client still sends
        for a moment, then close. (Closing with unread bytes would make the kernel reset the
        connection, and the client might never read the answer.)"""
        self._disarm()
        if self.transport.is_closing() or self._dropping:
            return
        self._dropping = True
        self.transport.write(answer)
        try:
            self.transport.write_eof()
        except (NotImplementedError, OSError, RuntimeError):
            self.transport.close()
            return
        self.loop.call_later(LINGER, self.transport.close)

    def send_400_response(self, msg: str) -> None:
        """A request the parser cannot read (a body both counted and chunked, a bad length, a
        byte no request line may hold): in the problems shape like every refusal, where
        uvicorn answers English plain text; uvicorn has logged ``msg``."""
        self._refuse(BAD_400)

    def data_received(self, data: bytes) -> None:
        if self._dropping:
            return
        if self._in_head:
            self._head_bytes += len(data)
        super().data_received(data)
        # the head is still incomplete after this much: refuse it before it grows further
        if self._in_head and self._head_bytes > self.max_head and self.parser is not None:
            self._refuse(TOO_LARGE_431)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        # this server's ``send`` writes to the transport and waits only when a slow client
        # paused it: safe to run outside a task (``front.Front.send_recorded``)
        self.scope["extensions"] = {SEND_NOW: {}}  # type: ignore[typeddict-unknown-key]
        if not self._in_head:  # a further request on a kept-alive connection
            self._in_head, self._head_bytes = True, 0
            self._arm()

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._disarm()
        size = len(self.url) + sum(len(n) + len(v) + 4 for n, v in self.headers)
        if size <= self.max_head:
            super().on_headers_complete()
            self.cycle.transport = Joined(self.transport, self.loop)
            return
        # the head arrived whole but too large: this one request is answered 431 (the parser
        # goes on as for any request) and the connection closed after it
        app, self.app = self.app, _head_too_large
        try:
            super().on_headers_complete()
        finally:
            self.app = app


class Joined:
    """A request's view of the connection: its response's head is held until the body's first
    write and sent with it, one ``send`` system call instead of two. On loopback the kernel does
    both ends' TCP work inside ``send``: ~9% of a worker's time under load went there (py-spy).
    A head is never held past the event loop's turn (nor a ``100 Continue``, which the client
    waits for before it sends the body)."""

    __slots__ = ("_head", "_loop", "_transport")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport, self._loop = transport, loop
        self._head: bytes | None = None

    def write(self, data: bytes) -> None:
        head = self._head
        if head is not None:
            self._head = None
            self._transport.write(head + data)
        elif data[:9] == b"HTTP/1.1 " and data[9:12] != b"100":
            self._head = data
            self._loop.call_soon(self.flush)
        else:
            self._transport.write(data)

    def flush(self) -> None:
        head = self._head
        if head is not None:
            self._head = None
            self._transport.write(head)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self._transport, name)


async def _head_too_large(scope: dict, receive: Callable, send: Callable) -> None:
    await send({"type": "http.response.start", "status": 431,
                "headers": [(b"content-type", b"application/json"), (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": LARGE_HEAD})
