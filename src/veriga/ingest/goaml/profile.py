"""FIU profiles of goAML: each FIU's extensions (its reporting entity id, code lists,
indicators, mandatory fields, local currency) as YAML configuration, never code.

A profile is found by name (``--profile``, else ``VERIGA_GOAML_PROFILE``, else
``default``) in ``$VERIGA_HOME/goaml/NAME.yml`` and then among the profiles
shipped in ``veriga/ingest/goaml/profiles/``, or given as a path to a ``.yml`` file. A
profile may ``extends:`` another (by name): its keys replace the other's, mappings merged
one level deep (``indicators``, ``transmode``...). docs/finance.md#goaml describes the keys.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from veriga.errors import VerigaError

DEFAULT = "default"
MAX_EXTENDS = 5
_PATH = re.compile(r"^(?:[A-Za-z_][A-Za-z0-9_]*|\*)(?:/(?:[A-Za-z_][A-Za-z0-9_]*|\*))*$")
_MAPPINGS = ("transmode", "funds", "gender", "party_roles", "indicators", "reporting_person")
_LISTS = ("report_codes", "submission_codes", "my_client_bics", "default_indicators",
          "mandatory")
_TEXTS = ("name", "title", "rentity_id", "rentity_branch", "submission_code", "report_code",
          "currency_code_local", "action")
KNOWN = frozenset((*_MAPPINGS, *_LISTS, *_TEXTS, "extends"))


class ProfileError(VerigaError):
    """A goAML profile that cannot be found or read."""


@dataclass(frozen=True)
class Profile:
    """One FIU's goAML settings (see ``profiles/default.yml`` for each key)."""

    name: str
    title: str = ""
    rentity_id: str | None = None
    rentity_branch: str | None = None
    submission_code: str = "E"
    report_code: str = "STR"
    currency_code_local: str = "EUR"
    action: str | None = None
    reporting_person: dict[str, str] = field(default_factory=dict)
    report_codes: tuple[str, ...] = ()
    submission_codes: tuple[str, ...] = ()
    transmode: dict[str, str] = field(default_factory=dict)
    funds: dict[str, str] = field(default_factory=dict)
    gender: dict[str, str] = field(default_factory=dict)
    party_roles: dict[str, tuple[str, ...]] = field(default_factory=dict)
    my_client_bics: tuple[str, ...] = ()
    indicators: dict[str, str] = field(default_factory=dict)
    default_indicators: tuple[str, ...] = ()
    mandatory: tuple[str, ...] = ()
    source: str = ""  # where it was read from, for messages

    def method_of(self, code: str | None, funds: bool = False) -> str | None:
        """The ledger's payment method of an FIU transmode (or funds) code."""
        if not code:
            return None
        table = self.funds if funds else self.transmode
        wanted = code.strip().upper()
        for method, value in table.items():
            if value.upper() == wanted:
                return method
        return None

    def gender_of(self, code: str | None) -> str | None:
        """FtM's gender (male, female, other) of an FIU gender code."""
        if not code:
            return None
        for gender, value in self.gender.items():
            if value.upper() == code.strip().upper():
                return gender
        return None

    def role_direction(self, role: str | None) -> str | None:
        """``from`` or ``to`` for a multi-party role that gives the direction, else None."""
        if not role:
            return None
        wanted = role.strip().upper()
        for direction in ("from", "to"):
            if wanted in {r.upper() for r in self.party_roles.get(direction, ())}:
                return direction
        return None


def _shipped(name: str) -> str | None:
    item = resources.files("veriga.ingest.goaml") / "profiles" / f"{name}.yml"
    return item.read_text(encoding="utf-8") if item.is_file() else None


def _user_dir() -> Path | None:
    home = os.environ.get("VERIGA_HOME")
    if home:
        return Path(home).expanduser() / "goaml"
    from veriga.config import load_settings  # platform default home, only when needed

    return load_settings().home / "goaml"


def _text_of(ref: str) -> tuple[str, str]:
    """(YAML text, where) of a profile name or file."""
    path = Path(ref).expanduser()
    if ref.endswith((".yml", ".yaml")) or os.sep in ref or "/" in ref:
        if not path.is_file():
            raise ProfileError(f"goAML profile file {ref} not found")
        return path.read_text(encoding="utf-8"), str(path)
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", ref):
        raise ProfileError(f"goAML profile name {ref!r}: use letters, digits, '-', '_', '.'")
    folder = _user_dir()
    if folder is not None and (folder / f"{ref}.yml").is_file():
        found = folder / f"{ref}.yml"
        return found.read_text(encoding="utf-8"), str(found)
    text = _shipped(ref)
    if text is None:
        where = f" or {folder}/{ref}.yml" if folder is not None else ""
        raise ProfileError(f"no goAML profile {ref!r}: give a .yml file{where} (see "
                           "docs/finance.md#goaml)")
    return text, f"profiles/{ref}.yml"


