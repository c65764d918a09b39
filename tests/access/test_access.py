import json

import pytest

from veriga import analysis, plugins
from veriga.errors import NotFound
from veriga.findings import N_, Evidence, Finding, ReviewState, Text
from veriga.ingest import ImportRequest
from veriga.workspace import PermissionDenied, PurposeRequired


def test_another_agency_cannot_reach_the_case_until_it_is_shared(agencies, tmp_path):
    mart = agencies["mart"]
    assert mart.cases.list() == []
    for attempt in (lambda: list(mart.entities.list("amber")), lambda: mart.entities.get("amber",
                                                                                         "p-ivan"),
                    lambda: mart.exports.write("amber", "ftm", tmp_path / "x.json"),
                    lambda: mart.findings.list("amber"), lambda: mart.records.sources("amber")):
        with pytest.raises(NotFound, match="that you can access"):
            attempt()
    agencies["liga"].cases.share("amber", "Politsei")
    assert [c["name"] for c in mart.cases.list()] == ["amber"]
    assert mart.entities.get("amber", "p-ivan").entity.first("name") == "Иван Петров"


def test_sharing_selected_entities_shows_only_those(agencies):
    agencies["liga"].cases.share("amber", "Politsei", ["p-ivan", "a-ivan"])
    assert {e.id for e in agencies["mart"].entities.list("amber")} == {"p-ivan", "a-ivan"}
    with pytest.raises(NotFound):
        agencies["mart"].entities.get("amber", "p-anna")


def test_ngo_sees_victims_pseudonymised(agencies):
    agencies["liga"].cases.share("amber", "Safe House")
    ilze = agencies["ilze"]
    people = {e.id: e for e in ilze.entities.list("amber", ["Person"])}
    assert "p-anna" not in people and "p-ivan" not in people
    victim = next(e for e in people.values() if e.first("name").startswith("Victim"))
    assert victim.get("phone") == [] and victim.get("birthDate") == []
    assert victim.get("nationality") == ["lv"]
    employment = next(iter(ilze.entities.list("amber", ["Employment"])))
    assert employment.get("employee") == [victim.id]  # links follow the pseudonym
    view = ilze.entities.get("amber", victim.id)
    assert all("Anna" not in json.dumps(s, default=str) for s in view.statements)
    text = json.dumps([e.to_dict() for e in ilze.entities.list("amber")], ensure_ascii=False)
    assert "Anna Ozola" not in text and "2001-07-30" not in text and "p-anna" not in text
    # suspects are hidden too, until the case owner allows it
    assert not any(e.first("name") == "Иван Петров" for e in people.values())
    agencies["liga"].cases.configure("amber", ngo_sees_suspects=True)
    names = {e.first("name") for e in ilze.entities.list("amber", ["Person"])}
    assert "Иван Петров" in names and "Anna Ozola" not in names


def test_ngo_sees_unresolved_records_of_a_victim_pseudonymised(agencies, tmp_path):
    """A booking under the victim's name (any case) or phone is not resolved into her entity
    yet; the NGO sees it pseudonymised too. A different person stays as she is."""
    path = tmp_path / "bookings.ftm.json"
    path.write_text(
        '{"id": "b1", "schema": "Person", "properties": {"name": ["ANNA OZOLA"]}}\n'
        '{"id": "b2", "schema": "Person", "properties": {"name": ["A. O."], '
        '"phone": ["+37120000001"]}}\n'
        '{"id": "b3", "schema": "Person", "properties": {"name": ["Kadri Tamm"]}}\n',
        encoding="utf-8")
    liga = agencies["liga"]
    phone = liga.entities.get("amber", "p-anna").entity.first("phone")
    path.write_text(path.read_text(encoding="utf-8").replace("+37120000001", phone),
                    encoding="utf-8")
    liga.records.import_files("amber", [ImportRequest(path)])
    liga.cases.share("amber", "Safe House")
    names = [e.first("name") for e in agencies["ilze"].entities.list("amber", ["Person"])]
    assert "Kadri Tamm" in names
    assert not {"ANNA OZOLA", "A. O.", "Anna Ozola"} & set(names)
    victims = [name for name in names if name.startswith("Victim ")]
    assert len(victims) == 3 and len(set(victims)) == 1  # one pseudonym for one person
    assert liga.entities.get("amber", "b1").entity.first("name") == "ANNA OZOLA"


