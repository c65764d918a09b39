"""`veriga org key ...` and `veriga exchange ...`: signed and encrypted packages between
installations."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from veriga.cli.common import CaseOpt, PurposeOpt, _fail, console, parse_date, workspace
from veriga.errors import VerigaError

key_app = typer.Typer(no_args_is_help=True, help=(
    "This organisation's key pair (signing and receiving packages) and the partners' "
    "public keys."))
exchange_app = typer.Typer(no_args_is_help=True, help=(
    "Exchange packages with another installation: a selection of a case signed by you and "
    "encrypted to the recipient organisation; import, verify, receipts."))


@key_app.command("generate")
def key_generate(
    name: Annotated[str | None, typer.Option(help="How partners see this organisation "
                                             "(renames it in the directory).")] = None,
    org_type: Annotated[str | None, typer.Option("--type", help="police, fiu, ngo ...")
                        ] = None,
    country: Annotated[str | None, typer.Option(help="Two-letter ISO code, e.g. LV.")] = None,
) -> None:
    """Make this organisation's key pair (administrators; once)."""
    with workspace() as ws:
        try:
            made = ws.org_keys.generate_key(name, org_type, country)
        except (VerigaError, OSError) as exc:
            _fail(str(exc))
            return
    console.print(f"key of {made['org']} made; fingerprint {_groups(made['fingerprint'])}; "
                  f"the private key is in {made['path']} (readable by you only: back it up, "
                  "never send it)", highlight=False)


@key_app.command("export")
def key_export(
    out: Annotated[Path, typer.Option("--out", help="The public bundle to write.")],
) -> None:
    """Write this organisation's public key bundle for partners to register."""
    with workspace() as ws:
        try:
            bundle = ws.org_keys.export_key(out)
        except (VerigaError, OSError) as exc:
            _fail(str(exc))
            return
    console.print(f"public key of {bundle['org']['name']} written to {out}; tell the "
                  f"partner its fingerprint by another channel: "
                  f"{_groups(bundle['fingerprint'])}", highlight=False)


@key_app.command("add")
def key_add(
    bundle: Annotated[Path, typer.Argument(help="A partner's public key bundle.")],
) -> None:
    """Register a partner's public key (administrators; the organisation is added when
    new). Compare the fingerprint with the partner first."""
    with workspace() as ws:
        try:
            added = ws.org_keys.add_key(bundle)
        except (VerigaError, OSError) as exc:
            _fail(str(exc))
            return
    console.print(f"key of {added['org']} ({added['country']}, {added['type']}) registered; "
                  f"fingerprint {_groups(added['fingerprint'])}", highlight=False)


@key_app.command("list")
def key_list() -> None:
    """The keys this installation knows: its own and its partners'."""
    with workspace() as ws:
        rows = ws.org_keys.keys()
    table = Table("organisation", "country", "own", "fingerprint", "added by")
    for r in rows:
        table.add_row(r["org"], r["country"], "yes" if r["own"] else "",
                      _groups(r["fingerprint"]), r["added_by"])
    console.print(table)


@exchange_app.command("export")
def export(
    case: CaseOpt,
    to: Annotated[str, typer.Option("--to", help="The recipient organisation.")],
    out: Annotated[Path, typer.Option("--out", help="The package to write (.vxp).")],
    legal_basis: Annotated[str, typer.Option(help="The legal basis of the transfer (e.g. "
                                             "Art. 13 2000 EU MLA Convention); with --jit, "
                                             "the JIT's unless given.")] = "",
    why: Annotated[str, typer.Option("--for", help="The purpose the recipient may use the "
                                     "data for; with --jit, the JIT's unless given.")] = "",
    jit: Annotated[str | None, typer.Option(
        help="Send under this joint investigation team (veriga jit list): the recipient "
             "must be a party, the case covered, the JIT in its period; its records are "
             "withheld on the other side once the JIT has ended.")] = None,
    condition: Annotated[list[str] | None, typer.Option(
        help="A condition of use, e.g. 'not for court without consent' (repeatable).")
    ] = None,
    expires: Annotated[str | None, typer.Option(help="Last day it may be imported "
                                                "(YYYY-MM-DD).")] = None,
    entity: Annotated[list[str] | None, typer.Option(
        help="Only this entity and what links to it (repeatable); default: the case.")
    ] = None,
    account: Annotated[list[str] | None, typer.Option(
        help="Only the bank transactions of this account (as holder or counterparty; "
             "repeatable); default: all bulk records of the sources that go whole.")
    ] = None,
    purpose: PurposeOpt = None,
) -> None:
    """Write a signed package of the case encrypted to the recipient (a disclosure)."""
    until = parse_date(expires) if expires else None
    with workspace(purpose, ask=True) as ws:
        try:
            sent = ws.exchange.export(case, to, out, legal_basis=legal_basis, purpose=why,
                                      conditions=condition or [], expires=until,
                                      entity_ids=entity or None, jit=jit,
                                      accounts=account or None)
        except (VerigaError, OSError) as exc:
            _fail(str(exc))
            return
    console.print(f"package {sent.package_id} for {to}: {_counts(sent.counts)} "
                  f"({sent.size:,} bytes) written to {out}; "
                  f"{sent.left_out} entities left out by handling code or protection",
                  highlight=False)
    if sent.manifest.get("minimisation"):
        console.print(sent.manifest["minimisation"], highlight=False)


