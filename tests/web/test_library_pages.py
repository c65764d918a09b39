"""The library pages (/training/library ...) as practitioners use them: the entries by kind,
a search in the reader's language (accents optional), an entry in Latvian with its untranslated
text marked, the catalogue generated from the analysis families, a detector's page, and the
"learn more" link from a finding in the review queue to the page explaining its kind. A role
outside the programme is refused; what a reader types is never markup."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from webhelpers import Site, log_in, open_case

from veriga.analysis import detectors
from veriga.training.library import library
from veriga.web import create_app


@pytest.fixture
def lv_client(site: Site) -> Iterator[TestClient]:
    with TestClient(create_app(site.settings), base_url="https://testserver") as c:
        log_in(c, "ilze")  # an NGO worker whose interface is in Latvian
        yield c


def test_index_lists_every_entry_by_kind(client: TestClient) -> None:
    log_in(client)
    page = client.get("/training/library")
    assert page.status_code == 200
    for entry in library():
        assert f'href="/training/library/{entry.id}"' in page.text
    for heading in ("Practices", "Case summaries", "Legal references"):
        assert heading in page.text
    assert 'href="/training/library/catalogue"' in page.text


def test_search_in_latvian_accent_insensitive(lv_client: TestClient) -> None:
    page = lv_client.get("/training/library", params={"q": "nesodisana"})
    assert page.status_code == 200 and '<html lang="lv">' in page.text
    assert 'href="/training/library/legal-non-punishment-principle"' in page.text
    assert "Nesodīšanas princips" in page.text
    forced = lv_client.get("/training/library", params={"q": "piespiedu darbs"})
    assert "Chowdury un citi pret Grieķiju" in forced.text
    # detectors are found too, by their kind or title
    funnel = lv_client.get("/training/library", params={"q": "R4"})
    assert 'href="/training/library/kinds/R4"' in funnel.text
    nothing = lv_client.get("/training/library", params={"q": "zzzqqq"})
    assert nothing.status_code == 200 and "/training/library/case-" not in nothing.text


def test_entry_in_latvian_marks_its_english_text(lv_client: TestClient) -> None:
    page = lv_client.get("/training/library/case-chowdury-v-greece")
    assert page.status_code == 200
    assert "Chowdury un citi pret Grieķiju" in page.text
    assert 'data-testid="untranslated"' in page.text
    assert '<article class="lesson-text" lang="en">' in page.text
    assert "no. 21884/15" in page.text  # the judgment cited
    assert 'data-testid="basis"' in page.text
    assert 'href="/training/library/kinds/labour.wage_control"' in page.text


def test_translated_entry_in_latvian_has_no_note(lv_client: TestClient) -> None:
    page = lv_client.get("/training/library/legal-non-punishment-principle")
    assert page.status_code == 200 and "Tiesas norādes" in page.text
    assert 'data-testid="untranslated"' not in page.text
    assert '<article class="lesson-text" >' in page.text or \
        '<article class="lesson-text">' in page.text


def test_entry_in_english_links_findings_and_lessons(client: TestClient) -> None:
    log_in(client)
    page = client.get("/training/library/practice-parallel-financial-investigation")
    assert page.status_code == 200 and 'data-testid="untranslated"' not in page.text
    assert 'href="/training/library/kinds/R4"' in page.text
    assert "FATF-APG (2018)" in page.text
    assert "Related lessons" in page.text
    fictional = client.get("/training/library/case-cleaning-chain-fictionalised")
    assert "fictionalised case written for the programme" in fictional.text


def test_catalogue_and_detector_pages_come_from_the_families(client: TestClient) -> None:
    log_in(client)
    page = client.get("/training/library/catalogue")
    assert page.status_code == 200
    for kind in detectors():
        assert f'href="/training/library/kinds/{kind}"' in page.text
    r4 = client.get("/training/library/kinds/R4")
    assert r4.status_code == 200
    assert "Funnel account" in r4.text and "FinCEN FIN-2014-A005" in r4.text
    for entry in library().explaining("R4"):
        assert f'href="/training/library/{entry.id}"' in r4.text
    assert client.get("/training/library/kinds/no.such").status_code == 404
    assert client.get("/training/library/no-such-entry").status_code == 404


def test_learn_more_link_from_a_finding(site: Site, client: TestClient) -> None:
    log_in(client)
    open_case(client, site.case)
    findings = site.ws.findings.list(site.case)
    assert findings
    kind = findings[0].kind
    page = client.get(f"/cases/{site.case}/findings", params={"state": "", "kind": kind})
    assert page.status_code == 200
    link = f'href="/training/library/kinds/{kind}" data-testid="learn-more"'
    assert link in page.text
    target = client.get(f"/training/library/kinds/{kind}")
    assert target.status_code == 200 and kind in target.text


def test_a_role_outside_the_programme_is_refused(client: TestClient, site: Site) -> None:
    log_in(client, "dace")  # the data-protection officer does not take the programme
    assert client.get("/training/library").status_code == 403
    assert client.get("/training/library/legal-eu-directive-2011-36").status_code == 403


def test_logged_out_is_sent_to_log_in(client: TestClient) -> None:
    page = client.get("/training/library", follow_redirects=False)
    assert page.status_code in (303, 307) and "/login" in page.headers["location"]


def test_query_is_never_markup(client: TestClient) -> None:
    log_in(client)
    page = client.get("/training/library", params={"q": '<script>alert("x")</script>'})
    assert page.status_code == 200
    assert '<script>alert("x")</script>' not in page.text
    assert client.get("/training/library", params={"q": "x" * 201}).status_code == 422
