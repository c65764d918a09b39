"""The chain diagram (once the true proposed matches are confirmed; with unreviewed ones as
dashed "possibly the same" links) and the network explorer's centrality panel, in Chromium."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from browserhelpers import log_in, logged_in, poll, shot
from webhelpers import Site, confirm_true_matches

from veriga.ingest import ImportRequest, expand
from veriga.simulate import simulate

pytestmark = pytest.mark.browser
MERGED = "cedar"  # the amber world, every file, its true proposed matches confirmed
TWO = "birch"  # two worlds (two operations no one links) in one case


@pytest.fixture(scope="module")
def merged(site: Site) -> str:
    """A case of the site's world where an investigator confirmed the proposed matches that
    are right (by the answer key): the records of one person are one entity."""
    assert site.world is not None
    site.ws.cases.create(MERGED)
    requests, _ = expand([site.world / d for d in ("bank", "police", "travel", "registers",
                                                   "labour")]
                         + [site.world / "ads" / "ads.ftm.jsonl"], ImportRequest(path=Path(".")))
    site.ws.records.import_files(MERGED, requests)
    site.ws.analyses.run(MERGED)
    truth = json.loads((site.world / "ground_truth.json").read_text(encoding="utf-8"))
    assert confirm_true_matches(site.ws, MERGED, truth) > 0
    return MERGED


def test_chain_diagram_in_four_stage_columns(server: str, browser: object, merged: str) -> None:
    page = browser.new_page(viewport={"width": 1500, "height": 1000})  # type: ignore[attr-defined]
    log_in(page, server, "liga", merged, "following the chain of the case")
    page.goto(f"{server}/cases/{merged}/chain")
    poll(page, "() => window.verigaChain && window.verigaChain.nodes > 0 && "
               "document.querySelectorAll('[data-testid=chain-node]').length > 0")
    nodes = page.locator("[data-testid=chain-node]")
    assert nodes.count() == page.evaluate("window.verigaChain.nodes")
    stages = set(page.eval_on_selector_all(
        "[data-testid=chain-node]", "els => els.map(e => e.dataset.stage)"))
    assert stages == {"recruitment", "transport", "exploitation", "proceeds"}
    # the stage columns go left to right: every node of a stage lies left of the next stage's
    boxes = page.eval_on_selector_all(
        "[data-testid=chain-node]",
        "els => els.map(e => [e.dataset.stage, e.getBoundingClientRect().left])")
    order = ["recruitment", "transport", "exploitation", "proceeds"]
    for earlier, later in zip(order, order[1:], strict=False):
        right_of_earlier = max(x for s, x in boxes if s == earlier)
        left_of_later = min(x for s, x in boxes if s == later)
        assert right_of_earlier < left_of_later, (earlier, later)
    for stage in order:
        assert page.locator(f"[data-testid=chain-stage-{stage}]").count() == 1
    # one operation: nothing to choose
    assert not page.get_by_test_id("chain-operation").is_visible()
    # the server-rendered stage lists stay below as the accessible fallback
    assert page.locator("[data-testid=stage-proceeds]").count() == 1
    # a flagged account: its details link to the entity, the network, timeline and money flows
    account = page.locator("[data-testid=chain-node][data-role=controller_account]").first
    account.click()
    panel = page.locator("[data-testid=chain-panel]")
    assert panel.locator("[data-testid=chain-entity-link]").count() == 1
    assert f"/cases/{merged}/network?ids=" in panel.locator(
        "[data-testid=chain-network-link]").get_attribute("href")
    assert f"/cases/{merged}/timeline?ids=" in panel.locator(
        "[data-testid=chain-timeline-link]").get_attribute("href")
    # the money through the account: its trace, both ways
    money = panel.locator("[data-testid=chain-money-link]").get_attribute("href")
    assert f"/cases/{merged}/money?mode=trace&direction=both&account=" in money
    # the details beside the diagram, in sight
    canvas = page.locator(".vc-canvas").bounding_box()
    beside = panel.bounding_box()
    assert beside["x"] >= canvas["x"] + canvas["width"] - 1 and beside["y"] < 1000
    # a victim: the money through her accounts (her wages, and where they went)
    victim = page.locator("[data-testid=chain-node][data-role=victim]").first
    victim.click()
    held = panel.locator("[data-testid=chain-held-money-link]")
    assert held.count() >= 1
    assert "mode=trace" in (held.first.get_attribute("href") or "")
    # the path from the recruiter to the proceeds
    page.locator("[data-testid=chain-node][data-role=recruiter]").first.click()
    page.click("[data-testid=chain-path]")
    on_path = page.eval_on_selector_all(
        ".vc-node.vc-on-path", "els => els.map(e => e.dataset.role)")
    assert "recruiter" in on_path and {"abroad", "cash"} & set(on_path), on_path
    shot(page, "chain")
    page.close()


def test_unreviewed_matches_are_dashed_possibly_the_same_links(
        server: str, browser: object, site: Site) -> None:
    """In amber nobody has reviewed the proposed matches: nothing is grouped, records a
    proposal joins are linked by a dashed line with the match probability, which opens the
    proposal; in the reader's language."""
    page = browser.new_page(viewport={"width": 1500, "height": 1000})  # type: ignore[attr-defined]
    log_in(page, server, "liga", site.case, "following the chain of the case")
    page.goto(f"{server}/cases/{site.case}/chain")
    poll(page, "() => window.verigaChain && window.verigaChain.nodes > 0 && "
               "document.querySelectorAll('[data-testid=chain-node]').length > 0")
    same = page.locator("[data-testid=chain-same]")
    assert same.count() == page.evaluate("window.verigaChain.same") > 0
    for i in range(same.count()):
        link = same.nth(i)
        assert "/findings?kind=match." in (link.get_attribute("href") or "")
        assert link.evaluate("e => getComputedStyle(e.querySelector('path'))"
                             ".strokeDasharray") not in ("", "none")
        label = link.locator("text").text_content() or ""
        assert label.startswith("possibly the same ") and label.endswith("%")
        assert (link.get_attribute("aria-label") or "").startswith(label)
    assert page.locator("[data-testid=chain-legend-same]").count() == 1
    # a node at one end lists the proposal with the other, linked to the finding
    end = same.first.get_attribute("data-id").split(">same>")[0]  # type: ignore[union-attr]
    page.locator(f"[data-testid=chain-node][data-id='{end}']").click()
    listed = page.locator("[data-testid=chain-panel] [data-testid=chain-possibly] a")
    assert listed.count() >= 1
    assert "/findings?kind=match." in (listed.first.get_attribute("href") or "")
    shot(page, "chain-possibly-the-same")
    href = same.first.get_attribute("href") or ""
    same.first.locator("text").click()
    page.wait_for_url(f"**{href.split('#')[0]}*")
    page.close()


