"""Views made from the whole case (the chain's stages and graph, the case's timeline) are
made once per change of the case's data, findings and the reader's view: every request is
audited as the listing it rests on, and readers who see the case differently never share one."""

from __future__ import annotations

from fastapi.testclient import TestClient
from webhelpers import Site, log_in, open_case

from veriga.findings import ReviewState
from veriga.web.views import chain, timeline


def _derived_reads(site: Site, what: str) -> int:
    return sum(1 for e in site.dpo.audit.log(site.case)
               if e["action"] == "entity.list" and (e.get("detail") or {}).get("derived") == what)


def test_the_chain_and_timeline_are_made_once_and_audited_each_time(
        client: TestClient, site: Site, monkeypatch) -> None:
    made: list[str] = []
    stages_now, graph_now, events_now = chain._stages_now, chain._graph_now, timeline._events
    monkeypatch.setattr(chain, "_stages_now", lambda *a: made.append("stages") or stages_now(*a))
    monkeypatch.setattr(chain, "_graph_now", lambda *a: made.append("graph") or graph_now(*a))
    monkeypatch.setattr(timeline, "_events", lambda *a: made.append("events") or events_now(*a))
    log_in(client, "liga")
    open_case(client, site.case, "the chain of the case")
    site.ws.entities.set_subject_role(site.case, site.suspect, "suspect")  # a fresh revision
    before = _derived_reads(site, "chain-stages")
    first = client.get(f"/api/cases/{site.case}/chain").json()
    second = client.get(f"/api/cases/{site.case}/chain").json()
    assert first == second and made.count("stages") == 1
    assert _derived_reads(site, "chain-stages") == before + 2  # each read audited
    client.get(f"/api/cases/{site.case}/chain/graph")
    client.get(f"/api/cases/{site.case}/chain/graph")
    assert made.count("graph") == 1
    client.get(f"/api/cases/{site.case}/timeline")
    client.get(f"/api/cases/{site.case}/timeline", params={"from": "2026-01-01"})
    assert made.count("events") == 1  # the dates narrow what was made
    # a change of the case's data makes them again
    site.ws.entities.set_subject_role(site.case, site.suspect, "other")
    client.get(f"/api/cases/{site.case}/chain")
    assert made.count("stages") == 2
    site.ws.entities.set_subject_role(site.case, site.suspect, "suspect")


def _events_counted(monkeypatch) -> list[str]:
    """A list that gets "events" each time the case's timeline events are made."""
    made: list[str] = []
    events_now = timeline._events
    monkeypatch.setattr(timeline, "_events", lambda *a: made.append("events") or events_now(*a))
    return made


def test_readers_who_see_the_case_otherwise_never_share_one(client: TestClient, site: Site,
                                                            monkeypatch) -> None:
    made = _events_counted(monkeypatch)
    site.ws.entities.set_subject_role(site.case, site.suspect, "suspect")  # a fresh revision
    log_in(client, "liga")
    open_case(client, site.case, "the chain of the case")
    client.get(f"/api/cases/{site.case}/timeline")
    client.get(f"/api/cases/{site.case}/timeline")
    assert made == ["events"]
    log_in(client, "ilze")  # an NGO worker: victims minimised; her own timeline is made
    open_case(client, site.case, "support of a victim")
    client.get(f"/api/cases/{site.case}/timeline")
    assert made == ["events", "events"]


def _kept_reads(site: Site, what: str) -> int:
    return sum(1 for e in site.dpo.audit.log(site.case)
               if e["action"] == "finding.list" and (e.get("detail") or {}).get("derived") == what)


def test_a_money_view_is_made_once_for_its_drill_downs(client: TestClient, site: Site,
                                                       monkeypatch) -> None:
    """The Sankey a drill-down asks again is kept (each call audited); other parameters, a
    change of the findings or another reader's view make it again."""
    from veriga.web.views import money

    made: list[bool] = []
    make = money._make_sankey
    monkeypatch.setattr(money, "_make_sankey", lambda *a: made.append(True) or make(*a))
    site.ws.entities.set_subject_role(site.case, site.suspect, "suspect")  # a fresh revision
    log_in(client, "liga")
    open_case(client, site.case, "following the money")
    before = _kept_reads(site, "money-sankey")
    overview = client.get(f"/api/cases/{site.case}/money").json()
    link = max(overview["links"], key=lambda k: k["value"])
    rows = client.get(f"/api/cases/{site.case}/money/transactions",
                      params={"from_node": link["source"], "to_node": link["target"]}).json()
    assert rows["total"] == link["count"] and len(made) == 1
    assert client.get(f"/api/cases/{site.case}/money").json() == overview and len(made) == 1
    assert _kept_reads(site, "money-sankey") == before + 3  # each request audited
    client.get(f"/api/cases/{site.case}/money", params={"by": "account"})
    assert len(made) == 2
    log_in(client, "ilze")  # an NGO worker sees the case minimised: her own flows
    open_case(client, site.case, "support of a victim")
    client.get(f"/api/cases/{site.case}/money")
    assert len(made) == 3


