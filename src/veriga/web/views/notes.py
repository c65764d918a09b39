"""Notes, tags and assignment on entities and findings, and the case's activity feed with an
undo for each note, tag and assignment added or removed."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from veriga.errors import NotFound, VerigaError
from veriga.findings import N_
from veriga.web.api import BODY, CASE, Timestamp, errors
from veriga.web.session import Web, current
from veriga.web.views import View, back_to

router = APIRouter()
Current = Annotated[Web, Depends(current)]
Target = Literal["entity", "finding"]
Kind = Literal["note", "tag", "assign"]
#: Actions of the activity feed that an undo reverses, and how.
UNDO = {"note.add": "remove", "note.remove": "restore", "note.restore": "remove"}
#: The actions of the feed (``veriga.workspace.audit.CHANGES``) as the page names them.
ACTIONS = {
    "import": N_("File imported"), "finding.create": N_("Findings made"),
    "finding.review": N_("Finding reviewed"), "entity.change": N_("Entity changed"),
    "entity.merge": N_("Records merged"), "entity.split": N_("Records split"),
    "note.add": N_("Added"), "note.remove": N_("Removed"), "note.restore": N_("Restored"),
    "view.save": N_("View saved"), "case.member.add": N_("Member added"),
    "case.configure": N_("Case configured"), "exchange.import": N_("Package imported"),
    "ad.capture": N_("Ad captured"), "export": N_("Exported"),
    "job.start": N_("Report started"), "import.withdraw": N_("File withdrawn"),
    "import.restore": N_("File restored"), "view.delete": N_("View deleted"),
    "case.member.remove": N_("Member taken off"),
}
#: Changes the activity page offers to undo by a form: action -> the form's path after the
#: case (``{target}``: the entry's target), for the latest entry of each target.
UNDO_FORMS = {"import.withdraw": "files/{target}/restore", "view.save": "views/{target}/delete",
              "case.member.add": "members/{target}/remove",
              "case.member.remove": "members/{target}/add"}
KINDS = {"note": N_("note"), "tag": N_("tag"), "assign": N_("assignment"),
         "link": N_("link")}


class NoteOut(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    kind: Kind
    text: str
    created_by: str
    created_at: Timestamp


class NotesOut(BaseModel):
    """The live notes (oldest first), tags and assignee of an entity or a finding; an NGO
    reader is shown none, only how many notes there are (``withheld``)."""

    model_config = ConfigDict(extra="forbid")
    notes: list[NoteOut]
    tags: list[NoteOut]
    assignee: NoteOut | None
    withheld: int


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Kind
    text: str = Field(min_length=1, max_length=4000,
                      description="the note; the tag; the username of the assignee")


class Added(BaseModel):
    id: str


class ActivityOut(BaseModel):
    model_config = ConfigDict(extra="forbid")
    seq: int
    at: Timestamp
    actor: str
    action: str
    target: str | None
    detail: dict[str, Any]


def _back(case: str, back: str) -> str:
    """Where a form sends the user after a change: a page of this case, nothing else."""
    return back_to(case, back, f"/cases/{case}/activity")


@router.post("/cases/{case}/notes", include_in_schema=False)
def add_form(case: str, web: Current, target_kind: Annotated[Target, Form()],
             target_id: Annotated[str, Form(max_length=128)], kind: Annotated[Kind, Form()],
             text: Annotated[str, Form(max_length=4000)],
             back: Annotated[str, Form(max_length=2000)] = "") -> Response:
    web.ws.notes.add(case, target_kind, target_id, kind, text)
    anchor = "notes" if target_kind == "entity" else target_id
    return RedirectResponse(f"{_back(case, back)}#{anchor}", status_code=303)


@router.post("/cases/{case}/links", include_in_schema=False)
def link_form(case: str, web: Current, entity_id: Annotated[str, Form(max_length=128)],
              other: Annotated[str, Form(max_length=200)],
              relation: Annotated[str, Form(max_length=80)],
              source: Annotated[str, Form(max_length=4000)],
              back: Annotated[str, Form(max_length=2000)] = "") -> Response:
    """Link the entity to another, named by its id or by a name or number only it has."""
    web.ws.notes.add_link(case, entity_id, _other(web, case, other, entity_id), relation,
                          source)
    return RedirectResponse(f"{_back(case, back)}#notes", status_code=303)


def _other(web: Web, case: str, other: str, entity_id: str) -> str:
    """The entity a user names in the link form: by its id, else the one search result."""
    other = other.strip()
    try:
        web.ws.entities.get(case, other)
        return other
    except NotFound:
        pass
    found = [e.id for e in web.ws.entities.search(case, other, limit=6)
             if e.id and e.id != entity_id and not e.schema.edge]
    if len(found) != 1:
        raise VerigaError(f"{len(found) if len(found) < 6 else 'more than 5'} entities match "
                          f"{other!r}: give a name or number only one has, or its id")
    return found[0]


@router.post("/cases/{case}/notes/{note_id}/{action}", include_in_schema=False)
def change_form(case: str, note_id: str, action: Literal["remove", "restore"], web: Current,
                back: Annotated[str, Form(max_length=2000)] = "") -> Response:
    if action == "remove":
        web.ws.notes.remove(case, note_id)
    else:
        web.ws.notes.restore(case, note_id)
    return RedirectResponse(_back(case, back), status_code=303)


@router.get("/cases/{case}/activity", include_in_schema=False)
def activity_page(request: Request, case: str, web: Current) -> Response:
    rows = web.ws.audit.activity(case)
    return request.app.state.render(request, web, "activity.html", rows=rows, undo=UNDO,
                                    undo_forms=UNDO_FORMS, undone=_undone(rows),
                                    labels=_entity_labels(web, case, rows),
                                    action_labels=ACTIONS, kind_labels=KINDS,
                                    reopenable=_reopenable(web, case, rows))


def _undone(rows: list[dict[str, Any]]) -> set[int]:
    """The entries (by seq) of UNDO_FORMS and imports a later entry already undid or
    superseded: a file withdrawn or restored since, a view deleted, a member taken off or
    added again."""
    latest: set[tuple[str, str]] = set()
    out: set[int] = set()
    for row in rows:  # newest first
        family = {"import": "file", "import.withdraw": "file", "import.restore": "file",
                  "view.save": "view", "view.delete": "view", "case.member.add": "member",
                  "case.member.remove": "member"}.get(row["action"])
        if family is None or not row["target"]:
            continue
        if (family, row["target"]) in latest:
            out.add(row["seq"])
        latest.add((family, row["target"]))
    return out


def _reopenable(web: Web, case: str, rows: list[dict[str, Any]]) -> set[str]:
    """The findings whose latest review in the feed the reader made and may undo here."""
    latest: dict[str, dict[str, Any]] = {}
    for row in rows:  # newest first
        if row["action"] == "finding.review" and row["target"]:
            latest.setdefault(row["target"], row)
    mine = [t for t, r in latest.items() if r["actor"] == web.user.username
            and r["detail"].get("state") in ("confirmed", "dismissed")]
    return web.ws.findings.reopenable(case, mine) if mine else set()


@router.post("/cases/{case}/views/{view_id}/delete", include_in_schema=False)
def delete_view_form(case: str, view_id: str, web: Current,
                     back: Annotated[str, Form(max_length=2000)] = "") -> Response:
    """Undo saving a view from the activity page."""
    web.ws.saved_views.delete(case, view_id)
    return RedirectResponse(_back(case, back), status_code=303)


@router.post("/cases/{case}/members/{username}/{action}", include_in_schema=False)
def member_form(case: str, username: str, action: Literal["add", "remove"], web: Current,
                back: Annotated[str, Form(max_length=2000)] = "") -> Response:
    """Undo adding a member (or taking one off: they rejoin in their usual role) from the
    activity page."""
    if action == "remove":
        web.ws.cases.remove_member(case, username)
    else:
        web.ws.cases.add_member(case, username)
    return RedirectResponse(_back(case, back), status_code=303)


@router.post("/cases/{case}/findings/{finding_id}/reopen", include_in_schema=False)
def reopen_form(case: str, finding_id: str, web: Current,
                back: Annotated[str, Form(max_length=2000)] = "") -> Response:
    """Undo a review from the activity page: the finding waits for review again."""
    web.ws.findings.reopen(case, finding_id)
    return RedirectResponse(_back(case, back), status_code=303)


def _entity_labels(web: Web, case: str, rows: list[dict[str, Any]]) -> dict[str, str]:
    """Names of the entities the feed names (notes added to, changed, merged), as the reader
    sees them."""
    ids = {r["detail"].get("about") for r in rows
           if r["action"].startswith("note.") and r["detail"].get("target_kind") == "entity"}
    ids |= {r["target"] for r in rows if r["action"].startswith("entity.")}
    ids.discard(None)
    if not ids:
        return {}
    return {e.id: e.caption for e in web.ws.entities.by_id(case, sorted(ids)) if e.id}


def _notes_out(web: Web, case: str, target_kind: str, target_id: str) -> NotesOut:
    found = web.ws.notes.of(case, target_kind, target_id)
    return NotesOut(notes=[NoteOut(**n) for n in found.notes],
                    tags=[NoteOut(**t) for t in found.tags],
                    assignee=NoteOut(**found.assignee) if found.assignee else None,
                    withheld=found.withheld)


@router.get("/api/cases/{case}/entities/{entity_id}/notes", tags=["notes"],
            responses=errors(*CASE))
def entity_notes_api(case: str, entity_id: str, web: Current) -> NotesOut:
    """The notes, tags and assignee of an entity."""
    return _notes_out(web, case, "entity", entity_id)


@router.get("/api/cases/{case}/findings/{finding_id}/notes", tags=["notes"],
            responses=errors(*CASE))
def finding_notes_api(case: str, finding_id: str, web: Current) -> NotesOut:
    """The notes, tags and assignee of a finding."""
    return _notes_out(web, case, "finding", finding_id)


@router.post("/api/cases/{case}/entities/{entity_id}/notes", tags=["notes"],
             responses=errors(*BODY))
def add_entity_note_api(case: str, entity_id: str, body: NoteIn, web: Current) -> Added:
    """Add a note, a tag or an assignment to an entity (an assignment takes the place of
    the one before)."""
    return Added(id=web.ws.notes.add(case, "entity", entity_id, body.kind, body.text))


@router.post("/api/cases/{case}/findings/{finding_id}/notes", tags=["notes"],
             responses=errors(*BODY))
def add_finding_note_api(case: str, finding_id: str, body: NoteIn, web: Current) -> Added:
    """Add a note, a tag or an assignment to a finding."""
    return Added(id=web.ws.notes.add(case, "finding", finding_id, body.kind, body.text))


class LinkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    relation: str = Field(min_length=1, max_length=80, description="what ties the two")
    source: str = Field(min_length=1, max_length=4000,
                        description="where that is known from (not from the case's files)")


class LinkOut(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    entity_id: str
    other_id: str
    relation: str
    source: str | None
    created_by: str
    created_at: Timestamp


@router.get("/api/cases/{case}/entities/{entity_id}/links", tags=["notes"],
            responses=errors(*CASE))
def links_api(case: str, entity_id: str, web: Current) -> list[LinkOut]:
    """The links investigators added to this entity from their own knowledge."""
    return [LinkOut(**r) for r in web.ws.notes.links(case, [entity_id])]


@router.post("/api/cases/{case}/entities/{entity_id}/links/{other_id}", tags=["notes"],
             responses=errors(*BODY))
def add_link_api(case: str, entity_id: str, other_id: str, body: LinkIn,
                 web: Current) -> Added:
    """Link this entity to another from the investigator's own knowledge, with its source
    (removed and restored as a note is)."""
    return Added(id=web.ws.notes.add_link(case, entity_id, other_id, body.relation,
                                          body.source))


@router.delete("/api/cases/{case}/notes/{note_id}", tags=["notes"], status_code=204,
               responses=errors(*CASE))
def remove_api(case: str, note_id: str, web: Current) -> Response:
    """Remove a note, tag or assignment (kept: a restore undoes it)."""
    web.ws.notes.remove(case, note_id)
    return Response(status_code=204)


@router.post("/api/cases/{case}/notes/{note_id}/restore", tags=["notes"], status_code=204,
             responses=errors(*CASE))
def restore_api(case: str, note_id: str, web: Current) -> Response:
    """Undo the removal of a note, tag or assignment."""
    web.ws.notes.restore(case, note_id)
    return Response(status_code=204)


@router.get("/api/cases/{case}/tags", tags=["notes"], responses=errors(*CASE))
def tags_api(case: str, web: Current) -> dict[str, int]:
    """Every tag of the case with how many entities and findings carry it."""
    return web.ws.notes.tags(case)


@router.get("/api/cases/{case}/activity", tags=["notes"], responses=errors(*CASE))
def activity_api(case: str, web: Current,
                 limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[ActivityOut]:
    """What the case's members changed in it, newest first."""
    return [ActivityOut(**r) for r in web.ws.audit.activity(case, limit)]


VIEW = View("activity", N_("Activity"), router, order=98, key="a")
