"""``veriga demo``: build a demo case from the bundled synthetic examples and summarise it."""

from __future__ import annotations

from collections import Counter
from importlib import resources
from pathlib import Path

from rich.console import Console
from rich.table import Table

from veriga.ingest import ImportRequest
from veriga.workspace import Workspace

PURPOSE = "demonstration on synthetic data"


def example_files() -> dict[str, Path]:
    root = Path(str(resources.files("veriga.examples")))
    return {
        "people": root / "people.ftm.json",
        "transactions": root / "transactions.csv",
        "mapping": root / "transactions.mapping.yml",
    }


def _free_name(ws: Workspace, base: str) -> str:
    names = {c["name"] for c in ws.cases()}
    if base not in names:
        return base
    n = 2
    while f"{base}-{n}" in names:
        n += 1
    return f"{base}-{n}"


def run_demo(console: Console, case: str = "demo") -> str:
    files = example_files()
    with Workspace.local(purpose=PURPOSE) as ws:
        name = _free_name(ws, case)
        ws.create_case(name, "Synthetic demonstration case")
        results = ws.import_files(name, [
            ImportRequest(files["people"]),
            ImportRequest(files["transactions"], mapping=files["mapping"]),
        ])
        schemata = Counter(e.schema.name for e in ws.entities(name))
        engine = ws.engine(name)
        money = engine.query(
            "SELECT count(*) AS n, sum(amount) FILTER (WHERE amount > 0) AS credits, "
            "sum(-amount) FILTER (WHERE amount < 0) AS debits FROM \"transaction\""
        ).to_pylist()[0]
        engine.close()
        console.print(f"[bold]Veriga demo[/] — case [bold]{name}[/] in {ws.settings.home}")
        for r in results:
            console.print(f"  imported {r.file_name}: {r.entities} entities, "
                          f"{sum(r.records.values())} records, {len(r.rejects)} rejects")
        table = Table("schema", "entities")
        for schema, count in sorted(schemata.items()):
            table.add_row(schema, str(count))
        console.print(table)
        console.print(f"  {money['n']} transactions: credits {money['credits']} EUR, "
                      f"debits {money['debits']} EUR")
        report = ws.verify_audit()
        console.print(f"  audit log: {report.checked} entries, chain "
                      f"{'intact' if report.ok else 'BROKEN'}")
        console.print(f"Try: veriga entities --case {name}    veriga audit --case {name}")
    return name
