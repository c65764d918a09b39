"""`veriga serve` with several workers shares one listening socket among them: it sends without
delay (each worker's connections inherit TCP_NODELAY), and the workers answer on it."""

from __future__ import annotations

import socket

import uvicorn

from veriga.cli.serve import listening_socket


def test_the_workers_socket_sends_without_delay() -> None:
    config = uvicorn.Config("veriga.web:create_app", factory=True, host="127.0.0.1", port=0,
                            workers=2)
    sock = listening_socket(config)
    try:
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
        # and a connection it accepts inherits it (Linux)
        sock.listen()
        client = socket.create_connection(sock.getsockname()[:2])
        accepted, _ = sock.accept()
        try:
            assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
        finally:
            accepted.close()
            client.close()
    finally:
        sock.close()
