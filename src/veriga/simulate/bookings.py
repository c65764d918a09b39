"""Transactions of one month, booked per statement account (both legs when both are held)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from veriga.simulate.names import typed
from veriga.simulate.world import Account


@dataclass(slots=True)
class Txn:
    """One booked movement as the statement holder sees it (amount in cents, credit > 0)."""

    day: date
    amount: int
    method: str  # transfer | card | cash | p2p | fee
    cp_name: str
    cp_iban: str = ""
    cp_bic: str = ""
    text: str = ""
    tags: tuple[str, ...] = ()
    e2e: str = ""
    cp_id: str = ""  # identity of the counterparty (person, company or background party)
    cp_var: tuple[str, ...] = ()  # how cp_name differs from the name the counterparty goes by


class MonthBook:
    """Collects one month's scenario transactions by IBAN of the statement account."""

    def __init__(self, month: int) -> None:
        self.month = month
        self.by_iban: dict[str, list[Txn]] = {}
        self._seq = 0

    def _add(self, acct: Account, txn: Txn) -> None:
        if acct.statement:
            self.by_iban.setdefault(acct.iban, []).append(txn)

    def e2e(self) -> str:
        self._seq += 1
        return f"E2E{self.month:02d}{self._seq:08d}"

    def transfer(self, day: date, src: Account, dst: Account, cents: int, text: str,
                 tags: tuple[str, ...] = (), method: str = "transfer") -> None:
        e2e = self.e2e()
        if src.statement:  # the payee as the payer typed it; the payer as its bank names it
            name, var = typed(dst.holder_name, src.iban, dst.iban, dst.holder.startswith("P"))
            self._add(src, Txn(day, -cents, method, name, dst.iban, dst.bank.bic, text,
                               tags, e2e, dst.holder, var))
        self._add(dst, Txn(day, cents, method, src.holder_name, src.iban, src.bank.bic, text,
                           tags, e2e, src.holder))

    def card(self, day: date, acct: Account, cents: int, merchant: str, text: str = "",
             tags: tuple[str, ...] = ()) -> None:
        self._add(acct, Txn(day, -cents, "card", merchant, text=text or merchant, tags=tags,
                            e2e=self.e2e()))

    def cash(self, day: date, acct: Account, cents: int, city: str,
             tags: tuple[str, ...] = ()) -> None:
        """Cash deposit (cents > 0) or ATM withdrawal (cents < 0) in ``city``."""
        label = f"Cash deposit {city}" if cents > 0 else f"ATM withdrawal {city}"
        self._add(acct, Txn(day, cents, "cash", label, text=label, tags=tags, e2e=self.e2e()))

    def credit(self, day: date, acct: Account, cents: int, name: str, iban: str, bic: str,
               text: str, method: str = "transfer", tags: tuple[str, ...] = (),
               cp_id: str = "", cp_var: tuple[str, ...] = ()) -> None:
        """A credit from a party whose account is not under investigation (``cp_id``: who)."""
        self._add(acct, Txn(day, cents, method, name, iban, bic, text, tags, self.e2e(), cp_id,
                            cp_var))
