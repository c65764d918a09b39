"""The FastAPI application: pages, the JSON API (OpenAPI at /api/openapi.json), security."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from veriga import __version__
from veriga.access.auth import SECURITY_HEADERS
from veriga.access.minimise import Minimiser
from veriga.config import Settings, load_settings
from veriga.errors import NotFound, VerigaError
from veriga.store import Store
from veriga.web import collector, prepared, pseudonyms
from veriga.web.i18n import LANGUAGES, key_label, labels, locator, reason, translations
from veriga.web.session import UNSAFE, Web
from veriga.web.views import views
from veriga.workspace import PermissionDenied, PurposeRequired
from veriga.workspace.workers import WorkerPool

HERE = Path(__file__).parent


@cache
def templates(lang: str) -> Jinja2Templates:
    """The page templates in ``lang``: one environment per language, so that requests served at
    the same time in different languages never share an installed catalog."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"),
                             autoescape=True, extensions=["jinja2.ext.i18n"])
    trans = translations(lang)
    # added to the environment by the i18n extension at run time, unknown to its type
    env.install_gettext_translations(trans, newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(
        tr=trans.gettext,  # a text from the code (a finding's title, a stage), no formatting
        explain=lambda f: f.text(trans.gettext, lang),  # a finding's explanation
        heading=lambda f: f.heading(trans.gettext, lang),  # a finding's title
        schema_label=labels(lang).schema,  # an FtM schema by its translated label
        prop_label=labels(lang).value,  # a property of a schema by its translated label
        money=labels(lang).money,  # an amount with its currency, in the locale's format
        locator=lambda text: locator(lang, text),  # where a value was read: "line 4"
        reason=lambda text: reason(lang, text),  # why an import rejected a value
        key_label=lambda key_type: key_label(lang, key_type),  # a finding's key: "IBAN"
    )
    return Jinja2Templates(env=env)


def _browser_language(request: Request) -> str:
    """The first of the browser's languages the interface has (for pages before login)."""
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return "en"


def is_api(request: Request) -> bool:
    """Whether the request is for the JSON API, or for a download the API schema describes
    (an export, the report PDF) by a program rather than a browser: such requests get JSON
    errors and 401 or 428, never a redirect to the login or purpose page."""
    if request.url.path.startswith("/api/"):
        return True
    route = request.scope.get("route")
    described = route is not None and getattr(route, "include_in_schema", False)
    return bool(described) and "text/html" not in request.headers.get("accept", "")


def render(request: Request, web: Web | None, name: str, status: int = 200,
           **context: Any) -> HTMLResponse:
    """A page in the user's language, with the CSRF token, navigation and case."""
    lang = web.lang if web else _browser_language(request)
    case = request.path_params.get("case")
    context.update(request=request, web=web, lang=lang, languages=LANGUAGES,
                   csrf=web.csrf if web else "", case=case,
                   nav=[v for v in request.app.state.views if v.nav and case],
                   version=__version__)
    return templates(lang).TemplateResponse(request, name, context, status_code=status)


TEXTUAL = ("text/", "application/json", "application/x-ndjson", "application/xml",
           "application/javascript", "image/svg+xml")


async def minimise_response(response: Response, minimisers: Iterable[Minimiser],
                            lang: str = "en") -> Response:
    """``response`` with its text minimised by each of ``minimisers`` (unchanged if none),
    and the pseudonyms it then holds written in ``lang``."""
    minimisers = list(minimisers)
    media = response.headers.get("content-type", "")
    if not minimisers or not media.startswith(TEXTUAL):
        return response
    # a middleware's response streams (``body_iterator``), which the Response type leaves out
    chunks = [chunk async for chunk in response.body_iterator]  # type: ignore[attr-defined]
    text = b"".join(c if isinstance(c, bytes) else c.encode() for c in chunks) \
        .decode(response.charset or "utf-8", errors="replace")
    text = pseudonyms.for_reader(text, minimisers, lang)
    headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
    if response.background is not None:
        await response.background()
    return Response(text.encode("utf-8"), status_code=response.status_code, headers=headers)


def create_app(settings: Settings | None = None, store: Store | None = None) -> FastAPI:
    """The application for one workspace (its SQL store and Parquet files)."""
    settings = settings or load_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if collector.wanted():  # a server process keeps large values: out of the full scans
            collector.install()
        yield
        app.state.workers.close()

    app = FastAPI(title="Veriga", version=__version__, docs_url="/api/docs",
                  redoc_url=None, openapi_url="/api/openapi.json", lifespan=lifespan)
    app.state.settings = settings
    #: worker processes for the heavy work started from the browser (from the first task)
    app.state.workers = WorkerPool(settings)
    #: the whole-case views made ahead after a change (:mod:`veriga.web.prepared`)
    app.state.prepare = prepared.enabled()
    app.state.store = store or Store(settings.database_url)
    app.state.render = render
    app.state.views = views()
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        response = await call_next(request)
        for key, value in SECURITY_HEADERS.items():
            response.headers.setdefault(key, value)
        return response

    @app.middleware("http")
    async def minimised_responses(request: Request, call_next: Any) -> Response:
        """The last step of the one minimisation path: a restricted reader's response, if it
        is text (a page, JSON, an export), leaves only with every protected value replaced,
        whichever view produced it."""
        response = await call_next(request)
        ws = getattr(request.state, "ws", None)
        return await minimise_response(response, ws.minimisers.values() if ws else (),
                                       getattr(request.state, "lang", "en"))

    @app.middleware("http")
    async def prepare_views(request: Request, call_next: Any) -> Response:
        """After a change of a case, or a page of a case read: its whole-case views made in
        the background if they are not for its state now (:mod:`veriga.web.prepared`)."""
        response = await call_next(request)
        ws = getattr(request.state, "ws", None)
        case = request.scope.get("path_params", {}).get("case")
        if (app.state.prepare and ws is not None and ws.purpose and case
                and response.status_code < 400
                and (request.method in UNSAFE or not is_api(request))):
            lang = getattr(request.state, "lang", "en")
            before = response.background

            async def then() -> None:  # once the response is sent
                if before is not None:
                    await before()
                await run_in_threadpool(prepared.after, app.state.workers, ws, case, lang)

            response.background = BackgroundTask(then)
        return response

    from veriga.web.session import LoginRequired

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        if is_api(request):
            return JSONResponse({"detail": "log in first"}, status_code=401)
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)

    @app.exception_handler(PurposeRequired)
    async def purpose_required(request: Request, exc: PurposeRequired) -> Response:
        case = request.path_params.get("case", "")
        if is_api(request):
            return JSONResponse({"detail": str(exc)}, status_code=428)
        return RedirectResponse(f"/cases/{case}/open?next={request.url.path}",
                                status_code=303)

    def _error(status: int) -> Any:
        async def handler(request: Request, exc: Exception) -> Response:
            detail = exc.detail if isinstance(exc, HTTPException) else str(exc)
            if is_api(request):
                return JSONResponse({"detail": detail}, status_code=status)
            return render(request, None, "error.html", status=status, status_code=status,
                          detail=detail)
        return handler

    app.add_exception_handler(PermissionDenied, _error(403))
    app.add_exception_handler(NotFound, _error(404))
    app.add_exception_handler(VerigaError, _error(400))

    for view in app.state.views:
        app.include_router(view.router)
    return app
