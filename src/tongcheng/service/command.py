"""``tongcheng serve``: the HTTP service and the caseworker page, on uvicorn.

Only click is imported here, so registering the command keeps the other commands fast; FastAPI
and uvicorn are imported when the command runs.
"""

from __future__ import annotations

import errno
import os
import socket

import click

from tongcheng.cli_options import fail, overlay_option, pack_option, say


def _can_listen(host: str, port: int, lang: str = "en") -> str | None:
    """Why the server could not listen on host:port (in use, no such address), or None.

    Checked before uvicorn starts: uvicorn exits 3 when it cannot bind, which is our code for a
    rule pack that fails to load; a port in use is a bad command (exit 2), said plainly."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as e:
        return say(lang, f"cannot listen on {host}:{port}: no such address ({e})",
                   f"无法在 {host}:{port} 上监听:没有这个地址({e})")
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            sock.bind(address)
        except OSError as e:
            if e.errno == errno.EADDRINUSE:
                return say(lang, f"cannot listen on {host}:{port}: the address is already in "
                                 "use; is another server running there? Choose another --port",
                           f"无法在 {host}:{port} 上监听:该地址已被占用;是否已有服务在运行?"
                           "请换一个 --port")
            return say(lang, f"cannot listen on {host}:{port}: {e.strerror or e}",
                       f"无法在 {host}:{port} 上监听({e.strerror or e})")
    return None


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on.")
@pack_option()
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes (each holds its own copy of the compiled pack; one per "
                   "core: --workers 2 on a two-core machine).")
@click.option("--reuse-port/--shared-socket", "reuse_port", default=True, show_default=True,
              help="With several workers on Linux: each worker listens on a socket of its own "
                   "(SO_REUSEPORT) and the kernel spreads connections evenly; --shared-socket "
                   "lets whichever worker wakes first take every waiting connection.")
@click.option("--loop", default="asyncio", show_default=True,
              type=click.Choice(["asyncio", "uvloop", "auto"]),
              help="The event loop: asyncio answers the connections it holds in turn; uvloop "
                   "(auto, when installed) left some waiting ten times the median under load.")
@click.option("--log-level", default="info", show_default=True,
              type=click.Choice(["critical", "error", "warning", "info", "debug"]),
              help="The least severe log lines written.")
@click.option("--access-log/--no-access-log", default=False, show_default=True,
              help="Log one JSON line per request, with its id (costs CPU on every answer).")
@click.option("--log-format", default="json", show_default=True,
              type=click.Choice(["json", "text"]),
              help="Log lines as JSON objects (with the request id) or as plain text.")
@click.option("--cors-origin", "cors_origins", multiple=True, metavar="URL",
              help="An origin whose pages may call the API from a browser "
                   "(e.g. https://portal.example.cn); repeat for more. None by default.")
@click.option("--head-timeout", default=10.0, show_default=True,
              type=click.FloatRange(0.1, 300),
              help="Seconds a client has to send its request line and headers.")
@click.option("--body-timeout", default=15.0, show_default=True,
              type=click.FloatRange(0.1, 600),
              help="Seconds a client has to send a request body.")
@overlay_option
@click.option("--records", "records_url", envvar="TONGCHENG_RECORDS", metavar="URL",
              help="Record every decision in this store (a file for SQLite, postgresql://… for "
                   "several workers); GET /v1/records/{id} needs $TONGCHENG_RECORDS_TOKEN.")
@click.option("--actor-header", envvar="TONGCHENG_ACTOR_HEADER", metavar="NAME",
              help="With --records: the request header naming the caseworker (e.g. "
                   "X-Caseworker).")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
              help="Language of the command's own errors (a pack that fails to load, a port "
                   "in use); each answer speaks the language its request asks for.")
def serve(
    host: str, port: int, pack_path: str | None, workers: int, log_level: str, access_log: bool,
    log_format: str, cors_origins: tuple[str, ...], head_timeout: float, body_timeout: float,
    overlays: tuple[str, ...], records_url: str | None = None, actor_header: str | None = None,
    reuse_port: bool = True, loop: str = "asyncio", lang: str = "zh",
) -> None:
    """Serve the /v1 JSON API and the caseworker page at / (OpenAPI at /v1/docs)."""
    try:
        import uvicorn

        from tongcheng.service.app import create_app, tune_server_process
        from tongcheng.service.observe import log_config
        from tongcheng.service.protocol import PROTOCOL
    except ImportError as exc:  # pragma: no cover - depends on the installation
        fail(2, say(lang, f"the HTTP service needs its extra: pip install 'tongcheng[service]' "
                          f"({exc})", f"HTTP 服务需要 service 附加组件:pip install "
                          f"'tongcheng[service]'({exc})"), lang)
    from tongcheng.errors import PackError
    from tongcheng.pack.loader import load_pack

    pack = None
    try:
        if pack_path or overlays:  # fail here, with file and line, before any worker starts
            pack = load_pack(pack_path, overlays=overlays)
    except PackError as exc:
        fail(3, exc.describe(lang), lang)
    problem = _can_listen(host, port, lang)
    if problem is not None:
        fail(2, problem, lang)
    # the settings travel in the environment, which every worker process inherits
    os.environ["TONGCHENG_HEAD_TIMEOUT"] = str(head_timeout)
    os.environ["TONGCHENG_BODY_TIMEOUT"] = str(body_timeout)
    os.environ["TONGCHENG_CORS_ORIGINS"] = " ".join(cors_origins)
    os.environ["TONGCHENG_ACCESS_LOG"] = "1" if access_log else "0"
    common = {"host": host, "port": port, "log_level": log_level, "access_log": False,
              "loop": loop,
              "http": PROTOCOL, "log_config": log_config(log_level, log_format)}
    if records_url:  # recording settings travel in the environment too
        from tongcheng.records.cli import open_store

        open_store(records_url, lang=lang).close()  # created or migrated once, before workers
        os.environ["TONGCHENG_RECORDS"] = records_url
        if actor_header:
            os.environ["TONGCHENG_ACTOR_HEADER"] = actor_header
    if workers > 1:
        _serve_workers(pack_path, overlays, workers, reuse_port, common)
        return
    tune_server_process()
    app = create_app(pack or pack_path, body_timeout=body_timeout, cors_origins=cors_origins,
                     access_log=access_log)
    uvicorn.run(app, **common)


def _serve_workers(pack_path: str | None, overlays: tuple[str, ...], workers: int,
                   reuse_port: bool, common: dict) -> None:
    """Several worker processes, each importing the app by name: the pack folder and overlays
    travel in the environment; a listening socket per worker where the system allows it."""
    import uvicorn

    from tongcheng.service.listening import reuse_port_available, run_workers

    if pack_path:
        os.environ["TONGCHENG_PACK"] = os.path.abspath(pack_path)
    else:
        os.environ.pop("TONGCHENG_PACK", None)
    os.environ["TONGCHENG_OVERLAYS"] = os.pathsep.join(os.path.abspath(o) for o in overlays)
    target = "tongcheng.service.app:app_from_environment"
    if reuse_port and reuse_port_available():
        run_workers(uvicorn.Config(target, factory=True, workers=workers, **common))
    else:
        uvicorn.run(target, factory=True, workers=workers, **common)
