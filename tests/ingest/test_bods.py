import json

from veriga.ingest import ImportRequest

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
