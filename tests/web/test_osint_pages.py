"""The ads page and the archived page viewer: ads of a crawled site (a WARC archive with one
hostile page) and of a simulator's FtM copy, filtered with counts from SQL; each ad beside
its captured page, shown sandboxed from the WARC record, checked against its digests,
withheld from a minimised (NGO) reader; in Chromium, nothing the hostile page tries leaves
the browser or runs."""

from __future__ import annotations

import gzip
import json
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from html import unescape as html_unescape
from pathlib import Path
from typing import Any

import pytest
from adhelpers import HOSTILE, site_warc
from browserhelpers import CHROMIUM, SHOTS, acquire_browser, release_browser, shot
from browserhelpers import log_in as browser_log_in
from fastapi.testclient import TestClient
from webhelpers import PASSWORD, log_in, open_case

from veriga.config import Settings
from veriga.ingest import ImportRequest
from veriga.osint.extract import extract_advertisement
from veriga.simulate import simulate
from veriga.web import create_app
from veriga.workspace import Workspace

HOST = "nightlist.example"
HOSTILE_ID = "N9999999"
OUTSIDE = "tracker.invalid"
CASE = "onyx"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """``onyx``: Līga's case with a crawl of one simulated ad site (WARC, one hostile ad
    page added) and the simulator's FtM copy of every ad, shared with an NGO."""
    root = tmp_path_factory.mktemp("osint-web")
    world = root / "world"
    simulate("sexual-exploitation", "tiny", 1, world)
    warc = site_warc(world / "ads" / "sites" / HOST, HOST, root / "crawl.warc.gz",
                     hostile_id=HOSTILE_ID, outside=OUTSIDE)
    settings = Settings(home=root / "home", database_url=f"sqlite:///{root / 'v.db'}")
    admin = Workspace.local(settings, purpose="setting up", username="admin")
    admin.directory.add_org("Valsts policija", "police", "LV")
    admin.directory.add_org("Politsei", "police", "EE")
    admin.directory.add_org("Safe House", "ngo", "LV")
    admin.directory.add_user("liga", "Valsts policija", ["investigator"], "Līga Ozola", PASSWORD)
    admin.directory.add_user("mart", "Politsei", ["investigator"], "Mart", PASSWORD)
    admin.directory.add_user("ilze", "Safe House", ["ngo_worker"], "Ilze", PASSWORD)
    admin.directory.add_user("dace", "Valsts policija", ["dpo"], "Dace", PASSWORD)
    liga = admin.as_user("liga", purpose="investigation LV-2026-17")
    liga.cases.create(CASE)
    liga.records.import_files(CASE, [ImportRequest(path=warc),
                                     ImportRequest(path=world / "ads" / "ads.ftm.jsonl")])
    liga.cases.share(CASE, "Safe House")
    ads = list(liga.entities.list(CASE, ["Advertisement"]))
    truth = json.loads((world / "ground_truth.json").read_text(encoding="utf-8"))
    yield {"settings": settings, "ws": liga, "ads": ads, "truth": truth, "warc": warc,
           "world": world, "dpo": admin.as_user("dace", purpose="data protection review")}
    admin.close()


@pytest.fixture(scope="module")
def app(world: dict[str, Any]) -> Any:
    return create_app(world["settings"])


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app, base_url="https://testserver") as c:
        log_in(c, "liga")
        open_case(c, CASE, "investigation LV-2026-17")
        yield c


def _ad(world: dict[str, Any], ad_id: str) -> Any:
    return next(a for a in world["ads"] if ad_id in a.get("adId"))


