"""What a restricted reader (an NGO user) of a case must not learn, computed once per case.

Minimisation starts from the people marked on a ``Person`` (victims, and suspects unless the
case owner lets NGO users see them). Each marked person seeds a group, which takes in every
record that may be the same person (a ``Person`` or ``LegalEntity`` with the same name in any
order, case, accent or script, or the same phone, e-mail, document or account number) and
what belongs to them (bank accounts they hold, their documents and online accounts). Every
record of a group carries one pseudonym; every identifying value of a group (names and the
parts of names, phones, accounts, documents, e-mails, addresses, entity ids) is replaced
wherever it appears in a text.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import phonenumbers

from veriga.access.scrub import Scrubber, compact, digits, fold

#: Values that identify a person, and those that tie two records to one person.
IDENTIFYING = ("name", "phone", "email", "identifier", "iban", "address")
JOINING = frozenset({"name", "phone", "email", "identifier", "iban"})
#: Records that may be a marked person under another name or id.
ALIKE = frozenset({"Person", "LegalEntity"})
#: (schema, property naming the person, property naming what belongs to them or None when
#: the record itself is the belonging)
BELONGINGS = (
    ("Ownership", "owner", "asset"),
    ("Passport", "holder", None),
    ("Identification", "holder", None),
    ("UserAccount", "owner", None),
)
WITHHELD = "[withheld]"
#: Name parts too common to withhold on their own.
PARTICLES = frozenset({"van", "von", "der", "den", "del", "della", "des", "les", "bin", "ibn",
                       "binti", "al", "el", "la", "le", "de", "da", "do", "dos", "das", "di",
                       "family", "and", "the", "mr", "mrs", "ms"})
MIN_PART = 3
MIN_IDENTIFIER = 4
ROUNDS = 3  # rounds of taking in records that share a value with a group


@dataclass(frozen=True)
class Row:
    """One identifying statement, or a link between a belonging and its owner."""

    entity_id: str
    schema: str
    prop: str
    prop_type: str
    value: str
    latin: str | None = None


def name_key(name: str) -> str:
    """A name as compared for 'may be the same person': parts in any order, case, accent."""
    parts = fold(name).casefold().replace(",", " ").replace(".", " ").split()
    return " ".join(sorted(parts))


def _key(prop_type: str, value: str) -> tuple[str, str]:
    if prop_type == "name":
        return ("name", name_key(value))
    if prop_type == "phone":
        return ("phone", digits(value))
    if prop_type in ("identifier", "iban"):
        return ("identifier", compact(value))
    return (prop_type, value.casefold())


@dataclass
class Protection:
    """The protected groups of one case for one kind of reader, and how to hide them."""

    key: str
    group_of: dict[str, str]  # real entity id -> the marked entity its group grew from
    roles: dict[str, str]  # marked entity id -> its subject role
    scrubber: Scrubber
    _reverse: dict[str, str] = field(default_factory=dict, repr=False)
    _labels: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _withholding: Scrubber | None = field(default=None, repr=False)

    @property
    def withholding(self) -> Scrubber:
        """The scrubber that replaces every protected value with ``[withheld]``."""
        if self._withholding is None:
            self._withholding = self.scrubber.withholding(WITHHELD)
        return self._withholding

    def digest(self, value: str) -> str:
        """The keyed hash pseudonyms are made of (never reversible without the key)."""
        return hmac.new(self.key.encode(), value.encode(), hashlib.sha256).hexdigest()

    def pseudonym_id(self, entity_id: str) -> str:
        return f"pseudo-{self.digest(entity_id)[:16]}"

    def label(self, entity_id: str) -> str:
        """The one pseudonym of the person ``entity_id`` belongs to, e.g. ``Victim DA39ED``."""
        seed = self.group_of.get(entity_id, entity_id)
        role = self.roles.get(seed, "person")
        return f"{role.capitalize()} {self.digest(seed)[:6].upper()}"

    def entity_id(self, entity_id: str) -> str:
        return self.pseudonym_id(entity_id) if entity_id in self.group_of else entity_id

    def real_id(self, shown: str) -> str:
        if not self._reverse and self.group_of:
            self._reverse.update((self.pseudonym_id(e), e) for e in self.group_of)
        return self._reverse.get(shown, shown)

    def protected(self, entity_id: str) -> bool:
        return entity_id in self.group_of

    def labels(self) -> dict[str, list[str]]:
        """Pseudonym label → the real ids carrying it."""
        if not self._labels and self.group_of:
            for entity_id in sorted(self.group_of):
                self._labels.setdefault(self.label(entity_id), []).append(entity_id)
        return self._labels


def _national_forms(e164: str) -> set[str]:
    """The digit strings a phone number is written as: international and national."""
    forms = {digits(e164)}
    try:
        number = phonenumbers.parse(e164 if e164.startswith("+") else "+" + digits(e164))
        national = str(number.national_number)
        forms |= {national, "0" + national}
    except phonenumbers.NumberParseException:
        pass
    return {f for f in forms if len(f) >= 6}


def _name_variants(value: str, latin: str | None) -> set[str]:
    out = set()
    for text in (value, latin):
        if text:
            text = unicodedata.normalize("NFC", text.strip())
            out |= {text, fold(text)}
    return {v for v in out if len(v) >= MIN_PART}


def _parts(names: Iterable[str]) -> set[str]:
    out = set()
    for name in names:
        for part in name.replace(",", " ").split():
            part = part.strip(".-'\"()")
            if len(part) >= MIN_PART and part.casefold() not in PARTICLES \
                    and not part.isdigit():
                out.add(part)
    return out


def protect(key: str, marked: Mapping[str, str], values: Iterable[Row],
            links: Iterable[Row], named_accounts: Iterable[tuple[str, str]] = (),
            merged: Mapping[str, str] | None = None) -> Protection:
    """The protection of the people in ``marked`` (entity id → subject role), from the case's
    identifying ``values``, the ``links`` of belongings to their owners (a link row:
    ``entity_id`` the linking record, ``prop`` its property, ``value`` the id it names), and
    ``named_accounts``: (account number, holder name) as bank records name the other side of
    a payment, which ties an account to a protected person by her name. ``merged`` (record →
    the entity a person merged it into): every record of a protected entity is protected
    under its one pseudonym, however its name is written."""
    by_entity: dict[str, list[Row]] = {}
    schema_of: dict[str, str] = {}
    for row in values:
        schema_of[row.entity_id] = row.schema
        by_entity.setdefault(row.entity_id, []).append(row)
    sides: dict[str, dict[str, list[str]]] = {}
    link_schema: dict[str, str] = {}
    for row in links:
        sides.setdefault(row.entity_id, {}).setdefault(row.prop, []).append(row.value)
        link_schema[row.entity_id] = row.schema
    holders: dict[str, set[str]] = {}
    for link_id, props in sides.items():
        for schema, owner_prop, thing_prop in BELONGINGS:
            if link_schema[link_id] != schema:
                continue
            things = props.get(thing_prop, []) if thing_prop else [link_id]
            for owner in props.get(owner_prop, []):
                holders.setdefault(owner, set()).update(things)
    protection = _grow(key, dict(marked), by_entity, schema_of, holders, merged or {})
    extra = _accounts_named(protection, by_entity, named_accounts)
    protection.scrubber = _scrubber(protection, by_entity, extra)
    return protection


def _accounts_named(protection: Protection, by_entity: Mapping[str, list[Row]],
                    named_accounts: Iterable[tuple[str, str]]) -> dict[str, set[str]]:
    """Account numbers that bank records show held under a protected person's name (the
    account records among them join the person's group): seed → numbers."""
    names: dict[str, str] = {}
    accounts: dict[str, set[str]] = {}
    for entity_id, rows in by_entity.items():
        for row in rows:
            if row.prop_type == "name" and entity_id in protection.group_of:
                for text in (row.value, row.latin):
                    if text:
                        names.setdefault(name_key(text), protection.group_of[entity_id])
            elif row.schema == "BankAccount" and row.prop_type in ("identifier", "iban"):
                accounts.setdefault(compact(row.value), set()).add(entity_id)
    extra: dict[str, set[str]] = {}
    for number, holder in named_accounts:
        seed = names.get(name_key(holder or ""))
        if seed is None or not number or len(compact(number)) < MIN_IDENTIFIER:
            continue
        extra.setdefault(seed, set()).add(number)
        for account in accounts.get(compact(number), ()):
            protection.group_of.setdefault(account, seed)
    return extra


