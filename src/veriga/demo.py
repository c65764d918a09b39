"""``veriga demo``: simulate a synthetic world, import it into a demo case, summarise it."""

from __future__ import annotations

import json
import secrets
from collections import Counter
from importlib import resources
from pathlib import Path

from rich.console import Console
from rich.table import Table

from veriga.ingest import expand
from veriga.simulate import simulate
from veriga.workspace import Workspace

PURPOSE = "demonstration on synthetic data"


def example_files() -> dict[str, Path]:
    """The small hand-made synthetic examples (used by the tests and the README)."""
    root = Path(str(resources.files("veriga.examples")))
    return {
        "people": root / "people.ftm.json",
        "transactions": root / "transactions.csv",
        "mapping": root / "transactions.mapping.yml",
    }


def _free_name(ws: Workspace, base: str) -> str:
    names = {c["name"] for c in ws.cases.list()}
    if base not in names:
        return base
    n = 2
    while f"{base}-{n}" in names:
        n += 1
    return f"{base}-{n}"


# Demo agencies and people: (user, display name, organisation, type, country, roles, language)
DEMO_USERS = (
    ("liga", "Līga Ozola", "Valsts policija", "police", "LV", ["investigator"], "lv"),
    ("mart", "Mart Tamm", "Politsei- ja Piirivalveamet", "police", "EE", ["analyst"], "et"),
    ("petar", "Petar Ivanov", "Prokuratura na Republika Bulgaria", "prosecution", "BG",
     ["prosecutor"], "bg"),
    ("aino", "Aino Virtanen", "Keskusrikospoliisi RAP (FIU)", "fiu", "FI",
     ["financial_officer"], "fi"),
    ("kadri", "Kadri Saar", "Safe House Tallinn", "ngo", "EE", ["ngo_worker"], "et"),
    ("dace", "Dace Kalniņa", "Valsts policija", "police", "LV", ["dpo"], "lv"),
)


def demo_users(ws: Workspace, case: str, world: Path) -> dict[str, str]:
    """Agencies and users of several roles with random passwords; the case is shared with
    them, and the simulated victims and suspects are marked so the NGO sees victims
    pseudonymised. Returns user name -> password."""
    passwords: dict[str, str] = {}
    known = {o["name"] for o in ws.directory.orgs()}
    for user, display, org, org_type, country, roles, lang in DEMO_USERS:
        if org not in known:
            ws.directory.add_org(org, org_type, country)
            known.add(org)
        password = secrets.token_urlsafe(9)
        ws.directory.add_user(user, org, roles, display, password, language=lang)
        passwords[user] = password
    ws.cases.add_member(case, "liga", "investigator")
    for org in sorted(known - {"Valsts policija"}):
        ws.cases.share(case, org)
    mark_subjects(ws, case, world)
    return passwords


def mark_subjects(ws: Workspace, case: str, world: Path) -> int:
    """Mark the victims and suspects of a simulated world as an investigator would: their
    records by name, and the accounts the banks said were theirs. Returns how many."""
    marked = 0
    truth = json.loads((world / "ground_truth.json").read_text(encoding="utf-8"))
    role_of = {"victim": "victim", "controller": "suspect", "recruiter": "suspect",
               "transporter": "suspect", "money_mule": "suspect"}
    names: dict[str, str] = {}
    for person in truth["people"]:
        role = role_of.get(person["role"])
        if role:
            for record in person.get("records", []):
                if record.get("written"):
                    names[record["written"].casefold()] = role
            names[person["name_latin"].casefold()] = role
    held = {a["iban"]: a["holder"] for a in truth.get("accounts", [])}
    roles = {p["id"]: role_of[p["role"]] for p in truth["people"] if p["role"] in role_of}
    for entity in ws.entities.list(case, ["Person", "LegalEntity", "BankAccount"]):
        if entity.schema.is_a("BankAccount"):
            # the accounts an investigator knows to be a victim's or a suspect's (from the
            # banks' replies), also those no record in the case ties to a name
            role = next((roles[held[n]] for n in entity.get("iban") if held.get(n) in roles),
                        None)
        else:
            role = next((names[n.casefold()] for n in entity.get("name")
                         if n.casefold() in names), None)
        if role and entity.id:
            ws.entities.set_subject_role(case, entity.id, role)
            marked += 1
    return marked


