"""`veriga train cohort|event|test|dashboard|certificate|verify`: delivering the programme to
cohorts (``ws.cohorts``)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from veriga.cli.common import OutFormat, console, err, print_rows, workspace
from veriga.cli.train import train_app
from veriga.errors import VerigaError
from veriga.training.delivery import EVENT_KINDS, RATINGS, TEST_KINDS, TEXTS
from veriga.training.enrolment import MAX_BYTES, EnrolmentRejected

cohort_app = typer.Typer(no_args_is_help=True, help="Cohorts of trainees: create, enrol.")
event_app = typer.Typer(no_args_is_help=True, help="A cohort's events and attendance.")
test_app = typer.Typer(no_args_is_help=True, help="Pre-, post- and delayed tests.")
cert_app = typer.Typer(no_args_is_help=True, help="Certificates: issue, revoke, PDF.")
train_app.add_typer(cohort_app, name="cohort")
train_app.add_typer(event_app, name="event")
train_app.add_typer(test_app, name="test")
train_app.add_typer(cert_app, name="certificate")

Fmt = Annotated[OutFormat, typer.Option("--format")]
CohortArg = Annotated[str, typer.Argument(help="Cohort name or id.")]


def _when(text: str) -> datetime:
    """A YYYY-MM-DD or YYYY-MM-DDTHH:MM option (UTC)."""
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise VerigaError(f"not a date or time: {text!r} (YYYY-MM-DD or "
                          "YYYY-MM-DDTHH:MM)") from None
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _signed(value: float | None) -> str:
    return "-" if value is None else f"{value:+.0%}"


# -- cohorts -----------------------------------------------------------------------------------


@cohort_app.command("create")
def cohort_create(
    name: Annotated[str, typer.Argument(help="The cohort's name.")],
    language: Annotated[str, typer.Option("--lang", help="en, bg, lv, et or fi.")],
    profession: Annotated[str, typer.Option(
        help="law_enforcement, prosecutors, judges, financial, ngo or mixed.")] = "mixed",
    description: Annotated[str, typer.Option(help="What the cohort is for.")] = "",
) -> None:
    """Create a cohort (trainers); you are its first trainer."""
    with workspace() as ws:
        row = ws.cohorts.create(name, language, profession, description)
    console.print(f"Created cohort [bold]{row['name']}[/] ({row['id']})")


@cohort_app.command("list")
def cohort_list(fmt: Fmt = OutFormat.table) -> None:
    """The cohorts you run."""
    with workspace() as ws:
        rows = ws.cohorts.list()
    print_rows(rows, fmt, {"name": lambda r: r["name"], "language": lambda r: r["language"],
                           "profession": lambda r: r["profession"] or "mixed",
                           "trainees": lambda r: str(r["trainees"]), "id": lambda r: r["id"]})


@cohort_app.command("show")
def cohort_show(cohort: CohortArg, fmt: Fmt = OutFormat.table) -> None:
    """A cohort's members, events and tests."""
    with workspace() as ws:
        row = ws.cohorts.show(cohort)
    if fmt is OutFormat.json:
        print(json.dumps(row, default=str, ensure_ascii=False, indent=2))
        return
    console.print(f"[bold]{row['name']}[/] · {row['language']} · "
                  f"{row['profession'] or 'mixed'} · {row['id']}")
    print_rows(row["members"], fmt, {
        "user": lambda r: r["username"], "name": lambda r: r["display_name"],
        "role": lambda r: r["role"], "profession": lambda r: r["profession"] or "",
        "organisation": lambda r: r["organisation"]})
    print_rows(row["events"], fmt, {
        "event": lambda r: r["id"], "kind": lambda r: r["kind"], "title": lambda r: r["title"],
        "starts": lambda r: f"{r['starts_at']:%Y-%m-%d %H:%M}", "place": lambda r: r["place"]
        or ""})
    print_rows(row["tests"], fmt, {
        "test": lambda r: r["id"], "kind": lambda r: r["kind"],
        "questions": lambda r: str(len(r["question_ids"])), "taken": lambda r: str(r["taken"])})


