"""The network explorer opens on the signal: the case's suspects and what the strongest
findings rest on, entities without a link hidden (one box shows them, with their count)."""

from __future__ import annotations

import pytest
from browserhelpers import logged_in, poll, shot
from fastapi.testclient import TestClient
from webhelpers import Site, open_case
from webhelpers import log_in as api_log_in


def test_the_explorer_starts_from_the_suspects_and_the_findings(client: TestClient,
                                                                site: Site) -> None:
    api_log_in(client, "liga")
    open_case(client, "amber")
    page = client.get("/cases/amber/network")
    seed = page.text.split('data-seed="')[1].split('"')[0].split(",")
    assert seed[0] == site.suspect  # the suspects first
    finding = site.ws.findings.list("amber")[0]
    assert set(finding.evidence.entity_ids[:3]) <= set(seed)
    assert site.victim not in seed[:1]


@pytest.mark.browser
def test_entities_without_links_are_hidden_until_asked_for(server: str,
                                                           browser: object) -> None:
    page = logged_in(browser, server, "liga", "amber", "mapping the money mules' network")
    errors = page.errors
    page.goto(f"{server}/cases/amber/network")
    assert poll(page, "window.verigaNetwork && window.verigaNetwork.sigma !== null")
    page.evaluate("window.verigaNetwork.idle()")
    unlinked = """(() => { const n = window.verigaNetwork; const g = n.graph;
        return g.nodes().filter(x => g.degree(x) === 0).map(x => [x,
          Boolean(n.sigma.getNodeDisplayData(x).hidden)]); })()"""
    alone = page.evaluate(unlinked)
    assert alone, "the seed has entities without links"
    assert all(hidden for _, hidden in alone)
    linked = page.evaluate("""(() => { const n = window.verigaNetwork; const g = n.graph;
        return g.nodes().filter(x => g.degree(x) > 0)
          .every(x => !n.sigma.getNodeDisplayData(x).hidden); })()""")
    assert linked
    assert page.get_by_test_id("isolated-count").inner_text() == f"({len(alone)})"
    shot(page, "network-open")
    page.get_by_test_id("filter-isolated").check()
    assert poll(page, f"{unlinked}.every(([, hidden]) => !hidden)")
    page.get_by_test_id("filter-isolated").uncheck()
    # one asked for by name is shown, though it has no link
    target = alone[0][0]
    page.evaluate(f"window.verigaNetwork.explorer.focus({target!r})")
    assert poll(page, f"!window.verigaNetwork.sigma.getNodeDisplayData({target!r}).hidden")
    assert not errors, errors
    page.close()
