"""Export formats are found through the ``veriga.exporters`` registry: the built-in ones
write what they did before, and one added as a plugin is used by ``export_entities`` and
offered by the command line."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from veriga import plugins
from veriga.cli import app
from veriga.export import Exporter, HandlingOf, export_entities, exporters, formats
from veriga.model import EntityProxy, model


@dataclass(frozen=True)
class NamesExporter(Exporter):
    """Each entity's caption and handling code, one per line."""

    def write(self, entities: Iterable[EntityProxy], out: Path,
              handling: HandlingOf | None = None) -> int:
        lines = [f"{p.caption}\t{json.dumps(handling(p.id or '')) if handling else '-'}"
                 for p in entities]
        out.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
        return len(lines)


NAMES = NamesExporter("names", "names.txt", "text/plain", "captions, one a line")


@pytest.fixture
def names() -> Iterator[Exporter]:
    plugins.add("exporters", "names", NAMES)
    yield NAMES
    plugins.remove("exporters", "names")


def _person(name: str, entity_id: str) -> EntityProxy:
    proxy = model.make_entity("Person")
    proxy.id = entity_id
    proxy.add("name", name)
    return proxy


def test_the_built_in_formats() -> None:
    assert formats() == ["anx", "cypher", "ftm", "ftm-core", "gexf", "goaml", "xlsx"]
    found = exporters()
    assert {e.suffix for e in found.values()} == {"anx", "cypher", "ftm.json", "gexf",
                                                 "goaml.xml", "xlsx"}
    assert found["ftm"].media_type == "application/x-ndjson"
    assert all(e.description for e in found.values())


def test_an_unknown_format_names_the_known(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown export format 'pdf'; use one of anx, "):
        export_entities([], "pdf", tmp_path / "x" / "out.pdf")
    assert not (tmp_path / "x").exists()


def test_ftm_lines_carry_handling_codes(tmp_path: Path) -> None:
    out = tmp_path / "sub" / "people.ftm.json"
    count = export_entities([_person("Anna", "p-anna")], "ftm", out,
                            handling=lambda eid: {"code": "H2", "id": eid})
    assert count == 1
    line = json.loads(out.read_text(encoding="utf-8"))
    assert line["id"] == "p-anna" and line["handling"] == {"code": "H2", "id": "p-anna"}


def test_xlsx_still_defuses_formulas(tmp_path: Path) -> None:
    out = tmp_path / "case.xlsx"
    assert export_entities([_person('=HYPERLINK("http://x")', "p-1")], "xlsx", out) == 1
    sheet = openpyxl.load_workbook(out).worksheets[0]
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert "'=HYPERLINK(\"http://x\")" in values
    assert not any(isinstance(v, str) and v.startswith("=") for v in values)


def test_an_added_exporter_is_used(names: Exporter, tmp_path: Path) -> None:
    assert "names" in formats()
    out = tmp_path / "people.names.txt"
    count = export_entities([_person("Anna", "p-anna"), _person("Ivan", "p-ivan")], "names",
                            out, handling=lambda eid: {"code": "H1"})
    assert count == 2
    assert out.read_text(encoding="utf-8") == 'Anna\t{"code": "H1"}\nIvan\t{"code": "H1"}\n'


def test_an_added_exporter_is_offered_by_the_command_line(names: Exporter, env_home: Path,
                                                          examples: dict[str, Path],
                                                          tmp_path: Path) -> None:
    runner = CliRunner()
    for args in (["case", "create", "Amber"], ["import", str(examples["people"]), "-c", "Amber"]):
        done = runner.invoke(app, args, catch_exceptions=False)
        assert done.exit_code == 0, done.output
    out = tmp_path / "amber.names.txt"
    done = runner.invoke(app, ["export", "-c", "Amber", "--format", "names", "--out", str(out)],
                         catch_exceptions=False)
    assert done.exit_code == 0, done.output
    assert "(names)" in done.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert any(line.startswith("Иван Петров\t") for line in lines)
    assert all(json.loads(line.split("\t")[1])["codes"] == ["H0"] for line in lines)
    assert (tmp_path / "amber.names.txt.handling.json").exists()


def test_the_command_line_refuses_an_unknown_format(env_home: Path, tmp_path: Path) -> None:
    done = CliRunner().invoke(app, ["export", "-c", "Amber", "--format", "names",
                                    "--out", str(tmp_path / "x")])
    assert done.exit_code != 0
    assert "unknown export format 'names'; use one of anx, cypher, ftm" in done.output


def test_an_exporter_must_be_named_by_its_name() -> None:
    plugins.add("exporters", "nam", NAMES)
    try:
        with pytest.raises(plugins.PluginError, match="'nam' is named 'names'"):
            formats()
    finally:
        plugins.remove("exporters", "nam")
