"""The context of a person's record: the organisations the case ties it to.

A record is tied to the parties on the other side of the links it is on: the employer of an
A1 declaration or a payroll row, the company a register names someone director or owner of,
the business holding the statement on which a counterparty appears (who paid them or whom
they paid). Every FollowTheMoney link whose two sides may be people or companies
(:data:`LINK_SCHEMATA`: ``Payment``, ``Employment``, ``Directorship``, ``Ownership``,
``UnknownLink``, ``Membership`` ..., found in the model as the schemata with an edge) ties its
two sides.

Only companies (records of kind ``company``) are a context: people tied to one another
(relatives, a victim and the man she pays) share their acquaintances, not an identity, and a
person's name is a poor key of a party. Each company is written as the keys that identify it
(:func:`party_keys`): ``n:`` and its name key, ``r:`` and each registration number, ``i:`` and
each IBAN, so that the payroll's ``Baltbuild SIA`` (a name and a number), the A1 form's
``BALTBUILD SIA`` and the statement's holder ``Baltbuild SIA`` (a name and an account) meet.
``veriga.resolve.link`` compares two records' contexts: much in common, a company in common,
or none (both having one).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import pyarrow as pa

from veriga.model import EntityProxy, model

#: At most this many keys of a record's context are kept (the first by their text).
MAX_CONTEXT = 200
#: The kinds of record that are a context.
PARTIES = ("company",)


def _links() -> tuple[str, ...]:
    """The schemata of links whose two sides may both be people or companies."""
    parties = [model.get(name) for name in ("Person", "Company", "LegalEntity")]

    def holds_party(prop: object) -> bool:
        target = getattr(prop, "range", None)
        return target is not None and any(p is not None and p.is_a(target) for p in parties)

    return tuple(sorted(s.name for s in model.schemata.values()
                        if s.edge and holds_party(s.source_prop) and holds_party(s.target_prop)))


#: The schemata whose entities tie two parties (``Payment``, ``Employment``, ``Ownership``
#: ...), found in the model (with the overlay's ``Payslip`` and ``PostingDeclaration``).
LINK_SCHEMATA = _links()


@dataclass(frozen=True)
class Tie:
    """The two sides of one link: the entity ids on each."""

    left: tuple[str, ...]
    right: tuple[str, ...]


def context_tie(proxy: EntityProxy) -> Tie | None:
    """The tie a link entity makes (None for an entity that is no link with two sides)."""
    schema = proxy.schema
    if not schema.edge or schema.source_prop is None or schema.target_prop is None:
        return None
    left = tuple(v for v in proxy.get(schema.source_prop.name, quiet=True) if v)
    right = tuple(v for v in proxy.get(schema.target_prop.name, quiet=True) if v)
    return Tie(left, right) if left and right else None


def party_keys(name_key: str | None, reg_numbers: Iterable[str], ibans: Iterable[str]
               ) -> list[str]:
    """The keys that identify a party of a link (see the module docstring)."""
    keys = [f"n:{name_key}"] if name_key else []
    keys += [f"r:{n}" for n in reg_numbers]
    keys += [f"i:{n}" for n in ibans]
    return keys


def contexts(table: pa.Table, ties: Iterable[Tie], kinds: tuple[str, ...] = ("person",)
             ) -> list[list[str]]:
    """The context of every record of ``table`` (resolution records), in its order: the keys
    of the companies its ties put on the other side, for records of ``kinds`` (others get an
    empty one)."""
    ids = table.column("record_id").to_pylist()
    row = {record_id: i for i, record_id in enumerate(ids)}
    kind = table.column("kind").to_pylist()
    names = table.column("name_key").to_pylist()
    regs = table.column("reg_numbers").to_pylist()
    ibans = table.column("ibans").to_pylist()

    def keys(entity_id: str) -> list[str]:
        i = row.get(entity_id)
        if i is None or kind[i] not in PARTIES:
            return []
        return party_keys(names[i], regs[i] or (), ibans[i] or ())

    found: dict[int, set[str]] = defaultdict(set)
    for tie in ties:
        for near, far in ((tie.left, tie.right), (tie.right, tie.left)):
            here = [row[e] for e in near if e in row and kind[row[e]] in kinds]
            there = {k for e in far if e not in near for k in keys(e)}
            if here and there:
                for i in here:
                    found[i] |= there
    return [sorted(found[i])[:MAX_CONTEXT] if i in found else [] for i in range(len(ids))]
