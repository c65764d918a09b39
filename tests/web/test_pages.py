"""The pages and the JSON API through FastAPI's test client."""

from __future__ import annotations

from fastapi.testclient import TestClient
from webhelpers import Site, log_in, open_case


def test_pages_need_a_login(client: TestClient) -> None:
    page = client.get("/cases/amber", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")
    assert client.get("/api/cases").status_code == 401


def test_wrong_password_is_refused(client: TestClient) -> None:
    page = client.get("/login")
    token = page.text.split('name="csrf" value="')[1].split('"')[0]
    done = client.post("/login", data={"username": "liga", "password": "nope",
                                       "csrf": token})
    assert "wrong user name or password" in done.text


def test_security_headers_on_every_response(client: TestClient) -> None:
    page = client.get("/login")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"


def test_case_needs_a_purpose_then_shows_the_dashboard(client: TestClient, site: Site) -> None:
    log_in(client)
    assert "amber" in client.get("/cases").text
    first = client.get("/cases/amber", follow_redirects=False)
    assert first.status_code == 303 and "/open" in first.headers["location"]
    open_case(client, "amber")
    page = client.get("/cases/amber")
    assert page.status_code == 200 and "Findings by kind" in page.text and "R12" in page.text
    audit = site.dpo.audit.log("amber")
    assert any(e["action"] == "case.open" and e["purpose"] == "reviewing findings"
               for e in audit)


def test_the_dashboard_lists_the_newest_files_and_leads_to_them_all(
        client: TestClient, site: Site) -> None:
    """A case of many files: the dashboard counts them all and lists the 20 newest, the
    files page the rest."""
    log_in(client)
    open_case(client, "amber")
    files = site.ws.records.sources("amber")
    assert len(files) > 20, "the site's case has more files than the dashboard lists"
    page = client.get("/cases/amber").text
    listed = [f["file_name"] for f in files if f"<td>{f['file_name']}</td>" in page]
    assert len(listed) == 20 and files[-1]["file_name"] in listed
    assert f"{len(files)} files" in page and 'href="/cases/amber/files"' in page
    summary = client.get("/api/cases/amber/summary").json()
    assert len(summary["sources"]) == len(files)


def test_review_a_finding_needs_csrf_and_a_reason(client: TestClient, site: Site) -> None:
    log_in(client)
    token = open_case(client, "amber")
    queue = client.get("/cases/amber/findings")
    finding = queue.text.split('<li class="finding state-new" id="')[1].split('"')[0]
    url = f"/cases/amber/findings/{finding}/review"
    assert client.post(url, data={"state": "confirmed", "reason": "x"}).status_code == 403
    done = client.post(url, data={"state": "confirmed", "reason": "checked the statements",
                                  "csrf": token}, headers={"HX-Request": "true"})
    assert done.status_code == 200 and "checked the statements" in done.text
    stored = {f.id: f for f in site.ws.findings.list("amber")}
    assert stored[finding].review.by == "liga"


def test_entity_page_shows_values_with_their_sources(client: TestClient, site: Site) -> None:
    log_in(client)
    open_case(client, "amber")
    page = client.get(f"/cases/amber/entities/{site.suspect}")
    assert page.status_code == 200 and "police_" in page.text and "SHA-256" in page.text
    data = client.get(f"/api/cases/amber/entities/{site.suspect}").json()
    assert data["entity"]["role"] == "suspect"
    assert all(v["file"] and v["sha256"] for v in data["values"])


def test_search_and_graph_api(client: TestClient, site: Site) -> None:
    log_in(client)
    open_case(client, "amber")
    account = next(e for e in site.ws.entities.list("amber", ["BankAccount"]))
    iban = account.first("iban")
    found = client.get("/api/cases/amber/search", params={"q": iban[4:12]}).json()
    assert account.id in {f["id"] for f in found}
    graph = client.get("/api/cases/amber/graph", params={"ids": account.id}).json()
    assert account.id in {n["id"] for n in graph["nodes"]} and graph["edges"]
    other = next(e["target"] if e["source"] == account.id else e["source"]
                 for e in graph["edges"])
    path = client.get("/api/cases/amber/path", params={"from": account.id, "to": other})
    assert path.json()["path"][0] == account.id and path.json()["path"][-1] == other


def test_ngo_sees_victims_pseudonymised(client: TestClient, site: Site) -> None:
    real = site.ws.entities.get("amber", site.victim).entity
    real_names = set(real.get("name"))
    log_in(client, "ilze")
    open_case(client, "amber", "support for a victim")
    # the real id tells nothing, not even which pseudonym it has
    assert client.get(f"/api/cases/amber/entities/{site.victim}").status_code == 404
    found = client.get("/api/cases/amber/search", params={"q": "Victim"}).json()
    pseudo = next(e["id"] for e in found if e["id"].startswith("pseudo-"))
    data = client.get(f"/api/cases/amber/entities/{pseudo}").json()
    assert data["entity"]["id"] == pseudo
    shown = {v["value"] for v in data["values"]}
    assert real_names and not (real_names & shown)
    raw = client.get(f"/api/cases/amber/entities/{pseudo}").text
    assert site.victim not in raw  # not even the real id
    page = client.get(f"/cases/amber/entities/{pseudo}").text
    assert not any(name in page for name in real_names)


def test_openapi_lists_the_api(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    assert "/api/cases/{case}/findings" in spec["paths"]
    assert "/api/cases/{case}/graph" in spec["paths"]


def test_chain_shows_the_stages_with_their_findings(client: TestClient) -> None:
    log_in(client)
    open_case(client, "amber")
    stages = {s["name"]: s for s in client.get("/api/cases/amber/chain").json()}
    assert list(stages) == ["recruitment", "transport", "exploitation", "proceeds"]
    assert {f["kind"] for f in stages["proceeds"]["findings"]} & {"R12", "R4", "proceeds"}
    assert stages["exploitation"]["findings"]
    page = client.get("/cases/amber/chain")
    assert page.status_code == 200 and 'data-testid="stage-proceeds"' in page.text
