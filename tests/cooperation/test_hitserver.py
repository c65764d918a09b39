"""Hit/no-hit between two servers over mutual TLS: the filter stays with its publisher, the
other party learns only its own hits, strangers are not let in, rate limits hold, and both
sides audit every answer and refusal."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_hits import MINE, THEIRS, _load, _workspace
from tlscerts import authority, issue

from veriga.cooperation import hits as hnh
from veriga.cooperation import hitserver as hsrv
from veriga.errors import VerigaError


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[dict[str, Any]]:
    lv, ee = _workspace(tmp_path, "lv"), _workspace(tmp_path, "ee")
    _load(lv, "amber", THEIRS, tmp_path, victim="lv-victim")
    _load(ee, "birch", MINE, tmp_path)
    key = hnh.new_key()
    flt = tmp_path / "amber.vhf"
    lv.hits.publish("amber", key, flt)
    ca = authority(tmp_path, "JIT LV-EE CA")
    server_pair = issue(tmp_path, ca, "hits.politsei.lv", server=True)
    client = issue(tmp_path, ca, "Politsei EE")
    stranger = issue(tmp_path, authority(tmp_path, "Somebody CA"), "Stranger")
    yield {"lv": lv, "ee": ee, "key": key, "filter": flt, "ca": ca[0], "server": server_pair,
           "client": client, "stranger": stranger, "tmp": tmp_path}
    lv.close()
    ee.close()


def _serve(s: dict[str, Any], limits: hsrv.Limits | None = None) -> tuple[str, Any]:
    ctx = hsrv.server_context(s["server"].cert, s["server"].key, s["ca"].cert)
    srv = s["lv"].hits.server("amber", s["key"], s["filter"], ("127.0.0.1", 0), ctx, limits)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return f"https://127.0.0.1:{srv.server_address[1]}", srv


def test_only_my_hits_come_back_and_both_sides_audit(setup) -> None:
    s = setup
    url, srv = _serve(s)
    try:
        ctx = hsrv.client_context(s["client"].cert, s["client"].key, s["ca"].cert)
        found = s["ee"].hits.match_remote("birch", s["key"], url, ctx)
    finally:
        srv.shutdown()
    got = {(h.record_id, h.kind) for h in found.hits}
    assert got == {("ee-olena", "person"), ("ee-phone", "phone"), ("ee-firm", "company")}
    served = [e for e in s["lv"].audit.log("amber") if e["action"] == "hits.served"]
    assert served and served[0]["target"] == "Politsei EE"
    assert served[0]["detail"]["hits"] == 3
    [asked] = [e for e in s["ee"].audit.log("birch") if e["action"] == "hits.match"]
    assert asked["target"] == url and asked["detail"]["hits"] == 3


def test_strangers_wrong_keys_and_floods_are_refused(setup) -> None:
    s = setup
    url, srv = _serve(s, hsrv.Limits(per_hour=3, per_minute=100))
    try:
        stranger = hsrv.client_context(s["stranger"].cert, s["stranger"].key, s["ca"].cert)
        with pytest.raises(VerigaError, match="no connection"):
            s["ee"].hits.match_remote("birch", s["key"], url, stranger)
        ctx = hsrv.client_context(s["client"].cert, s["client"].key, s["ca"].cert)
        with pytest.raises(VerigaError, match="key id"):
            s["ee"].hits.match_remote("birch", hnh.new_key(), url, ctx)
        with pytest.raises(VerigaError, match="rate limit: more than 3 hashes an hour"):
            s["ee"].hits.match_remote("birch", s["key"], url, ctx)
    finally:
        srv.shutdown()
    refused = [e for e in s["lv"].audit.log("amber") if e["action"] == "hits.served.refused"]
    assert {e["detail"]["reason"] for e in refused} >= {"key or version",
                                                       "more than 3 hashes an hour"}
    assert len([e for e in s["ee"].audit.log("birch") if e["action"] == "hits.refused"]) == 3


def test_a_server_refuses_a_filter_of_another_key(setup) -> None:
    s = setup
    ctx = hsrv.server_context(s["server"].cert, s["server"].key, s["ca"].cert)
    with pytest.raises(hnh.FilterRefused, match="another key"):
        s["lv"].hits.server("amber", hnh.new_key(), s["filter"], ("127.0.0.1", 0), ctx)
