"""The analysis families' registry: families plug in through entry points (or plugins.add),
describe their detectors, and each replaces only its own unreviewed findings."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from veriga import analysis, plugins
from veriga.chain.stages import chain
from veriga.findings import Evidence, Finding, ReviewState
from veriga.workspace import Workspace


class Echo(analysis.Family):
    """A family that flags every Person of the case, for the tests."""

    name = "echo"
    title = "Echo"
    prefix = "veriga.echo."
    schemata = ("Person",)
    record_kinds = ()
    detectors = (analysis.Detector("echo.person", "A person", "victim", "test", "docs/x.md"),)

    def run(self, inputs: analysis.Inputs, params: Any,
            progress: analysis.Progress | None = None) -> analysis.Run:
        found = [Finding(kind="echo.person", score=0.9, title="A person", explanation="seen",
                         evidence=Evidence(entity_ids=[p.id or ""]), detector="veriga.echo.p",
                         detector_version="1") for p in inputs.entities(self.schemata)]
        return analysis.Run(self.name, found, notes=[f"{len(found)} people"])

    def evaluate(self, run: analysis.Run, truth: Mapping[str, Any]) -> list[analysis.Score]:
        people = {p["id"] for p in truth.get("people", [])}
        flagged = {f.evidence.entity_ids[0] for f in run.findings}
        return [analysis.Score("echo.person", len(people), len(people & flagged), len(flagged),
                               len(people & flagged))]


@pytest.fixture
def echo() -> Iterator[Echo]:
    fam = Echo()
    plugins.add("analyses", "echo", fam)
    yield fam
    plugins.remove("analyses", "echo")


def test_finance_is_installed_as_a_family() -> None:
    families = analysis.families()
    assert "finance" in families
    finance = families["finance"]
    kinds = {d.kind for d in finance.detectors}
    assert {f"R{i}" for i in range(1, 14)} | {"shape.cycle", "proceeds"} <= kinds
    assert all(p.doc for p in finance.describe_params()), "every parameter is documented"


def test_every_detector_describes_itself_and_its_stage_follows_its_role() -> None:
    for kind, det in analysis.detectors().items():
        assert det.kind == kind and det.title and det.citation
        assert det.docs.startswith("docs/") and "#" in det.docs
        if det.role is None:  # about no one stage of the chain (a proposed match)
            assert det.stage is None and analysis.stage_of(kind) is None
            continue
        assert det.stage == analysis.ROLE_STAGE[det.role] in analysis.STAGES
        assert analysis.stage_of(kind) == det.stage


def test_a_plugin_that_is_not_a_family_is_refused() -> None:
    plugins.add("analyses", "bogus", object())
    try:
        with pytest.raises(plugins.PluginError, match="bogus"):
            analysis.families()
    finally:
        plugins.remove("analyses", "bogus")


def test_two_families_may_not_share_a_kind(echo: Echo) -> None:
    class Twin(Echo):
        name = "twin"
        prefix = "veriga.twin."

    plugins.add("analyses", "twin", Twin())
    try:
        with pytest.raises(plugins.PluginError, match="echo.person"):
            analysis.families()
    finally:
        plugins.remove("analyses", "twin")


def test_params_file_has_a_section_per_family(tmp_path, echo: Echo) -> None:
    path = tmp_path / "p.yml"
    path.write_text("finance: {r5: {threshold: 15000}}\n", encoding="utf-8")
    params = analysis.family_params(analysis.chosen(None), path)
    assert str(params["finance"].r5.threshold) == "15000" and params["echo"] is None
    path.write_text("r5: {threshold: 15000}\n", encoding="utf-8")
    with pytest.raises(Exception, match="no analysis family 'r5'"):
        analysis.family_params(analysis.chosen(None), path)
    path.write_text("finance: {r5: {nonsense: 1}}\n", encoding="utf-8")
    with pytest.raises(Exception, match="nonsense"):
        analysis.family_params(analysis.chosen(["finance"]), path)


def test_each_family_replaces_only_its_own_unreviewed_findings(sqlite_ws: Workspace,
                                                                examples, echo: Echo) -> None:
    from veriga.ingest import ImportRequest

    ws = sqlite_ws
    ws.cases.create("c")
    ws.records.import_files("c", [ImportRequest(examples["people"])])
    other = Finding(kind="R1", score=0.7, title="kept", explanation="another family's",
                    evidence=Evidence(entity_ids=["p-ivan"]), detector="veriga.finance.R1",
                    detector_version="1")
    ws.findings.save("c", [other])
    runs = ws.analyses.run("c", only=["echo"])
    assert set(runs) == {"echo"} and runs["echo"].notes
    echoed = [f for f in ws.findings.list("c") if f.kind == "echo.person"]
    assert echoed and {f.id for f in ws.findings.list("c", "R1")} == {other.id}
    ws.findings.review("c", echoed[0].id, ReviewState.CONFIRMED, "checked by hand")
    ws.analyses.run("c", only=["echo"])
    again = {f.id: f for f in ws.findings.list("c", "echo.person")}
    assert again[echoed[0].id].review.state is ReviewState.CONFIRMED
    assert len(again) == len(echoed)
    assert other.id in {f.id for f in ws.findings.list("c")}


def test_chain_views_place_a_finding_where_its_detector_says(sqlite_ws: Workspace, examples,
                                                            echo: Echo) -> None:
    from veriga.ingest import ImportRequest

    ws = sqlite_ws
    ws.cases.create("c")
    ws.records.import_files("c", [ImportRequest(examples["people"])])
    ws.analyses.run("c", only=["echo"])
    findings = ws.findings.list("c")
    stages = {s.name: s for s in chain(findings, ws.entities.count("c"))}
    # the echo detector's role is "victim": recruitment, wherever a view asks
    assert [f.kind for f in stages["recruitment"].findings] == ["echo.person"] * len(findings)
    assert not stages["proceeds"].findings
