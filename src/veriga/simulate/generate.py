"""The generation run: build the world, then stream every file kind to disk in turn."""

from __future__ import annotations

import heapq
import random
import time as clock
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from veriga.simulate.background import Background
from veriga.simulate.bookings import MonthBook
from veriga.simulate.ground_truth import GroundTruth
from veriga.simulate.names import local_phone, phone_country
from veriga.simulate.plan import AdPlan, Ctx, MonthOut, Plan
from veriga.simulate.records import (
    A1,
    A1_COMPANY,
    BODS,
    BOOKING,
    NGO,
    PAYROLL,
    POLICE,
    REGISTER,
    REGISTER_OTHER,
    fixed,
    namer,
    per_person,
    per_row,
)
from veriga.simulate.scenarios import SCENARIOS, build_operations
from veriga.simulate.scenarios.chains import (
    LabourSchemes,
    register_events,
    register_status,
    turnover,
)
from veriga.simulate.sizes import SIZES
from veriga.simulate.world import BASE_DATE, World, month_days, month_start
from veriga.simulate.writers.ads import AdWriter
from veriga.simulate.writers.bods import write_bods
from veriga.simulate.writers.statements import StatementWriter
from veriga.simulate.writers.tables import MAPPINGS, PartyTable, TableWriter

Progress = Callable[[str, int, int], None]


@dataclass
class Summary:
    """What a run wrote."""

    scenario: str
    size: str
    seed: int
    out: Path
    transactions: int = 0
    ads: int = 0
    calls: int = 0
    records: int = 0
    people: int = 0
    companies: int = 0
    files: int = 0
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return self.transactions + self.ads + self.calls + self.records


def run(scenario: str, size_name: str, seed: int, out: Path,
        progress: Progress | None = None) -> Summary:
    if scenario not in SCENARIOS:
        raise ValueError(f"unknown scenario {scenario!r}; known: {', '.join(SCENARIOS)}")
    if size_name not in SIZES:
        raise ValueError(f"unknown size {size_name!r}; known: {', '.join(SIZES)}")
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise ValueError(f"{out} is not empty; give a new or empty folder")
    out.mkdir(parents=True, exist_ok=True)
    started = clock.perf_counter()
    report = progress or (lambda stage, done, total: None)
    size = SIZES[size_name]
    rng = random.Random(seed)
    world = World(rng, size.months, seed)
    gt = GroundTruth(out, world)
    ctx = Ctx(world=world, gt=gt, plan=Plan(), size=size, seed=seed, rng=rng)
    ops = build_operations(ctx, scenario)
    background = Background(ctx, decoys_sex=scenario in ("sexual-exploitation", "mixed"),
                            decoys_labour=scenario in ("labour-exploitation", "mixed"))
    summary = Summary(scenario, size_name, seed, out)
    summary.transactions, summary.calls = _statements(ctx, ops, background, report)
    summary.ads = _ads(ctx, background, report)
    for op in ops:
        if isinstance(op, LabourSchemes):
            op.write_key()
    summary.records = _records(ctx, report)
    gt.write(world, scenario, size_name, seed)
    summary.people, summary.companies = len(world.people), len(world.companies)
    summary.files = sum(1 for p in out.rglob("*") if p.is_file())
    summary.seconds = clock.perf_counter() - started
    return summary


