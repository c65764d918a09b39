"""What every JSON API operation shares in its OpenAPI description: the error bodies and
the error responses it may answer with.

Use in a view::

    @router.get("/api/cases/{case}/thing", tags=["things"], responses=errors(*CASE))
    def thing_api(case: str, web: Current) -> ThingOut: ...

    @router.post("/api/cases/{case}/things", tags=["things"], responses=errors(*BODY))
    def add_thing_api(case: str, body: NewThing, web: Current) -> ThingOut: ...

A response model (a pydantic class as the return annotation) makes the schema describe the
real body; schemathesis (tests/web/test_api_schema.py) checks every operation against it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from starlette.requests import Request


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


Timestamp = Annotated[datetime, AfterValidator(_utc)]
"""A moment in ISO 8601 with its offset; the store keeps UTC (SQLite drops the zone)."""


class Problem(BaseModel):
    """Why the request was refused, in one sentence."""

    detail: str


class InvalidField(BaseModel):
    """One invalid field of a request (FastAPI's validation error)."""

    model_config = ConfigDict(extra="allow")

    loc: list[str | int]
    msg: str
    type: str


class Invalid(BaseModel):
    """The request's parameters or body are not valid: every invalid field, or one sentence."""

    detail: list[InvalidField] | str


class Node(BaseModel):
    """An entity drawn as a node (``veriga.chain.graph.build``)."""

    id: str
    label: str
    schema_: str = Field(alias="schema")  # FtM schema: Person, Company, BankAccount...
    role: str | None  # victim | suspect | witness | other
    stage: str | None  # recruitment | transport | exploitation | proceeds
    first: str | None  # earliest date on it (YYYY-MM-DD)
    last: str | None
    url: str  # its entity page
    countries: list[str] = []  # ISO 3166-1 alpha-2


class Edge(BaseModel):
    """A link between two nodes: an FtM edge entity (payment, ownership...), a reference,
    or a shared identifier."""

    id: str
    source: str
    target: str
    schema_: str = Field(alias="schema")  # FtM schema, "Reference", "SharedIdentifier" or
    # "InvestigatorLink" (added by an investigator from their own knowledge)
    label: str
    first: str | None
    last: str | None
    amount: float | None
    url: str | None  # the page of the edge entity


class GraphOut(BaseModel):
    """Nodes and the links among them."""

    nodes: list[Node]
    edges: list[Edge]


class PathOut(GraphOut):
    """A path: its node ids in order, and the nodes and links along it."""

    path: list[str]


WHY: dict[int, tuple[str, type[BaseModel]]] = {
    400: ("The body is not valid JSON, or the request cannot be done as asked (the reason "
          "is in `detail`).", Problem),
    401: ("Not logged in: no session cookie, or the session expired.", Problem),
    403: ("The user's role does not allow this in the case, or (on POST) the "
          "`X-CSRF-Token` header is missing or wrong.", Problem),
    404: ("No such case that the user can access, or nothing with this id in it.", Problem),
    422: ("Invalid parameters or body.", Invalid),
    428: ("No purpose stated for the case in this session: open the case "
          "(`/cases/{case}/open`) and state the purpose of the access first.", Problem),
}

CASE = (401, 403, 404, 422, 428)  # any operation on a case's data
BODY = (400, *CASE)  # ... that takes a JSON body


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of an operation: the given error statuses with their bodies."""
    return {code: {"description": WHY[code][0], "model": WHY[code][1]} for code in codes}


def accepts_gzip(request: Request) -> bool:
    """Whether the client accepts a gzip-compressed body (``Accept-Encoding``, where
    ``gzip;q=0`` refuses it)."""
    for part in request.headers.get("accept-encoding", "").split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() not in ("gzip", "x-gzip", "*"):
            continue
        q = params.strip().lower().removeprefix("q=").strip() if params else "1"
        try:
            return float(q) > 0
        except ValueError:
            return False
    return False
