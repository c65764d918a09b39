"""Imports from the browser (upload with progress) and exports of the case."""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request, UploadFile
from fastapi.responses import FileResponse, Response
from starlette.background import BackgroundTask

from veriga.export import FORMATS
from veriga.ingest import ImportRequest, expand
from veriga.web.api import CASE, errors
from veriga.web.session import Web, current
from veriga.web.views import View

router = APIRouter()
Current = Annotated[Web, Depends(current)]
MAX_UPLOAD = 512 * 2**20  # bytes per request
SUFFIX = {"ftm": "ftm.json", "ftm-core": "ftm.json", "gexf": "gexf", "cypher": "cypher",
          "xlsx": "xlsx", "anx": "anx"}


def _safe_name(name: str | None, n: int) -> str:
    base = Path(name or f"upload-{n}").name  # never a path from the browser
    base = re.sub(r"[^\w.\-]+", "_", base).lstrip(".")
    return base[:120] or f"upload-{n}"


@router.get("/cases/{case}/files", include_in_schema=False)
def files_page(request: Request, case: str, web: Current) -> Response:
    return request.app.state.render(request, web, "files.html", sources=web.ws.sources(case),
                                    formats=FORMATS, results=None)


@router.post("/cases/{case}/import", include_in_schema=False)
async def upload(request: Request, case: str, web: Current, files: list[UploadFile],
                 handling: Annotated[str, Form()] = "H0") -> Response:
    folder = Path(tempfile.mkdtemp(prefix="veriga-upload-"))
    try:
        total = 0
        for n, item in enumerate(files):
            target = folder / _safe_name(item.filename, n)
            with target.open("wb") as out:
                while chunk := await item.read(2**20):
                    total += len(chunk)
                    if total > MAX_UPLOAD:
                        raise HTTPException(413, f"uploads are limited to "
                                                 f"{MAX_UPLOAD // 2**20} MB at once")
                    out.write(chunk)
        requests, skipped = expand([folder], ImportRequest(path=Path(".")))
        if not requests:
            raise HTTPException(400, "none of the files is in a format Veriga knows: "
                                     + "; ".join(f"{p.name}: {why}" for p, why in skipped))
        results = web.ws.import_files(case, requests, handling=handling)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return request.app.state.render(request, web, "files.html", sources=web.ws.sources(case),
                                    formats=FORMATS, results=results,
                                    skipped=[(p.name, why) for p, why in skipped])


MEDIA = {"ftm": "application/x-ndjson", "ftm-core": "application/x-ndjson",
         "gexf": "application/xml", "cypher": "text/plain",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "anx": "application/xml"}


@router.get("/cases/{case}/export", tags=["files"], responses={
    200: {"description": "the export file", "content": {m: {} for m in MEDIA.values()}},
    **errors(*CASE)})
def export(case: str, web: Current, format: str = "ftm", for_court: bool = False
           ) -> Response:
    """The case's entities as FtM, FtM-core, GEXF, Cypher or XLSX (handling codes apply)."""
    if format not in FORMATS:
        raise HTTPException(422, f"format is one of {', '.join(FORMATS)}")
    folder = Path(tempfile.mkdtemp(prefix="veriga-export-"))
    out = folder / f"{case}.{SUFFIX[format]}"
    web.ws.export(case, format, out, for_court=for_court)
    return FileResponse(out, filename=out.name, media_type=MEDIA[format],
                        background=BackgroundTask(shutil.rmtree, folder, True))


VIEW = View("files", "Files", router)
