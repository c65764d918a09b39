"""``ws.org_keys``: this installation's organisation key pair and its partners' public keys
(:mod:`veriga.cooperation.exchange`), which exchange packages are signed, encrypted and
checked with.

An administrator makes the key pair once (the private half in ``VERIGA_HOME/keys``, readable
by its owner only, never in the store; the public half in the store), every user may export
the public bundle for the partners, and an administrator registers theirs (the organisation
is created in the directory when new). Each step is audited.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from veriga.access import directory
from veriga.access.policy import Op
from veriga.access.roles import OrgType
from veriga.cooperation import exchange as xch
from veriga.errors import NotFound, VerigaError
from veriga.store.schema import org_keys, organisations
from veriga.workspace.part import Part


class OrgKeys(Part):
    def key_path(self, org_id: str) -> Path:
        """Where an organisation's private keys are kept on this machine."""
        return self.ws.settings.home / "keys" / f"{org_id}.key.json"

    def generate_key(self, name: str | None = None, org_type: str | None = None,
                     country: str | None = None) -> dict[str, Any]:
        """Make this organisation's key pair (administrators; never replaced). ``name``,
        ``org_type`` and ``country`` first set how the organisation is named to partners
        (a new installation's organisation is "Local workspace")."""
        user = self.ws.require_global(Op.USER_ADMIN)
        path = self.key_path(user.org_id)
        keys = xch.generate()
        written = False
        try:
            with self.ws.store.begin() as conn:
                known = conn.execute(select(org_keys.c.fingerprint).where(
                    org_keys.c.org_id == user.org_id, org_keys.c.own)).first()
                if known is not None or path.exists():
                    raise VerigaError("this organisation has a key already (veriga org key "
                                      "list); it is never replaced")
                self._describe(conn, user.org_id, name, org_type, country)
                xch.write_private(keys, path)
                written = True
                self._register(conn, user.org_id, keys.public, own=True)
                org = directory.get_org(conn, user.org_id)
                self.ws.write_audit(conn, "org.key.generate", None, target=org["name"],
                                    fingerprint=keys.public.fingerprint)
        except BaseException:
            if written:  # the store has no key: neither has the folder
                path.unlink(missing_ok=True)
            raise
        return {"org": org["name"], "fingerprint": keys.public.fingerprint, "path": path}

    def _describe(self, conn: Connection, org_id: str, name: str | None,
                  org_type: str | None, country: str | None) -> None:
        values: dict[str, str] = {}
        if name and name.strip():
            values["name"] = name.strip()
        if org_type:
            try:
                values["type"] = OrgType(org_type.strip().lower()).value
            except ValueError:
                known = ", ".join(t.value for t in OrgType)
                raise VerigaError(f"unknown organisation type {org_type!r}; types: "
                                  f"{known}") from None
        if country:
            if len(country.strip()) != 2:
                raise VerigaError("country must be a two-letter ISO code, e.g. LV")
            values["country"] = country.strip().upper()
        if not values:
            return
        if "name" in values and conn.execute(select(organisations.c.id).where(
                organisations.c.name == values["name"],
                organisations.c.id != org_id)).first():
            raise VerigaError(f"an organisation named {values['name']!r} already exists")
        conn.execute(organisations.update().where(organisations.c.id == org_id)
                     .values(**values))
        self.ws.write_audit(conn, "org.update", None, target=values.get("name", org_id),
                            **values)

    def export_key(self, out: Path) -> dict[str, Any]:
        """Write this organisation's public bundle for the partners to register."""
        user = self.ws.require_user()
        with self.ws.store.begin() as conn:
            public = self.own_public(conn, user.org_id)
            bundle = xch.public_bundle(public, directory.get_org(conn, user.org_id))
        out.write_text(json.dumps(bundle, indent=1, ensure_ascii=False) + "\n",
                       encoding="utf-8")
        return bundle

    def add_key(self, bundle: Path) -> dict[str, Any]:
        """Register a partner's public bundle (administrators; audited); the organisation
        is added to the directory when it is not there yet."""
        user = self.ws.require_global(Op.USER_ADMIN)
        found, keys = xch.read_bundle(bundle)
        with self.ws.store.begin() as conn:
            if directory.get_org(conn, user.org_id)["name"] == found["name"]:
                raise VerigaError(f"the bundle names this organisation ({found['name']!r}): "
                                  "each installation names itself before making its key "
                                  "(veriga org key generate --name)")
            try:
                org = directory.get_org(conn, found["name"])
                if org["country"] != found["country"].upper():
                    raise VerigaError(f"the directory has {org['name']!r} in {org['country']}, "
                                      f"the bundle says {found['country']}: check with them")
            except NotFound:
                org = directory.create_org(conn, found["name"], found["type"],
                                           found["country"])
            known = conn.execute(select(org_keys).where(
                org_keys.c.fingerprint == keys.fingerprint)).mappings().first()
            if known is not None:
                raise VerigaError(f"key {keys.fingerprint[:16]} is registered already")
            self._register(conn, org["id"], keys, own=False)
            self.ws.write_audit(conn, "org.key.add", None, target=org["name"],
                                fingerprint=keys.fingerprint, bundle=bundle.name)
        return {"org": org["name"], "country": org["country"], "type": org["type"],
                "fingerprint": keys.fingerprint}

    def keys(self) -> list[dict[str, Any]]:
        """Every registered key: this organisation's and its partners'."""
        self.ws.require_user()
        with self.ws.store.begin() as conn:
            rows = conn.execute(select(org_keys).order_by(org_keys.c.added_at)).mappings()
            orgs = {o["id"]: o for o in directory.list_orgs(conn)}
            return [{"org": orgs[r["org_id"]]["name"], "country": orgs[r["org_id"]]["country"],
                     "fingerprint": r["fingerprint"], "own": r["own"],
                     "added_at": r["added_at"], "added_by": r["added_by"]} for r in rows]

    def _register(self, conn: Connection, org_id: str, keys: xch.PublicKeys,
                  own: bool) -> None:
        sign, box = keys.to_text()
        conn.execute(org_keys.insert().values(
            fingerprint=keys.fingerprint, org_id=org_id, sign_public=sign, box_public=box,
            own=own, added_at=datetime.now(UTC), added_by=self.ws.actor))

    def own_public(self, conn: Connection, org_id: str) -> xch.PublicKeys:
        """This organisation's registered public keys."""
        row = conn.execute(select(org_keys).where(org_keys.c.org_id == org_id,
                                                  org_keys.c.own)).mappings().first()
        if row is None:
            raise VerigaError("this organisation has no key yet (an administrator makes one "
                              "with 'veriga org key generate')")
        return xch.PublicKeys.from_text(row["sign_public"], row["box_public"])

    def own_keys(self) -> tuple[xch.PrivateKeys, dict[str, Any]]:
        """This organisation's private keys (checked against its registered public keys)
        and its directory entry."""
        user = self.ws.require_user()
        with self.ws.store.begin() as conn:
            public = self.own_public(conn, user.org_id)
            org = directory.get_org(conn, user.org_id)
        keys = xch.read_private(self.key_path(user.org_id))
        if keys.public != public:
            raise xch.KeyProblem("the private key file does not belong to this "
                                 "organisation's registered key")
        return keys, org

    def partner(self, conn: Connection, fingerprint: str) -> dict[str, Any] | None:
        """The registration of a partner's key (None: not registered here)."""
        row = conn.execute(select(org_keys).where(org_keys.c.fingerprint == fingerprint,
                                                  ~org_keys.c.own)).mappings().first()
        return dict(row) if row else None

    def partner_key(self, conn: Connection, fingerprint: str) -> xch.PublicKeys | None:
        row = self.partner(conn, fingerprint)
        return xch.PublicKeys.from_text(row["sign_public"], row["box_public"]) if row else None

    def recipient_key(self, conn: Connection, org: dict[str, Any]) -> xch.PublicKeys:
        """The newest registered public key of a partner organisation."""
        row = conn.execute(select(org_keys).where(
            org_keys.c.org_id == org["id"], ~org_keys.c.own)
            .order_by(org_keys.c.added_at.desc())).mappings().first()
        if row is None:
            raise VerigaError(f"no public key registered for {org['name']!r} (an "
                              "administrator adds it with 'veriga org key add')")
        return xch.PublicKeys.from_text(row["sign_public"], row["box_public"])
