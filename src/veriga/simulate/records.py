"""How each source writes the names of the people and companies it records.

Every record file names people the way its clerks write them (:class:`~veriga.simulate.names.
Style`): a Latvian police record in Latvian transliteration with Latvian endings, a
Lithuanian one with Lithuanian endings, a payroll in capitals with the family name first, a
booking as the customer typed it. Some sources write a person the same way every time (a
payroll system, a register); the others choose again for every row. Each choice comes from a
random stream keyed by the file, the row (or the person) and the attempt, so that a world is
the same for the same seed and no other draw moves when a style changes.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from veriga.simulate.names import Style, Written, render, render_company
from veriga.simulate.world import Person, World
from veriga.simulate.writers.tables import Namer, Party

_ORDERS = (("plain", 0.6), ("swapped", 0.25), ("upper_family_first", 0.15))

#: Police records, by the country keeping them.
POLICE: dict[str, Style] = {
    "LV": Style((("lv", 0.75), ("passport", 0.25)), endings="lv", strip=0.15, orders=_ORDERS,
                typo=0.08),
    "LT": Style((("lt", 0.8), ("passport", 0.2)), endings="lt", strip=0.15, orders=_ORDERS,
                typo=0.08),
    "EE": Style((("et", 0.5), ("passport", 0.5)), strip=0.2,
                orders=(("plain", 0.4), ("swapped", 0.3), ("upper_family_first", 0.3)), typo=0.08),
    "FI": Style((("fi", 0.5), ("passport", 0.5)), strip=0.2,
                orders=(("plain", 0.5), ("swapped", 0.2), ("upper_family_first", 0.3)), typo=0.08),
}
#: Travel bookings, as the customer typed them (a Bulgarian or Ukrainian payer may type
#: Cyrillic); carriers' systems shout.
BOOKING = Style((("native", 0.2), ("passport", 0.8)), strip=0.3,
                orders=(("plain", 0.55), ("upper_family_first", 0.2), ("swapped", 0.1),
                        ("initial", 0.15)), typo=0.1)
#: NGO hotline notes (a Finnish NGO): first and last name as the caller gave them.
NGO = Style((("native", 0.15), ("passport", 0.6), ("fi", 0.25)), strip=0.2, typo=0.1)
#: A1 declarations: the passport's name, re-typed by the posting company.
A1 = Style(strip=0.25, orders=(("plain", 0.6), ("swapped", 0.2), ("upper_family_first", 0.2)),
           typo=0.05)
A1_COMPANY = (("exact", 0.7), ("upper_case", 0.15), ("no_diacritics", 0.1), ("legal_form", 0.05))
#: Payroll systems: the same way every month, mostly FAMILY GIVEN without diacritics.
PAYROLL = Style(strip=0.8, orders=(("upper_family_first", 0.7), ("plain", 0.3)), typo=0.03)
#: Company registers, by the company's country (a Bulgarian register writes Cyrillic); the
#: same way for every company of that country.
REGISTER: dict[str, Style] = {
    "LV": Style((("lv", 1.0),), endings="lv", strip=0.1, orders=(("plain", 0.8), ("swapped", 0.2)),
                typo=0.03),
    "LT": Style((("lt", 1.0),), endings="lt", orders=(("plain", 0.8), ("swapped", 0.2)),
                typo=0.03),
    "EE": Style((("et", 1.0),), orders=(("plain", 0.7), ("swapped", 0.3)), typo=0.03),
    "FI": Style((("fi", 1.0),), orders=(("plain", 0.7), ("swapped", 0.3)), typo=0.03),
    "BG": Style((("native", 1.0),), typo=0.03),
    "UA": Style((("native", 1.0),), typo=0.03),
}
REGISTER_OTHER = Style(orders=(("plain", 0.8), ("swapped", 0.2)), typo=0.03)  # RO, PL
#: The beneficial-ownership register (BODS): the passport's name, half of it family first.
BODS = Style(orders=(("swapped", 0.5), ("plain", 0.5)))
#: What a name falls back to when every other way of writing it is already another's.
PASSPORT = Style()

Key = Callable[[dict[str, Any], Party, str], str]


def per_row(id_field: str) -> Key:
    """Written anew in every row."""
    return lambda row, party, identity: f"{row[id_field]}:{party.entity}"


def per_person(scope: str = "") -> Key:
    """Written the same way in every row of the file (within ``scope``, a column)."""
    return lambda row, party, identity: f"{row.get(scope, '') if scope else ''}:{identity}"


def namer(world: World, seed: int, rel: str, style: Callable[[dict[str, Any]], Style],
          key: Key, companies: tuple[tuple[str, float], ...] | None = None) -> Namer:
    """The namer of one file: people in ``style`` (chosen per row), companies exactly as
    registered or, with ``companies``, by those weights (:func:`render_company`)."""

    def name(row: dict[str, Any], party: Party, identity: str, attempt: int) -> Written:
        rng = random.Random(f"{seed}:name:{rel}:{key(row, party, identity)}:{attempt}")
        holder = world.holder(identity)
        if isinstance(holder, Person):
            return render(rng, holder.name, style(row) if attempt < 10 else PASSPORT)
        if companies is None or attempt >= 10:
            return Written(holder.name, "", holder.name, ())
        return render_company(rng, holder.name, companies)

    return name


def fixed(style: Style) -> Callable[[dict[str, Any]], Style]:
    return lambda row: style