def test_ads_page_lists_filters_and_counts(world: dict[str, Any], client: TestClient) -> None:
    page = client.get(f"/cases/{CASE}/ads")
    assert page.status_code == 200, page.text[:300]
    total = len(world["ads"])
    assert int(page.text.split('data-testid="ad-count">')[1].split("<")[0]) == total
    assert page.text.count('data-testid="ad-row"') == min(total, 100)
    # the counts per site come from SQL and agree with the ads
    on_site = [a for a in world["ads"] if HOST in a.get("site")]
    assert f"{HOST} ({len(on_site)})" in page.text
    filtered = client.get(f"/cases/{CASE}/ads", params={"site": HOST})
    assert int(filtered.text.split('data-testid="ad-count">')[1].split("<")[0]) == len(on_site)
    # a phone of the answer key finds the ads giving it, in whatever form they wrote it
    ad = next(a for a in world["ads"] if a.get("phone"))
    phone = ad.get("phone")[0]
    giving = [a for a in world["ads"] if phone in a.get("phone")]
    by_phone = client.get(f"/cases/{CASE}/ads", params={"phone": phone[-7:]})
    found = int(by_phone.text.split('data-testid="ad-count">')[1].split("<")[0])
    assert found >= len(giving) and f"/cases/{CASE}/ads/{ad.id}" in by_phone.text
    city = client.get(f"/cases/{CASE}/ads", params={"city": "Nowhere-on-earth"})
    assert 'data-testid="ad-count">0<' in city.text


def test_ad_page_shows_extraction_capture_and_operation(world: dict[str, Any],
                                                        client: TestClient) -> None:
    ad = next(a for a in world["ads"] if a.get("contentHash") and a.get("phone"))
    page = client.get(f"/cases/{CASE}/ads/{ad.id}")
    assert page.status_code == 200, page.text[:300]
    phones = page.text.split('data-testid="phones">')[1].split("<")[0]
    assert ad.get("phone")[0] in phones  # E.164, read from the (obfuscated) text
    assert 'class="found found-phone"' in page.text
    capture = page.text.split('data-testid="capture"')[1].split("</table>")[0]
    assert ad.get("contentHash")[0] in capture and "✓" in capture
    assert f'src="/cases/{CASE}/ads/{ad.id}/archived"' in page.text
    frame = page.text.split('data-testid="archived-page"')[1].split(">")[0]
    entity_page = client.get(f"/cases/{CASE}/entities/{ad.id}").text
    assert f'href="/cases/{CASE}/ads/{ad.id}" data-testid="ad-page"' in entity_page
    assert re.search(r"\bsandbox\b(?!=)", frame) and "allow-" not in frame
    # an ad of an operation in the answer key shows its operation with a template
    truth_ops: dict[str, list[str]] = {}
    for a in world["truth"]["ads"]:
        if a.get("operation"):
            truth_ops.setdefault(a["operation"], []).append(a["entity_id"])
    member = next(i for ids in truth_ops.values() if len(ids) > 2 for i in ids)
    op_page = client.get(f"/cases/{CASE}/ads/{member}")
    assert 'data-testid="operation"' in op_page.text
    assert 'data-testid="template"' in op_page.text


def test_ad_page_marks_the_indicators_where_they_fired(world: dict[str, Any],
                                                      client: TestClient) -> None:
    from veriga.osint.screen import facts_from_entity, screen

    operation_ads = [a["entity_id"] for a in world["truth"]["ads"] if a["kind"] == "operation"]
    by_id = {a.id: a for a in world["ads"]}
    checked = 0
    for ad_id in operation_ads[:8]:
        facts = facts_from_entity(by_id[ad_id])
        placed = [h for h in screen(facts.text, facts.extracted, facts=facts).hits
                  if h.start is not None]
        if not placed:
            continue
        page = client.get(f"/cases/{CASE}/ads/{ad_id}").text
        assert 'data-testid="screened-here"' in page
        listed = set(re.findall(r'data-testid="indicator" data-indicator="([^"]+)"', page))
        assert {h.indicator for h in placed} <= listed
        text = page.split('data-testid="ad-text">')[1].split("</p>")[0]
        marked = re.findall(r'<span class="indicator" data-indicators="([^"]+)"[^>]*>(.*?)</span>',
                            text, re.S)
        for hit in placed:  # the marked pieces of each indicator spell the text it fired on
            pieces = "".join(re.sub(r"<[^>]+>", "", piece) for names, piece in marked
                             if hit.indicator in names.split())
            assert hit.text in html_unescape(pieces), (hit.indicator, hit.text)
        checked += 1
    assert checked >= 3