def test_ngo_reads_findings_without_the_names_of_protected_people(agencies):
    liga = agencies["liga"]
    text = Text(N_("Wages went to %(who)s."), {"who": "ANNA OZOLA (LV00TEST)"})
    finding = Finding(kind="R3", score=0.9, title="Paid to Anna Ozola", explanation=str(text),
                      message=text, evidence=Evidence(entity_ids=["p-anna"]), detector="t",
                      detector_version="1")
    with liga.store.begin() as conn:
        liga.store.save_findings(conn, liga.cases.get("amber")["id"], [finding])
    liga.cases.share("amber", "Safe House")
    [seen] = agencies["ilze"].findings.list("amber")
    shown = " ".join([seen.title, seen.explanation, seen.text(), seen.heading()])
    assert "anna ozola" not in shown.lower() and "Victim " in seen.text()
    assert "LV00TEST" in seen.text() and "p-anna" not in seen.evidence.entity_ids
    assert "ANNA OZOLA" in liga.findings.list("amber")[0].text()
    # a reviewer's reason is text a person typed: minimised as any other
    liga.findings.review("amber", finding.id, ReviewState.CONFIRMED, "Anna Ozola said so")
    [seen] = agencies["ilze"].findings.list("amber")
    assert "Anna" not in (seen.review.reason or "") and "said so" in (seen.review.reason or "")


def test_ngo_never_sees_special_categories(agencies, tmp_path):
    path = tmp_path / "p.ftm.json"
    path.write_text('{"id": "w1", "schema": "Person", "properties": {"name": ["Kadri Tamm"], '
                    '"ethnicity": ["Roma"], "religion": ["x"], "nationality": ["ee"]}}\n',
                    encoding="utf-8")
    from veriga.ingest import ImportRequest

    agencies["liga"].records.import_files("amber", [ImportRequest(path)])
    agencies["liga"].cases.share("amber", "Safe House")
    seen = agencies["ilze"].entities.get("amber", "w1")
    assert seen.entity.get("ethnicity") == [] and seen.entity.get("religion") == []
    assert {s["prop"] for s in seen.statements} >= {"name", "nationality"}
    assert "ethnicity" not in {s["prop"] for s in seen.statements}
    assert agencies["liga"].entities.get("amber", "w1").entity.get("ethnicity") == ["Roma"]


def test_ngo_may_not_export(agencies, tmp_path):
    agencies["liga"].cases.share("amber", "Safe House")
    with pytest.raises(PermissionDenied, match="ngo_worker"):
        agencies["ilze"].exports.write("amber", "ftm", tmp_path / "x.json")


def test_personal_data_needs_a_purpose(agencies):
    no_purpose = agencies["admin"].as_user("liga")
    with pytest.raises(PurposeRequired):
        list(no_purpose.entities.list("amber"))
    assert [c["name"] for c in no_purpose.cases.list()] == ["amber"]


def test_who_looked_at_the_victim_when_and_why(agencies):
    agencies["liga"].cases.share("amber", "Safe House")
    agencies["liga"].entities.get("amber", "p-anna")
    list(agencies["ilze"].entities.list("amber"))
    agencies["admin"].directory.add_user("dpo", "Valsts policija", ["dpo"])
    dpo = agencies["admin"].as_user("dpo", purpose="data-protection review")
    entries = dpo.audit.who_accessed("amber", "p-anna")
    seen = {(e["actor"], e["action"], e["purpose"]) for e in entries}
    assert ("liga", "entity.read", "investigation LV-2026-17") in seen
    assert ("ilze", "entity.list", "victim support") in seen
    with pytest.raises(PermissionDenied):
        agencies["liga"].audit.who_accessed("amber", "p-anna")


