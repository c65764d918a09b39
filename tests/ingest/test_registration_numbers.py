"""Registration and VAT numbers checked per country; duplicates and ownership cycles reported."""

import json
import textwrap

import pytest

from veriga.ingest import ImportRequest
from veriga.model.normalize import Rejected
from veriga.model.regnum import COMPANY, VAT, normalize_registration

# valid numbers (check digits computed by the rules of each register) and invalid neighbours
VALID = [
    ("40003000002", "LV", COMPANY, "40003000002"),
    ("LV 4000 3000 002", "LV", VAT, "LV40003000002"),
    ("10000001", "EE", COMPANY, "10000001"),
    ("EE100000007", "EE", VAT, "EE100000007"),
    ("1000000-4", "FI", COMPANY, "10000004"),
    ("fi10000004", "FI", VAT, "FI10000004"),
    ("100000001", "BG", COMPANY, "100000001"),
    ("10000008", "RO", COMPANY, "10000008"),
    ("J40/372/2002", "RO", COMPANY, "J40/372/2002"),
    ("0000123456", "PL", COMPANY, "0000123456"),  # KRS: no check digit
    ("526-000-00-05", "PL", COMPANY, "5260000005"),  # NIP
    ("PL5260000005", "PL", VAT, "PL5260000005"),
    ("LT100000019", "LT", VAT, "LT100000019"),
    ("300000014", "LT", COMPANY, "300000014"),
    ("30000005", "UA", COMPANY, "30000005"),
    ("Aachen HRB 12345", "DE", COMPANY, "Aachen HRB 12345"),
    ("HRB 12345", "DE", COMPANY, "HRB12345"),
    ("EL 094259216", "GR", VAT, "EL094259216"),
    ("  abc 123 ", "XX", COMPANY, "ABC123"),  # a country without rules: compacted only
    ("1234567-8", None, COMPANY, "12345678"),  # no country: compacted as stdnum would
]
INVALID = [
    ("40003000003", "LV", COMPANY, "check digit"),
    ("4000300000", "LV", COMPANY, "length"),
    ("10000002", "EE", COMPANY, "check digit"),
    ("EE100000008", "EE", VAT, "check"),
    ("1000000-5", "FI", COMPANY, "check"),
    ("100000002", "BG", COMPANY, "check"),
    ("10000009", "RO", COMPANY, "ONRC"),
    ("12345", "PL", COMPANY, "KRS"),
    ("LV40003000002", "EE", VAT, "prefix LV"),
    ("30000006", "UA", COMPANY, "check"),
    ("12 34", "LT", COMPANY, "format"),
]


@pytest.mark.parametrize(("raw", "country", "scheme", "compact"), VALID)
def test_valid_numbers_are_compacted(raw, country, scheme, compact):
    assert normalize_registration(raw, country, scheme) == compact


@pytest.mark.parametrize(("raw", "country", "scheme", "why"), INVALID)
def test_invalid_numbers_are_rejected_with_the_reason(raw, country, scheme, why):
    with pytest.raises(Rejected, match=f"not valid for {country}.*{why}"):
        normalize_registration(raw, country, scheme)


REGISTER = textwrap.dedent("""\
    csv: {delimiter: ";"}
    entities:
      company:
        schema: Company
        keys: [entry]
        properties:
          name: {column: name}
          registrationNumber: {column: reg}
          vatCode: {column: vat}
          jurisdiction: {column: country}
      owner:
        schema: Company
        keys: [owner_entry]
        key_literal: company                # the same entity as the owner's own row
      ownership:
        schema: Ownership
        keys: [entry, owner_entry]
        properties:
          owner: {entity: owner}
          asset: {entity: company}
""")
ROWS = [
    "entry;name;reg;vat;country;owner_entry",
    "E1;Būve SIA;40003000002;LV40003000002;LV;E2",
    "E2;Ehitus OÜ;10000002;EE100000007;EE;E3",  # registry code with a wrong check digit
    "E3;Rakennus Oy;1000000-4;;FI;E1",  # E1 -> E2 -> E3 -> E1: a cycle
    "E4;Būve Cits SIA;40003000002;;LV;",  # the number of E1 again
    "E5;Nosaukums SIA;;;LV;E5",  # owns itself
]


