"""Multilingual names and phones, and the ways records write a name.

A person has one name as their own documents write it (:class:`Name`: Cyrillic for Bulgarian
and Ukrainian citizens, with the passport's Latin transliteration). Each source writes it in
its own way (:class:`Style`): in Cyrillic or Latin, transliterated by the recording country's
system (Шевченко: Shevchenko in a passport, Ševčenko in Latvia and Lithuania, Ševtšenko in
Estonia and Finland), with Latvian or Lithuanian endings (Ivanovs, Ivanovas), without
diacritics, family name first or in capitals (SHEVCHENKO OLENA), with an initial
(O. Shevchenko) or one typo. :func:`render` returns the written form and the kinds of
variation it carries, so the answer key can say how each record writes each name.
"""

from __future__ import annotations

import random
import unicodedata
import zlib
from dataclasses import dataclass

import phonenumbers

#: Names are drawn from these: common enough to be realistic, many enough that different
#: people share a name by chance only now and then (and on purpose as decoys).
_BG_FAMILY = ("Петров", "Иванов", "Георгиев", "Димитров", "Стоянов", "Николов", "Колев",
              "Маринов", "Тодоров", "Христов", "Атанасов", "Йорданов", "Ангелов", "Василев",
              "Костадинов", "Илиев", "Симеонов", "Кирилов", "Павлов", "Митев", "Русев",
              "Стефанов", "Александров", "Киров")
