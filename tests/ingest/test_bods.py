import json
from pathlib import Path

import pytest
from followthemoney.util import make_entity_id

from veriga.ingest import ImportRequest
from veriga.ingest.registry import detect_format

V04 = [
    {"statementId": "s1", "recordId": "entity-1", "recordType": "entity",
     "recordDetails": {"entityType": {"type": "registeredEntity"}, "name": "Nordbuild OÜ",
                       "jurisdiction": {"code": "EE"},
                       "identifiers": [{"id": "14567897", "scheme": "EE-RIK"}],
                       "foundingDate": "2024-05-01"}},
    {"statementId": "s2", "recordId": "person-1", "recordType": "person",
     "recordDetails": {"names": [{"type": "legal", "fullName": "Ivans Petrovs"}],
                       "nationalities": [{"code": "LV"}], "birthDate": "1980-01-02"}},
    {"statementId": "s3", "recordId": "rel-1", "recordType": "relationship",
     "recordDetails": {"subject": "entity-1", "interestedParty": "person-1",
                       "interests": [{"type": "shareholding", "share": {"exact": 100}}]}},
    {"statementId": "s4", "recordId": "rel-2", "recordType": "relationship",
     "recordDetails": {"subject": "entity-1", "interestedParty": "person-1",
                       "interests": [{"type": "board-member", "startDate": "2024-05-01"}]}},
    {"statementId": "s5", "recordType": "annotation"},
]

V03 = [
    {"statementId": "e1", "statementType": "entityStatement", "name": "Baltic Staff SIA",
     "incorporatedInJurisdiction": {"code": "LV"}},
    {"statementId": "p1", "statementType": "personStatement",
     "names": [{"fullName": "Anna Ozola"}]},
    {"statementId": "o1", "statementType": "ownershipOrControlStatement",
     "subject": {"describedByEntityStatement": "e1"},
     "interestedParty": {"describedByPersonStatement": "p1"},
     "interests": [{"type": "shareholding"}]},
]


def test_bods_becomes_companies_people_and_links(sqlite_ws, tmp_path):
    path = tmp_path / "register.json"
    path.write_text(json.dumps(V04), encoding="utf-8")
    sqlite_ws.cases.create("c")
    [result] = sqlite_ws.records.import_files("c", [ImportRequest(path)])
    assert result.format == "bods" and result.entities == 4
    assert [(r.locator, r.field) for r in result.rejects] == [("statement 5", "recordType")]
    by_schema = {e.schema.name: e for e in sqlite_ws.entities.list("c")}
    company, person = by_schema["Company"], by_schema["Person"]
    assert company.get("registrationNumber") == ["14567897"]
    assert person.get("nationality") == ["lv"]
    assert by_schema["Ownership"].get("owner") == [person.id]
    assert by_schema["Ownership"].get("asset") == [company.id]
    assert by_schema["Directorship"].get("organization") == [company.id]


def test_bods_0_3_shape(sqlite_ws, tmp_path):
    path = tmp_path / "old.json"
    path.write_text(json.dumps(V03), encoding="utf-8")
    sqlite_ws.cases.create("c")
    [result] = sqlite_ws.records.import_files("c", [ImportRequest(path)])
    assert result.entities == 3 and not result.rejects
    owner = next(iter(sqlite_ws.entities.list("c", ["Ownership"])))
    assert owner.get("owner") and owner.get("asset")


# -- fixtures of each BODS version: statementID/statementId, ranges of shares ------------

DATA = Path(__file__).parent / "data" / "bods"

# file: {record or statement id: (schema, percentages)}, [(locator, field) of rejects]
FIXTURES = {
    "bods-0.2.json": (
        {"c3a1f2e0-0001-4b6a-9d1e-000000000001": ("Company", set()),
         "c3a1f2e0-0002-4b6a-9d1e-000000000002": ("Person", set()),
         "c3a1f2e0-0003-4b6a-9d1e-000000000003": ("Person", set()),
         # 0.2: the maximum is exclusive unless exclusiveMaximum is false
         "c3a1f2e0-0004-4b6a-9d1e-000000000004": ("Ownership", {"50 to under 75",
                                                                "over 50 to 75"}),
         "c3a1f2e0-0005-4b6a-9d1e-000000000005": ("Ownership", {"25"}),
         "c3a1f2e0-0006-4b6a-9d1e-000000000006": ("Directorship", set()),
         "c3a1f2e0-0008-4b6a-9d1e-000000000008": ("Ownership", set())},
        [("statement 7", "interestedParty"), ("statement 8", "interests[1].share")]),
    "bods-0.3.json": (
        {"ee-entity-0001": ("Company", set()), "ee-entity-0002": ("Company", set()),
         "ee-person-0001": ("Person", set()),
         "ee-ooc-0001": ("Ownership", {"over 25 to under 50"}),
         "ee-ooc-0002": ("Ownership", {"at least 75"}),
         "ee-ooc-0003": ("Directorship", set()),
         "ee-ooc-0004": ("UnknownLink", set()),
         "ee-ooc-0005": ("Ownership", set())},
        [("statement 8", "interests[1].share")]),
    "bods-0.4.json": (
        {"lt-rec-entity-1": ("Company", set()), "lt-rec-person-1": ("Person", set()),
         # 0.4: minimum and maximum are inclusive, the exclusive bounds are numbers
         "lt-rec-rel-1": ("Ownership", {"25 to under 50", "over 25 to 50"}),
         "lt-rec-rel-2": ("Ownership", {"10 to 20"}),
         "lt-rec-rel-3": ("Directorship", set()),
         "lt-rec-rel-5": ("Ownership", set())},
        [("statement 6", "interestedParty"), ("statement 7", "interests[1].share")]),
}


@pytest.mark.parametrize("name", list(FIXTURES))
def test_bods_versions_and_share_ranges(sqlite_ws, name):
    expected, rejects = FIXTURES[name]
    path = DATA / name
    assert detect_format(path) == "bods"
    sqlite_ws.cases.create("c")
    [result] = sqlite_ws.records.import_files("c", [ImportRequest(path)])
    assert [(r.locator, r.field) for r in result.rejects] == rejects
    got = {e.id: (e.schema.name, set(e.get("percentage"))
                  if "percentage" in e.schema.properties else set())
           for e in sqlite_ws.entities.list("c")}
    assert got == {make_entity_id("bods", key): value for key, value in expected.items()}


def test_bods_share_on_a_link_without_percentage_is_kept_in_its_description(sqlite_ws):
    sqlite_ws.cases.create("c")
    sqlite_ws.records.import_files("c", [ImportRequest(DATA / "bods-0.3.json")])
    [link] = sqlite_ws.entities.list("c", ["UnknownLink"])
    assert link.get("description") == ["otherInfluenceOrControl 25 to under 50 %"]


def test_bods_interests_keep_which_share_is_which(sqlite_ws):
    sqlite_ws.cases.create("c")
    sqlite_ws.records.import_files("c", [ImportRequest(DATA / "bods-0.4.json")])
    [rel] = [e for e in sqlite_ws.entities.list("c", ["Ownership"])
             if e.id == make_entity_id("bods", "lt-rec-rel-1")]
    assert rel.get("description") == [
        "shareholding 25 to under 50 %; votingRights over 25 to 50 %"]
    assert set(rel.get("role")) == {"shareholding", "votingRights"}