@cohort_app.command("enrol")
def cohort_enrol(
    cohort: CohortArg,
    csv_file: Annotated[Path, typer.Argument(
        help="CSV: username, display_name, email (optional), organisation, profession, "
             "language, role (trainee|trainer).", exists=True, dir_okay=False)],
) -> None:
    """Enrol the people of a CSV file; missing trainees are created (without a password).
    Any rejected value enrols nobody: each is printed with its line."""
    if csv_file.stat().st_size > MAX_BYTES:
        raise VerigaError(f"the file is larger than {MAX_BYTES // 1024} KB")
    with workspace() as ws:
        try:
            result = ws.cohorts.enrol(cohort, csv_file.read_bytes())
        except EnrolmentRejected as exc:
            for reject in exc.rejects:
                err.print(str(reject), highlight=False, markup=False)
            raise VerigaError(f"{len(exc.rejects)} rejected value(s): nobody enrolled") \
                from None
    console.print(f"Enrolled {result['enrolled']} ({result['created']} new accounts, "
                  f"{result['already']} already in the cohort)")


# -- events ------------------------------------------------------------------------------------


@event_app.command("add")
def event_add(
    cohort: CohortArg,
    title: Annotated[str, typer.Option(help="The event's title.")],
    kind: Annotated[str, typer.Option(help=", ".join(EVENT_KINDS))],
    start: Annotated[str, typer.Option(help="YYYY-MM-DD or YYYY-MM-DDTHH:MM (UTC).")],
    end: Annotated[str, typer.Option(help="YYYY-MM-DD or YYYY-MM-DDTHH:MM (UTC).")],
    place: Annotated[str, typer.Option(help="Where.")] = "",
    agenda: Annotated[Path | None, typer.Option(help="A text file with the agenda.",
                                                exists=True, dir_okay=False)] = None,
    material: Annotated[list[str] | None, typer.Option(
        help="lesson:ID, library:ID or an http(s) link (repeatable).")] = None,
) -> None:
    """Schedule an event of a cohort."""
    text = agenda.read_text("utf-8")[:20001] if agenda else None
    with workspace() as ws:
        row = ws.cohorts.add_event(cohort, kind, title, _when(start), _when(end), place,
                                   text, material or [])
    console.print(f"Scheduled [bold]{row['title']}[/] ({row['id']})")


@event_app.command("list")
def event_list(cohort: CohortArg, fmt: Fmt = OutFormat.table) -> None:
    """A cohort's events."""
    with workspace() as ws:
        rows = ws.cohorts.events(cohort)
    print_rows(rows, fmt, {
        "event": lambda r: r["id"], "kind": lambda r: r["kind"], "title": lambda r: r["title"],
        "starts": lambda r: f"{r['starts_at']:%Y-%m-%d %H:%M}",
        "ends": lambda r: f"{r['ends_at']:%Y-%m-%d %H:%M}", "place": lambda r: r["place"] or "",
        "present": lambda r: str(r["present"]), "feedback": lambda r: str(r["feedback"])})


@event_app.command("attend")
def event_attend(
    event: Annotated[str, typer.Argument(help="The event's id.")],
    usernames: Annotated[list[str], typer.Argument(help="Trainees' user names.")],
    status: Annotated[str, typer.Option(help="present, absent or excused.")] = "present",
) -> None:
    """Record attendance at an event."""
    with workspace() as ws:
        n = ws.cohorts.attend(event, usernames, status)
    console.print(f"Recorded {n} as {status}")


@event_app.command("feedback")
def event_feedback(
    event: Annotated[str, typer.Argument(help="The event's id.")],
    rating: Annotated[list[str], typer.Option(
        help="QUESTION=1..5 for each of " + ", ".join(q.id for q in RATINGS)
             + " (repeatable).")],
    useful: Annotated[str, typer.Option(help=TEXTS[0].label)] = "",
    improve: Annotated[str, typer.Option(help=TEXTS[1].label)] = "",
) -> None:
    """Give your feedback on an event you took part in (once)."""
    answers: dict[str, Any] = dict(r.partition("=")[::2] for r in rating)
    answers.update(useful=useful, improve=improve)
    with workspace() as ws:
        ws.cohorts.submit_feedback(event, answers)
    console.print("Thank you: your feedback is recorded")