GIVEN: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {  # (male, female)
    "BG": (("Иван", "Георги", "Димитър", "Николай", "Петър", "Стоян", "Христо", "Васил",
            "Тодор", "Атанас", "Йордан", "Ангел", "Красимир", "Пламен", "Цветан", "Борислав"),
           ("Мария", "Елена", "Иванка", "Десислава", "Гергана", "Петя", "Силвия", "Надежда",
            "Йорданка", "Румяна", "Цветелина", "Радостина", "Виолета", "Теодора", "Галина",
            "Милена")),
    "UA": (("Олександр", "Андрій", "Сергій", "Віктор", "Михайло", "Богдан", "Тарас", "Юрій",
            "Дмитро", "Василь", "Іван", "Микола", "Олег", "Володимир", "Роман", "Петро"),
           ("Олена", "Оксана", "Наталія", "Ірина", "Юлія", "Тетяна", "Світлана", "Катерина",
            "Галина", "Марія", "Людмила", "Олександра", "Анна", "Вікторія", "Надія", "Софія")),
    "RO": (("Andrei", "Mihai", "Ionuț", "Florin", "Marius", "Ștefan", "Cristian", "Adrian",
            "Alexandru", "Gabriel", "Bogdan", "Vasile", "Daniel", "Radu", "Sorin", "Cătălin"),
           ("Ioana", "Elena", "Andreea", "Mihaela", "Alina", "Roxana", "Cristina", "Denisa",
            "Maria", "Ana", "Gabriela", "Simona", "Diana", "Raluca", "Corina", "Larisa")),
    "LV": (("Jānis", "Andris", "Māris", "Edgars", "Kristaps", "Raimonds", "Aivars", "Artūrs",
            "Mārtiņš", "Juris", "Guntis", "Valdis", "Roberts", "Dainis", "Uldis", "Normunds",
            "Ivars", "Ēriks", "Kārlis", "Gints"),
           ("Anna", "Līga", "Inese", "Ilze", "Kristīne", "Dace", "Sanita", "Zane", "Laura", "Ieva",
            "Aija", "Baiba", "Daiga", "Santa", "Elīna", "Agnese", "Inga", "Evija", "Una",
            "Marta")),
    "LT": (("Jonas", "Tomas", "Mantas", "Darius", "Lukas", "Paulius", "Andrius", "Mindaugas",
            "Tadas", "Marius", "Vytautas", "Giedrius", "Rimantas", "Saulius", "Arūnas",
            "Justinas", "Gediminas", "Linas", "Kęstutis", "Dovydas"),
           ("Rūta", "Giedrė", "Ieva", "Laura", "Agnė", "Jurgita", "Eglė", "Inga", "Asta", "Daiva",
            "Kristina", "Lina", "Rasa", "Vilma", "Greta", "Aušra", "Simona", "Jolanta", "Indrė",
            "Gabija")),
    "EE": (("Jaan", "Tõnu", "Andres", "Margus", "Rein", "Priit", "Tanel", "Mart", "Toomas",
            "Jüri", "Peeter", "Aivar", "Indrek", "Urmas", "Raivo", "Kalev", "Siim", "Rasmus",
            "Kristjan", "Märt"),
           ("Kadri", "Triin", "Liis", "Kristiina", "Maarja", "Piret", "Külli", "Eha", "Kati",
            "Kairi", "Merike", "Tiina", "Ülle", "Marju", "Kersti", "Helen", "Anu", "Reet", "Mari",
            "Epp")),
    "FI": (("Mikko", "Juha", "Jukka", "Timo", "Antti", "Ville", "Janne", "Sami", "Matti", "Pekka",
            "Kari", "Markku", "Jari", "Petri", "Heikki", "Tuomas", "Lauri", "Olli", "Eero", "Joni"),
           ("Anna", "Laura", "Sanna", "Riikka", "Päivi", "Heidi", "Minna", "Tiina", "Johanna",
            "Maria", "Katja", "Elina", "Sari", "Anne", "Tuula", "Pirjo", "Satu", "Hanna", "Emilia",
            "Noora")),
    "PL": (("Piotr", "Krzysztof", "Tomasz", "Paweł", "Łukasz", "Michał", "Marcin", "Jakub",
            "Andrzej", "Adam", "Marek", "Grzegorz", "Mateusz", "Wojciech", "Dariusz", "Kamil",
            "Maciej", "Rafał", "Szymon", "Bartosz"),
           ("Anna", "Katarzyna", "Małgorzata", "Agnieszka", "Joanna", "Magdalena", "Ewa", "Zofia",
            "Barbara", "Krystyna", "Monika", "Aleksandra", "Natalia", "Karolina", "Justyna",
            "Beata", "Dorota", "Paulina", "Marta", "Julia")),
}
#: Family names, (male, female) forms at the same index (Lithuanian women: married -ienė,
#: unmarried -aitė/-ytė/-ūtė).
FAMILY: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "BG": (_BG_FAMILY, tuple(f + "а" for f in _BG_FAMILY)),
    "UA": (("Коваленко", "Шевченко", "Бондаренко", "Ткаченко", "Мельник", "Кравчук", "Бойко",
            "Савчук", "Коваль", "Олійник", "Шевчук", "Поліщук", "Лисенко", "Руденко", "Марченко",
            "Мороз", "Клименко", "Павленко", "Кравченко", "Гаврилюк", "Петренко", "Романюк",
            "Левченко", "Савченко"),) * 2,
    "RO": (("Popescu", "Ionescu", "Dumitru", "Stan", "Constantin", "Munteanu", "Lungu", "Țurcan",
            "Popa", "Radu", "Stoica", "Gheorghe", "Matei", "Ciobanu", "Rusu", "Moldovan", "Dobre",
            "Barbu", "Nistor", "Florea", "Ene", "Tudor", "Dinu", "Marin"),) * 2,
    "LV": (("Bērziņš", "Kalniņš", "Ozols", "Liepiņš", "Krūmiņš", "Petrovs", "Ivanovs", "Zariņš",
            "Jansons", "Vītols", "Balodis", "Kļaviņš", "Eglītis", "Zālītis", "Ābols", "Lapiņš",
            "Celmiņš", "Siliņš", "Upītis", "Rozenbergs", "Vanags", "Priede", "Kārkliņš",
            "Auziņš", "Sproģis", "Strazdiņš", "Pētersons", "Grīnbergs", "Dzenis", "Ziediņš"),
           ("Bērziņa", "Kalniņa", "Ozola", "Liepiņa", "Krūmiņa", "Petrova", "Ivanova", "Zariņa",
            "Jansone", "Vītola", "Balode", "Kļaviņa", "Eglīte", "Zālīte", "Ābola", "Lapiņa",
            "Celmiņa", "Siliņa", "Upīte", "Rozenberga", "Vanaga", "Priede", "Kārkliņa",
            "Auziņa", "Sproģe", "Strazdiņa", "Pētersone", "Grīnberga", "Dzene", "Ziediņa")),
    "LT": (("Kazlauskas", "Petrauskas", "Jankauskas", "Stankevičius", "Vasiliauskas", "Adomaitis",
            "Butkus", "Paulauskas", "Žukauskas", "Urbonas", "Kavaliauskas", "Navickas",
            "Ramanauskas", "Savickas", "Rimkus", "Baranauskas", "Sakalauskas", "Žilinskas",
            "Pocius", "Lukošius", "Kairys", "Mažeika", "Vaitkus", "Šimkus", "Jonaitis",
            "Bernotas", "Kučinskas", "Grigas", "Mockus", "Vaičiulis"),
           ("Kazlauskienė", "Petrauskaitė", "Jankauskienė", "Stankevičiūtė", "Vasiliauskienė",
            "Adomaitytė", "Butkutė", "Paulauskaitė", "Žukauskienė", "Urbonaitė",
            "Kavaliauskienė", "Navickaitė", "Ramanauskienė", "Savickaitė", "Rimkutė",
            "Baranauskienė", "Sakalauskaitė", "Žilinskienė", "Pociūtė", "Lukošiūtė", "Kairytė",
            "Mažeikienė", "Vaitkutė", "Šimkienė", "Jonaitytė", "Bernotienė", "Kučinskaitė",
            "Grigaitė", "Mockutė", "Vaičiulytė")),
    "EE": (("Tamm", "Saar", "Sepp", "Mägi", "Kask", "Põder", "Kukk", "Rebane", "Ilves", "Pärn",
            "Koppel", "Lepik", "Kallas", "Luik", "Kaasik", "Oja", "Raudsepp", "Kuusk", "Karu",
            "Lill", "Org", "Vaher", "Parts", "Mets", "Kivi", "Saks", "Teder", "Aas", "Laur",
            "Männik"),) * 2,
    "FI": (("Korhonen", "Virtanen", "Mäkinen", "Nieminen", "Mäkelä", "Hämäläinen", "Laine",
            "Koskinen", "Heikkinen", "Järvinen", "Lehtonen", "Lehtinen", "Saarinen", "Salminen",
            "Heinonen", "Niemi", "Heikkilä", "Kinnunen", "Salonen", "Turunen", "Salo", "Laitinen",
            "Tuominen", "Rantanen", "Karjalainen", "Jokinen", "Mattila", "Savolainen",
            "Lahtinen", "Ahonen"),) * 2,
    "PL": (("Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kamiński", "Lewandowski", "Zieliński",
            "Szymański", "Woźniak", "Dąbrowski", "Kozłowski", "Jankowski", "Mazur", "Kwiatkowski",
            "Krawczyk", "Kaczmarek", "Piotrowski", "Grabowski", "Zając", "Pawłowski", "Michalski",
            "Król", "Wieczorek", "Jabłoński", "Wróbel", "Nowakowski", "Majewski", "Olszewski",
            "Stępień", "Malinowski"),
           ("Nowak", "Kowalska", "Wiśniewska", "Wójcik", "Kamińska", "Lewandowska", "Zielińska",
            "Szymańska", "Woźniak", "Dąbrowska", "Kozłowska", "Jankowska", "Mazur", "Kwiatkowska",
            "Krawczyk", "Kaczmarek", "Piotrowska", "Grabowska", "Zając", "Pawłowska", "Michalska",
            "Król", "Wieczorek", "Jabłońska", "Wróbel", "Nowakowska", "Majewska", "Olszewska",
            "Stępień", "Malinowska")),
}

