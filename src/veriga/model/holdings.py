"""Who holds which bank account: FtM ``Ownership`` links from a holder to a ``BankAccount``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from veriga.model import EntityProxy


@dataclass(frozen=True)
class Holding:
    account_id: str  # the BankAccount entity
    numbers: tuple[str, ...]  # its IBANs and account numbers
    owner_id: str  # the holder's entity
    ownership_id: str


def holdings(entities: Iterable[EntityProxy]) -> list[Holding]:
    """Every Ownership among ``entities`` whose asset is a BankAccount among them, in the
    order of the ownerships' ids (so that "the first holder" is the same every time)."""
    accounts: dict[str, EntityProxy] = {}
    owns: list[EntityProxy] = []
    for proxy in entities:
        if proxy.schema.is_a("BankAccount"):
            accounts[proxy.id or ""] = proxy
        elif proxy.schema.is_a("Ownership"):
            owns.append(proxy)
    out = []
    for own in sorted(owns, key=lambda e: e.id or ""):
        owner = own.first("owner")
        for asset in own.get("asset"):
            account = accounts.get(asset)
            if account is None or not owner:
                continue
            numbers = tuple(account.get("iban") + account.get("accountNumber"))
            out.append(Holding(asset, numbers, owner, own.id or ""))
    return out