def _raw(ref: str, depth: int = 0) -> tuple[dict[str, Any], str]:
    if depth > MAX_EXTENDS:
        raise ProfileError(f"goAML profile {ref!r}: 'extends' nested deeper than {MAX_EXTENDS}")
    text, where = _text_of(ref)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ProfileError(f"{where}: not valid YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(data, dict):
        raise ProfileError(f"{where}: a goAML profile is a mapping of keys")
    unknown = sorted(set(map(str, data)) - KNOWN)
    if unknown:
        raise ProfileError(f"{where}: unknown key(s) {', '.join(unknown)}; known: "
                           f"{', '.join(sorted(KNOWN))}")
    base_ref = data.get("extends")
    if base_ref is None:
        return data, where
    base, _ = _raw(str(base_ref), depth + 1)
    merged = dict(base)
    for key, value in data.items():
        if key in _MAPPINGS and isinstance(value, dict) and isinstance(base.get(key), dict):
            merged[key] = {**base[key], **value}
        else:
            merged[key] = value
    return merged, where


def _strs(where: str, key: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        raise ProfileError(f"{where}: {key} must be a list of texts")
    return tuple(str(v) for v in value)


def _mapping(where: str, key: str, value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, str | int) or v is None
                                              for v in value.values()):
        raise ProfileError(f"{where}: {key} must map names to texts")
    return {str(k): str(v) for k, v in value.items() if v is not None}


def load_profile(ref: str | None = None) -> Profile:
    """The profile called ``ref`` (or in the file ``ref``); if ``None``, the one named by
    ``VERIGA_GOAML_PROFILE``, else the default."""
    data, where = _raw(ref or os.environ.get("VERIGA_GOAML_PROFILE") or DEFAULT)
    texts = {k: (None if data.get(k) is None else str(data[k])) for k in _TEXTS}
    roles = data.get("party_roles") or {}
    if not isinstance(roles, dict):
        raise ProfileError(f"{where}: party_roles must map from/to to lists of codes")
    mandatory = _strs(where, "mandatory", data.get("mandatory"))
    for path in mandatory:
        if not _PATH.match(path):
            raise ProfileError(f"{where}: mandatory path {path!r}: element names and '*' "
                               "separated by '/'")
    profile = Profile(
        name=texts["name"] or Path(where).stem, title=texts["title"] or "",
        rentity_id=texts["rentity_id"], rentity_branch=texts["rentity_branch"],
        submission_code=texts["submission_code"] or "E",
        report_code=texts["report_code"] or "STR",
        currency_code_local=(texts["currency_code_local"] or "EUR").upper(),
        action=texts["action"],
        reporting_person=_mapping(where, "reporting_person", data.get("reporting_person")),
        report_codes=_strs(where, "report_codes", data.get("report_codes")),
        submission_codes=_strs(where, "submission_codes", data.get("submission_codes")),
        transmode=_mapping(where, "transmode", data.get("transmode")),
        funds=_mapping(where, "funds", data.get("funds")),
        gender=_mapping(where, "gender", data.get("gender")),
        party_roles={str(k): _strs(where, f"party_roles.{k}", v) for k, v in roles.items()},
        my_client_bics=tuple(b.upper() for b in _strs(where, "my_client_bics",
                                                      data.get("my_client_bics"))),
        indicators=_mapping(where, "indicators", data.get("indicators")),
        default_indicators=_strs(where, "default_indicators", data.get("default_indicators")),
        mandatory=mandatory, source=where,
    )
    if profile.report_codes and profile.report_code not in profile.report_codes:
        raise ProfileError(f"{where}: report_code {profile.report_code!r} is not one of "
                           f"report_codes ({', '.join(profile.report_codes)})")
    if profile.submission_codes and profile.submission_code not in profile.submission_codes:
        raise ProfileError(f"{where}: submission_code {profile.submission_code!r} is not one "
                           f"of submission_codes ({', '.join(profile.submission_codes)})")
    return profile
