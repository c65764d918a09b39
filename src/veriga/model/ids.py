"""Stable entity ids from natural keys, shared by importers and analyses."""

from __future__ import annotations

from functools import lru_cache
from hashlib import sha1

from followthemoney.util import make_entity_id


def make_id(*parts: str | None) -> str:
    """A stable entity id from its natural key (FtM's hashed ``make_id``: the SHA-1 of the
    parts stripped of blanks, empty ones left out). Text parts are hashed here, the same
    way, without FtM's conversions of any type (the import hashes one per entity)."""
    try:
        text = "".join([part.strip() for part in parts if part is not None])
    except (AttributeError, TypeError):  # a part that is no text: FtM converts it
        entity_id = make_entity_id(*parts)
    else:
        entity_id = sha1(text.encode("utf-8")).hexdigest() if text else None
    if entity_id is None:  # every part empty: callers always pass a kind ("account", ...)
        raise ValueError("an entity id needs at least one non-empty part")
    return entity_id


@lru_cache(maxsize=65536)
def account_id(number: str) -> str:
    """The id of the BankAccount entity of an account number (IBAN) as importers make it."""
    return make_id("account", number)
