"""Labour worlds: chains, phoenixes, invoices and the answer key's labour schemes agree with
the files; registration and VAT numbers are valid for their countries."""

from __future__ import annotations

import csv
import random
from collections import Counter
from pathlib import Path

import pytest
from simhelpers import ground_truth

from veriga.model.regnum import COMPANY, VAT, normalize_registration
from veriga.simulate import simulate
from veriga.simulate.regnumbers import REGISTRATION, registration_number, vat_number

DECOYS = {"lawful_subcontracting", "staffing_agency", "genuine_posting", "shared_address",
          "lawful_dissolution"}


def _rows(world: Path, rel: str) -> list[dict[str, str]]:
    text = (world / rel).read_text(encoding="utf-8")
    delim = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") \
        else ","
    return list(csv.DictReader(text.splitlines(), delimiter=delim))


def test_generated_numbers_are_valid_per_country() -> None:
    rng = random.Random(3)
    for cc in REGISTRATION:
        for _ in range(300):
            reg = registration_number(cc, rng.randint(10 ** 7, 2 * 10 ** 8), 2024)
            normalize_registration(reg, cc, COMPANY)  # raises if invalid
            normalize_registration(vat_number(cc, reg), cc, VAT)
    normalize_registration(vat_number("DE", "x"), "DE", VAT)


def test_labour_world_files_agree_with_the_answer_key(all_worlds: dict[str, Path]) -> None:
    _check_key(all_worlds["labour-exploitation"])


def _check_key(world: Path) -> None:
    """Every scheme's companies are in the register and its records in their files; every
    invoice's and contract's companies are registered; chain tiers are joined by contracts;
    successors follow dissolved predecessors; postings state when the worker was hired."""
    gt = ground_truth(world)
    register = {(r["registration_number"], r["country"]): r
                for r in _rows(world, "registers/companies.csv")}
    # every number in the register is valid for its country
    for (reg, cc), row in register.items():
        normalize_registration(reg, cc, COMPANY)
        normalize_registration(row["vat_number"], cc, VAT)
    contracts = {r["contract_ref"]: r for r in _rows(world, "labour/contracts.csv")}
    invoices = {r["invoice_no"]: r for r in _rows(world, "labour/invoices.csv")}
    a1 = {r["declaration_id"]: r for r in _rows(world, "labour/a1_declarations.csv")}
    payroll = {r["payroll_id"]: r for r in _rows(world, "labour/payroll.csv")}
    events = {r["event_id"]: r for r in _rows(world, "registers/company_events.csv")}
    files = {"labour/contracts.csv": contracts, "labour/invoices.csv": invoices,
             "labour/a1_declarations.csv": a1, "labour/payroll.csv": payroll,
             "registers/company_events.csv": events}
    # every invoice's and contract's companies are in the register; invoices cite contracts
    for inv in invoices.values():
        assert (inv["supplier_reg"], inv["supplier_country"]) in register, inv
        assert (inv["buyer_reg"], inv["buyer_country"]) in register, inv
        assert inv["contract_ref"] in contracts, inv
    for con in contracts.values():
        assert (con["client_reg"], con["client_country"]) in register
        assert (con["contractor_reg"], con["contractor_country"]) in register
    schemes = gt["labour_schemes"]
    kinds = Counter(s["kind"] for s in schemes)
    assert {"subcontracting_chain", "phoenix", "letterbox", "bogus_posting", "wage_kickback",
            "recruitment_fees", "excessive_deductions", "below_min_wage",
            "lawful_subcontracting", "genuine_posting", "staffing_agency"} <= set(kinds)
    companies = {c["id"]: c for c in gt["companies"]}
    for s in schemes:
        assert s["decoy"] == (s["kind"] in DECOYS) or s["kind"] == "shared_address", s["id"]
        for c in s["companies"]:
            assert (c["registration_number"], c["country"]) in register, s["id"]
            assert companies[c["id"]]["registration_number"] == c["registration_number"]
        for rec in s["records"]:
            assert rec["id"] in files.get(rec["file"], {}) or rec["file"] == \
                "travel/bookings.csv", (s["id"], rec)
    pairs = {((c["client_reg"], c["client_country"]),
              (c["contractor_reg"], c["contractor_country"])) for c in contracts.values()}
    for chain in (s for s in schemes if s["kind"] in ("subcontracting_chain",
                                                      "lawful_subcontracting")):
        tiers = chain["tiers"]
        assert 2 <= chain["depth"] <= 5
        for upper, lower in zip(tiers, tiers[1:], strict=False):
            below = lower if isinstance(lower, list) else [lower]
            for firm in below:  # each tier holds a contract with the one above it
                key = ((upper["registration_number"], upper["country"]),
                       (firm["registration_number"], firm["country"]))
                assert key in pairs, (chain["id"], key)
    for phx in (s for s in schemes if s["kind"] == "phoenix"):
        pred, succ = phx["predecessor"], phx["successor"]
        assert register[(pred["registration_number"], pred["country"])]["dissolved"]
        assert phx["shared"], phx
        assert succ["id"] != pred["id"]
    reasons: set[str] = set()
    for bogus in (s for s in schemes if s["kind"] == "bogus_posting"):
        reasons.update(bogus["reasons"])
        for rec in bogus["records"]:
            row = a1[rec["id"]]
            assert row["employed_since"] == row["start_date"]
    assert {"posting_beyond_limit", "contradicted_by_payroll",
            "contradicted_by_bookings"} <= reasons
    for genuine in (s for s in schemes if s["kind"] == "genuine_posting" and s["records"]):
        for rec in genuine["records"]:
            if rec["file"] == "labour/a1_declarations.csv":
                row = a1[rec["id"]]
                assert row["employed_since"] < row["start_date"]