# -- tests -------------------------------------------------------------------------------------


@test_app.command("create")
def test_create(
    cohort: CohortArg,
    kind: Annotated[str, typer.Option(help=", ".join(TEST_KINDS))],
    question: Annotated[list[str] | None, typer.Option(
        help="lesson-id/question-id (repeatable; default: up to 20 of the cohort's "
             "lessons' questions).")] = None,
    opens: Annotated[str | None, typer.Option(help="When it opens (default: now).")] = None,
    closes: Annotated[str | None, typer.Option(help="When it closes (default: never).")
                      ] = None,
) -> None:
    """Set a pre-, post- or delayed test for a cohort."""
    with workspace() as ws:
        row = ws.cohorts.create_test(cohort, kind, question or None,
                                     _when(opens) if opens else None,
                                     _when(closes) if closes else None)
    console.print(f"Set a {row['kind']}-test of {len(row['question_ids'])} questions "
                  f"({row['id']})")


@test_app.command("list")
def test_list(fmt: Fmt = OutFormat.table) -> None:
    """Your tests (as a trainee): open, upcoming, closed or taken."""
    with workspace() as ws:
        rows = ws.cohorts.my_tests()
    print_rows(rows, fmt, {"test": lambda r: r["id"], "cohort": lambda r: r["cohort"],
                           "kind": lambda r: r["kind"], "state": lambda r: r["state"],
                           "questions": lambda r: str(r["questions"]),
                           "score": lambda r: _pct(r["score"])})


@test_app.command("take")
def test_take(
    test: Annotated[str, typer.Argument(help="The test's id (see 'veriga train test list').")],
    lang: Annotated[str | None, typer.Option("--lang", help="Language of the questions.")
                    ] = None,
) -> None:
    """Take a test at the terminal (once): each question with its choices; answer with the
    choices' numbers (several separated by commas where more than one is correct)."""
    with workspace() as ws:
        test_row = ws.cohorts.test(test, lang)
        answers: dict[str, list[int]] = {}
        for n, q in enumerate(test_row["questions"], 1):
            mark = "" if q["translated"] else " [untranslated: shown in English]"
            console.print(f"\n[bold]{n}. {q['prompt']}[/]{mark}", highlight=False)
            for i, choice in enumerate(q["choices"], 1):
                console.print(f"   {i}) {choice}", highlight=False)
            hint = "choices, comma-separated" if q["multiple"] else "choice"
            raw = typer.prompt(f"Your {hint}", default="", show_default=False)
            picked = [int(p) - 1 for p in raw.replace(" ", "").split(",") if p.isdigit()]
            answers[q["key"]] = [p for p in picked if 0 <= p < len(q["choices"])]
        result = ws.cohorts.take(test, answers, lang)
    console.print(f"\nScore: {result['correct']} of {result['questions']} "
                  f"({result['score']:.0%})")


# -- the dashboard -----------------------------------------------------------------------------


