"""World sizes: how many of everything each size generates."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Size:
    name: str
    months: int
    background_accounts: int  # lawful statement holders besides the actors
    sex_operations: int
    labour_operations: int
    background_ads: int
    background_calls: int
    tx_per_account_month: int  # average background movements per account and month
    labour_chains: int = 0  # further subcontracting chains of the labour operations
    labour_decoys: int = 0  # lawful chains, agencies, postings, shared offices, dissolutions


SIZES: dict[str, Size] = {
    "tiny": Size("tiny", 2, 12, 1, 1, 30, 200, 12, 1, 5),
    "small": Size("small", 3, 40, 1, 1, 200, 2_000, 25, 3, 10),
    "medium": Size("medium", 6, 400, 3, 3, 5_000, 40_000, 45, 8, 25),
    "large": Size("large", 12, 1_800, 12, 12, 100_000, 300_000, 45, 30, 90),
    "xl": Size("xl", 12, 18_000, 60, 60, 1_000_000, 3_000_000, 45, 150, 500),
}