def _rows(site: Site) -> int:
    """The views kept in the store for the site's case (other tests' cases keep theirs)."""
    import sqlalchemy as sa

    from veriga.store.schema import derived_values

    with site.ws.store.begin() as conn:
        case_id = site.ws.store.get_case(conn, site.case)["id"]
        return int(conn.execute(sa.select(sa.func.count()).select_from(derived_values).where(
            derived_values.c.case_id == case_id)).scalar() or 0)


def test_what_one_server_process_made_another_reads_from_the_store(
        client: TestClient, site: Site, monkeypatch) -> None:
    """The chain, the timeline, the map and the money flows made in one process are kept in
    the store: another process (here: the process's own values forgotten) answers the same
    without making them; a change of the case's data deletes them."""
    from veriga.web.views import money, places
    from veriga.workspace import cache

    site.ws.entities.set_subject_role(site.case, site.suspect, "suspect")  # a fresh revision
    assert _rows(site) == 0  # a change of the data leaves no view behind
    log_in(client, "liga")
    open_case(client, site.case, "the chain of the case")
    urls = [f"/api/cases/{site.case}/{u}" for u in ("chain", "chain/graph", "timeline", "map",
                                                    "map?from=2026-01-01", "money",
                                                    "money?mode=proceeds")]
    first = [client.get(u).json() for u in urls]
    cache.settle()  # the money flows are kept in the store after their answer
    # one each, and the timeline's events and the dates of the records findings cite
    # besides its answer, the ledger besides the flows, the entity counts (the chain's
    # stages count the records of each stage)
    assert _rows(site) == len(urls) + 4
    cache.clear()
    made: list[str] = []
    for module, name in ((chain, "_stages_now"), (chain, "_graph_now"), (timeline, "_events"),
                         (timeline, "_record_dates"), (places, "_map_now"), (timeline, "_chosen"),
                         (money, "_make_sankey")):
        monkeypatch.setattr(module, name, lambda *a, n=name: made.append(n))
    assert [client.get(u).json() for u in urls] == first and made == []
    site.ws.entities.set_subject_role(site.case, site.suspect, "other")
    assert _rows(site) == 0
    site.ws.entities.set_subject_role(site.case, site.suspect, "suspect")


def test_a_reader_who_sees_the_case_otherwise_never_reads_anothers_kept_view(
        client: TestClient, site: Site) -> None:
    from veriga.workspace import cache

    site.ws.entities.set_subject_role(site.case, site.suspect, "suspect")  # a fresh revision
    log_in(client, "liga")
    open_case(client, site.case, "the timeline of the case")
    police = client.get(f"/api/cases/{site.case}/timeline").json()
    cache.clear()
    log_in(client, "ilze")  # an NGO worker: the store holds the police's timeline only
    open_case(client, site.case, "support of a victim")
    ngo = client.get(f"/api/cases/{site.case}/timeline").json()
    assert ngo != police
    names = {p["label"] for e in ngo["events"] for p in e["parties"]}
    victim = site.ws.entities.get(site.case, site.victim).entity.caption
    assert victim not in names
    cache.clear()
    assert client.get(f"/api/cases/{site.case}/timeline").json() == ngo


def test_the_money_ledger_one_process_prepared_another_reads_from_the_store(
        client: TestClient, site: Site, monkeypatch) -> None:
    from veriga import finance
    from veriga.workspace import cache

    site.ws.entities.set_subject_role(site.case, site.suspect, "suspect")  # a fresh revision
    log_in(client, "liga")
    open_case(client, site.case, "following the money")
    first = client.get(f"/api/cases/{site.case}/money").json()
    link = max(first["links"], key=lambda k: k["value"])
    rows = client.get(f"/api/cases/{site.case}/money/transactions",
                      params={"from_node": link["source"], "to_node": link["target"]}).json()
    cache.clear()

    def never(*args, **kwargs):
        raise AssertionError("the ledger was prepared again")

    monkeypatch.setattr(finance, "prepare", never)
    assert client.get(f"/api/cases/{site.case}/money").json() == first
    assert client.get(f"/api/cases/{site.case}/money/transactions", params={
        "from_node": link["source"], "to_node": link["target"]}).json() == rows