_CYR = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "є": "ie", "ж": "zh",
    "з": "z", "и": "i", "і": "i", "ї": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n",
    "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "sht", "ъ": "a", "ь": "", "ю": "yu", "я": "ya", "ы": "y", "э": "e",
    "'": "",
}
_UA_OVERRIDE = {"г": "h", "и": "y", "щ": "shch", "х": "kh"}
#: Cyrillic in the Latin of the recording country: Latvian and Lithuanian (š, č, ž; j for й),
#: Estonian and Finnish (š, tš, ž; i for й). Bulgarian щ is št, Ukrainian г is h.
_SYSTEM_BASE = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "є": "je", "ж": "ž",
    "з": "z", "и": "i", "і": "i", "ї": "ji", "й": "j", "к": "k", "л": "l", "м": "m", "н": "n",
    "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "c",
    "ч": "č", "ш": "š", "щ": "šč", "ъ": "a", "ь": "", "ю": "ju", "я": "ja", "ы": "y", "э": "e",
    "'": "",
}
SYSTEMS: dict[str, dict[str, str]] = {
    "lv": _SYSTEM_BASE,
    "lt": {**_SYSTEM_BASE, "х": "ch"},
    "et": {**_SYSTEM_BASE, "й": "i", "ц": "ts", "ч": "tš", "щ": "štš"},
    "fi": {**_SYSTEM_BASE, "й": "i", "ц": "ts", "ч": "tš", "щ": "štš"},
}
_SYSTEM_UA = {"lv": {"г": "h", "и": "i"}, "lt": {"г": "h", "и": "y"}, "et": {"г": "h"},
              "fi": {"г": "h"}}
