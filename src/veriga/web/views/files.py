"""Imports from the browser (upload with progress) and exports of the case.

An upload is refused before a byte of its body is read when the user may not import into the
case or when its declared size is over the limit; the multipart body is then streamed
straight into a folder of its own, with a hard limit on its size, and the folder is removed
whatever happens.
"""

from __future__ import annotations

import hmac
import re
import shutil
import tempfile
from pathlib import Path
from typing import IO, Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from veriga.access.policy import Op
from veriga.export import exporters
from veriga.ingest import ImportRequest, expand
from veriga.web.api import CASE, errors
from veriga.web.pseudonyms import stored_form
from veriga.web.session import Web, current, current_unread
from veriga.web.views import View, back_to
from veriga.workspace import PermissionDenied, PurposeRequired, Workspace

router = APIRouter()
Current = Annotated[Web, Depends(current)]
MAX_UPLOAD = 512 * 2**20  # bytes per request (the whole body)
MAX_FIELD = 4096  # bytes of a form field that is not a file


def _safe_name(name: str | None, n: int) -> str:
    base = Path(name or f"upload-{n}").name  # never a path from the browser
    base = re.sub(r"[^\w.\-]+", "_", base).lstrip(".")
    return base[:120] or f"upload-{n}"


def _may(ws: Workspace, case: str, op: Op) -> bool:
    """Whether the user's role in the case allows ``op`` (a purpose may still be needed)."""
    try:
        ws.cases.check(case, op)
    except PermissionDenied:
        return False
    except PurposeRequired:  # to be stated first: the role allows it
        return True
    return True


#: Files listed per page of the files page.
FILES_PER_PAGE = 50
#: How the files page sorts its list: newest import first, by name, most rejects first.
FILE_ORDERS = ("imported", "name", "rejects")


@router.get("/cases/{case}/files", include_in_schema=False)
def files_page(request: Request, case: str, web: Current,
               page: Annotated[int, Query(ge=1)] = 1,
               q: Annotated[str, Query(max_length=200)] = "",
               sort: Literal["imported", "name", "rejects"] = "imported") -> Response:
    return _files(request, web, case, None, [], page, q, sort)


@router.post("/cases/{case}/files/{source}/withdraw", include_in_schema=False)
def withdraw_form(case: str, source: str, web: Current,
                  reason: Annotated[str, Form(max_length=1000)],
                  back: Annotated[str, Form(max_length=2000)] = "") -> Response:
    """Undo an import: the file is left out of every view until restored."""
    web.ws.records.withdraw(case, source, reason)
    return RedirectResponse(back_to(case, back, f"/cases/{case}/files#src-{source}"),
                            status_code=303)


@router.post("/cases/{case}/files/{source}/restore", include_in_schema=False)
def restore_form(case: str, source: str, web: Current,
                 back: Annotated[str, Form(max_length=2000)] = "") -> Response:
    web.ws.records.restore(case, source)
    return RedirectResponse(back_to(case, back, f"/cases/{case}/files#src-{source}"),
                            status_code=303)


@router.get("/cases/{case}/files/{source}/rejects", include_in_schema=False)
def rejects_page(request: Request, case: str, source: str, web: Current) -> Response:
    """The values the import of one file rejected, each with its line (for those who may
    import into the case, to mend the file and import it again)."""
    row, found = web.ws.records.rejects(case, source)
    return request.app.state.render(request, web, "rejects.html", source=row, rejects=found)


#: what the files page shows of each file, and sorts and narrows them by (not their bulk
#: files, mapping, options and origin: a large case's 14,000 files with every column were
#: 87 MB kept in each server process)
FILE_COLUMNS = ("file_name", "importer", "importer_version", "handling", "reject_count",
                "sha256", "imported_at", "withdrawn_by")