def test_a_view_larger_than_the_store_keeps_is_made_by_each_process(
        client: TestClient, site: Site, monkeypatch) -> None:
    from veriga.store import store as store_module

    monkeypatch.setattr(store_module, "MAX_KEPT_BYTES", 10)
    site.ws.entities.set_subject_role(site.case, site.suspect, "suspect")  # a fresh revision
    log_in(client, "liga")
    open_case(client, site.case, "the chain of the case")
    assert client.get(f"/api/cases/{site.case}/chain/graph").status_code == 200
    assert _rows(site) == 0


def test_a_view_made_while_the_data_changed_is_not_kept(client: TestClient, site: Site,
                                                       monkeypatch) -> None:
    """A file withdrawn (here: a role set) while a view was being made: the view made from
    the data before is not kept in the store, where it would outlive the change."""
    graph_now = chain._graph_now

    def changing(*args):
        value = graph_now(*args)
        site.ws.entities.set_subject_role(site.case, site.suspect, "other")
        return value

    monkeypatch.setattr(chain, "_graph_now", changing)
    site.ws.entities.set_subject_role(site.case, site.suspect, "suspect")  # a fresh revision
    log_in(client, "liga")
    open_case(client, site.case, "the chain of the case")
    assert client.get(f"/api/cases/{site.case}/chain/graph").status_code == 200
    assert _rows(site) == 0
    site.ws.entities.set_subject_role(site.case, site.suspect, "suspect")


def test_a_kept_view_that_no_longer_reads_is_made_again(client: TestClient, site: Site) -> None:
    """A view kept by another version of Veriga (here: bytes that are not one) is made again
    in its place, never an error."""
    import sqlalchemy as sa

    from veriga.store.schema import derived_values
    from veriga.workspace import cache

    site.ws.entities.set_subject_role(site.case, site.suspect, "suspect")  # a fresh revision
    log_in(client, "liga")
    open_case(client, site.case, "the chain of the case")
    first = client.get(f"/api/cases/{site.case}/chain/graph").json()
    with site.ws.store.begin() as conn:
        conn.execute(sa.update(derived_values).values(value=b"not a view"))
    cache.clear()
    assert client.get(f"/api/cases/{site.case}/chain/graph").json() == first
    assert _rows(site) == 1


def test_a_review_changes_the_timeline_without_making_its_events_again(
        client: TestClient, site: Site, monkeypatch) -> None:
    """The whole case's events do not depend on how findings were reviewed: a review is
    shown at once, from the events kept."""
    made = _events_counted(monkeypatch)
    site.ws.entities.set_subject_role(site.case, site.suspect, "suspect")  # a fresh revision
    log_in(client, "liga")
    open_case(client, site.case, "the chain of the case")
    url = f"/api/cases/{site.case}/timeline"
    first = client.get(url, params={"kinds": "finding"}).json()["events"]
    assert first and made == ["events"]
    shown = first[0]
    was = shown["state"]
    site.ws.findings.review(site.case, shown["id"], ReviewState.DISMISSED, "a false alarm")
    try:
        again = {e["id"]: e for e in client.get(url, params={"kinds": "finding"}).json()["events"]}
        assert again[shown["id"]]["state"] == "dismissed"
        assert made == ["events"]  # the events kept, the review applied to them
    finally:
        if was == "new":
            site.ws.findings.reopen(site.case, shown["id"])
        else:
            site.ws.findings.review(site.case, shown["id"], ReviewState(was), "as it was")


def test_a_timeline_of_one_entity_reads_the_kept_dates_of_cited_records(
        client: TestClient, site: Site, monkeypatch) -> None:
    """The dates of the records findings cite are found once per change of the case (a scan
    of every bulk record) and kept: a timeline of one entity, then of another, reads them."""
    site.ws.entities.set_subject_role(site.case, site.suspect, "suspect")  # a fresh revision
    log_in(client, "liga")
    open_case(client, site.case, "the timeline of a suspect")
    url = f"/api/cases/{site.case}/timeline"
    first = client.get(url, params={"ids": site.suspect}).json()
    whole = client.get(url, params={"kinds": "finding", "limit": 20000}).json()
    dated = [e for e in whole["events"] if e["kind"] == "finding" and e["start"]]
    assert dated, "the case's findings have dates from the records they cite"
    scans: list[int] = []
    monkeypatch.setattr(timeline, "_record_dates", lambda *a: scans.append(1) or {})
    assert client.get(url, params={"ids": site.suspect}).json() == first
    client.get(url, params={"ids": site.victim})
    assert scans == []
    site.ws.entities.set_subject_role(site.case, site.suspect, "other")  # the data changed
    client.get(url, params={"ids": site.suspect})
    assert scans == [1]
    site.ws.entities.set_subject_role(site.case, site.suspect, "suspect")