_SYSTEM_BG = {"щ": "št"}

LANGUAGE = {"BG": "bg", "UA": "uk", "RO": "ro", "LV": "lv", "EE": "et", "FI": "fi", "PL": "pl"}
CALLING = {"BG": "359", "UA": "380", "RO": "40", "LV": "371", "EE": "372", "FI": "358",
           "PL": "48", "LT": "370"}
CYRILLIC = ("BG", "UA")


def _apply(text: str, table: dict[str, str]) -> str:
    out = []
    for ch in text:
        low = ch.lower()
        if low in table:
            rep = table[low]
            out.append(rep[:1].upper() + rep[1:] if ch != low and rep else rep)
        else:
            out.append(ch)
    return "".join(out)


def transliterate(text: str, country: str = "BG") -> str:
    """Cyrillic to Latin, Bulgarian (official) or Ukrainian (national) system."""
    table = dict(_CYR)
    if country == "UA":
        table.update(_UA_OVERRIDE)
    return _apply(text, table)


def romanize(text: str, country: str, system: str) -> str:
    """Cyrillic to Latin the way a Latvian (``lv``), Lithuanian (``lt``), Estonian (``et``) or
    Finnish (``fi``) record writes it: Шевченко -> Ševčenko (lv, lt), Ševtšenko (et, fi)."""
    table = dict(SYSTEMS[system])
    table.update(_SYSTEM_UA[system] if country == "UA" else _SYSTEM_BG)
    return _apply(text, table)


