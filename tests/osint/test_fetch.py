"""The fetcher refuses private addresses, before and after redirects, unless allowed."""

from __future__ import annotations

from pathlib import Path

import pytest
from osint_site import serve

from veriga.osint.fetch import Fetcher, FetchLimits, FetchRefused, address_problem


@pytest.mark.parametrize("ip", ["127.0.0.1", "::1", "10.1.2.3", "169.254.169.254", "224.0.0.1",
                                "192.168.0.1", "0.0.0.0", "::ffff:127.0.0.1", "fe80::1",
                                "100.64.0.1", "240.0.0.1"])
def test_private_addresses_refused(ip: str) -> None:
    assert address_problem(ip)
    host = f"[{ip}]" if ":" in ip else ip
    result = Fetcher().fetch(f"http://{host}/")
    assert result.hops == [] and result.error and "allow_private" in result.error


def test_public_address_passes_check() -> None:
    assert address_problem("93.184.215.14") is None
    assert address_problem("2a00:1450:4001::1") is None


def test_hostname_resolving_to_loopback_refused() -> None:
    fetcher = Fetcher(resolve=lambda host, port: ["93.184.215.14", "127.0.0.1"])
    with pytest.raises(FetchRefused, match="loopback"):
        fetcher.check("http://looks-public.example/")


def test_scheme_refused() -> None:
    for url in ("file:///etc/passwd", "ftp://example.org/", "gopher://x/"):
        assert "scheme" in (Fetcher().fetch(url).error or "")


def test_redirect_to_private_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A public-looking host (really the local server) redirects to 10.0.0.1: refused."""
    import veriga.osint.fetch as fetch_mod

    (tmp_path / "index.html").write_text("hi", encoding="utf-8")
    with serve(tmp_path) as (port, hits):
        # DNS says the host is public; the connection is pinned to the local test server.
        fetcher = Fetcher(resolve=lambda host, port: ["93.184.215.14"])
        real = fetch_mod.socket.create_connection
        monkeypatch.setattr(fetch_mod.socket, "create_connection",
                            lambda addr, timeout=None: real(("127.0.0.1", port), timeout))
        result = fetcher.fetch(f"http://public.example:{port}/redirect-private")
        assert hits["/redirect-private"] == 1
        assert result.hops[0].status == 302
        assert result.error and "private address 10.0.0.1" in result.error
        assert len(result.hops) == 1  # the private address was never contacted


def test_allow_private_and_limits(tmp_path: Path) -> None:
    (tmp_path / "small.html").write_text("<p>ok</p>", encoding="utf-8")
    with serve(tmp_path) as (port, _):
        fetcher = Fetcher(allow_private=True, limits=FetchLimits(max_bytes=1000))
        ok = fetcher.fetch(f"http://127.0.0.1:{port}/small.html")
        assert ok.error is None and ok.final and ok.final.body == b"<p>ok</p>"
        assert ok.final.truncated is None
        big = fetcher.fetch(f"http://127.0.0.1:{port}/huge.html")
        assert big.final and big.final.truncated == "length" and len(big.final.body) == 1000
        loop = fetcher.fetch(f"http://127.0.0.1:{port}/loop-a")
        assert loop.error and "redirect loop" in loop.error and len(loop.hops) == 2
        ua = fetcher.fetch(f"http://127.0.0.1:{port}/small.html").final
        assert ua and dict(ua.request_headers)["User-Agent"].startswith("Veriga/")