def test_a_large_case_is_not_grouped_on_the_page(world: dict[str, Any], client: TestClient,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from veriga.web.views import ads

    monkeypatch.setattr(ads, "MAX_GROUPED_HERE", 5)
    page = client.get(f"/cases/{CASE}/ads/{world['ads'][0].id}").text
    assert 'data-testid="not-grouped"' in page and 'data-testid="operation"' not in page


def test_archived_page_is_sanitised_and_locked(world: dict[str, Any],
                                               client: TestClient) -> None:
    hostile = _ad(world, HOSTILE_ID)
    got = client.get(f"/cases/{CASE}/ads/{hostile.id}/archived")
    assert got.status_code == 200, got.text[:300]
    csp = got.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "img-src data:" in csp and "sandbox" in csp
    assert "script-src" not in csp and got.headers["x-frame-options"] == "SAMEORIGIN"
    html = got.text
    assert "<script" not in html.lower() and "onload" not in html and "onerror" not in html
    assert "http-equiv" not in html and "<base" not in html and "<iframe" not in html
    assert "<object" not in html and "<embed" not in html and "@import" not in html
    assert not re.search(r"(src|href|action|srcset|poster)=\"[^\"]*" + OUTSIDE, html)
    assert not re.search(r"url\([^)]*" + OUTSIDE, html)
    assert "Lena 19 y.o. just arrived" in html  # the text is all there
    # an ordinary ad's photos come from the same archive, inside the page
    plain = [a for a in world["ads"] if a.get("contentHash") and HOSTILE_ID not in a.get("adId")]
    pages = [client.get(f"/cases/{CASE}/ads/{a.id}/archived").text for a in plain[:12]]
    with_photos = [p for p in pages if "<img" in p]
    assert with_photos and all('src="data:image/' in p for p in with_photos)


def test_altered_archive_does_not_verify(world: dict[str, Any], client: TestClient,
                                         tmp_path: Path) -> None:
    ws = world["ws"]
    ad = next(a for a in world["ads"] if a.get("contentHash")
              and HOSTILE_ID not in a.get("adId"))
    capture = ws.ads.capture(CASE, ad.id)
    assert capture is not None and capture.verified
    kept = ws.originals.path(ws.cases.get(CASE)["id"], capture.source_sha256)
    backup = tmp_path / "kept.warc.gz"
    shutil.copyfile(kept, backup)
    try:
        # one character of the page changed inside its record, its digests left as they were
        raw = gzip.decompress(kept.read_bytes())
        at = raw.index(b"<h1>", raw.index(b"WARC-Target-URI: " + capture.url.encode())) + 4
        kept.write_bytes(raw[:at] + (b"Y" if raw[at:at + 1] == b"X" else b"X") + raw[at + 1:])
        page = client.get(f"/cases/{CASE}/ads/{ad.id}")
        verdict = page.text.split('data-testid="verified">')[1].split("</td>")[0]
        assert "✓" not in verdict and 'class="error"' in verdict
        assert 'data-testid="archived-page"' not in page.text
        assert client.get(f"/cases/{CASE}/ads/{ad.id}/archived").status_code == 409
    finally:
        shutil.copyfile(backup, kept)


def test_ngo_reader_gets_extraction_without_the_page(world: dict[str, Any],
                                                    app: Any) -> None:
    ad = next(a for a in world["ads"] if a.get("contentHash") and a.get("phone"))
    # an ad whose phone is written in a form minimisation could not recognise
    written = next((a, p) for a in world["ads"]
                   for p in extract_advertisement(a).extracted.phones
                   if not re.fullmatch(r"[+\d]+", p.raw))
    with TestClient(app, base_url="https://testserver") as c:
        log_in(c, "ilze")
        open_case(c, CASE, "support for victims")
        page = c.get(f"/cases/{CASE}/ads/{ad.id}")
        assert page.status_code == 200, page.text[:300]
        assert 'data-testid="page-withheld"' in page.text
        assert 'data-testid="archived-page"' not in page.text and "/archived" not in page.text
        assert 'data-testid="phones"' in page.text
        assert c.get(f"/cases/{CASE}/ads/{ad.id}/archived").status_code == 403
        text = c.get(f"/cases/{CASE}/ads/{written[0].id}").text
        text = text.split('data-testid="ad-text">')[1].split("</p>")[0]
        assert written[1].raw not in text and written[1].e164 in text
        assert c.get(f"/cases/{CASE}/ads").status_code == 200
    entries = [e for e in world["dpo"].audit.log(CASE)
               if e["action"] == "ad.capture" and e["actor"] == "ilze"]
    assert entries and all(e["detail"]["withheld"] for e in entries)


def test_other_police_cannot_reach_the_page(world: dict[str, Any], app: Any) -> None:
    ad = next(a for a in world["ads"] if a.get("contentHash"))
    with TestClient(app, base_url="https://testserver") as c:
        log_in(c, "mart")
        assert c.get(f"/cases/{CASE}/ads/{ad.id}/archived").status_code == 404
        assert c.get(f"/cases/{CASE}/ads").status_code == 404


def test_ad_page_shows_the_stored_operation_once_analysed(world: dict[str, Any],
                                                          client: TestClient) -> None:
    ws = world["ws"]
    ws.analyses.run(CASE, only=["osint"])
    stored = [f for f in ws.findings.list(CASE) if f.kind.startswith("operation.")]
    assert stored
    member = stored[0].evidence.entity_ids[0]
    page = client.get(f"/cases/{CASE}/ads/{member}")
    link = page.text.split('data-testid="operation-finding">')[1].split("</a>")[0]
    assert link == stored[0].heading()
    assert f"/cases/{CASE}/findings#{stored[0].id}" in page.text
    assert page.text.count('data-testid="template"') == min(3, len(stored[0].details["templates"]))
    screened = [f for f in ws.findings.list(CASE) if f.kind.startswith("indicators.")]
    assert screened
    hit = screened[0].details["hits"][0]
    page = client.get(f"/cases/{CASE}/ads/{hit['ad']}").text
    assert page.split('data-testid="indicator-finding">')[1].split("</a>")[0] == \
        screened[0].heading()
    assert f'data-indicator="{hit["indicator"]}"' in page


# -- in Chromium -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def server(app: Any) -> Iterator[str]:
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(100):
        if srv.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(5)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    try:
        yield acquire_browser()
    finally:
        release_browser()


@pytest.mark.browser
def test_hostile_page_reaches_nothing_and_runs_nothing(world: dict[str, Any], server: str,
                                                       browser: Any) -> None:
    hostile = _ad(world, HOSTILE_ID)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    requests: list[str] = []
    messages: list[str] = []
    context.on("request", lambda r: requests.append(r.url))
    page = context.new_page()
    page.on("console", lambda m: messages.append(m.text))
    try:
        browser_log_in(page, server, "liga", CASE, "investigation LV-2026-17")
        requests.clear()
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.goto(f"{server}/cases/{CASE}/ads/{hostile.id}")
        frame_el = page.locator("iframe[data-testid=archived-page]")
        frame_el.scroll_into_view_if_needed()
        frame = page.frame_locator("iframe[data-testid=archived-page]")
        frame.locator("h1").wait_for()
        assert "Lena" in frame.locator("h1").inner_text()
        time.sleep(1.5)  # a refresh would have fired by now
        frame.locator("a[data-archived-link]").first.click()
        frame.locator("button").first.click()
        time.sleep(1.0)
        inner = next(f for f in page.frames if f.url.endswith("/archived"))
        assert inner.url == f"{server}/cases/{CASE}/ads/{hostile.id}/archived"
        outside = [u for u in requests if not u.startswith(server) and not u.startswith("data:")]
        assert outside == [], outside
        assert not any(OUTSIDE in u for u in requests)
        assert not any("script ran" in m for m in messages)
        archived = [u for u in requests if u.endswith("/archived")]
        assert len(archived) == 1  # loaded once: no refresh, no navigation by the page
        page.screenshot(path=str(SHOTS / "osint-ad-hostile.png"))
    finally:
        context.close()


@pytest.mark.browser
def test_the_frame_and_policy_hold_without_the_rewriting(world: dict[str, Any], server: str,
                                                         browser: Any) -> None:
    """The hostile page served as captured, not rewritten, under the viewer's headers in its
    sandboxed frame: still nothing runs and nothing leaves the browser (the other two locks
    alone: the policy refuses every request the page makes, the sandbox runs no script and
    no refresh)."""
    from veriga.web.views.ads import page_headers

    hostile = _ad(world, HOSTILE_ID)
    raw = HOSTILE.format(out=OUTSIDE, ad_id=HOSTILE_ID, photo="N0000001-1.jpg")
    context = browser.new_context()
    requests: list[str] = []
    failed: dict[str, str] = {}
    context.on("request", lambda r: requests.append(r.url))
    context.on("requestfailed", lambda r: failed.__setitem__(r.url, r.failure or ""))
    page = context.new_page()
    try:
        browser_log_in(page, server, "liga", CASE, "investigation LV-2026-17")
        context.route("**/archived", lambda route: route.fulfill(
            status=200, headers={**page_headers(), "Content-Type": "text/html; charset=utf-8"},
            body=raw))
        requests.clear()
        page.goto(f"{server}/cases/{CASE}/ads/{hostile.id}")
        frame = page.frame_locator("iframe[data-testid=archived-page]")
        frame.locator("h1").wait_for()
        time.sleep(2.0)  # a refresh, a script's fetch or an image would have gone by now
        outside = [u for u in requests if not u.startswith(server)]
        # what the page asks for is refused by the policy before it leaves the browser ...
        assert outside and {u: failed.get(u) for u in outside} == {u: "csp" for u in outside}
        # ... and what only a script or a refresh would ask for is never asked
        asked = {u.rsplit("/", 1)[-1] for u in outside}
        assert not asked & {"script", "onload", "onerror", "svg", "refresh", "click"}, asked
        assert len([u for u in requests if u.endswith("/archived")]) == 1
    finally:
        context.close()


@pytest.mark.browser
def test_ads_page_and_viewer_in_the_browser(world: dict[str, Any], server: str,
                                            browser: Any) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 1300})
    page = context.new_page()
    try:
        browser_log_in(page, server, "liga", CASE, "investigation LV-2026-17")
        page.goto(f"{server}/cases/{CASE}/ads")
        page.select_option("#site", HOST)
        page.click("[data-testid=ad-filters] button[type=submit]")
        page.wait_for_url(re.compile(r"site="))
        rows = page.locator("[data-testid=ad-row]")
        assert rows.count() == len([a for a in world["ads"] if HOST in a.get("site")])
        shot(page, "osint-ads")
        archived = page.locator("[data-testid=ad-row] a[href$='#capture']").first
        archived.click()
        frame = page.frame_locator("iframe[data-testid=archived-page]")
        frame.locator("article").wait_for()
        images = frame.locator("img[src^='data:image/']")
        assert images.count() >= 1
        page.locator("[data-testid=verified] .ok").wait_for()
        SHOTS.mkdir(parents=True, exist_ok=True)  # the viewport: a full page leaves frames out
        page.locator("h1").scroll_into_view_if_needed()
        page.wait_for_timeout(500)  # the frame painted again after the scroll
        page.screenshot(path=str(SHOTS / "osint-ad.png"))
        page.locator("iframe[data-testid=archived-page]").screenshot(
            path=str(SHOTS / "osint-ad-frame.png"))
    finally:
        context.close()