def strip_diacritics(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _masculine(word: str, lithuanian: bool, family: bool) -> str:
    """A masculine Latin name with a Baltic ending: Ivanov -> Ivanovs / Ivanovas."""
    low = word.lower()
    if lithuanian:
        if low.endswith(("iņš", "inš")):
            return word[:-3] + "inis"
        if low.endswith(("as", "is", "us", "ys")):
            return word
        if low.endswith(("š", "s")):
            return word[:-1] + "as"
        if family and low.endswith("ko"):
            return word[:-1] + "a"
        if low.endswith(("y", "j")):
            return word[:-1] + "jus"
        if low.endswith(("ei", "ai")):
            return word[:-1] + "jus"
        if low[-1:] in "aeiouõäöü":
            return word
        return word + "as"
    if low.endswith(("s", "š")):
        return word
    if low.endswith(("y", "j")):
        return word[:-1] + "js"
    if low.endswith(("ei", "ai", "ii")):
        return word[:-1] + "js"
    if low[-1:] in "aeoõäö":
        return word
    return word + "s"


def _feminine(word: str, lithuanian: bool) -> str:
    """A feminine Latin name with a Baltic ending: Melnik -> Melnika (Latvian); Lithuanian
    keeps foreign women's names (only its own have -ienė, -aitė, -ytė)."""
    if lithuanian or word[-1:].lower() in "aeoiuyė":
        return word
    return word + ("e" if word[-1:].lower() == "l" else "a")


_LV_TO_LT = str.maketrans({"ā": "a", "ē": "e", "ī": "y", "ņ": "n", "ļ": "l", "ķ": "k",
                           "ģ": "g", "Ā": "A", "Ē": "E", "Ī": "Y", "Ņ": "N", "Ļ": "L",
                           "Ķ": "K", "Ģ": "G"})


def latvianize(given: str, family: str, female: bool) -> tuple[str, str]:
    """Latvian documents give foreign names Latvian endings: Petrov -> Petrovs/Petrova."""
    if female:
        return _feminine(given, False), _feminine(family, False)
    return _masculine(given, False, False), _masculine(family, False, True)


def lithuanianize(given: str, family: str, female: bool) -> tuple[str, str]:
    """Lithuanian endings: Ivanov -> Ivanovas, Ševčenko -> Ševčenka, Bērziņš -> Berzinis,
    Nikolaj -> Nikolajus; Latvian letters become Lithuanian (ī -> y, ņ -> n)."""
    given, family = given.translate(_LV_TO_LT), family.translate(_LV_TO_LT)
    if female:
        return _feminine(given, True), _feminine(family, True)
    return _masculine(given, True, False), _masculine(family, True, True)


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
        if self.country in CYRILLIC:
            return f"{transliterate(self.given, self.country)} " \
                   f"{transliterate(self.family, self.country)}"
        return self.native

    @property
    def latin_parts(self) -> tuple[str, str]:
        if self.country in CYRILLIC:
            return (transliterate(self.given, self.country),
                    transliterate(self.family, self.country))
        return self.given, self.family

    def relative(self, rng: random.Random, female: bool) -> Name:
        """A relative's name: the same family name (in the form of their sex) and another
        given name."""
        given = rng.choice([g for g in GIVEN[self.country][int(female)] if g != self.given])
        return Name(given, family_form(self.country, self.family, female), self.country, female)


def family_form(country: str, family: str, female: bool) -> str:
    """The male or female form of a family name (Иванов / Иванова, Bērziņš / Bērziņa)."""
    male, fem = FAMILY[country]
    for forms in (male, fem):
        if family in forms:
            return (fem if female else male)[forms.index(family)]
    return family


def make_name(rng: random.Random, country: str, female: bool) -> Name:
    given = rng.choice(GIVEN[country][1 if female else 0])
    family = rng.choice(FAMILY[country][1 if female else 0])
    return Name(given, family, country, female)


# -- how a record writes a name -------------------------------------------------------------

#: Every kind of variation the answer key names (``records[].variation``).
VARIATIONS = ("native_script", "transliteration", "latvian_ending", "lithuanian_ending",
              "no_diacritics", "swapped_order", "upper_family_first", "upper_case", "initial",
              "typo", "legal_form", "missing_birth_date")


@dataclass(frozen=True)
class Style:
    """How one source writes names: the weights of its scripts (``native`` keeps Cyrillic,
    ``passport`` is the passport's Latin, ``lv``/``lt``/``et``/``fi`` the recording country's
    transliteration), whether it gives Baltic endings, how often it drops diacritics, its
    orders (``plain``, ``swapped``, ``upper_family_first``, ``upper_case``, ``initial``) and
    how often it makes one typo."""

    scripts: tuple[tuple[str, float], ...] = (("passport", 1.0),)
    endings: str | None = None  # "lv" | "lt"
    strip: float = 0.0
    orders: tuple[tuple[str, float], ...] = (("plain", 1.0),)
    typo: float = 0.0


@dataclass(frozen=True)
class Written:
    """A name as one record writes it: the whole, its two parts, and how it varies."""

    text: str
    given: str
    family: str
    variation: tuple[str, ...]


def _pick(rng: random.Random, weights: tuple[tuple[str, float], ...]) -> str:
    roll = rng.random() * sum(w for _, w in weights)
    for value, weight in weights:
        roll -= weight
        if roll < 0:
            return value
    return weights[-1][0]


def typo(rng: random.Random, text: str) -> str:
    """One edit inside a word (never its first letter): a swap, a dropped or a doubled letter."""
    if len(text) < 4:
        return text
    i = rng.randrange(1, len(text) - 2)
    op = rng.randrange(3)
    if op == 0 and text[i] != text[i + 1]:
        return text[:i] + text[i + 1] + text[i] + text[i + 2:]
    if op == 1:
        return text[:i] + text[i + 1:]
    return text[:i] + text[i] + text[i:]


def render(rng: random.Random, name: Name, style: Style) -> Written:
    """How a source of ``style`` writes ``name``; ``variation`` lists what differs from the
    passport's Latin form in its usual order (given name first)."""
    kinds: list[str] = []
    script = _pick(rng, style.scripts)
    cyrillic = name.country in CYRILLIC
    given, family = name.latin_parts
    if script == "native" and cyrillic:
        given, family = name.given, name.family
        kinds.append("native_script")
    elif script in SYSTEMS and cyrillic:
        given = romanize(name.given, name.country, script)
        family = romanize(name.family, name.country, script)
        if (given, family) != name.latin_parts:
            kinds.append("transliteration")
    if style.endings and script == style.endings and script != "native":
        own = {"lv": "LV", "lt": "LT"}[style.endings]
        if name.country != own:
            baltic = latvianize if style.endings == "lv" else lithuanianize
            g, f = baltic(given, family, name.female)
            if (g, f) != (given, family):
                given, family = g, f
                kinds.append("latvian_ending" if style.endings == "lv" else "lithuanian_ending")
    if style.strip and rng.random() < style.strip:
        g, f = strip_diacritics(given), strip_diacritics(family)
        if (g, f) != (given, family):
            given, family = g, f
            kinds.append("no_diacritics")
    if style.typo and rng.random() < style.typo:
        if rng.random() < 0.7:
            changed = typo(rng, family)
            if changed != family:
                family = changed
                kinds.append("typo")
        else:
            changed = typo(rng, given)
            if changed != given:
                given = changed
                kinds.append("typo")
    order = _pick(rng, style.orders)
    if order == "swapped":
        text = f"{family} {given}"
        kinds.append("swapped_order")
    elif order == "upper_family_first":
        given, family = given.upper(), family.upper()
        text = f"{family} {given}"
        kinds.append("upper_family_first")
    elif order == "upper_case":
        given, family = given.upper(), family.upper()
        text = f"{given} {family}"
        kinds.append("upper_case")
    elif order == "initial":
        given = given[:1] + "."
        text = f"{given} {family}"
        kinds.append("initial")
    else:
        text = f"{given} {family}"
    return Written(text, given, family, tuple(kinds))


#: Legal forms a company name may carry at its end (moved to the front by some sources).
LEGAL_FORMS = ("Sp. z o.o.", "SIA", "OÜ", "Oy", "AS", "EOOD", "SRL", "TOV", "UAB", "OU")


def render_company(rng: random.Random, name: str,
                   weights: tuple[tuple[str, float], ...]) -> Written:
    """How a source writes a company's name: ``exact``, ``upper_case``, ``no_diacritics`` or
    ``legal_form`` (the legal form in front, as Latvian and Estonian usage has it:
    SIA "Relax Spa")."""
    kind = _pick(rng, weights)
    text = name
    if kind == "upper_case":
        text = name.upper()
    elif kind == "no_diacritics":
        text = strip_diacritics(name)
    elif kind == "legal_form":
        form = next((f for f in LEGAL_FORMS if name.endswith(" " + f)), None)
        if form is not None:
            text = f'{form} "{name[:-len(form) - 1]}"'
    kinds = () if text == name else (kind,)
    return Written(text, "", text, kinds)


#: A payee's name as a payer types it into a transfer (when not simply as the payee's bank has it).
TYPED = Style(strip=0.35, orders=(("plain", 0.45), ("upper_case", 0.25), ("swapped", 0.2),
                                  ("initial", 0.1)), typo=0.2)
TYPED_COMPANY = (("upper_case", 0.5), ("no_diacritics", 0.3), ("legal_form", 0.2))


def typed(text: str, payer: str, payee: str, person: bool) -> tuple[str, tuple[str, ...]]:
    """The payee's name as the holder of account ``payer`` typed it for account ``payee``:
    the same on every payment between the two (a saved beneficiary); three times in four as
    the payee's bank has it, otherwise in capitals, family name first, with an initial,
    without diacritics or with a typo. Returns the text and its kinds of variation."""
    h = zlib.crc32(f"{payer}>{payee}".encode())
    if h % 100 < 75:
        return text, ()
    rng = random.Random(h)
    parts = text.split(" ")
    if person and len(parts) == 2:
        written = render(rng, Name(parts[0], parts[1], "", False), TYPED)
    elif person:
        written = render_company(rng, text, (("upper_case", 0.6), ("no_diacritics", 0.4)))
    else:
        written = render_company(rng, text, TYPED_COMPANY)
    return written.text, written.variation


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
    """A mobile number in E.164 that ``phonenumbers`` holds valid (allocated): a drawn number
    in a range not allocated (RO 0781..., LV 2123..., some PL ranges) has its third digit
    moved on until it is, drawing nothing more."""
    number = _MOBILE[country](rng)
    for step in range(10):
        candidate = number[:2] + str((int(number[2]) + step) % 10) + number[3:]
        if phonenumbers.is_valid_number(phonenumbers.parse("+" + CALLING[country] + candidate)):
            return "+" + CALLING[country] + candidate
    return "+" + CALLING[country] + number


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