@exchange_app.command("import")
def import_(
    package: Annotated[Path, typer.Argument(help="The package received.")],
    case: CaseOpt,
    receipt: Annotated[Path | None, typer.Option(help="Where to write the signed receipt "
                                                 "(default: beside the package).")] = None,
    purpose: PurposeOpt = None,
) -> None:
    """Verify a package and import it into a case (all or nothing)."""
    with workspace(purpose, ask=True) as ws:
        try:
            got = ws.exchange.import_package(package, case, receipt)
        except (VerigaError, OSError) as exc:
            _fail(f"{package.name}: {exc}")
            return
    m = got.manifest
    console.print(f"package {got.package_id} from {m['sender']['name']} "
                  f"({m['sender']['country']}): {_counts(got.counts)} imported into {case} "
                  "(the findings unreviewed here)", highlight=False)
    console.print(f"legal basis: {m['legal_basis']}; purpose: {m['purpose']}; conditions: "
                  f"{'; '.join(m['conditions']) or 'none'}", highlight=False)
    console.print(f"receipt for the sender written to {got.receipt}; run `veriga resolve "
                  f"--case {case}` to match the records with your own", highlight=False)


@exchange_app.command("verify")
def verify(
    package: Annotated[Path | None, typer.Argument(help="A package received.")] = None,
    receipt: Annotated[Path | None, typer.Option(help="A receipt for a package sent "
                                                 "from here.")] = None,
) -> None:
    """Check a package addressed to you without importing it, or a recipient's receipt."""
    if (package is None) == (receipt is None):
        _fail("give a package, or --receipt FILE")
    name = (receipt or package or Path()).name
    with workspace() as ws:
        try:
            if receipt is not None:
                body = ws.exchange.verify_receipt(receipt)
                console.print(f"receipt valid: {body['recipient']['name']} imported package "
                              f"{body['package_id']} on {body['received_at']} "
                              f"({_counts(body['counts'])})", highlight=False)
                return
            assert package is not None
            opened = ws.exchange.verify(package)
        except (VerigaError, OSError) as exc:
            _fail(f"{name}: {exc}")
            return
    m = opened.manifest
    console.print(f"package {opened.package_id} valid: from {m['sender']['name']} "
                  f"({m['sender']['country']}), signed by key "
                  f"{_groups(m['sender']['fingerprint'])}, created {m['created']}, expires "
                  f"{m['expires'] or 'never'}; {_counts(m['counts'])}", highlight=False)


@exchange_app.command("list")
def list_() -> None:
    """Packages sent from and received into this installation."""
    with workspace() as ws:
        rows = ws.exchange.sent_and_received()
    table = Table("package", "direction", "at", "by", "counts", "receipt")
    for r in rows:
        table.add_row(r["package_id"], r["direction"], f"{r['at']:%Y-%m-%d %H:%M}", r["by"],
                      _counts(r["counts"]), f"{r['receipt_at']:%Y-%m-%d}" if r["receipt_at"]
                      else "")
    console.print(table)


def _counts(counts: dict[str, int]) -> str:
    return (f"{counts.get('entities', 0)} entities, {counts.get('statements', 0)} statements "
            f"and {counts.get('records', 0)} bulk records from {counts.get('sources', 0)} "
            f"source files, {counts.get('findings', 0)} findings")


def _groups(fingerprint: str) -> str:
    """A fingerprint read out in groups (its first 32 hex digits)."""
    return " ".join(fingerprint[i:i + 4] for i in range(0, 32, 4))

