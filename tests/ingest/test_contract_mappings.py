"""Contracts (Contract + ContractAward) and a register's history (Event per change) through the
reference mappings shipped in veriga.examples."""

from importlib import resources
from pathlib import Path

from veriga.ingest import ImportRequest

EXAMPLES = Path(str(resources.files("veriga.examples")))

CONTRACTS = """\
contract_ref,signed_date,signed_city,signed_country,start_date,end_date,client_name,\
client_reg,client_country,contractor_name,contractor_reg,contractor_country,value,currency,\
subject,site_city,workers
K-1,2026-01-10,Riga,LV,2026-02-01,2026-06-30,Galvenais SIA,40003000002,LV,Apakš SIA,\
40003000017,LV,250000.00,EUR,Warehouse construction,Riga,40
K-2,2026-01-20,Sofia,BG,2026-02-01,2026-05-31,Apakš SIA,40003000017,LV,Rabotnik EOOD,\
100000001,BG,90000.00,EUR,Labour for warehouse construction,Riga,25
K-3,2026-13-01,Riga,LV,,,Galvenais SIA,40003000003,LV,Apakš SIA,40003000017,LV,1.00,EUR,\
Impossible date and bad number,Riga,1
K-4,2026-01-10,Riga,LV,2026-06-01,2026-02-01,Galvenais SIA,40003000002,LV,Apakš SIA,\
40003000017,LV,5.00,EUR,Ends before it starts,Riga,1
"""

EVENTS = """\
event_id;registration_number;country;name;date;event;value
E1;100000001;BG;Rabotnik EOOD;2025-12-01;registered;ul. Vitosha 1, Sofia
E2;100000001;BG;Rabotnik EOOD;2026-05-20;liquidation_started;
E3;100000001;BG;Rabotnik EOOD;2026-07-01;dissolved;
E4;100000019;BG;Rabotnik 2 EOOD;2026-05-02;registered;ul. Vitosha 1, Sofia
E5;100000019;BG;Rabotnik 2 EOOD;31.02.2026;director_appointed;Ivan Petrov
"""


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_contracts_become_contracts_awards_and_the_register_companies(sqlite_ws, tmp_path):
    sqlite_ws.cases.create("c")
    [r] = sqlite_ws.records.import_files("c", [ImportRequest(
        _write(tmp_path, "contracts.csv", CONTRACTS),
        mapping=EXAMPLES / "contracts.mapping.yml")])
    got = {(x.locator, x.field): x.reason for x in r.rejects}
    assert set(got) == {("line 4", "contractDate"), ("line 4", "registrationNumber"),
                        ("line 5", "endDate")}
    assert "is before startDate 2026-06-01" in got[("line 5", "endDate")]
    assert "not valid for LV" in got[("line 4", "registrationNumber")]
    contracts = {c.first("name"): c for c in sqlite_ws.entities.list("c", ["Contract"])}
    assert set(contracts) == {"K-1", "K-2", "K-3", "K-4"}  # the bad rows' contracts kept
    k2 = contracts["K-2"]
    assert k2.get("title") == ["Labour for warehouse construction"]
    assert k2.get("contractDate") == ["2026-01-20"] and k2.get("country") == ["bg"]
    awards = {a.first("recordId"): a for a in sqlite_ws.entities.list("c", ["ContractAward"])}
    assert awards["K-2"].get("contract") == [k2.id]
    assert awards["K-2"].get("startDate") == ["2026-02-01"]
    companies = {c.id: c for c in sqlite_ws.entities.list("c", ["Company"])}
    client = companies[k2.first("authority")]
    supplier = companies[awards["K-2"].first("supplier")]
    assert client.get("registrationNumber") == ["40003000017"]  # the contractor of K-1
    assert supplier.first("name") == "Rabotnik EOOD"
    assert supplier.get("jurisdiction") == ["bg"]
    # one company in two roles is one entity
    assert awards["K-1"].first("supplier") == k2.first("authority")


def test_register_history_becomes_events_of_the_register_companies(sqlite_ws, tmp_path):
    sqlite_ws.cases.create("c")
    [r] = sqlite_ws.records.import_files("c", [
        ImportRequest(_write(tmp_path, "company_events.csv", EVENTS),
                      mapping=EXAMPLES / "company_events.mapping.yml"),
        ImportRequest(_write(tmp_path, "contracts.csv", CONTRACTS),
                      mapping=EXAMPLES / "contracts.mapping.yml")])[:1]
    assert [(x.locator, x.field) for x in r.rejects] == [("line 6", "date")]
    events = list(sqlite_ws.entities.list("c", ["Event"]))
    assert len(events) == 5  # the impossible date is reported; the event is kept
    companies = {c.first("registrationNumber"): c for c in
                 sqlite_ws.entities.list("c", ["Company"])}
    dissolved = [e for e in events if e.first("name") == "dissolved"]
    assert [e.get("involved") for e in dissolved] == [[companies["100000001"].id]]
    assert dissolved[0].get("date") == ["2026-07-01"]
    # the events' company is the contracts' contractor: one entity
    awards = list(sqlite_ws.entities.list("c", ["ContractAward"]))
    assert companies["100000001"].id in {a.first("supplier") for a in awards}