def test_register_rejects_bad_numbers_keeps_entities_reports_duplicates_and_cycles(
        sqlite_ws, tmp_path):
    mapping = tmp_path / "register.mapping.yml"
    mapping.write_text(REGISTER, encoding="utf-8")
    path = tmp_path / "register.csv"
    path.write_text("\n".join(ROWS) + "\n", encoding="utf-8")
    sqlite_ws.cases.create("c")
    [r] = sqlite_ws.records.import_files("c", [ImportRequest(path, mapping=mapping)])
    got = {(x.locator, x.field): (x.value, x.reason) for x in r.rejects}
    value, reason = got[("line 3", "registrationNumber")]
    assert value == "10000002" and "Estonian registry code" in reason
    value, reason = got[("line 5", "registrationNumber")]
    assert value == "40003000002" and "duplicate registration number: also on line 2" in reason
    cycles = sorted(v for (loc, f), (v, why) in got.items()
                    if f == "owner" and "circular ownership" in why)
    assert len(cycles) == 2
    assert any("Būve SIA" in c and "Ehitus OÜ" in c and "Rakennus Oy" in c for c in cycles)
    assert any(c == "Nosaukums SIA → Nosaukums SIA" for c in cycles)
    companies = {e.first("name"): e for e in sqlite_ws.entities.list("c", ["Company"])}
    assert companies["Ehitus OÜ"].get("registrationNumber") == []  # rejected, entity kept
    assert companies["Ehitus OÜ"].get("vatCode") == ["EE100000007"]
    assert companies["Rakennus Oy"].get("registrationNumber") == ["10000004"]
    assert companies["Būve Cits SIA"].get("registrationNumber") == ["40003000002"]
    owned = [o for o in sqlite_ws.entities.list("c", ["Ownership"]) if o.get("owner")]
    assert len(owned) == 4  # the cycles' edges are all kept


def test_bods_ownership_cycle_is_reported_not_fatal(sqlite_ws, tmp_path):
    def entity(sid, name, reg):
        return {"statementId": sid, "recordId": sid, "recordType": "entity",
                "recordDetails": {"entityType": {"type": "registeredEntity"}, "name": name,
                                  "jurisdiction": {"code": "LV"},
                                  "identifiers": [{"id": reg, "scheme": "LV-RE"}]}}

    def owns(sid, party, subject):
        return {"statementId": sid, "recordId": sid, "recordType": "relationship",
                "recordDetails": {"subject": subject, "interestedParty": party,
                                  "interests": [{"type": "shareholding",
                                                 "share": {"exact": 100}}]}}

    statements = [entity("a", "Alfa SIA", "40003000002"), entity("b", "Beta SIA", "40003000017"),
                  owns("r1", "a", "b"), owns("r2", "b", "a")]
    path = tmp_path / "bods.json"
    path.write_text(json.dumps(statements), encoding="utf-8")
    sqlite_ws.cases.create("c")
    [r] = sqlite_ws.records.import_files("c", [ImportRequest(path, format="bods")])
    [cycle] = [x for x in r.rejects if "circular ownership" in x.reason]
    assert cycle.value in ("Alfa SIA → Beta SIA → Alfa SIA", "Beta SIA → Alfa SIA → Beta SIA")
    assert len(list(sqlite_ws.entities.list("c", ["Ownership"]))) == 2
    regs = sorted(e.first("registrationNumber") for e in sqlite_ws.entities.list("c", ["Company"]))
    assert regs == ["40003000002", "40003000017"]


@pytest.mark.slow
def test_simulated_labour_world_numbers_all_pass(tmp_path):
    from veriga.ingest.runner import read_file
    from veriga.simulate import simulate

    out = tmp_path / "world"
    simulate("labour-exploitation", "small", 7, out)
    path = out / "registers" / "companies.csv"
    r = read_file(ImportRequest(path, mapping=path.with_name("companies.csv.mapping.yml")))
    assert [x for x in r.rejects if x.field in ("registrationNumber", "vatCode")] == []
    truth = json.loads((out / "ground_truth.json").read_text(encoding="utf-8"))
    companies = [c for c in truth["companies"] if c.get("registration_number")]
    assert companies
    for c in companies:
        normalize_registration(c["registration_number"], c["country"], COMPANY)
