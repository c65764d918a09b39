"""Commands for organisations, users, case membership, sharing, subject roles and handling."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from veriga.access.handling import DESCRIPTIONS
from veriga.access.roles import OrgType, Role, SubjectRole
from veriga.cli.common import (
    AUDIT_COLUMNS,
    CaseOpt,
    OutFormat,
    PurposeOpt,
    console,
    print_rows,
    workspace,
)

org_app = typer.Typer(no_args_is_help=True, help="Organisations (agencies, NGOs, banks...).")
user_app = typer.Typer(no_args_is_help=True, help="User accounts and API tokens.")
entity_app = typer.Typer(no_args_is_help=True, help="Mark entities: subject role, handling.")


@org_app.command("add")
def org_add(
    name: Annotated[str, typer.Argument(help="Name of the organisation.")],
    org_type: Annotated[str, typer.Option("--type", help=", ".join(t.value for t in OrgType))],
    country: Annotated[str, typer.Option(help="ISO country code, e.g. LV.")],
) -> None:
    """Add an organisation (administrators)."""
    with workspace() as ws:
        org = ws.directory.add_org(name, org_type, country)
    console.print(f"Added organisation [bold]{org['name']}[/] ({org['type']}, {org['country']})")


@org_app.command("list")
def org_list() -> None:
    """List organisations."""
    with workspace() as ws:
        orgs = ws.directory.orgs()
    table = Table("name", "type", "country", "id")
    for o in orgs:
        table.add_row(o["name"], o["type"], o["country"], o["id"])
    console.print(table)


@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Argument(help="Login name.")],
    org: Annotated[str, typer.Option(help="Organisation name or id.")],
    role: Annotated[list[str], typer.Option(help=", ".join(r.value for r in Role)
                                            + " (repeatable).")],
    name: Annotated[str, typer.Option(help="Display name.")] = "",
    language: Annotated[str, typer.Option(help="en, bg, lv, et or fi.")] = "en",
    password_stdin: Annotated[bool, typer.Option(help="Read a password from standard "
                                                 "input (for the web login).")] = False,
) -> None:
    """Add a user account (administrators)."""
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    with workspace() as ws:
        row = ws.directory.add_user(username, org, role, name, password, language)
    console.print(f"Added user [bold]{row['username']}[/] ({', '.join(row['roles'])})")


@user_app.command("password")
def user_password(
    username: Annotated[str, typer.Argument(help="Login name.")],
) -> None:
    """Set or reset a user's password, read from standard input (administrators); the account
    is unlocked and its open sessions end. For trainees enrolled from a CSV, who have none."""
    password = sys.stdin.readline().rstrip("\n")
    with workspace() as ws:
        ws.directory.set_password(username, password)
    console.print(f"Password set for [bold]{username}[/]", highlight=False)


@user_app.command("list")
def user_list() -> None:
    """List user accounts (administrators)."""
    with workspace() as ws:
        rows = ws.directory.users()
    table = Table("user", "name", "organisation", "roles", "active")
    for u in rows:
        table.add_row(u["username"], u["display_name"], u["organisation"], ", ".join(u["roles"]),
                      "yes" if u["active"] else "no")
    console.print(table)


@user_app.command("token")
def user_token(name: Annotated[str, typer.Option(help="What the token is for.")] = "cli") -> None:
    """Create an API token for yourself; it is shown once. Use it as VERIGA_TOKEN."""
    with workspace() as ws:
        token = ws.directory.new_token(name)
    print(token)


def register_case_commands(case_app: typer.Typer) -> None:
    @case_app.command("member")
    def case_member(
        case: Annotated[str, typer.Argument(help="Case name or id.")],
        username: Annotated[str, typer.Argument(help="User to add (or take off).")],
        role: Annotated[str | None, typer.Option(help="Their role in the case.")] = None,
        remove: Annotated[bool, typer.Option(
            "--remove", help="Take the user off the case instead.")] = False,
        purpose: PurposeOpt = None,
    ) -> None:
        """Add a member to a case (or, with --remove, take one off)."""
        with workspace(purpose, ask=True) as ws:
            if remove:
                ws.cases.remove_member(case, username)
            else:
                ws.cases.add_member(case, username, role)
        console.print(f"{username} is {'no longer' if remove else 'now'} a member of {case}")

    @case_app.command("share")
    def case_share(
        case: Annotated[str, typer.Argument(help="Case name or id.")],
        org: Annotated[str, typer.Option(help="Organisation to share with.")],
        entity: Annotated[list[str] | None, typer.Option(
            help="Share only these entities (repeatable).")] = None,
        purpose: PurposeOpt = None,
    ) -> None:
        """Share a case, or selected entities, with another organisation (audited)."""
        with workspace(purpose, ask=True) as ws:
            ws.cases.share(case, org, entity)
        scope = f"{len(entity)} entities" if entity else "the whole case"
        console.print(f"Shared {scope} of {case} with {org}")

    @case_app.command("configure")
    def case_configure(
        case: Annotated[str, typer.Argument(help="Case name or id.")],
        ngo_sees_suspects: Annotated[bool, typer.Option(
            help="Whether NGO members see suspects' identities.")] = False,
        purpose: PurposeOpt = None,
    ) -> None:
        """Change a case's settings."""
        with workspace(purpose, ask=True) as ws:
            ws.cases.configure(case, ngo_sees_suspects)
        console.print(f"{case}: NGO members {'see' if ngo_sees_suspects else 'do not see'} "
                      "suspects' identities")