def _grow(key: str, marked: dict[str, str], by_entity: dict[str, list[Row]],
          schema_of: dict[str, str], holders: dict[str, set[str]],
          merged: Mapping[str, str]) -> Protection:
    group_of = {entity_id: entity_id for entity_id in marked}
    # marked records of one person (same role, same name) are one person: one pseudonym
    first: dict[tuple[str, str], str] = {}
    for entity_id in sorted(marked):
        for row in by_entity.get(entity_id, ()):
            if row.prop_type == "name" and schema_of.get(entity_id) in ALIKE:
                seed = first.setdefault((marked[entity_id], name_key(row.value)),
                                        group_of[entity_id])
                if seed != group_of[entity_id]:
                    group_of[entity_id] = seed
    # the records a person merged into a marked entity are that person
    for record, entity in sorted(merged.items()):
        if entity in group_of and record not in group_of:
            group_of[record] = group_of[entity]
    index: dict[tuple[str, str], set[str]] = {}
    for entity_id, entity_rows in by_entity.items():
        if schema_of.get(entity_id) not in ALIKE:
            continue
        for row in entity_rows:
            if row.prop_type in JOINING:
                index.setdefault(_key(row.prop_type, row.value), set()).add(entity_id)
                if row.prop_type == "name" and row.latin:
                    index.setdefault(_key("name", row.latin), set()).add(entity_id)
    frontier = sorted(group_of)
    for _ in range(ROUNDS):
        grown: list[str] = []
        for entity_id in frontier:
            seed = group_of[entity_id]
            for thing in sorted(holders.get(entity_id, ())):
                if thing not in group_of:
                    group_of[thing] = seed
                    grown.append(thing)
            for row in by_entity.get(entity_id, ()):
                if row.prop_type not in JOINING:
                    continue
                keys = [_key(row.prop_type, row.value)]
                if row.prop_type == "name" and row.latin:
                    keys.append(_key("name", row.latin))
                for k in keys:
                    if not k[1] or (k[0] != "name" and len(k[1]) < MIN_IDENTIFIER):
                        continue
                    for other in sorted(index.get(k, ())):
                        if other not in group_of:
                            group_of[other] = seed
                            grown.append(other)
        if not grown:
            break
        frontier = grown
    else:
        for entity_id in frontier:  # what the last round took in still hides its things
            for thing in holders.get(entity_id, ()):
                group_of.setdefault(thing, group_of[entity_id])
    return Protection(key, group_of, dict(marked), Scrubber({}, {}, {}))


