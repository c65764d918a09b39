"""`veriga hits ...`: hit/no-hit matching with another party, which learns nothing but hits."""

from __future__ import annotations

import json
import ssl
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from veriga.cli.common import CaseOpt, OutFormat, PurposeOpt, _fail, console, parse_date, workspace
from veriga.cooperation import hits as hnh
from veriga.cooperation import hitserver as hsrv
from veriga.errors import VerigaError

hits_app = typer.Typer(no_args_is_help=True, help=(
    "Hit/no-hit matching between parties: publish a filter of a case's identifiers as keyed "
    "hashes, match your own case against another party's filter, and learn only your hits."))

KeyOpt = Annotated[Path, typer.Option(
    "--key", help="The key file the parties share (made with `veriga hits key`).")]


@hits_app.command("key")
def key_(
    out: Annotated[Path, typer.Option("--out", help="The key file to write (never "
                                      "overwritten; readable by you only).")],
) -> None:
    """Make a new key for the parties of a joint investigation to share (out of band)."""
    try:
        key = hnh.new_key()
        hnh.write_key(key, out)
    except FileExistsError:
        _fail(f"{out} exists; a key file is never overwritten")
    console.print(f"key written to {out} (key id {hnh.key_id(key)}); give it to the other "
                  "parties by a secure channel, never with a filter", highlight=False)


@hits_app.command("publish")
def publish(
    case: CaseOpt,
    key: KeyOpt,
    out: Annotated[Path, typer.Option("--out", help="The filter file to write.")],
    label: Annotated[str, typer.Option(help="What the other side sees of who published it "
                                       "(your organisation and a reference).")] = "",
    expires: Annotated[str | None, typer.Option(
        help="Last day the filter may be matched against (YYYY-MM-DD).")] = None,
    include_victims: Annotated[bool, typer.Option(
        "--include-victims", help="Also hash the victims' identifiers (left out by "
        "default: a hit would tell the other side this case holds them).")] = False,
    purpose: PurposeOpt = None,
) -> None:
    """Publish the case's match filter for the other parties (needs the right to export)."""
    until = parse_date(expires) if expires else None
    with workspace(purpose, ask=True) as ws:
        try:
            done = ws.hits.publish(case, hnh.read_key(key), out, label=label, expires=until,
                                   include_victims=include_victims)
        except (VerigaError, OSError) as exc:
            _fail(str(exc))
            return
    counts = ", ".join(f"{n} {k}" for k, n in done.header["counts"].items()) or "none"
    console.print(f"filter {out}: {counts}; {done.header['names']} names encoded for fuzzy "
                  f"matching; {done.left_out} entities left out (handling codes, victims); "
                  f"key id {done.header['key_id']}", highlight=False)


@hits_app.command("match")
def match(
    case: CaseOpt,
    key: KeyOpt,
    filter_: Annotated[Path | None, typer.Option(
        "--filter", help="The other party's filter file.")] = None,
    server: Annotated[str | None, typer.Option(
        help="Or the other party's hit server (https://host:port): the filter stays there; "
             "exact identifiers only.")] = None,
    cert: Annotated[Path | None, typer.Option(help="--server: your TLS certificate.")] = None,
    cert_key: Annotated[Path | None, typer.Option(help="--server: its private key.")] = None,
    ca: Annotated[Path | None, typer.Option(
        help="--server: the parties' certificate authority.")] = None,
    min_dice: Annotated[float, typer.Option(
        help="Least Dice coefficient of two name encodings to count as a name hit.")
    ] = hnh.MIN_DICE,
    fmt: Annotated[OutFormat, typer.Option("--format")] = OutFormat.table,
    purpose: PurposeOpt = None,
) -> None:
    """Which identifiers of your case the other party's filter (or server) holds."""
    if not 0.0 < min_dice <= 1.0:
        _fail("--min-dice is between 0 and 1")
    if (filter_ is None) == (server is None):
        _fail("give --filter FILE or --server URL")
    with workspace(purpose, ask=True) as ws:
        try:
            if server is not None:
                if not (cert and cert_key and ca):
                    _fail("--server needs --cert, --cert-key and --ca (mutual TLS)")
                    return
                ctx = hsrv.client_context(cert, cert_key, ca)
                found = ws.hits.match_remote(case, hnh.read_key(key), server, ctx)
            else:
                assert filter_ is not None
                found = ws.hits.match(case, hnh.read_key(key), filter_, min_dice)
        except (VerigaError, OSError, ssl.SSLError) as exc:
            _fail(str(exc))
            return
    if fmt is OutFormat.json:
        for h in found.hits:
            print(json.dumps({"entity": h.record_id, "caption": found.captions[h.record_id],
                              "kind": h.kind, "value": h.value, "score": h.score},
                             ensure_ascii=False))
        return
    who = found.header.get("label") or "the publisher"
    console.print(f"{len(found.hits)} hit(s) of {found.records} people and companies "
                  f"against the filter of {who} (key id {found.header['key_id']}); a hit "
                  "is grounds for a request to them, not evidence", highlight=False)
    if found.hits:
        table = Table("entity", "kind", "value", "score")
        for h in found.hits:
            table.add_row(found.captions[h.record_id], h.kind, h.value, f"{h.score:.2f}")
        console.print(table)


@hits_app.command("serve")
def serve(
    case: CaseOpt,
    key: KeyOpt,
    filter_: Annotated[Path, typer.Option("--filter", help="The case's filter (published "
                                          "with `veriga hits publish`).")],
    cert: Annotated[Path, typer.Option(help="This server's TLS certificate.")],
    cert_key: Annotated[Path, typer.Option(help="Its private key.")],
    client_ca: Annotated[Path, typer.Option(
        help="The authority that signs the other parties' client certificates.")],
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8443,
    per_hour: Annotated[int, typer.Option(help="Hashes a client may send an hour.")
                        ] = hsrv.Limits.per_hour,
    per_minute: Annotated[int, typer.Option(help="Requests a client may send a minute.")
                          ] = hsrv.Limits.per_minute,
    purpose: PurposeOpt = None,
) -> None:
    """Answer the other parties' hashes against the case's filter over mutual TLS (the
    filter never leaves this machine); every answer and refusal is audited in the case."""
    with workspace(purpose, ask=True) as ws:
        try:
            ctx = hsrv.server_context(cert, cert_key, client_ca)
            srv = ws.hits.server(case, hnh.read_key(key), filter_, (host, port), ctx,
                                 hsrv.Limits(per_hour, per_minute))
        except (VerigaError, OSError, ssl.SSLError) as exc:
            _fail(str(exc))
            return
        console.print(f"hit server at https://{host}:{srv.server_address[1]} for the filter "
                      f"{filter_.name}; Ctrl+C stops it", highlight=False)
        try:
            srv.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            srv.server_close()

