"""Days, as the records carry them: ISO dates (``2026-03-01``, or the date part of a
timestamp) and day numbers since 1970-01-01 (the ledger's ``dn``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from veriga.model import EntityProxy

EPOCH = date(1970, 1, 1)


def day_number(day: date | None) -> int | None:
    """Days since 1970-01-01 (the ledger's ``dn``)."""
    return None if day is None else (day - EPOCH).days


def from_day_number(number: int | None) -> date | None:
    return None if number is None else EPOCH + timedelta(days=int(number))


def iso_day(value: date | datetime | str | None) -> str | None:
    """The ISO date of a date, a timestamp or an FtM date value (its first ten characters:
    ``2026-03``, a month, stays as it is)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)[:10]


def first_day(proxy: EntityProxy, props: Iterable[str] = ("startDate", "date", "endDate")
              ) -> str | None:
    """The ISO date of the first of ``props`` the entity has a value for."""
    for prop in props:
        value = proxy.first(prop, quiet=True)
        if value:
            return iso_day(value)
    return None
