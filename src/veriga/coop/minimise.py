"""Data minimisation for NGO users: victims (and, unless allowed, suspects) pseudonymised;
special-category properties hidden for everyone shown to them."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from veriga.findings import Finding, Text
from veriga.model import EntityProxy, model

#: Special categories of personal data (GDPR Art. 9, LED Art. 10) that FtM can hold.
SPECIAL_CATEGORY = frozenset({
    "ethnicity", "religion", "political", "appearance", "eyeColor", "hairColor", "height",
    "weight", "statedNationality",
})
#: What a pseudonymised person keeps: nothing that identifies them.
PSEUDONYM_KEEPS = frozenset({"nationality", "country", "gender"})


@dataclass
class Minimiser:
    """Rewrites entities and statements for a viewer who must see minimised data."""

    key: str
    pseudonymised: frozenset[str]  # entity ids to pseudonymise

    def pseudonym_id(self, entity_id: str) -> str:
        digest = hmac.new(self.key.encode(), entity_id.encode(), hashlib.sha256).hexdigest()
        return f"pseudo-{digest[:16]}"

    def label(self, entity_id: str, role: str) -> str:
        digest = hmac.new(self.key.encode(), entity_id.encode(), hashlib.sha256).hexdigest()
        return f"{role.capitalize()} {digest[:6].upper()}"

    def entity_id(self, entity_id: str) -> str:
        return self.pseudonym_id(entity_id) if entity_id in self.pseudonymised else entity_id

    def entity(self, proxy: EntityProxy, roles: Mapping[str, str]) -> EntityProxy:
        out = model.make_entity(proxy.schema)
        out.id = self.entity_id(proxy.id or "")
        hidden = proxy.id in self.pseudonymised
        for prop, value in proxy.itervalues():
            if prop.name in SPECIAL_CATEGORY:
                continue
            if hidden and prop.name not in PSEUDONYM_KEEPS:
                continue
            if prop.type.name == "entity":
                value = self.entity_id(value)
            out.unsafe_add(prop, value, cleaned=True)
        if hidden and "name" in out.schema.properties:
            out.add("name", self.label(proxy.id or "", roles.get(proxy.id or "", "person")))
        return out

    def statements(self, entity_id: str, rows: list[dict], role: str | None) -> list[dict]:
        hidden = entity_id in self.pseudonymised
        kept = []
        for row in rows:
            if row["prop"] in SPECIAL_CATEGORY:
                continue
            if hidden and row["prop"] not in PSEUDONYM_KEEPS and row["prop"] != "id":
                continue
            row = dict(row)
            row["entity_id"] = row["canonical_id"] = self.entity_id(row["entity_id"])
            if row["prop_type"] == "entity" or row["prop"] == "id":
                row["value"] = self.entity_id(row["value"])
            row["original_value"] = None if hidden else row["original_value"]
            kept.append(row)
        if hidden:
            kept.append({**(rows[0] if rows else {}), "prop": "name", "prop_type": "name",
                         "value": self.label(entity_id, role or "person"),
                         "original_value": None, "latin": None,
                         "entity_id": self.entity_id(entity_id)})
        return kept


def scrub(text: str, names: Mapping[str, str]) -> str:
    """``text`` with each of ``names`` (a real name → its pseudonym) replaced, any case."""
    for name in sorted(names, key=len, reverse=True):
        if len(name) >= 3:
            text = re.sub(re.escape(name), names[name], text, flags=re.IGNORECASE)
    return text


def scrub_finding(finding: Finding, names: Mapping[str, str]) -> None:
    """Take the names of pseudonymised people out of a finding's title and explanation."""
    if not names:
        return
    finding.title = scrub(finding.title, names)
    finding.explanation = scrub(finding.explanation, names)

    def clean(value: Any) -> Any:
        if isinstance(value, str):
            return scrub(value, names)
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    for attr in ("message", "title_message"):
        text = getattr(finding, attr)
        if text is not None:
            setattr(finding, attr, Text(text.msgid, clean(text.args)))