def run_demo(console: Console, case: str = "demo", scenario: str = "mixed",
             size: str = "small", seed: int = 1, users: bool = False) -> str:
    with Workspace.local(purpose=PURPOSE) as ws:
        name = _free_name(ws, case)
        world = ws.settings.home / "worlds" / name
        console.print(f"Simulating a {size} {scenario} world in {world} ...")
        summary = simulate(scenario, size, seed, world)
        requests, skipped = expand([world])
        ws.cases.create(name, f"Synthetic {scenario} world ({size}, seed {seed})")
        console.print(f"Importing {len(requests)} files ...")
        results = ws.records.import_files(name, requests)
        schemata = Counter(e.schema.name for e in ws.entities.list(name))
        engine = ws.records.engine(name)
        money = engine.query(
            "SELECT count(*) AS n, sum(amount) FILTER (WHERE amount > 0) AS credits, "
            "count(DISTINCT account) AS accounts FROM \"transaction\""
        ).to_pylist()[0]
        calls = engine.query('SELECT count(*) AS n FROM "call"').to_pylist()[0]["n"]
        engine.close()
        console.print(f"[bold]Veriga demo[/] — case [bold]{name}[/] in {ws.settings.home}")
        console.print(f"  world: {summary.transactions} transactions, {summary.ads} ads, "
                      f"{summary.calls} calls, {summary.people} people, answer key "
                      f"{world / 'ground_truth.json'}")
        by_format = Counter(r.format for r in results)
        rejects = sum(len(r.rejects) for r in results)
        console.print(f"  imported {len(results)} files ({dict(by_format)}), {rejects} rejects; "
                      f"{len(skipped)} files not imported (the static ad sites, for the crawler)")
        table = Table("schema", "entities")
        for schema, count in sorted(schemata.items()):
            table.add_row(schema, str(count))
        console.print(table)
        console.print(f"  ledger: {money['n']} transactions on {money['accounts']} accounts, "
                      f"credits {money['credits']} EUR; {calls} call records")
        console.print("Running the financial analyses ...")
        run = ws.analyses.run(name)["finance"].detail
        flagged = Counter(f.kind for f in run.findings if f.score >= 0.5 and f.kind != "proceeds")
        console.print(f"  {sum(flagged.values())} findings: " + ", ".join(
            f"{k} {v}" for k, v in sorted(flagged.items(), key=lambda x: (len(x[0]), x[0]))))
        console.print(f"  proceeds seen in the bank data: {run.estimate.total:,.2f} EUR")
        remitters = sorted((f for f in run.findings if f.kind == "R9"), key=lambda f: -f.score)
        controller = run.result.group_of[remitters[0].id].key if remitters else None
        if users:
            passwords = demo_users(ws, name, world)
            console.print("  demo users (log in with these; the passwords are new each run):")
            table = Table("user", "password", "role", "organisation")
            for user, _name, org, _t, _c, roles, _l in DEMO_USERS:
                table.add_row(user, passwords[user], ", ".join(roles), org)
            console.print(table)
        report = ws.audit.verify()
        console.print(f"  audit log: {report.checked} entries, chain "
                      f"{'intact' if report.ok else 'BROKEN'}")
        console.print(f"Try: veriga findings --case {name} --explain --purpose demo")
        if controller:
            console.print(f"     veriga finance trace --case {name} --account {controller} "
                          "--purpose demo")
        console.print(f"     veriga finance proceeds --case {name} --purpose demo")
        console.print(f"     veriga entities --case {name} --schema Person --purpose demo")
    return name