@train_app.command("dashboard")
def dashboard(cohort: CohortArg, fmt: Fmt = OutFormat.table) -> None:
    """A cohort at a glance (trainers): learning gain, mastery per learning outcome, the
    most missed questions, each trainee's progress, scores and simulation attempts."""
    with workspace() as ws:
        data = ws.cohorts.dashboard(cohort)
    if fmt is OutFormat.json:
        out = {**data, "gain": data["gain"].__dict__}
        print(json.dumps(out, default=str, ensure_ascii=False, indent=2))
        return
    g = data["gain"]
    console.print(f"[bold]{data['cohort']['name']}[/]: {len(data['trainees'])} trainees; "
                  f"pre {_pct(g.pre)}, post {_pct(g.post)} (n={g.trainees}), gain "
                  f"{_signed(g.gain)}, normalised gain {_pct(g.normalised)}, delayed "
                  f"{_pct(g.delayed)} (retention {_signed(g.retention)})", highlight=False)
    table = Table("lesson", "learning outcome", "mastery", "answers", title="Mastery")
    for m in data["mastery"]:
        table.add_row(m["lesson_id"], m["outcome"], _pct(m["share"]), str(m["answers"]))
    console.print(table)
    table = Table("question", "missed", "of", title="Most missed")
    for m in data["misses"]:
        table.add_row(m["prompt"], str(m["wrong"]), str(m["answers"]))
    console.print(table)
    table = Table("trainee", "lessons", "pre", "post", "delayed", "gain", "attempts",
                  "certificate", title="Trainees")
    for t in data["trainees"]:
        attempts = ", ".join(_pct(a["score"]) for a in t["attempts"]) or "-"
        cert = t["certificate"]
        table.add_row(f"{t['display_name']} ({t['username']})",
                      f"{t['completed']}/{t['required']}", _pct(t["pre"]), _pct(t["post"]),
                      _pct(t["delayed"]), _signed(t["gain"]), attempts,
                      "-" if cert is None else "revoked" if cert["revoked"] else "issued")
    console.print(table)


# -- certificates ------------------------------------------------------------------------------


@cert_app.command("issue")
def certificate_issue(
    cohort: CohortArg,
    username: Annotated[str, typer.Argument(help="The trainee's user name.")],
    out: Annotated[Path | None, typer.Option(help="Also write the PDF here.")] = None,
) -> None:
    """Certify a trainee who completed the cohort's lessons or passed its post-test."""
    with workspace() as ws:
        row = ws.cohorts.issue(cohort, username)
        if out is not None:
            out.write_bytes(ws.cohorts.pdf(row["hash"]))
    console.print(f"Issued certificate {row['hash']}\nVerify at {row['url']}")
    if out is not None:
        console.print(f"Wrote {out}")


@cert_app.command("pdf")
def certificate_pdf(
    hash_: Annotated[str, typer.Argument(metavar="HASH", help="The certificate's hash.")],
    out: Annotated[Path, typer.Option(help="Where to write the PDF.")],
) -> None:
    """Write a certificate as PDF (its holder, the cohort's trainers)."""
    with workspace() as ws:
        out.write_bytes(ws.cohorts.pdf(hash_))
    console.print(f"Wrote {out}")


@cert_app.command("revoke")
def certificate_revoke(
    hash_: Annotated[str, typer.Argument(metavar="HASH", help="The certificate's hash.")],
    reason: Annotated[str, typer.Option(help="Why (recorded in the audit log).")],
) -> None:
    """Revoke a certificate; its verification says so from then on."""
    with workspace() as ws:
        ws.cohorts.revoke(hash_, reason)
    console.print("Revoked")


@train_app.command("verify")
def verify(
    what: Annotated[str, typer.Argument(metavar="HASH|FILE.pdf",
                                        help="A certificate's hash, or its PDF.")],
) -> None:
    """Verify a certificate: who holds it, what, when, who issued it, and whether it stands.
    Exit status 1 when it is unknown, revoked or altered."""
    path = Path(what)
    with workspace() as ws:
        if what.lower().endswith(".pdf") or path.is_file():
            if not path.is_file():
                raise VerigaError(f"no such file: {what}")
            result = ws.cohorts.verify_pdf(path.read_bytes())
        else:
            result = ws.cohorts.verify(what)
    if result is None:
        raise VerigaError("no certificate has this hash: NOT VALID")
    console.print(f"Holder: {result['holder']}\nCohort: {result['cohort']}\n"
                  f"Modules: {', '.join(result['modules'])}\nDate: {result['date']}\n"
                  f"Issuer: {result['issuer']}", highlight=False)
    if result.get("file_intact") is False or not result["intact"]:
        raise VerigaError("the certificate does not match its hash: NOT VALID")
    if result["revoked"]:
        raise VerigaError(f"revoked on {result['revoked_at']:%Y-%m-%d}: NOT VALID")
    console.print("[bold green]VALID[/]")
