"""Views and export formats come from the entry-point registries: the navigation keeps its
order, and a view or an exporter added as a plugin shows in the application."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import APIRouter
from fastapi.responses import PlainTextResponse
from fastapi.testclient import TestClient
from webhelpers import Site, log_in, open_case

from veriga import plugins
from veriga.export import Exporter, HandlingOf
from veriga.model import EntityProxy
from veriga.web import create_app
from veriga.web.views import View, views

NAV = ["", "chain", "entities", "network", "ads", "timeline", "map", "money", "findings",
       "resolve", "report", "xref", "activity", "files"]


def _nav(html: str, case: str = "amber") -> list[str]:
    block = html.split('<nav aria-label="', 1)[1].split("</nav>", 1)[0]
    return [m.lstrip("/") for m in re.findall(rf'href="/cases/{case}(/?[\w-]*)"', block)]


def test_views_keep_their_order() -> None:
    # the case navigation in its order; pages outside a case (login, training) stay out of it
    assert [v.name for v in views() if v.nav] == NAV
    assert views()[0].name == "login"
    assert [v.order for v in views()] == sorted(v.order or 0 for v in views())
    assert not views()[0].nav


def test_the_navigation_keeps_its_order(client: TestClient) -> None:
    log_in(client)
    open_case(client, "amber")
    assert _nav(client.get("/cases/amber/files").text) == NAV


extra_router = APIRouter()


@extra_router.get("/cases/{case}/extra", include_in_schema=False)
def extra_page(case: str) -> PlainTextResponse:
    return PlainTextResponse(f"extra view of {case}")


@pytest.fixture
def extra_view() -> Iterator[View]:
    view = View("extra", "Extra", extra_router, order=45)
    plugins.add("views", "extra", view)
    yield view
    plugins.remove("views", "extra")


def test_an_added_view_is_routed_and_shown_in_its_place(site: Site, extra_view: View) -> None:
    with TestClient(create_app(site.settings), base_url="https://testserver") as c:
        log_in(c)
        open_case(c, "amber")
        assert c.get("/cases/amber/extra").text == "extra view of amber"
        nav = _nav(c.get("/cases/amber/files").text)
    assert nav == [*NAV[:4], "extra", *NAV[4:]]


def test_a_view_without_an_order_is_refused() -> None:
    plugins.add("views", "extra", View("extra", "Extra", extra_router))
    try:
        with pytest.raises(plugins.PluginError, match="'extra' declares no order"):
            views()
    finally:
        plugins.remove("views", "extra")


def test_a_view_taking_another_views_key_is_refused() -> None:
    """Each view's keyboard letter ("g" then it) opens one view only."""
    plugins.add("views", "extra", View("extra", "Extra", extra_router, order=45, key="f"))
    try:
        with pytest.raises(plugins.PluginError, match="both take key 'f'"):
            views()
    finally:
        plugins.remove("views", "extra")


@dataclass(frozen=True)
class NamesExporter(Exporter):
    def write(self, entities: Iterable[EntityProxy], out: Path,
              handling: HandlingOf | None = None) -> int:
        captions = [p.caption for p in entities]
        out.write_text("".join(f"{c}\n" for c in captions), encoding="utf-8")
        return len(captions)


@pytest.fixture
def names() -> Iterator[Exporter]:
    exporter = NamesExporter("names", "names.txt", "text/plain", "captions, one a line")
    plugins.add("exporters", "names", exporter)
    yield exporter
    plugins.remove("exporters", "names")


def test_an_added_exporter_is_offered_and_downloaded(client: TestClient, names: Exporter
                                                      ) -> None:
    log_in(client)
    open_case(client, "amber", "disclosure to the prosecutor")
    page = client.get("/cases/amber/files").text
    offered = re.findall(r'data-testid="export-([\w-]+)"', page)
    assert offered == ["anx", "cypher", "ftm", "ftm-core", "gexf", "names", "xlsx"]
    got = client.get("/cases/amber/export", params={"format": "names"})
    assert got.status_code == 200
    assert got.headers["content-type"].startswith("text/plain")
    assert 'filename="amber.names.txt"' in got.headers["content-disposition"]
    assert len(got.text.splitlines()) > 5


def test_suffixes_and_media_types_come_from_the_exporters(client: TestClient) -> None:
    log_in(client)
    open_case(client, "amber", "disclosure to the prosecutor")
    got = client.get("/cases/amber/export", params={"format": "xlsx"})
    assert got.status_code == 200
    assert got.headers["content-type"] == \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="amber.xlsx"' in got.headers["content-disposition"]
    refused = client.get("/cases/amber/export", params={"format": "names"})
    assert refused.status_code == 422 and "anx, cypher, ftm, ftm-core, gexf, xlsx" in refused.text
