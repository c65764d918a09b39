"""Typer application: thin commands that parse input, call the workspace and render."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from veriga import __version__
from veriga.access.roles import CaseKind
from veriga.cli.access import (
    entity_app,
    org_app,
    register_audit_commands,
    register_case_commands,
    user_app,
)
from veriga.cli.analyze import analyze, list_families
from veriga.cli.check import check
from veriga.cli.common import (
    AUDIT_COLUMNS,
    CaseOpt,
    OutFormat,
    PurposeOpt,
    _fail,
    console,
    err,
    print_rows,
    progress_bars,
    workspace,
)
from veriga.cli.enrich import enrich
from veriga.cli.exchange import exchange_app, key_app
from veriga.cli.finance import finance_app
from veriga.cli.hits import hits_app
from veriga.cli.jit import jit_app
from veriga.cli.osint import osint_app
from veriga.cli.report import report
from veriga.cli.requests import request_app
from veriga.cli.resolve import merge, resolve, split
from veriga.cli.serve import serve
from veriga.cli.train import train_app
from veriga.cli.xref import xref
from veriga.errors import VerigaError
from veriga.export import exporters
from veriga.ingest import ImportRequest, expand, formats
from veriga.ingest.limits import parse_limit

app = typer.Typer(
    name="veriga", no_args_is_help=True, add_completion=False,
    help="Veriga: find, prove and break the trafficking chain.",
)
case_app = typer.Typer(no_args_is_help=True, help="Create and list cases.")
audit_app = typer.Typer(invoke_without_command=True, help="Read and verify the audit log.")
app.add_typer(case_app, name="case")
app.add_typer(audit_app, name="audit")
app.add_typer(org_app, name="org")
app.add_typer(user_app, name="user")
app.add_typer(entity_app, name="entity")
app.add_typer(finance_app, name="finance")
app.add_typer(osint_app, name="osint")
app.add_typer(hits_app, name="hits")
app.add_typer(jit_app, name="jit")
app.add_typer(exchange_app, name="exchange")
org_app.add_typer(key_app, name="key")
app.add_typer(request_app, name="request")
app.add_typer(train_app, name="train")
app.command("analyze")(analyze)
app.command("families")(list_families)
app.command("resolve")(resolve)
app.command("merge")(merge)
app.command("split")(split)
app.command("xref")(xref)
app.command("enrich")(enrich)
app.command("serve")(serve)
app.command("report")(report)
app.command("check")(check)
register_case_commands(case_app)
register_audit_commands(audit_app)

def main() -> None:
    """Entry point: user errors become one line on stderr and exit code 1."""
    try:
        app()
    except VerigaError as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        sys.exit(1)
    except (ValueError, OSError) as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        sys.exit(1)


def _version(value: bool) -> None:
    if value:
        console.print(f"veriga {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                         help="Show the version and exit.")] = False,
) -> None:
    """Veriga: find, prove and break the trafficking chain."""


# -- cases ---------------------------------------------------------------------------------


@case_app.command("create")
def case_create(
    name: Annotated[str, typer.Argument(help="Name of the new case.")],
    description: Annotated[str, typer.Option(help="What the case is about.")] = "",
    training: Annotated[bool, typer.Option(help="A training case (synthetic data).")] = False,
    purpose: PurposeOpt = None,
) -> None:
    """Create a case."""
    kind = CaseKind.TRAINING if training else CaseKind.INVESTIGATION
    with workspace(purpose) as ws:
        case = ws.cases.create(name, description, kind)
    console.print(f"Created case [bold]{case['name']}[/] ({case['id']})")


@case_app.command("list")
def case_list(fmt: Annotated[OutFormat, typer.Option("--format")] = OutFormat.table) -> None:
    """List cases."""
    with workspace() as ws:
        cases = ws.cases.list()
    if fmt is OutFormat.json:
        print(json.dumps(cases, default=str, indent=2))
        return
    table = Table("name", "id", "sources", "created", "by")
    for c in cases:
        table.add_row(c["name"], c["id"], str(c["sources"]), f"{c['created_at']:%Y-%m-%d %H:%M}",
                      c["created_by"])
    console.print(table if cases else "No cases yet: veriga case create NAME")


# -- import --------------------------------------------------------------------------------


@app.command("import")
def import_(
    paths: Annotated[list[Path], typer.Argument(
        help="Files or folders to import (a CSV/XLSX uses the --mapping, or X.csv.mapping.yml "
             "beside it).")],
    case: CaseOpt,
    mapping: Annotated[Path | None, typer.Option(
        help="Mapping YAML for CSV/XLSX, or preset:NAME (a known bank layout is detected "
             "without it).")] = None,
    account: Annotated[str | None, typer.Option(
        help="Account (IBAN) a bank export belongs to, when the file does not name it.")] = None,
    fmt: Annotated[str | None, typer.Option("--format", help=f"Override detection: "
                                            f"{', '.join(formats())}.")] = None,
    encoding: Annotated[str | None, typer.Option(help="Text encoding, e.g. cp1251.")] = None,
    country: Annotated[str | None, typer.Option(help="Country hint for local phone "
                                                "numbers (ISO code, e.g. LV).")] = None,
    strict: Annotated[bool, typer.Option(help="Import nothing if any value is rejected.")] = False,
    handling: Annotated[str, typer.Option(help="Handling code of these files: H0 court use "
                                          "allowed, H1 not in court, H2 not to be passed on, "
                                          "H3 other.")] = "H0",
    handling_org: Annotated[list[str] | None, typer.Option(
        help="Only these organisations may see the files (repeatable).")] = None,
    handling_note: Annotated[str | None, typer.Option(help="Restrictions in words.")] = None,
    limit: Annotated[list[str] | None, typer.Option(
        help="Raise or lower a limit on the files, NAME=VALUE (repeatable), e.g. "
             "max_read_bytes=1GiB or max_rows=20000000 for a large ledger.")] = None,
    purpose: PurposeOpt = None,
) -> None:
    """Import files into a case: all of them, or nothing if one fails."""
    options: dict[str, Any] = {}
    for given in limit or ():
        try:
            name, value = parse_limit(given)
        except VerigaError as exc:
            _fail(str(exc))
            return
        options[name] = value
    template = ImportRequest(path=Path("."), format=fmt, mapping=mapping, encoding=encoding,
                             country=country, account=account, options=options)
    requests, skipped = expand(paths, template)
    for path, why in skipped:
        err.print(f"skipped {path}: {why}", highlight=False, markup=False)
    if not requests:
        _fail("nothing to import")
    with workspace(purpose, ask=True) as ws, progress_bars("bytes") as progress:
        results = ws.records.import_files(case, requests, strict=strict, progress=progress,
                                  handling=handling, handling_orgs=handling_org,
                                  handling_note=handling_note)
    for r in results:
        records = ", ".join(f"{n} {k} records" for k, n in r.records.items())
        parts = [f"{r.entities} entities", f"{r.statements} statements"]
        if records:
            parts.append(records)
        how = f" with {r.mapping}" if r.mapping and r.mapping != "mapping" else ""
        console.print(f"[green]imported[/] {r.file_name} as {r.format}{how} "
                      f"({', '.join(parts)}) -> source {r.source_id}")
        if r.rejects:
            console.print(f"[yellow]{len(r.rejects)} rejected value(s):[/]")
            for rej in r.rejects[:50]:
                console.print("  " + rej.render(r.file_name), highlight=False, markup=False)
            if len(r.rejects) > 50:
                console.print(f"  ... and {len(r.rejects) - 50} more: veriga files --case {case} "
                              f"--rejects {r.source_id}")
        if r.warnings:
            console.print(f"[cyan]{len(r.warnings)} warning(s), values kept as read:[/]")
            for warning in r.warnings[:50]:
                console.print("  " + warning.render(r.file_name), highlight=False, markup=False)
            if len(r.warnings) > 50:
                console.print(f"  ... and {len(r.warnings) - 50} more (the first 100 are in "
                              "the import's audit entry)")


@app.command("files")
def files(
    case: CaseOpt,
    rejects: Annotated[str | None, typer.Option(
        help="List the values the import of this file (source id or file name) rejected, "
             "each with its line.")] = None,
    withdraw: Annotated[str | None, typer.Option(
        help="Undo the import of this file (source id or file name): it is left out of "
             "every view until restored; nothing is deleted. Needs --reason.")] = None,
    reason: Annotated[str, typer.Option(help="Why the file is withdrawn.")] = "",
    restore: Annotated[str | None, typer.Option(
        help="Bring a withdrawn file (source id or file name) back.")] = None,
    fmt: Annotated[OutFormat, typer.Option("--format")] = OutFormat.table,
    purpose: PurposeOpt = None,
) -> None:
    """The files imported into a case, with the values each import rejected; withdraw a
    file (an import undone) or restore it."""
    with workspace(purpose, ask=True) as ws:
        if withdraw is not None or restore is not None:
            done = ws.records.withdraw(case, withdraw, reason) if withdraw is not None \
                else ws.records.restore(case, restore or "")
            console.print(f"{done['file_name']} ({done['source_id']}) "
                          f"{'withdrawn' if withdraw is not None else 'restored'}",
                          highlight=False, markup=False)
            return
        if rejects is None:
            rows = ws.records.sources(case)
            if fmt is OutFormat.json:
                for row in rows:
                    print(json.dumps(row, default=str, ensure_ascii=False))
                return
            table = Table("file", "importer", "handling", "statements", "rejected")
            table.add_column("source", no_wrap=True)
            for row in rows:
                name = row["file_name"] if row["withdrawn_at"] is None else \
                    f"{row['file_name']} (withdrawn by {row['withdrawn_by']}: " \
                    f"{row['withdrawn_reason']})"
                table.add_row(name, row["importer"], row["handling"],
                              str(row["statement_count"]), str(row["reject_count"]), row["id"])
            console.print(table)
            return
        source, found = ws.records.rejects(case, rejects)
    if fmt is OutFormat.json:
        for row in found:
            print(json.dumps({k: row[k] for k in ("locator", "field", "value", "reason")},
                             ensure_ascii=False))
        return
    console.print(f"{len(found)} value(s) of {source['file_name']} were rejected:",
                  highlight=False, markup=False)
    table = Table("where", "field", "value", "why")
    for row in found:
        value = "(withheld)" if row["value"] is None else str(row["value"])
        table.add_row(row["locator"], row["field"] or "", value, row["reason"])
    console.print(table)


# -- entities ------------------------------------------------------------------------------


@app.command("entities")
def entities(
    case: CaseOpt,
    schema: Annotated[list[str] | None, typer.Option(help="Only this schema (repeatable).")] = None,
    fmt: Annotated[OutFormat, typer.Option("--format")] = OutFormat.table,
    limit: Annotated[int, typer.Option(help="Rows in the table view (0 for all).")] = 200,
    purpose: PurposeOpt = None,
) -> None:
    """List the entities of a case."""
    with workspace(purpose, ask=True) as ws:
        if fmt is OutFormat.json:
            for proxy in ws.entities.list(case, schema):
                print(json.dumps(proxy.to_dict(), ensure_ascii=False))
            return
        table = Table("id", "schema", "caption")
        shown = total = 0
        for proxy in ws.entities.list(case, schema):
            total += 1
            if limit and shown >= limit:
                continue
            table.add_row(proxy.id, proxy.schema.name, proxy.caption)
            shown += 1
    console.print(table)
    if shown < total:
        console.print(f"{shown} of {total} shown; --limit 0 for all, or --format json")


@app.command("show")
def show(
    entity_id: Annotated[str, typer.Argument(help="Entity id.")],
    case: CaseOpt,
    fmt: Annotated[OutFormat, typer.Option("--format")] = OutFormat.table,
    purpose: PurposeOpt = None,
) -> None:
    """Show an entity: every value with its source file, line and importer."""
    with workspace(purpose, ask=True) as ws:
        view = ws.entities.get(case, entity_id)
    if fmt is OutFormat.json:
        data = view.entity.to_dict()
        data["statements"] = view.statements
        print(json.dumps(data, default=str, ensure_ascii=False, indent=2))
        return
    console.print(f"[bold]{view.entity.caption}[/] · {view.entity.schema.label} · {view.entity.id}")
    table = Table("property", "value", "original", "source file", "at", "importer", "sha256")
    for s in view.statements:
        if s["prop"] == "id":
            continue
        value = s["value"] + (f" ({s['latin']})" if s["latin"] else "")
        table.add_row(s["prop"], value, s["original_value"] or "", s["file_name"],
                      s["locator"] or "", f"{s['importer']} {s['importer_version']}",
                      s["sha256"][:12])
    console.print(table)


@app.command("export")
def export(
    case: CaseOpt,
    fmt: Annotated[str, typer.Option("--format", help="; ".join(
        f"{e.name}: {e.description}" for e in exporters().values()))],
    out: Annotated[Path, typer.Option("--out", help="File to write.")],
    for_court: Annotated[bool, typer.Option(help="Leave out what may not be used in "
                                            "judicial proceedings (H1, H3).")] = False,
    to: Annotated[str | None, typer.Option(help="Organisation it is disclosed to: leaves "
                                           "out what may not be passed on (H2, H3).")] = None,
    finding: Annotated[list[str] | None, typer.Option(
        "--finding", help="A confirmed finding a report (goaml) rests on; repeat it.")] = None,
    profile: Annotated[str | None, typer.Option(
        help="goaml: the FIU profile (a name or a .yml file; docs/finance.md#goaml).")] = None,
    reference: Annotated[str | None, typer.Option(
        help="goaml: the report's entity_reference (default: from the findings).")] = None,
    purpose: PurposeOpt = None,
) -> None:
    """Export a case's entities (handling codes travel in FILE.handling.json), or a report
    from confirmed findings (--format goaml --finding ID...)."""
    if fmt not in (known := exporters()):
        _fail(f"unknown export format {fmt!r}; use one of {', '.join(known)}")
    if getattr(known[fmt], "from_findings", False) or finding:
        with workspace(purpose, ask=True) as ws:
            written = ws.exports.report(case, fmt, out, finding or [], profile=profile,
                                        reference=reference, recipient=to)
        console.print(f"Wrote report {written.reference} with {written.transactions} "
                      f"transactions and {written.accounts} accounts to {out} ({fmt})")
        return
    with workspace(purpose, ask=True) as ws:
        count = ws.exports.write(case, fmt, out, for_court=for_court, recipient=to)
    console.print(f"Wrote {count} entities to {out} ({fmt})")


@app.command("findings")
def findings(
    case: CaseOpt,
    fmt: Annotated[OutFormat, typer.Option("--format")] = OutFormat.table,
    kind: Annotated[str | None, typer.Option(help="Only findings of this kind.")] = None,
    explain: Annotated[bool, typer.Option(
        "--explain", "-e", help="Print each finding's explanation, source and keys.")] = False,
    min_score: Annotated[float, typer.Option(help="Only findings scoring at least this.")
                         ] = 0.0,
    purpose: PurposeOpt = None,
) -> None:
    """List the findings of a case's analyses."""
    with workspace(purpose, ask=True) as ws:
        items = [f for f in ws.findings.list(case, kind) if f.score >= min_score]
    if fmt is OutFormat.json:
        print(json.dumps([f.to_dict() for f in items], ensure_ascii=False, indent=2))
        return
    if not items:
        console.print("No findings yet.")
        return
    if explain:
        for f in items:
            keys = ", ".join(f"{k.type} {k.value}" for k in f.evidence.keys[:8])
            more = len(f.evidence.keys) - 8
            console.print(f"[bold]{f.id}[/] {f.kind} · score {f.score:.2f} · "
                          f"{f.review.state.value} · {f.title}")
            console.print(f"  {f.explanation}", highlight=False)
            console.print(f"  [dim]rests on {len(f.evidence.record_ids)} transaction(s) in "
                          f"{len(f.evidence.source_ids)} file(s): {keys}"
                          f"{f' and {more} more' if more > 0 else ''}[/]", highlight=False)
            console.print(f"  [dim]source: {f.citation}[/]", highlight=False)
        return
    table = Table("id", "kind", "score", "state", "title", "detector")
    for f in items:
        table.add_row(f.id, f.kind, f"{f.score:.2f}", f.review.state.value, f.title or
                      f.explanation[:60], f"{f.detector} {f.detector_version}")
    console.print(table)


