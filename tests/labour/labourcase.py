"""A hand-made labour case of known truth (shared by the labour tests): a chain of invoices
down to a letterbox employer with its phoenix successor, a lawful subcontractor beside it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pyarrow as pa
from followthemoney import EntityProxy

from veriga.labour.chain import INVOICE_SCHEMA
from veriga.model import model


def proxy(schema: str, eid: str, **props: Any) -> EntityProxy:
    p = model.make_entity(schema)
    p.id = eid
    for k, v in props.items():
        for value in v if isinstance(v, list) else [v]:
            p.add(k, value)
    return p


def company(eid: str, reg: str, country: str, name: str, **props: Any) -> EntityProxy:
    return proxy("Company", eid, registrationNumber=reg, jurisdiction=country, name=name,
                 **props)


def invoices(rows: list[tuple[str, str, str, str, str, int]]) -> pa.Table:
    cols: dict[str, list[Any]] = {f.name: [] for f in INVOICE_SCHEMA}
    for i, (buyer, bc, supplier, sc, day, amount) in enumerate(rows):
        row = dict.fromkeys(cols)
        row.update(record_id=f"inv{i}", source_id="s", locator=f"line {i + 2}",
                   invoice_no=f"I{i}", issue_date=date.fromisoformat(day), buyer_reg=buyer,
                   buyer_country=bc, supplier_reg=supplier, supplier_country=sc,
                   net_amount=Decimal(amount), amount_eur=Decimal(amount), currency="EUR")
        for k, v in row.items():
            cols[k].append(v)
    return pa.table(cols, schema=INVOICE_SCHEMA)


def world() -> tuple[list[EntityProxy], pa.Table]:
    straw = proxy("Person", "straw", name="Ivan Petrov", nationality="bg")
    ctl = proxy("Person", "ctl", name="Roman Moroz")
    ents = [
        company("main", "40001", "LV", "Main Build SIA", incorporationDate="2010-01-01"),
        company("sub", "40002", "LV", "Smart Sub SIA", incorporationDate="2015-01-01"),
        company("lb1", "111", "BG", "EuroWork EOOD", incorporationDate="2025-06-01",
                dissolutionDate="2026-02-20", address="Pikk 96, Sofia"),
        company("lb2", "222", "BG", "GlobalStaff 2 EOOD", incorporationDate="2026-01-10",
                address="Pikk 96, Sofia"),
        company("lb3", "333", "BG", "BalticLabor 3 EOOD", incorporationDate="2026-03-01",
                address="Pikk 96, Sofia"),
        company("legit", "40009", "LV", "Legit Sub SIA", incorporationDate="2005-01-01",
                address="Brivibas 1, Riga"),
        straw, ctl,
    ]
    for f in ("lb1", "lb2", "lb3"):
        ents.append(proxy("Directorship", f"d-{f}", director="straw", organization=f))
        ents.append(proxy("Ownership", f"o-{f}", owner="ctl", asset=f))
    for i in range(6):
        w = proxy("Person", f"w{i}", name=f"Worker{i} Name", birthDate="1990-01-0" + str(i + 1))
        ents.append(w)
        sender = "lb1" if i < 4 else "lb2"
        ents.append(proxy("Employment", f"a1-{i}", employer=sender, employee=f"w{i}",
                          startDate="2026-01-05", endDate="2026-02-15"))
        ents.append(proxy("Employment", f"a1b-{i}", employer="lb2", employee=f"w{i}",
                          startDate="2026-02-21", endDate="2026-03-31", date="2026-02-20"))
        ents.append(proxy("UnknownLink", f"post-{i}", subject=f"w{i}", object="main",
                          role="Riga"))
        for m in ("2026-01", "2026-02", "2026-03"):
            ents.append(proxy("Payment", f"pay-{i}-{m}", payer="lb2", beneficiary=f"w{i}",
                              amount="300.00", currency="EUR", date=f"{m}-10", purpose=m))
            ents.append(proxy("Payment", f"ded-{i}-{m}", payer=f"w{i}", beneficiary="lb2",
                              amount="250.00", currency="EUR", date=f"{m}-10",
                              purpose=f"housing {m}"))
    # the lawful subcontractor: its own staff on a full payroll at lawful pay
    for i in range(3):
        ents.append(proxy("Person", f"l{i}", name=f"Lawful{i} Person"))
        for m in ("2026-01", "2026-02"):
            ents.append(proxy("Payment", f"lp-{i}-{m}", payer="legit", beneficiary=f"l{i}",
                              amount="1400.00", currency="EUR", date=f"{m}-10", purpose=m))
    inv = invoices([
        ("40001", "LV", "40002", "LV", "2026-01-31", 100000),
        ("40002", "LV", "111", "BG", "2026-02-02", 95000),
        ("40002", "LV", "222", "BG", "2026-03-02", 60000),
        ("40001", "LV", "40009", "LV", "2026-01-31", 30000),
    ])
    return ents, inv
