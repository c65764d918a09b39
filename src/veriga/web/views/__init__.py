"""The views of the application. A view is one module with a ``router`` (its pages and API
calls) and, if it shows in a case's navigation, a ``View`` entry; register it here."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter


@dataclass(frozen=True)
class View:
    name: str  # url segment under /cases/{case}/, "" for the dashboard
    label: str  # translated in the template
    router: APIRouter
    nav: bool = True


def _views() -> list[View]:
    from veriga.web.views import (
        auth,
        cases,
        chain,
        entities,
        files,
        findings,
        money,
        network,
        places,
        report,
        timeline,
    )

    return [auth.VIEW, cases.VIEW, chain.VIEW, entities.VIEW, network.VIEW, timeline.VIEW,
            places.VIEW, money.VIEW, findings.VIEW, report.VIEW, files.VIEW]


VIEWS: list[View] = _views()