# -- audit ---------------------------------------------------------------------------------


@audit_app.callback()
def audit(
    ctx: typer.Context,
    case: Annotated[str | None, typer.Option("--case", "-c", help="Only this case.")] = None,
    fmt: Annotated[OutFormat, typer.Option("--format")] = OutFormat.table,
    purpose: PurposeOpt = None,
) -> None:
    """Show the audit log (who did what, when and why)."""
    if ctx.invoked_subcommand is not None:
        return
    with workspace(purpose) as ws:
        rows = ws.audit.log(case)
    print_rows(rows, fmt, AUDIT_COLUMNS)


@audit_app.command("verify")
def audit_verify(
    anchor: Annotated[Path | None, typer.Option(
        help="An anchor written by 'veriga audit anchor': also detect deleted newest "
             "entries and a rebuilt chain.")] = None,
) -> None:
    """Check the audit log's hash chain and sequence; exit code 2 if it was tampered with."""
    head = None
    if anchor is not None:
        try:
            head = json.loads(anchor.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            _fail(f"cannot read the anchor {anchor}: {exc}")
        if not isinstance(head, dict):
            _fail(f"{anchor} is not an audit anchor (a JSON object with seq, hash, count)")
    with workspace() as ws:
        report = ws.audit.verify(head)
    if report.ok:
        against = f", anchored entry {head['seq']} unchanged" if head else ""
        console.print(f"[green]audit log intact[/]: {report.checked} entries verified"
                      f"{against}")
    else:
        _fail(f"audit log broken: {report.problem}", code=2)


@app.command("demo")
def demo(
    size: Annotated[str, typer.Option(help="World size: tiny, small, medium...")] = "medium",
    seed: Annotated[int, typer.Option(help="Seed of the synthetic world.")] = 1,
    serve: Annotated[bool, typer.Option(help="Serve the web application afterwards.")
                     ] = True,
    port: Annotated[int, typer.Option(help="Port of the web application.")] = 8000,
) -> None:
    """Simulate a synthetic world into a demo case, analyse it, create demo users and serve
    the web application on this machine."""
    from veriga.cli.serve import serve as serve_app
    from veriga.demo import run_demo

    run_demo(console, size=size, seed=seed, users=True)
    if serve:
        serve_app(host="127.0.0.1", port=port)


@app.command("simulate")
def simulate_(
    scenario: Annotated[str | None, typer.Argument(
        help="sexual-exploitation, labour-exploitation or mixed.")] = None,
    size: Annotated[str, typer.Option(help="tiny, small, medium, large or xl.")] = "tiny",
    seed: Annotated[int, typer.Option(help="Same seed, same bytes.")] = 1,
    out: Annotated[Path | None, typer.Option("--out", help="New or empty folder.")] = None,
    list_: Annotated[bool, typer.Option("--list", help="Describe the scenarios.")] = False,
) -> None:
    """Generate a synthetic trafficking world with ground truth (synthetic data only)."""
    from veriga.simulate import SCENARIOS, SIZES, simulate

    if list_ or scenario is None:
        table = Table("scenario", "what it contains")
        for name, text in SCENARIOS.items():
            table.add_row(name, text)
        console.print(table)
        console.print(f"sizes: {', '.join(SIZES)}")
        return
    if out is None:
        _fail("give --out DIR (a new or empty folder)")
        return
    with progress_bars() as progress:
        summary = simulate(scenario, size, seed, out, progress=progress)
    console.print(
        f"Wrote {summary.files} files to {out}: {summary.transactions} transactions, "
        f"{summary.ads} ads, {summary.calls} calls, {summary.records} other records; "
        f"{summary.people} people, {summary.companies} companies "
        f"({summary.rows / max(summary.seconds, 1e-9):,.0f} rows/s). "
        f"Answer key: {out / 'ground_truth.json'}")