def test_trainees_only_join_training_cases(agencies):
    admin = agencies["admin"]
    admin.directory.add_user("tina", "Valsts policija", ["trainee"])
    with pytest.raises(PermissionDenied, match="training cases only"):
        agencies["liga"].cases.add_member("amber", "tina")
    admin.directory.add_user("tom", "Valsts policija", ["trainer"])
    tom = admin.as_user("tom", purpose="course")
    with pytest.raises(PermissionDenied, match="training"):
        tom.cases.create("real one")
    from veriga.access.roles import CaseKind

    tom.cases.create("exercise 1", kind=CaseKind.TRAINING)
    tom.cases.add_member("exercise 1", "tina")
    assert [c["name"] for c in admin.as_user("tina").cases.list()] == ["exercise 1"]


def test_who_accessed_includes_the_import_that_brought_the_record(agencies):
    agencies["admin"].directory.add_user("dpo2", "Valsts policija", ["dpo"])
    dpo = agencies["admin"].as_user("dpo2", purpose="review")
    entries = dpo.audit.who_accessed("amber", "p-anna")
    assert entries[0]["action"] == "import" and entries[0]["actor"] == "liga"


class Flag(analysis.Family):
    """A family flagging every person of the case, counting its runs."""

    name = "flag"
    title = "Flag"
    prefix = "veriga.flag."
    schemata = ("Person",)
    record_kinds = ()
    detectors = (analysis.Detector("flag.person", "A person", "victim", "test", "docs/x.md#y"),)
    runs = 0

    def run(self, inputs, params, progress=None):
        self.runs += 1
        found = [Finding(kind="flag.person", score=0.9, title="A person", explanation="seen",
                         evidence=Evidence(entity_ids=[p.id]), detector="veriga.flag.p",
                         detector_version="1") for p in inputs.entities(self.schemata)]
        return analysis.Run(self.name, found)


@pytest.fixture
def flag():
    fam = Flag()
    plugins.add("analyses", "flag", fam)
    yield fam
    plugins.remove("analyses", "flag")


def test_a_run_is_stored_only_from_a_view_of_the_whole_case(agencies, flag):
    """An NGO's analyst sees the case minimised: a stored run of hers would name victims by
    pseudonym and replace the investigators' unreviewed findings, so it is refused before
    anything runs; without storing it runs as she sees the case. A share of selected
    records, or records withheld by handling codes, are refused alike."""
    liga, admin = agencies["liga"], agencies["admin"]
    liga.analyses.run("amber", only=["flag"])
    stored = {f.id: f.evidence.entity_ids for f in liga.findings.list("amber", "flag.person")}
    assert ["p-anna"] in stored.values()
    admin.directory.add_user("sanna", "Safe House", ["analyst"])
    liga.cases.share("amber", "Safe House")
    sanna = admin.as_user("sanna", purpose="victim support analysis")
    flag.runs = 0
    with pytest.raises(PermissionDenied, match="minimised.*--no-save"):
        sanna.analyses.run("amber", only=["flag"])
    assert flag.runs == 0  # refused before any work
    with pytest.raises(PermissionDenied, match="minimised"):
        sanna.findings.save("amber", [Finding(kind="flag.person", score=0.5, title="x",
                                              explanation="x", detector="veriga.flag.p",
                                              detector_version="1",
                                              evidence=Evidence(entity_ids=["p-ivan"]))])
    seen = sanna.analyses.run("amber", only=["flag"], save=False)["flag"].findings
    assert any(f.evidence.entity_ids[0].startswith("pseudo-") for f in seen)
    assert {f.id: f.evidence.entity_ids
            for f in liga.findings.list("amber", "flag.person")} == stored


def test_a_partial_view_stores_no_run(agencies, flag):
    liga, mart = agencies["liga"], agencies["mart"]
    liga.cases.share("amber", "Politsei", ["p-ivan", "a-ivan"])
    with pytest.raises(PermissionDenied, match="selected records"):
        mart.analyses.run("amber", only=["flag"])
    liga.cases.share("amber", "Politsei")
    liga.entities.set_handling("amber", "p-anna", "H3", ["Valsts policija"], "LV only")
    with pytest.raises(PermissionDenied, match="handling codes"):
        mart.analyses.run("amber", only=["flag"])
    assert flag.runs == 0
    assert len(mart.analyses.run("amber", only=["flag"], save=False)["flag"].findings) >= 1
    liga.analyses.run("amber", only=["flag"])  # the owner sees it whole
    assert flag.runs == 2
