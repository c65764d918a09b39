"""The views of the application. A view is one module with a ``router`` (its pages and API
calls) and a ``VIEW`` entry, declared in the ``veriga.views`` entry-point group
(:mod:`veriga.plugins`). Views are included, and shown in a case's navigation, in the order
of :attr:`View.order`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter

from veriga import plugins


@dataclass(frozen=True)
class View:
    name: str  # url segment under /cases/{case}/, "" for the dashboard
    label: str  # translated in the template
    router: APIRouter
    nav: bool = True
    #: Place in the navigation and in the order routers are included (lowest first).
    order: int | None = None
    #: The letter that, after "g", opens the view from the keyboard (one per view).
    key: str | None = None
    #: Makes what the view shows of the whole case, ``prepare(web, case)``, kept for every
    #: server process: called in the background after the case changes
    #: (:mod:`veriga.web.prepared`), so that no reader waits for it.
    prepare: Callable[[Any, str], None] | None = None


def back_to(case: str, back: str, default: str) -> str:
    """Where a form sends the user after a change: ``back`` if it is a page of this case
    (nothing else: no other site, no other case), else ``default``."""
    parts = urlsplit(back)
    if parts.scheme or parts.netloc or not parts.path.startswith(f"/cases/{case}/") \
            or "\\" in back:
        return default
    return back


def views() -> list[View]:
    """Every view (installed and added in-process), in their order."""
    found: list[View] = []
    for name, view in plugins.load("views").items():
        if not isinstance(view, View):
            raise plugins.PluginError(f"view {name!r} is {view!r}, not a View")
        if view.order is None:
            raise plugins.PluginError(f"view {name!r} declares no order")
        if view.key is not None and (len(view.key) != 1 or not view.key.islower()):
            raise plugins.PluginError(f"view {name!r}: its key {view.key!r} is not one "
                                      "lower-case letter")
        taken = next((v.name for v in found if view.key and v.key == view.key), None)
        if taken is not None:
            raise plugins.PluginError(f"views {taken!r} and {name!r} both take key {view.key!r}")
        found.append(view)
    return sorted(found, key=lambda v: (v.order or 0, v.name))


def __getattr__(name: str) -> Any:
    if name == "VIEWS":  # loaded when first asked for: the views import this module
        return views()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