@entity_app.command("role")
def entity_role(
    entity_id: Annotated[str, typer.Argument(help="Entity id.")],
    role: Annotated[str, typer.Argument(help=", ".join(r.value for r in SubjectRole))],
    case: CaseOpt,
    purpose: PurposeOpt = None,
) -> None:
    """Mark what a person is in the case (victims are pseudonymised for NGO members)."""
    with workspace(purpose, ask=True) as ws:
        ws.entities.set_subject_role(case, entity_id, role)
    console.print(f"{entity_id} is a {role} in {case}")


@entity_app.command("handling")
def entity_handling(
    entity_id: Annotated[str, typer.Argument(help="Entity id.")],
    code: Annotated[str, typer.Argument(help="; ".join(f"{c.value}: {d}"
                                                        for c, d in DESCRIPTIONS.items()))],
    case: CaseOpt,
    org: Annotated[list[str] | None, typer.Option(help="Only these organisations may see "
                                                  "it (repeatable).")] = None,
    note: Annotated[str | None, typer.Option(help="Restrictions in words (H3).")] = None,
    purpose: PurposeOpt = None,
) -> None:
    """Set an entity's handling code."""
    with workspace(purpose, ask=True) as ws:
        ws.entities.set_handling(case, entity_id, code, org, note)
    console.print(f"{entity_id}: handling {code.upper()}")


def register_audit_commands(audit_app: typer.Typer) -> None:
    @audit_app.command("who")
    def audit_who(
        entity_id: Annotated[str, typer.Argument(help="Entity id, e.g. a victim's record.")],
        case: CaseOpt,
        fmt: Annotated[OutFormat, typer.Option("--format")] = OutFormat.table,
        purpose: PurposeOpt = None,
    ) -> None:
        """Who reached this record, when, and why (directly or by listing the case)."""
        with workspace(purpose) as ws:
            rows = ws.audit.who_accessed(case, entity_id)
        print_rows(rows, fmt, {k: AUDIT_COLUMNS[k] for k in ("at", "actor", "action",
                                                                "purpose")})

    @audit_app.command("anchor")
    def audit_anchor(
        out: Annotated[Path | None, typer.Option(
            help="Write the anchor to this file (default: print it).")] = None,
    ) -> None:
        """Verify the chain and give its head (seq, hash, count) as JSON, to keep outside
        the store; 'veriga audit verify --anchor FILE' then detects truncation and
        rewriting."""
        with workspace() as ws:
            head = ws.audit.anchor()
        text = json.dumps(head, indent=1) + "\n"
        if out is None:
            print(text, end="")
        else:
            out.write_text(text, encoding="utf-8")
            console.print(f"Anchored entry {head['seq']} ({head['count']} entries) in {out}")