def test_network_centrality_panel(server: str, browser: object, site: Site) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 900})  # type: ignore[attr-defined]
    log_in(page, server, "liga", "amber", "who are the brokers in the network")
    # the default seed: the entities the strongest findings rest on, and their neighbours
    page.goto(f"{server}/cases/amber/network")
    poll(page, "() => window.verigaNetwork && window.verigaNetwork.sigma !== null")
    poll(page, "() => window.verigaNetwork.graph.order > 3")
    # nothing is computed for the panel until it is opened
    assert page.locator("[data-testid=centrality-item]").count() == 0
    panel = page.locator("[data-testid=centrality]")
    panel.locator("summary").click()
    poll(page, "() => document.querySelectorAll('[data-testid=centrality-item]').length > 0")
    items = panel.locator("[data-testid=centrality-item]")
    assert 0 < items.count() <= 10
    for measure in ("betweenness", "closeness", "pagerank", "degree"):
        page.select_option("[data-testid=centrality-measure]", measure)
        poll(page, "() => document.querySelectorAll('[data-testid=centrality-item]').length > 0")
    first = items.first
    node = first.get_attribute("data-node")
    first.click()
    poll(page, f"() => document.querySelector('[data-testid=node-panel] h2').textContent"
               f" === window.verigaNetwork.graph.getNodeAttribute({node!r}, 'label')")
    shot(page, "network-centrality")
    page.close()



@pytest.fixture(scope="module")
def two_operations(site: Site, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A case holding the site's world and another one: two operations, nothing between
    them but the cash both withdraw."""
    assert site.world is not None
    other = tmp_path_factory.mktemp("other") / "world"
    simulate("mixed", "tiny", 11, other)
    site.ws.cases.create(TWO)
    requests, _ = expand([w / d for w in (site.world, other)
                          for d in ("bank", "police", "travel", "labour")],
                         ImportRequest(path=Path(".")))
    site.ws.records.import_files(TWO, requests)
    site.ws.analyses.run(TWO)
    return TWO


def test_one_operation_at_a_time(server: str, browser: object, two_operations: str) -> None:
    """A chain of several operations offers them one by one (each the nodes linked to one
    another, the shared cash node in each), and the whole chain as one choice."""
    page = logged_in(browser, server, "liga", two_operations, "following the chain of the case",
                     width=1500, height=1000)
    errors = page.errors
    page.goto(f"{server}/cases/{two_operations}/chain")
    poll(page, "() => window.verigaChain && window.verigaChain.nodes > 0")
    n_ops = page.evaluate("window.verigaChain.operations")
    assert n_ops >= 2
    select = page.get_by_test_id("chain-operation")
    opened = select.input_value()
    options = select.locator("option")
    assert options.count() == n_ops + 1
    select.select_option("all")
    poll(page, "() => document.querySelectorAll('[data-testid=chain-node]').length === "
               "window.verigaChain.nodes")
    whole = page.evaluate("window.verigaChain.nodes")
    # a large chain opens on one operation (the one the findings weigh most on), a small whole
    assert (opened != "all") == (whole >= 30)
    sizes = []
    for k in range(n_ops):
        select.select_option(str(k))
        poll(page, "() => document.querySelectorAll('[data-testid=chain-node]').length === "
                   "window.verigaChain.nodes")
        sizes.append(page.evaluate("window.verigaChain.nodes"))
        labels = page.eval_on_selector_all("[data-testid=chain-node]",
                                           "els => els.map(e => e.dataset.role)")
        assert len(labels) < whole
    # every node is in some operation; only the shared cash node is in more than one
    cash = page.evaluate("document.querySelectorAll('[data-testid=chain-node]"
                         "[data-role=cash]').length")
    assert sum(sizes) >= whole and sum(sizes) - whole <= (n_ops - 1) * max(cash, 1)
    shot(page, "chain-operation")
    assert not errors, errors
    page.close()
