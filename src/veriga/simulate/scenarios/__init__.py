"""Scenarios: which operations a world contains, embedded in the lawful background."""

from __future__ import annotations

from veriga.simulate.plan import Ctx
from veriga.simulate.scenarios.chains import LabourSchemes
from veriga.simulate.scenarios.labour import LabourOperation
from veriga.simulate.scenarios.laundering import Laundering, LawfulEconomy
from veriga.simulate.scenarios.sexual import SexualOperation

SCENARIOS: dict[str, str] = {
    "sexual-exploitation": (
        "Recruiters in Bulgaria/Romania/Ukraine; victims rotated between Finnish, Estonian and "
        "Latvian cities on short stays; online ads with shared phones, templated texts and "
        "reused photos posted in batches; client payments by P2P, card and cash; spend on ads, "
        "rentals, hotels and tickets; remittances home; proceeds into a car and a flat."),
    "labour-exploitation": (
        "Main contractors with subcontracting chains of 2-5 tiers ending in letterbox and "
        "phoenix companies, with contracts and invoices; posted workers with A1 forms; a "
        "recruitment agency charging fees; wages taken back within 48 h or paid into the "
        "controller's account; housing and transport deductions; net pay below the minimum; "
        "payroll far below headcount; deceptive job ads; lawful chains, staffing agencies and "
        "genuine postings as decoys."),
    "mixed": (
        "Both operations, sharing the controller and his account, with lawful escorts, honest "
        "staffing firms, migrants remitting their own wages and legitimate subcontractors as "
        "decoys."),
    "laundering": (
        "The laundering shapes of the AML simulators (AMLSim, AMLworld): fan-in, fan-out, "
        "cycles, scatter-gather, gather-scatter, bipartite and stacks of varied size, amounts "
        "and time among ordinary account holders, in a lawful economy with fans of its own: "
        "payroll runs, rent, utility bills, shops and a wholesaler."),
}


def build_operations(ctx: Ctx, scenario: str) -> list:
    """Create the scenario's operations (actors, accounts, planned records) in ``ctx``."""
    size = ctx.size
    victims = {"tiny": 3, "small": 4, "medium": 5}.get(size.name, 6)
    workers = {"tiny": 6, "small": 9, "medium": 18}.get(size.name, 24)
    ops: list = []
    if scenario == "laundering":
        return [LawfulEconomy(ctx), Laundering(ctx)]
    if scenario in ("sexual-exploitation", "mixed"):
        for i in range(size.sex_operations):
            ops.append(SexualOperation(ctx, f"OP-SEX-{i + 1:03d}", victims))
    if scenario in ("labour-exploitation", "mixed"):
        sex_ops = [o for o in ops if isinstance(o, SexualOperation)]
        for i in range(size.labour_operations):
            shared = sex_ops[i] if i < len(sex_ops) and i % 2 == 0 else None
            op = LabourOperation(ctx, f"OP-LAB-{i + 1:03d}", workers,
                                 controller=shared.controller if shared else None,
                                 ctl_acct=shared.ctl_acct if shared else None)
            if shared:
                shared.controller.note += f"; also controls {op.op}"
            ops.append(op)
        labour = [o for o in ops if isinstance(o, LabourOperation)]
        if labour:  # booked after the operations: it invoices what they paid
            ops.append(LabourSchemes(ctx, labour, size.labour_chains, size.labour_decoys))
    return ops
