"""A payroll export and posted-worker declarations through the mappings the simulator writes
beside them: the gross pay and hours of a payslip (overlay ``Payslip``, a ``Payment``) and the
date the sending firm hired the worker (overlay ``PostingDeclaration``, an ``Employment``)
are imported, listed with the core schemata and exported in plain FtM."""

from __future__ import annotations

from pathlib import Path

from veriga.export.ftm import to_core
from veriga.ingest import ImportRequest
from veriga.simulate.writers.tables import MAPPINGS

PAYROLL = """\
payroll_id,period,company_id,company_name,employee_id,employee_name,gross,\
deduction_housing,deduction_transport,net,paid_to_iban,paid_on,hours
PR1,2026-03,201000002,Rabotnik EOOD,E-1,Ivan Petrov,1000.00,250.00,80.00,670.00,\
BG80BNBG96611020345678,2026-03-25,264
PR2,2026-03,201000002,Rabotnik EOOD,E-2,Maria Petrova,800.00,0.00,0.00,640.00,\
BG80BNBG96611020345678,2026-03-25,
"""

A1 = """\
declaration_id,worker_name,birth_date,nationality,sending_company,sending_company_id,\
sending_country,host_company,host_company_id,host_country,site_city,start_date,end_date,\
a1_certificate,employed_since
A1-1,Ivan Petrov,1990-04-01,BG,Rabotnik EOOD,201000002,BG,Build SIA,40003000002,LV,Riga,\
2026-03-17,2026-06-30,BG/123456/26,2026-03-16
"""


def _import(ws, tmp_path: Path, name: str, text: str, mapping: str):
    (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / f"{name}.mapping.yml").write_text(mapping, encoding="utf-8")
    [report] = ws.records.import_files("c", [ImportRequest(
        tmp_path / name, mapping=tmp_path / f"{name}.mapping.yml")])
    return report


def test_gross_pay_hours_and_hiring_date_are_imported(sqlite_ws, tmp_path: Path) -> None:
    sqlite_ws.cases.create("c")
    _import(sqlite_ws, tmp_path, "payroll.csv", PAYROLL, MAPPINGS["payroll"])
    _import(sqlite_ws, tmp_path, "a1.csv", A1, MAPPINGS["a1"])
    slips = {p.first("recordId"): p for p in sqlite_ws.entities.list("c", ["Payment"])
             if p.schema.name == "Payslip"}
    assert set(slips) == {"PR1", "PR2"}
    assert slips["PR1"].get("grossAmount") == ["1000.00"]
    assert slips["PR1"].get("hoursWorked") == ["264"]
    assert slips["PR1"].get("amount") == ["670.00"]
    assert slips["PR2"].get("hoursWorked") == [], "an empty cell is no value"
    [a1] = sqlite_ws.entities.list("c", ["Employment"])
    assert a1.schema.name == "PostingDeclaration"
    assert a1.get("employedSince") == ["2026-03-16"] and a1.get("startDate") == ["2026-03-17"]
    core = to_core(a1)
    assert core.schema.name == "Employment" and core.get("startDate") == ["2026-03-17"]
    assert any("2026-03-16" in d for d in core.get("description"))
    assert to_core(slips["PR1"]).schema.name == "Payment"
