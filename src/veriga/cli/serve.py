"""`veriga serve`: the web application on this machine."""

from __future__ import annotations

from typing import Annotated

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

    console.print(f"Veriga is at [bold]http://{host}:{port}[/] (log in at /login); "
                  "Ctrl+C stops it.")
    # no access log: URLs can name people and cases
    uvicorn.run("veriga.web:create_app", factory=True, host=host, port=port,
                workers=workers, log_level="warning", access_log=False,
                timeout_worker_healthcheck=120)  # a busy worker is not a hung one
