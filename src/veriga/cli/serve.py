"""`veriga serve`: the web application on this machine."""

from __future__ import annotations

import os
import socket
from typing import Annotated, Any

import typer

from veriga.cli.common import console


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on (127.0.0.1: this machine only).")
                    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes (about one per core).")] = 1,
) -> None:
    """Serve the web application; open the printed address in a browser."""
    import uvicorn

    # its worker processes keep large values: frozen out of the garbage collector's scans
    os.environ.setdefault("VERIGA_GC_FREEZE", "1")  # (see veriga.web.collector)

    console.print(f"Veriga is at [bold]http://{host}:{port}[/] (log in at /login); "
                  "Ctrl+C stops it.")
    # no access log: URLs can name people and cases
    config = uvicorn.Config("veriga.web:create_app", factory=True, host=host, port=port,
                            workers=workers, log_level="warning", access_log=False,
                            timeout_worker_healthcheck=120)  # a busy worker is not a hung one
    if workers <= 1:
        uvicorn.Server(config).run()
        return
    from uvicorn.supervisors import Multiprocess

    Multiprocess(config, sockets=[listening_socket(config)]).run()


def listening_socket(config: Any) -> socket.socket:
    """The socket the workers share, sending without delay: the connections a listening
    socket hands its workers do not get TCP_NODELAY as one server's own do, so each answer
    written in two parts waited for the browser's delayed acknowledgement (40 ms a request)."""
    sock: socket.socket = config.bind_socket()
    if sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock
