"""Stable entity ids from natural keys, shared by importers and analyses."""

from __future__ import annotations

from functools import lru_cache

from followthemoney import EntityProxy, model


def make_id(*parts: str | None) -> str:
    """A stable entity id from its natural key (FtM's hashed ``make_id``)."""
    return EntityProxy(model, {"schema": "Thing"}).make_id(*parts)  # type: ignore[return-value]


@lru_cache(maxsize=65536)
def account_id(number: str) -> str:
    """The id of the BankAccount entity of an account number (IBAN) as importers make it."""
    return make_id("account", number)
