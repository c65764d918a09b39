"""Data minimisation for NGO users: the one path every text to a restricted reader takes.

Victims (and, unless the case owner allows, suspects) and every record that may be the same
person are pseudonymised, one pseudonym per person (:mod:`veriga.access.protect`); their names,
parts of names, phones, accounts, documents, e-mails, addresses and ids are replaced in every
other text (other entities' values, finding titles and explanations, file names, bank
records, saved views); special-category properties are hidden from such readers altogether.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from veriga.access.protect import Protection
from veriga.findings import Finding, Key, Text
from veriga.model import EntityProxy, model

#: Special categories of personal data (GDPR Art. 9, LED Art. 10) that FtM can hold.
SPECIAL_CATEGORY = frozenset({
    "ethnicity", "religion", "political", "appearance", "eyeColor", "hairColor", "height",
    "weight", "statedNationality",
})
#: What a pseudonymised record keeps: nothing that identifies the person.
PSEUDONYM_KEEPS = frozenset({"nationality", "country", "gender", "currency"})
#: An account's numbers, kept in their minimised form (as the bank records show them).
ACCOUNT_NUMBERS = frozenset({"iban", "accountNumber"})
#: Property types whose values are texts that may name someone.
TEXT_TYPES = frozenset({"name", "string", "text", "address", "phone", "email", "identifier",
                        "iban", "url", "html", "json"})
#: Bulk record columns kept as they are (they never hold a name or identifier).
KEEP_COLUMNS = frozenset({"source_id", "currency", "method", "kind", "counterparty_country"})


@dataclass
class Minimiser:
    """Rewrites whatever a restricted reader is shown."""

    protection: Protection

    @property
    def pseudonymised(self) -> frozenset[str]:
        return frozenset(self.protection.group_of)

    def entity_id(self, entity_id: str) -> str:
        return self.protection.entity_id(entity_id)

    def real_id(self, shown: str) -> str:
        return self.protection.real_id(shown)

    def label(self, entity_id: str) -> str:
        return self.protection.label(entity_id)

    def text(self, value: str) -> str:
        return self.protection.scrubber(value)

    def withhold(self, value: Any) -> Any:
        """``value`` (a text, or strings in dicts and lists) with every protected value
        replaced by ``[withheld]``: for what may echo the reader's own input (a search term,
        an id in an error, a view they saved), where a pseudonym would say whose it is."""
        return self.protection.withholding.deep(value)

    def deep(self, value: Any) -> Any:
        """``value`` with every string in it minimised (ids included)."""
        return self.protection.scrubber.deep(value)

    def _value(self, prop_type: str, value: str) -> str:
        if prop_type == "entity":
            return self.entity_id(value)
        return self.text(value) if prop_type in TEXT_TYPES else value

    def _name(self, proxy: EntityProxy) -> str:
        """The pseudonym a protected record is shown under (its account number's for an
        account, so that the record and the bank records agree)."""
        if proxy.schema.is_a("BankAccount"):
            for number in proxy.get("iban") + proxy.get("accountNumber"):
                shown = self.text(number)
                if shown != number:
                    return shown
            return f"{self.label(proxy.id or '')} account"
        return self.label(proxy.id or "")

    def entity(self, proxy: EntityProxy) -> EntityProxy:
        hidden = self.protection.protected(proxy.id or "")
        if not hidden and all(prop.name not in SPECIAL_CATEGORY
                              and self._value(prop.type.name, value) == value
                              for prop, value in proxy.itervalues()):
            return proxy  # nothing to hide: most records (and far cheaper than a copy)
        out = model.make_entity(proxy.schema)
        out.id = self.entity_id(proxy.id or "")
        for prop, value in proxy.itervalues():
            if prop.name in SPECIAL_CATEGORY:
                continue
            shown = self._value(prop.type.name, value)
            if hidden and prop.name not in PSEUDONYM_KEEPS and not (
                    prop.name in ACCOUNT_NUMBERS and shown != value):
                continue
            out.unsafe_add(prop, shown, cleaned=True)
        if hidden and "name" in out.schema.properties:
            out.add("name", self._name(proxy))
        return out

    def statements(self, entity_id: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """An entity's statements as the reader may see them (with their sources)."""
        hidden = self.protection.protected(entity_id)
        kept = []
        for row in rows:
            if row["prop"] in SPECIAL_CATEGORY:
                continue
            if hidden and row["prop"] not in PSEUDONYM_KEEPS and row["prop"] != "id":
                continue
            row = self.deep(dict(row))
            row["entity_id"] = row["canonical_id"] = self.entity_id(row["entity_id"])
            if row["prop_type"] == "entity" or row["prop"] == "id":
                row["value"] = self.entity_id(row["value"])
            if hidden:
                row["original_value"] = row["latin"] = None
            kept.append(row)
        if hidden:
            first = self.deep(dict(rows[0])) if rows else {}
            kept.append({**first, "prop": "name", "prop_type": "name",
                         "value": self.label(entity_id), "original_value": None,
                         "latin": None, "entity_id": self.entity_id(entity_id),
                         "canonical_id": self.entity_id(entity_id)})
        return kept

    def finding(self, finding: Finding) -> Finding:
        """The finding with its texts minimised and the ids it cites pseudonymised."""
        finding.title = self.text(finding.title)
        finding.explanation = self.text(finding.explanation)
        if finding.review.reason:  # typed by a reviewer: it may name the person
            finding.review.reason = self.text(finding.review.reason)
        for attr in ("message", "title_message"):
            text = getattr(finding, attr)
            if text is not None:
                setattr(finding, attr, Text(text.msgid, self.deep(text.args)))
        if finding.details is not None:  # phones, cities, names of the detector's detail
            finding.details = self.deep(finding.details)
        evidence = finding.evidence
        evidence.entity_ids = [self.entity_id(e) for e in evidence.entity_ids]
        # record ids are ``source:row``: nothing personal in them
        evidence.keys = [Key(k.type, self.text(k.value)) for k in evidence.keys]
        return finding

    def table(self, table: pa.Table) -> pa.Table:
        """Bulk records with every text column minimised (each distinct value once)."""
        columns = []
        for name, column in zip(table.column_names, table.columns, strict=True):
            if name in KEEP_COLUMNS or not pa.types.is_string(column.type):
                columns.append(column)
                continue
            encoded = pc.dictionary_encode(column).combine_chunks()
            values = [None if v is None else self.text(v)
                      for v in encoded.dictionary.to_pylist()]
            columns.append(pc.take(pa.array(values, pa.string()), encoded.indices))
        return pa.table(columns, schema=table.schema)
