"""Multilingual names and phones, and the spelling noise real records carry.

A person has one native spelling; records write it in Latin or Cyrillic, with Latvian
endings, dropped diacritics, typos, swapped order or upper case, and phones in local forms.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass

GIVEN: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {  # (male, female)
    "BG": (("Иван", "Георги", "Димитър", "Николай", "Петър", "Стоян", "Христо", "Васил"),
           ("Мария", "Елена", "Иванка", "Десислава", "Гергана", "Петя", "Силвия", "Надежда")),
    "UA": (("Олександр", "Андрій", "Сергій", "Віктор", "Михайло", "Богдан", "Тарас", "Юрій"),
           ("Олена", "Оксана", "Наталія", "Ірина", "Юлія", "Тетяна", "Світлана", "Катерина")),
    "RO": (("Andrei", "Mihai", "Ionuț", "Florin", "Marius", "Ștefan", "Cristian", "Adrian"),
           ("Ioana", "Elena", "Andreea", "Mihaela", "Alina", "Roxana", "Cristina", "Denisa")),
    "LV": (("Jānis", "Andris", "Māris", "Edgars", "Kristaps", "Raimonds", "Aivars", "Artūrs"),
           ("Anna", "Līga", "Inese", "Ilze", "Kristīne", "Dace", "Sanita", "Zane")),
    "EE": (("Jaan", "Tõnu", "Andres", "Margus", "Rein", "Priit", "Tanel", "Mart"),
           ("Kadri", "Triin", "Liis", "Kristiina", "Maarja", "Piret", "Külli", "Eha")),
    "FI": (("Mikko", "Juha", "Jukka", "Timo", "Antti", "Ville", "Janne", "Sami"),
           ("Anna", "Laura", "Sanna", "Riikka", "Päivi", "Heidi", "Minna", "Tiina")),
    "PL": (("Piotr", "Krzysztof", "Tomasz", "Paweł", "Łukasz", "Michał", "Marcin", "Jakub"),
           ("Anna", "Katarzyna", "Małgorzata", "Agnieszka", "Joanna", "Magdalena", "Ewa", "Zofia")),
}
FAMILY: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "BG": (("Петров", "Иванов", "Георгиев", "Димитров", "Стоянов", "Николов", "Колев", "Маринов"),
           ("Петрова", "Иванова", "Георгиева", "Димитрова", "Стоянова", "Николова", "Колева",
            "Маринова")),
    "UA": (("Коваленко", "Шевченко", "Бондаренко", "Ткаченко", "Мельник", "Кравчук", "Бойко",
            "Савчук"),) * 2,
    "RO": (("Popescu", "Ionescu", "Dumitru", "Stan", "Constantin", "Munteanu", "Lungu", "Țurcan"),)
    * 2,
    "LV": (("Bērziņš", "Kalniņš", "Ozols", "Liepiņš", "Krūmiņš", "Petrovs", "Ivanovs", "Zariņš"),
           ("Bērziņa", "Kalniņa", "Ozola", "Liepiņa", "Krūmiņa", "Petrova", "Ivanova", "Zariņa")),
    "EE": (("Tamm", "Saar", "Sepp", "Mägi", "Kask", "Põder", "Kukk", "Rebane"),) * 2,
    "FI": (("Korhonen", "Virtanen", "Mäkinen", "Nieminen", "Mäkelä", "Hämäläinen", "Laine",
            "Koskinen"),) * 2,
    "PL": (("Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kamiński", "Lewandowski", "Zieliński",
            "Szymański"),
           ("Nowak", "Kowalska", "Wiśniewska", "Wójcik", "Kamińska", "Lewandowska", "Zielińska",
            "Szymańska")),
}

_CYR = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "є": "ie", "ж": "zh",
    "з": "z", "и": "i", "і": "i", "ї": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n",
    "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "sht", "ъ": "a", "ь": "", "ю": "yu", "я": "ya", "ы": "y", "э": "e",
    "'": "",
}
_UA_OVERRIDE = {"г": "h", "и": "y", "щ": "shch", "х": "kh"}
_LAT_TO_CYR = [("sht", "щ"), ("zh", "ж"), ("ch", "ч"), ("sh", "ш"), ("ts", "ц"), ("yu", "ю"),
               ("ya", "я"), ("a", "а"), ("b", "б"), ("v", "в"), ("g", "г"), ("d", "д"),
               ("e", "е"), ("z", "з"), ("i", "и"), ("y", "й"), ("k", "к"), ("l", "л"),
               ("m", "м"), ("n", "н"), ("o", "о"), ("p", "п"), ("r", "р"), ("s", "с"),
               ("t", "т"), ("u", "у"), ("f", "ф"), ("h", "х"), ("j", "й"), ("c", "к"),
               ("w", "в"), ("x", "кс"), ("q", "к")]

LANGUAGE = {"BG": "bg", "UA": "uk", "RO": "ro", "LV": "lv", "EE": "et", "FI": "fi", "PL": "pl"}
CALLING = {"BG": "359", "UA": "380", "RO": "40", "LV": "371", "EE": "372", "FI": "358",
           "PL": "48", "LT": "370"}


def transliterate(text: str, country: str = "BG") -> str:
    """Cyrillic to Latin, Bulgarian (official) or Ukrainian (national) system."""
    table = dict(_CYR)
    if country == "UA":
        table.update(_UA_OVERRIDE)
    out = []
    for ch in text:
        low = ch.lower()
        if low in table:
            rep = table[low]
            out.append(rep.capitalize() if ch != low and rep else rep)
        else:
            out.append(ch)
    return "".join(out)


def cyrillize(text: str) -> str:
    """Latin to Cyrillic the way a Russian-speaking clerk writes a foreign name."""
    out, i, low = [], 0, strip_diacritics(text).lower()
    while i < len(low):
        for lat, cyr in _LAT_TO_CYR:
            if low.startswith(lat, i):
                upper = text[i:i + 1].isupper()
                out.append(cyr.upper() if upper else cyr)
                i += len(lat)
                break
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def strip_diacritics(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def latvianize(given: str, family: str, female: bool) -> tuple[str, str]:
    """Latvian documents give foreign names Latvian endings: Petrov -> Petrovs/Petrova."""
    if female:
        if not family.endswith(("a", "e")):
            family += "a"
        if not given.endswith(("a", "e")):
            given += "a"
        return given, family
    if family[-1:] not in "sš":
        family += "s"
    if given[-1:] not in "sšo":
        given += "s"
    return given, family


@dataclass(frozen=True)
class Name:
    """A person's name as their own documents write it."""

    given: str
    family: str
    country: str
    female: bool

    @property
    def native(self) -> str:
        return f"{self.given} {self.family}"

    @property
    def latin(self) -> str:
        if self.country in ("BG", "UA"):
            return f"{transliterate(self.given, self.country)} " \
                   f"{transliterate(self.family, self.country)}"
        return self.native