def _statements(ctx: Ctx, ops: list, bg: Background, report: Progress) -> tuple[int, int]:
    world, size = ctx.world, ctx.size
    writer = StatementWriter(ctx.gt.out, world, ctx.gt)
    cdr = TableWriter(ctx.gt.out / "telecom" / "cdr_lv_operator.csv", MAPPINGS["cdr"])
    ctx.gt.file("telecom/cdr_lv_operator.csv", "csv", None,
                "call detail records (record kind call); refer to people by phone")
    accounts = world.statement_accounts()
    total = len(accounts) * size.months
    done = calls = 0
    cdr_seq = 0
    for m in range(size.months):
        out = MonthOut(MonthBook(m))
        for op in ops:
            op.month(out, m)
        bg.calls(out, m, size.background_calls // size.months)
        first, last = month_start(m), month_start(m) + timedelta(days=month_days(m) - 1)
        for acct in accounts:
            rng = random.Random(f"{ctx.seed}:{acct.iban}:{m}")
            txns = bg.transactions(acct, m, rng) if acct.profile != "none" else []
            txns.extend(out.book.by_iban.get(acct.iban, ()))
            writer.write(acct, m, first, last, txns)
            done += 1
            if done % 200 == 0:
                report("bank statements", done, total)
        out.calls.sort(key=lambda c: (c[2], c[0], c[1]))
        crng = random.Random(f"{ctx.seed}:cdr:{m}")
        for caller, callee, start, duration, kind in out.calls:
            cdr_seq += 1
            cdr.row({"cdr_id": f"CDR{cdr_seq:09d}", "caller": _cdr_phone(crng, caller),
                     "callee": _cdr_phone(crng, callee),
                     "start": start.strftime("%Y-%m-%d %H:%M:%S"), "duration": duration,
                     "type": kind, "cell_id": f"LV-{crng.randint(1000, 9999)}",
                     "imei": f"35{crng.randint(10 ** 12, 10 ** 13 - 1)}"})
        calls += len(out.calls)
    report("bank statements", total, total)
    cdr.close()
    return writer.rows, calls


def _cdr_phone(rng: random.Random, e164: str) -> str:
    return local_phone(rng, e164, "LV") if phone_country(e164) == "LV" and rng.random() < .5 \
        else e164


def _background_ads(bg: Background, n: int, months: int
                    ) -> Iterator[tuple[datetime, int, int, AdPlan]]:
    span = (month_start(months) - BASE_DATE).total_seconds()
    for i in range(n):
        when = datetime.combine(BASE_DATE, datetime.min.time()) + timedelta(
            seconds=int(span * i / max(n, 1)))
        yield when, 1, i, bg.ad(i, when)


def _ads(ctx: Ctx, bg: Background, report: Progress) -> int:
    writer = AdWriter(ctx.gt.out, ctx.seed)
    planned = sorted(enumerate(ctx.plan.ads), key=lambda p: (p[1].when, p[0]))
    ops = ((ad.when, 0, k, ad) for k, ad in planned)
    total = len(planned) + ctx.size.background_ads
    merged = heapq.merge(ops, _background_ads(bg, ctx.size.background_ads, ctx.size.months),
                         key=lambda t: (t[0], t[1], t[2]))
    people, companies = ctx.world.people, ctx.world.companies
    for n, (_when, _src, _k, ad) in enumerate(merged, start=1):
        ad_id, page, ent_id, photo_files = writer.write(ad)
        ctx.gt.ad(ad_id, ad.op, ad.kind, page, ad.phone, list(ad.photos), ent_id, photo_files)
        owner = people.get(ad.advertiser or "") or companies.get(ad.advertiser or "")
        if owner is not None:
            owner.records.append({"file": "ads/ads.ftm.jsonl", "id": ent_id})
        if n % 500 == 0:
            report("ads", n, total)
    writer.close()
    report("ads", total, total)
    ctx.gt.file("ads/ads.ftm.jsonl", "ftm", "id", "FtM Advertisement entities, one per line")
    for site in writer.sites.values():
        ctx.gt.file(f"ads/sites/{site.domain}/index.html", "html", None,
                    f"static site {site.domain}: list/, ad/, img/, robots.txt, sitemap.xml")
    return writer.count


def _records(ctx: Ctx, report: Progress) -> int:
    """The record files; every person and company they name goes into the answer key."""
    out, world, plan, gt, seed = ctx.gt.out, ctx.world, ctx.plan, ctx.gt, ctx.seed
    rows = 0
    rel = "registers/companies.csv"
    reg = PartyTable(out / rel, MAPPINGS["companies"], rel, "registration_number", gt,
                     namer(world, seed, rel, lambda row: REGISTER.get(row["country"],
                                                                      REGISTER_OTHER),
                           per_person("country")), ";")
    labour = bool(plan.a1 or plan.contracts)
    rel_ev = "registers/company_events.csv"
    events = PartyTable(out / rel_ev, MAPPINGS["company_events"], rel_ev, "event_id", gt,
                        namer(world, seed, rel_ev, fixed(REGISTER_OTHER), per_row("event_id")),
                        ";") if labour else None
    for c in world.companies.values():
        d, o = world.people[c.director], world.people[c.owner]
        status, since = register_status(c)
        employees = c.declared_employees if c.declared_employees is not None else c.employees
        sales = turnover(c, seed)
        reg.row({"registration_number": c.reg_no, "country": c.country, "name": None,
                 "registered": c.founded.strftime("%d.%m.%Y"),
                 "dissolved": c.dissolved.strftime("%d.%m.%Y") if c.dissolved else "",
                 "status": status, "address": c.address,
                 "sector": c.sector, "director_name": None,
                 "director_birth_date": d.birth.strftime("%d.%m.%Y"),
                 "director_nationality": d.nationality, "owner_name": None,
                 "owner_birth_date": o.birth.strftime("%d.%m.%Y"), "owner_share": "100",
                 "vat_number": c.vat, "status_date": since.strftime("%d.%m.%Y"),
                 "employees": employees if employees or c.role != "front_company" else "",
                 "turnover_eur": "" if sales is None else f"{sales}.00",
                 "_company": c.id, "_director": d.id, "_owner": o.id})
        if events is not None:
            events.rows_from(register_events(c, world.people))
    reg.close()
    rows += reg.rows
    gt.file(rel, "csv", "registration_number", "company register extract")
    if events is not None:
        events.close()
        rows += events.rows
        gt.file(rel_ev, "csv", "event_id",
                "company register history: registrations, directors, owners, addresses, "
                "liquidations, dissolutions and strike-offs")
    write_bods(out / "registers" / "bods.json", world, world.end.isoformat(), gt,
               namer(world, seed, "registers/bods.json", fixed(BODS), per_person()))
    gt.file("registers/bods.json", "bods", "statementId", "BODS 0.4 statements")
    for rel, key, data, id_field, style, keyed, companies in (
        ("labour/a1_declarations.csv", "a1", plan.a1, "declaration_id", A1,
         per_row("declaration_id"), A1_COMPANY),
        ("labour/payroll.csv", "payroll", plan.payroll, "payroll_id", PAYROLL,
         per_person("company_id"), None),
        ("labour/contracts.csv", "contracts", plan.contracts, "contract_ref", A1,
         per_row("contract_ref"), None),
        ("travel/bookings.csv", "bookings", plan.bookings, "booking_id", BOOKING,
         per_row("booking_id"), None),
        ("ngo/hotline_records.csv", "ngo", plan.ngo, "case_no", NGO, per_row("case_no"), None),
    ):
        if not data:
            continue
        tw = PartyTable(out / rel, MAPPINGS[key], rel, id_field, gt,
                        namer(world, seed, rel, fixed(style), keyed, companies))
        tw.rows_from(_same_columns(data))
        tw.close()
        rows += tw.rows
        gt.file(rel, "csv", id_field, key)
    if plan.invoices:
        rel = "labour/invoices.csv"
        ledger = TableWriter(out / rel, MAPPINGS["invoices"])
        ledger.rows_from(plan.invoices)
        ledger.close()
        rows += ledger.rows
        gt.file(rel, "csv", "invoice_no", "invoices between companies (record kind invoice)")
    for cc, data in sorted(plan.police.items()):
        rel = f"police/police_{cc.lower()}.csv"
        tw = PartyTable(out / rel, MAPPINGS["police"].format(cc=cc), rel, "record_id", gt,
                        namer(world, seed, rel, fixed(POLICE[cc]), per_row("record_id")), ";")
        tw.rows_from(data)
        tw.close()
        rows += tw.rows
        gt.file(rel, "csv", "record_id", f"police records ({cc})")
    report("records", rows, rows)
    return rows


def _same_columns(rows: list[dict]) -> list[dict]:
    """Rows planned by several scenarios, each with every column any of them has (in the
    order first seen): a file's header is its first row's."""
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    if all(len(row) == len(columns) for row in rows):
        return rows
    return [{c: row.get(c) for c in columns} for row in rows]