def _put(table: dict[str, str], value: str, shown: str) -> None:
    """Replace ``value`` by ``shown``; a value two people share names neither of them."""
    if table.get(value, shown) != shown:
        shown = WITHHELD
    table[value] = shown


def _scrubber(protection: Protection, by_entity: Mapping[str, list[Row]],
              extra: Mapping[str, set[str]]) -> Scrubber:
    literals: dict[str, str] = {}
    phones: dict[str, str] = {}
    ibans: dict[str, str] = {}
    parts: set[str] = set()
    for seed, numbers in extra.items():
        for number in numbers:
            shown = f"{protection.label(seed)} account " \
                f"{protection.digest(compact(number))[:4].upper()}"
            _put(literals, compact(number), shown)
            _put(ibans, number, shown)
    for entity_id in sorted(protection.group_of):
        label = protection.label(entity_id)
        literals[entity_id] = protection.pseudonym_id(entity_id)
        for row in by_entity.get(entity_id, ()):
            value = row.value.strip()
            if row.prop_type == "name":
                for variant in _name_variants(value, row.latin):
                    _put(literals, variant, label)
                if row.schema == "Person":
                    parts |= _parts(_name_variants(value, row.latin))
            elif row.prop_type == "phone":
                shown = f"{label} phone"
                _put(literals, value, shown)
                for form in _national_forms(value):
                    _put(phones, form, shown)
            elif row.prop_type in ("identifier", "iban"):
                if len(compact(value)) < MIN_IDENTIFIER:
                    continue
                shown = f"{label} {'account' if row.schema == 'BankAccount' else 'number'} " \
                    f"{protection.digest(compact(value))[:4].upper()}"
                _put(literals, value, shown)
                _put(literals, compact(value), shown)
                _put(ibans, value, shown)
            elif row.prop_type == "email":
                _put(literals, value, f"{label} e-mail")
            elif row.prop_type == "address" and len(value) >= 8:
                _put(literals, value, f"{label} address")
    for part in parts:
        literals.setdefault(part, WITHHELD)
    return Scrubber(literals, phones, ibans)