def make_name(rng: random.Random, country: str, female: bool) -> Name:
    given = rng.choice(GIVEN[country][1 if female else 0])
    family = rng.choice(FAMILY[country][1 if female else 0])
    return Name(given, family, country, female)


def _typo(rng: random.Random, text: str) -> str:
    if len(text) < 4:
        return text
    i = rng.randrange(1, len(text) - 2)
    op = rng.randrange(3)
    if op == 0:
        return text[:i] + text[i + 1] + text[i] + text[i + 2:]
    if op == 1:
        return text[:i] + text[i + 1:]
    return text[:i] + text[i] + text[i:]


def variant(rng: random.Random, name: Name, recorder: str) -> tuple[str, str]:
    """(written name, kind of noise) as a record kept in country ``recorder`` writes it."""
    latin = name.latin
    given, family = latin.split(" ", 1)
    roll = rng.random()
    if roll < 0.30:
        return latin, "latin"
    if roll < 0.40 and name.country in ("BG", "UA"):
        return name.native, "native_script"
    if roll < 0.50 and recorder == "LV":
        g, f = latvianize(strip_diacritics(given), strip_diacritics(family), name.female)
        return f"{g} {f}", "latvian_ending"
    if roll < 0.60:
        return strip_diacritics(latin), "no_diacritics"
    if roll < 0.72:
        return f"{family} {given}", "swapped_order"
    if roll < 0.82:
        return f"{given} {_typo(rng, family)}", "typo"
    if roll < 0.90:
        return f"{family.upper()} {given}", "upper_family_first"
    if roll < 0.95 and name.country not in ("BG", "UA"):
        return cyrillize(latin), "cyrillic"
    return latin, "latin"


_MOBILE = {
    "LV": lambda r: "2" + _digits(r, 7),
    "EE": lambda r: "5" + _digits(r, 7),
    "FI": lambda r: r.choice(("40", "41", "44", "45", "50")) + _digits(r, 7),
    "BG": lambda r: r.choice(("87", "88", "89", "98")) + _digits(r, 7),
    "RO": lambda r: r.choice(("72", "74", "75", "76", "78")) + _digits(r, 7),
    "UA": lambda r: r.choice(("50", "63", "67", "68", "93", "97")) + _digits(r, 7),
    "PL": lambda r: r.choice(("5", "6", "7", "8")) + _digits(r, 8),
    "LT": lambda r: "6" + _digits(r, 7),
}
_TRUNK = {"LV": "", "EE": "", "FI": "0", "BG": "0", "RO": "0", "UA": "0", "PL": "", "LT": "8"}


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def make_phone(rng: random.Random, country: str) -> str:
    """A mobile number in E.164 that passes ``phonenumbers.is_possible_number``."""
    return "+" + CALLING[country] + _MOBILE[country](rng)


_BY_CODE = sorted(CALLING.items(), key=lambda kv: -len(kv[1]))


def phone_country(e164: str) -> str:
    for country, code in _BY_CODE:
        if e164.startswith(code, 1):
            return country
    return "LV"


def local_phone(rng: random.Random, e164: str, recorder: str) -> str:
    """How a record kept in ``recorder`` writes the number: local form if domestic."""
    country = phone_country(e164)
    national = e164[1 + len(CALLING[country]):]
    if country != recorder:
        if rng.random() < 0.5:
            return "00" + e164[1:]
        return f"+{CALLING[country]} {national[:3]} {national[3:]}"
    local = _TRUNK[country] + national
    style = rng.randrange(3)
    if style == 0:
        return local
    if style == 1:
        return f"{local[:3]} {local[3:6]} {local[6:]}"
    return f"{local[:4]}-{local[4:]}"


_WORDS = {"0": "zero", "1": "one", "2": "two", "3": "three", "4": "four", "5": "five",
          "6": "six", "7": "seven", "8": "eight", "9": "nine"}
_EMOJI = {str(d): f"{d}\ufe0f\u20e3" for d in range(10)}


def obfuscated_phone(rng: random.Random, e164: str, recorder: str) -> str:
    """A phone as an ad writes it to dodge filters: words, emoji digits, dots."""
    local = local_phone(rng, e164, recorder).replace(" ", "").replace("-", "")
    style = rng.randrange(4)
    if style == 0:
        return local
    if style == 1:
        head = " ".join(_WORDS[c] for c in local[:3] if c in _WORDS)
        return f"{head} {local[3:]}"
    if style == 2:
        return "".join(_EMOJI.get(c, c) for c in local)
    return ".".join(local[i:i + 2] for i in range(0, len(local), 2))
