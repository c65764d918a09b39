"""The entry-point registries: every importer, exporter and web view in the repository is
declared (none can be forgotten), and a broken plugin is an error that names it."""

from __future__ import annotations

import importlib
import pkgutil
from importlib.metadata import EntryPoint
from types import ModuleType

import pytest

from veriga import plugins
from veriga.export import Exporter
from veriga.ingest import Importer
from veriga.web.views import View


def _modules(package: str) -> list[ModuleType]:
    root = importlib.import_module(package)
    found = [root]
    for info in pkgutil.walk_packages(root.__path__, prefix=f"{package}."):
        found.append(importlib.import_module(info.name))
    return found


def _declared(kind: str) -> dict[str, str]:
    return plugins.entry_point_names(kind)


def test_every_importer_class_is_declared() -> None:
    found = {}
    for module in _modules("veriga.ingest"):
        for attr, obj in vars(module).items():
            if (isinstance(obj, type) and issubclass(obj, Importer)
                    and obj.__module__ == module.__name__ and hasattr(obj, "format")):
                found[obj.format] = f"{module.__name__}:{attr}"
    assert len(found) >= 6  # camt, mt940, csv, xlsx, ftm, bods at least
    assert found == _declared("importers"), \
        'declare each importer under [project.entry-points."veriga.importers"]'


def test_every_exporter_object_is_declared() -> None:
    found: dict[str, Exporter] = {}
    for module in _modules("veriga.export"):
        for obj in vars(module).values():
            if isinstance(obj, Exporter):
                assert found.setdefault(obj.name, obj) is obj, f"two exporters {obj.name!r}"
    assert {"ftm", "ftm-core", "gexf", "cypher", "anx", "xlsx"} <= set(found)
    assert set(found) == set(_declared("exporters")), \
        'declare each exporter under [project.entry-points."veriga.exporters"]'
    loaded = plugins.load("exporters")
    assert all(loaded[name] is obj for name, obj in found.items())


def test_every_view_module_is_declared() -> None:
    found = {}
    for module in _modules("veriga.web.views"):
        if isinstance(vars(module).get("VIEW"), View):
            found[module.__name__.rsplit(".", 1)[1]] = f"{module.__name__}:VIEW"
    assert len(found) >= 11
    assert found == _declared("views"), \
        'declare each view under [project.entry-points."veriga.views"]'


def test_the_declared_plugins_load() -> None:
    assert set(plugins.load("importers")) == set(_declared("importers"))
    assert set(plugins.load("exporters")) == set(_declared("exporters"))
    assert set(plugins.load("views")) == set(_declared("views"))


@pytest.fixture
def fresh_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """Registries loaded anew within the test (and the real ones back afterwards)."""
    monkeypatch.setattr(plugins, "_loaded", {})


def _entry_points(*points: EntryPoint):  # type: ignore[no-untyped-def]
    def fake(group: str) -> list[EntryPoint]:
        return [p for p in points if p.group == group]
    return fake


def test_a_broken_entry_point_is_an_error_naming_it(
        fresh_registry: None, monkeypatch: pytest.MonkeyPatch) -> None:
    good = EntryPoint("ftm", "veriga.export.ftm:FTM", "veriga.exporters")
    broken = EntryPoint("pdf", "veriga_missing_plugin.export:PDF", "veriga.exporters")
    monkeypatch.setattr(plugins, "entry_points", _entry_points(good, broken))
    with pytest.raises(plugins.PluginError) as caught:
        plugins.load("exporters")
    message = str(caught.value)
    assert "'pdf'" in message and "veriga_missing_plugin.export:PDF" in message
    assert "veriga.exporters" in message


def test_a_missing_attribute_is_an_error_naming_it(
        fresh_registry: None, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = EntryPoint("camt", "veriga.ingest.camt:NoSuchImporter", "veriga.importers")
    monkeypatch.setattr(plugins, "entry_points", _entry_points(broken))
    with pytest.raises(plugins.PluginError, match="'camt'.*NoSuchImporter"):
        plugins.load("importers")


def test_two_plugins_of_one_name_are_an_error(
        fresh_registry: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plugins, "entry_points", _entry_points(
        EntryPoint("ftm", "veriga.export.ftm:FTM", "veriga.exporters"),
        EntryPoint("ftm", "veriga.export.graph:GEXF", "veriga.exporters")))
    with pytest.raises(plugins.PluginError, match="two plugins named 'ftm'"):
        plugins.load("exporters")


def test_an_unknown_group_is_an_error() -> None:
    with pytest.raises(plugins.PluginError, match="no plugin group 'widgets'"):
        plugins.load("widgets")
