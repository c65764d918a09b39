"""The entity page as a profile: one row per value with its sources on demand, no store
bookkeeping shown as a property, links ordered by their amounts as numbers, a jump to an
account's money trace, and the sections one click away."""

from __future__ import annotations

import re
from collections import Counter

from fastapi.testclient import TestClient
from webhelpers import Site, log_in, open_case


def _rows(html: str) -> list[tuple[str, str]]:
    table = html.split('data-testid="values"')[1].split("</table>")[0]
    return re.findall(r"<tr><td>([^<]*)</td><td>([^<]*)</td>", table)


def test_each_value_shows_once_with_its_sources(client: TestClient, site: Site) -> None:
    log_in(client)
    open_case(client, "amber")
    # an entity one value of which several files state
    entity, value = next(
        (e.id, v) for e in site.ws.entities.list("amber", ["Person", "Company", "BankAccount"])
        for v, n in Counter(
            (s["prop"], s["value"]) for s in site.ws.entities.get("amber", e.id).statements
            if s["prop"] != "id").items() if n > 1)
    html = client.get(f"/cases/amber/entities/{entity}").text
    rows = _rows(html)
    assert len(rows) == len(set(rows))  # once each
    assert value[1] in [v for _, v in rows]
    assert not any(p.strip() == "id" for p, _ in rows)
    assert html.count('data-testid="value-sources"') == len(rows)
    assert 'data-testid="profile-tabs"' in html and 'href="#links"' in html


def test_links_are_ordered_by_amount_and_an_account_leads_to_its_trace(
        client: TestClient, site: Site) -> None:
    log_in(client)
    open_case(client, "amber")
    payments = list(site.ws.entities.list("amber", ["Payment"]))
    # the holder who pays or is paid most often: payments link the holders
    holder = Counter(e for p in payments for e in p.get("payer") + p.get("beneficiary")
                     ).most_common(1)[0][0]
    links = client.get(f"/api/cases/amber/entities/{holder}").json()["links"]
    amounts = [link["amount"] or 0.0 for link in links if link["schema"] == "Payment"]
    assert len(amounts) > 1 and amounts == sorted(amounts, reverse=True)
    # an account page leads to the account's money trace
    best = next(iter(site.ws.entities.list("amber", ["BankAccount"])))
    html = client.get(f"/cases/amber/entities/{best.id}").text
    iban = best.first("iban")
    assert f'href="/cases/amber/money?account={iban}" data-testid="entity-trace"' in html


def test_an_account_page_shows_its_own_payments(client: TestClient, site: Site) -> None:
    log_in(client)
    open_case(client, "amber")
    payments = list(site.ws.entities.list("amber", ["Payment"]))
    account = Counter(a for p in payments for a in p.get("payerAccount")
                      + p.get("beneficiaryAccount")).most_common(1)[0][0]
    links = client.get(f"/api/cases/amber/entities/{account}").json()["links"]
    mine = [link for link in links if link["schema"] == "Payment"]
    assert len(mine) > 1 and {link["direction"] for link in mine} <= {"in", "out"}
    assert all(link["other"]["schema"] == "BankAccount" for link in mine)
    amounts = [link["amount"] or 0.0 for link in mine]
    assert amounts == sorted(amounts, reverse=True)