def _files(request: Request, web: Web, case: str, results: list | None,
           skipped: list[tuple[str, str]], page: int = 1, q: str = "",
           sort: str = "imported") -> Response:
    """The files page, offering the imports and exports the user's role allows; the files
    in pages, those whose name holds ``q``, in the order asked for."""
    sources = web.ws.records.sources(case, columns=FILE_COLUMNS)
    total = len(sources)
    needle = stored_form(q, web.lang).strip().casefold()  # a pseudonym as the page shows it
    if needle:
        sources = [s for s in sources if needle in (s["file_name"] or "").casefold()]
    if sort == "name":
        sources.sort(key=lambda s: ((s["file_name"] or "").casefold(), s["id"]))
    elif sort == "rejects":
        sources.sort(key=lambda s: (-(s.get("reject_count") or 0), s["id"]))
    else:  # the newest import first
        sources.sort(key=lambda s: (s["imported_at"], s["id"]), reverse=True)
    pages = max(1, -(-len(sources) // FILES_PER_PAGE))
    page = min(page, pages)
    query = urlencode({"q": q, "sort": sort})
    return request.app.state.render(
        request, web, "files.html",
        sources=sources[(page - 1) * FILES_PER_PAGE:page * FILES_PER_PAGE],
        matching=len(sources), total=total, page=page, pages=pages, q=q, sort=sort,
        orders=FILE_ORDERS, query=query,
        # a report made from confirmed findings (goAML) is not a download of the case
        formats=list(_downloads()),
        results=results, skipped=skipped,
        may_import=_may(web.ws, case, Op.IMPORT), may_export=_may(web.ws, case, Op.EXPORT))


def _too_large() -> HTTPException:
    return HTTPException(413, f"uploads are limited to {MAX_UPLOAD // 2**20} MB at once")


class _Upload:
    """A multipart body parsed as it streams in: small fields kept, files written into a
    folder of their own (made at the first file), at most ``MAX_UPLOAD`` bytes in all. The
    form's ``csrf`` field must come before the first file unless the header carried it."""

    def __init__(self, web: Web, boundary: bytes) -> None:
        self.web = web
        self.csrf_ok = web.csrf_checked
        self.fields: dict[str, str] = {}
        self.folder: Path | None = None
        self.files = 0
        self.received = 0
        self._events: list[tuple[str, bytes]] = []
        self._header: list[bytes] = [b"", b""]
        self._headers: dict[bytes, bytes] = {}
        self._name = ""
        self._value = bytearray()
        self._out: IO[bytes] | None = None

        def data(kind: str) -> object:
            return lambda buf, start, end: self._events.append((kind, bytes(buf[start:end])))

        def mark(kind: str) -> object:
            return lambda: self._events.append((kind, b""))

        # the callbacks' types are declared per name in python-multipart; a dict of them is one
        self.parser = MultipartParser(boundary, {  # type: ignore[arg-type]
            "on_part_begin": mark("begin"), "on_header_field": data("field"),
            "on_header_value": data("value"), "on_header_end": mark("header"),
            "on_headers_finished": mark("headers"), "on_part_data": data("data"),
            "on_part_end": mark("end")})

    def feed(self, chunk: bytes) -> None:
        self.received += len(chunk)
        if self.received > MAX_UPLOAD:
            raise _too_large()
        self.parser.write(chunk)
        events, self._events = self._events, []
        for kind, payload in events:
            self._event(kind, payload)

    def _event(self, kind: str, payload: bytes) -> None:
        if kind == "begin":
            self._headers, self._header = {}, [b"", b""]
        elif kind == "field":
            self._header[0] += payload
        elif kind == "value":
            self._header[1] += payload
        elif kind == "header":
            self._headers[self._header[0].lower()] = self._header[1]
            self._header = [b"", b""]
        elif kind == "headers":
            self._start_part()
        elif kind == "data":
            if self._out is not None:
                self._out.write(payload)
            else:
                self._value += payload
                if len(self._value) > MAX_FIELD:
                    raise HTTPException(400, "a form field is too long")
        elif kind == "end":
            self._end_part()

    def _start_part(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        self._name = options.get(b"name", b"").decode("utf-8", "replace")
        filename = options.get(b"filename")
        self._value = bytearray()
        if filename is None:
            return
        if not self.csrf_ok:  # nothing of a forged form reaches the disk
            raise HTTPException(403, "missing or wrong CSRF token; reload the page")
        if self._name != "files":
            raise HTTPException(400, f"unexpected file field {self._name!r}")
        if self.folder is None:
            self.folder = Path(tempfile.mkdtemp(prefix="veriga-upload-"))
        name = _safe_name(filename.decode("utf-8", "replace"), self.files)
        target = self.folder / name
        if target.exists():
            target = self.folder / f"{self.files}-{name}"
        self._out = target.open("xb")
        self.files += 1

    def _end_part(self) -> None:
        if self._out is not None:
            self._out.close()
            self._out = None
            return
        value = self._value.decode("utf-8", "replace")
        self.fields[self._name] = value
        if self._name == "csrf" and not self.csrf_ok:
            if not hmac.compare_digest(value.encode(), self.web.csrf.encode()):
                raise HTTPException(403, "missing or wrong CSRF token; reload the page")
            self.csrf_ok = True

    def close(self) -> None:
        if self._out is not None:
            self._out.close()
            self._out = None
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)


@router.post("/cases/{case}/import", include_in_schema=False)
async def upload(request: Request, case: str,
                 web: Annotated[Web, Depends(current_unread)]) -> Response:
    """Import the uploaded files (all or none). Access and the declared size are checked
    before the body is read; the body is streamed to disk with a hard limit."""
    web.ws.cases.check(case, Op.IMPORT)
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_UPLOAD):
        raise _too_large()
    kind, options = parse_options_header(request.headers.get("content-type"))
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise HTTPException(400, "send the files as multipart/form-data")
    body = _Upload(web, boundary)
    try:
        async for chunk in request.stream():
            body.feed(chunk)
        if not body.csrf_ok:
            raise HTTPException(403, "missing or wrong CSRF token; reload the page")
        if body.folder is None:
            raise HTTPException(400, "no files were sent")
        requests, skipped = expand([body.folder], ImportRequest(path=Path(".")))
        if not requests:
            raise HTTPException(400, "none of the files is in a format Veriga knows: "
                                     + "; ".join(f"{p.name}: {why}" for p, why in skipped))
        results = await run_in_threadpool(web.ws.records.import_files, case, requests,
                                          handling=body.fields.get("handling", "H0"))
    finally:
        body.close()
    return _files(request, web, case, results, [(p.name, why) for p, why in skipped])


def _downloads() -> dict[str, Any]:
    """The export formats that are a download of the case (a goAML report is made from
    confirmed findings: ``veriga export --format goaml --finding ...``)."""
    return {n: e for n, e in exporters().items() if not getattr(e, "from_findings", False)}


@router.get("/cases/{case}/export", tags=["files"], responses={
    200: {"description": "the export file",
          "content": {m: {} for m in sorted({e.media_type for e in _downloads().values()})}},
    **errors(*CASE)})
def export(case: str, web: Current, format: Annotated[str, Query(description="; ".join(
               f"{e.name}: {e.description}" for e in _downloads().values()))] = "ftm",
           for_court: bool = False) -> Response:
    """The case's entities in one of the export formats (handling codes apply)."""
    known = _downloads()
    if format not in known:
        raise HTTPException(422, f"format is one of {', '.join(known)}")
    exporter = known[format]
    web.ws.cases.check(case, Op.EXPORT)  # a refusal leaves nothing behind
    folder = Path(tempfile.mkdtemp(prefix="veriga-export-"))
    try:
        out = folder / f"{_safe_name(case, 0)}.{exporter.suffix}"
        web.ws.exports.write(case, format, out, for_court=for_court)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return FileResponse(out, filename=out.name, media_type=exporter.media_type,
                        background=BackgroundTask(shutil.rmtree, folder, True))


VIEW = View("files", "Files", router, order=100, key="l")
