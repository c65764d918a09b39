"""The case report as a background job: gathered and rendered in a worker process of the
server (:mod:`veriga.workspace.workers`) as the user who asked for it, the HTML written as
the server writes every page for that reader (protected values withheld, pseudonyms in
the reader's language), kept by ``ws.jobs`` for its owner."""

from __future__ import annotations

from typing import Any

from veriga.reports import build_report, render_html, render_pdf
from veriga.reports.gather import DEFAULT_SECTIONS
from veriga.web import pseudonyms
from veriga.web.i18n import translations


def run_report(ws: Any, job_id: str) -> None:
    """Do a report job (a :data:`veriga.workspace.workers.Task`)."""
    job = ws.jobs.claim(job_id)
    if job is None:
        return
    try:
        gettext = translations(job["lang"]).gettext
        params = job["params"]
        rep = build_report(ws, job["case_id"], gettext, job["lang"],
                           bool(params.get("unreviewed")),
                           sections=params.get("sections", DEFAULT_SECTIONS))
        ws.jobs.step(job_id, "render")
        files = {}
        for name, standalone in (("fragment.html", False), ("report.html", True)):
            text = pseudonyms.for_reader(render_html(rep, standalone=standalone),
                                         ws.minimisers.values(), job["lang"])
            files[name] = text.encode("utf-8")
        ws.jobs.step(job_id, "pdf")
        files["report.pdf"], _pages = render_pdf(rep)
        ws.jobs.finish(job_id, files)
    except Exception as exc:
        ws.jobs.fail(job_id, exc)
        raise
