"""Importers are found through the ``veriga.importers`` registry: one added as a plugin is
detected from a file's content and used, and a wrongly declared one is refused."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from veriga import plugins
from veriga.cli import app
from veriga.errors import ImportFailed
from veriga.ingest import (
    Draft,
    ImportContext,
    Importer,
    ImportRequest,
    detect_format,
    formats,
    get_importer,
    read_file,
)
from veriga.ingest.base import Item

MAGIC = b"PIPES 1\n"


class PipesImporter(Importer):
    """People as ``name|phone`` lines after a ``PIPES 1`` header."""

    name = "tests.pipes"
    version = "1"
    format = "pipes"

    @classmethod
    def detect(cls, path: Path, head: bytes) -> int:
        return 95 if head.startswith(MAGIC) else 0

    def parse(self, ctx: ImportContext) -> Iterator[Item]:
        lines = ctx.path.read_text(encoding="utf-8").splitlines()[1:]
        for lineno, line in enumerate(lines, start=2):
            name, phone = line.split("|")
            draft = Draft("Person", f"pipes-{lineno}", f"line {lineno}")
            draft.add("name", name)
            draft.add("phone", phone)
            yield draft


@pytest.fixture
def pipes() -> Iterator[type[Importer]]:
    plugins.add("importers", "pipes", PipesImporter)
    yield PipesImporter
    plugins.remove("importers", "pipes")


@pytest.fixture
def pipes_file(tmp_path: Path) -> Path:
    path = tmp_path / "people.txt"
    path.write_bytes(MAGIC + "Anna Bērziņa|+37120000001\nIvan Petrov|+37120000002\n"
                     .encode())
    return path


def test_the_built_in_importers_are_found() -> None:
    assert formats() == ["adjson", "bods", "camt", "csv", "ftm", "goaml", "html", "mt940", "warc",
                         "xlsx"]
    assert get_importer("camt").__name__ == "CamtImporter"


def test_an_added_importer_is_detected_and_used(pipes: type[Importer],
                                                pipes_file: Path) -> None:
    assert "pipes" in formats() and get_importer("pipes") is pipes
    assert detect_format(pipes_file) == "pipes"
    result = read_file(ImportRequest(pipes_file))
    assert result.format == "pipes" and result.entities == 2 and not result.rejects


def test_an_added_importer_imports_from_the_command_line(pipes: type[Importer],
                                                         pipes_file: Path,
                                                         env_home: Path) -> None:
    runner = CliRunner()
    done = runner.invoke(app, ["case", "create", "Pipes"], catch_exceptions=False)
    assert done.exit_code == 0, done.output
    done = runner.invoke(app, ["import", str(pipes_file), "--case", "Pipes"],
                         catch_exceptions=False)
    assert done.exit_code == 0, done.output
    assert "as pipes" in done.output
    done = runner.invoke(app, ["entities", "-c", "Pipes", "--format", "json"],
                         catch_exceptions=False)
    assert "Ivan Petrov" in done.output and "+37120000001" in done.output


def test_once_removed_it_is_unknown_and_the_error_lists_the_known(pipes_file: Path) -> None:
    plugins.add("importers", "pipes", PipesImporter)
    plugins.remove("importers", "pipes")
    with pytest.raises(ImportFailed,
                       match="unknown format 'pipes'; known: adjson, bods, camt, csv"):
        get_importer("pipes")
    assert detect_format(pipes_file) == "csv"  # any text looks like a CSV


def test_an_importer_must_be_named_by_its_format() -> None:
    plugins.add("importers", "pipe", PipesImporter)
    try:
        with pytest.raises(plugins.PluginError, match="'pipe'.*format 'pipes'"):
            formats()
    finally:
        plugins.remove("importers", "pipe")


def test_an_importer_must_be_an_importer_class() -> None:
    plugins.add("importers", "pipes", object())
    try:
        with pytest.raises(plugins.PluginError, match="not an Importer class"):
            get_importer("camt")
    finally:
        plugins.remove("importers", "pipes")