def test_invoices_are_paid_by_transfer(all_worlds: dict[str, Path]) -> None:
    """Each invoice shows in the buyer's statement as a payment to the account it names."""
    world = all_worlds["mixed"]
    gt = ground_truth(world)
    accounts = {(c["registration_number"], c["country"]): c["accounts"] for c in gt["companies"]}
    texts: dict[str, str] = {}
    for path in world.glob("bank/*/*"):
        iban = next((p for p in path.stem.split("_") if p[:2].isalpha() and len(p) > 15), "")
        texts[iban] = texts.get(iban, "") + path.read_text(encoding="utf-8", errors="replace")
    invoices = _rows(world, "labour/invoices.csv")
    assert len(invoices) > 20
    for inv in invoices:
        paid = [texts.get(a, "") for a in accounts[(inv["buyer_reg"], inv["buyer_country"])]]
        amount = inv["total_amount"]
        assert any(inv["pay_to_iban"] in t and (amount in t or amount.replace(".", ",") in t)
                   for t in paid), inv["invoice_no"]


@pytest.mark.slow
@pytest.mark.parametrize("scenario", ["labour-exploitation", "mixed"])
def test_medium_world_has_enough_schemes_and_decoys(scenario: str, tmp_path: Path) -> None:
    simulate(scenario, "medium", 2, tmp_path / "w")
    _check_key(tmp_path / "w")
    gt = ground_truth(tmp_path / "w")
    kinds = Counter(s["kind"] for s in gt["labour_schemes"])
    assert kinds["subcontracting_chain"] >= 8
    assert kinds["phoenix"] >= 5
    assert sum(1 for s in gt["labour_schemes"] if s["decoy"]) >= 20
    depths = {s["depth"] for s in gt["labour_schemes"] if s["kind"] == "subcontracting_chain"}
    assert {2, 3, 4, 5} <= depths
    mains = {s["tiers"][0]["id"] for s in gt["labour_schemes"]
             if s["kind"] == "subcontracting_chain"}
    assert len(mains) >= 8
