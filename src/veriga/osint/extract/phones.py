"""Phone numbers in ad text, however they are written: digits, words in nine languages,
keycap emoji, fullwidth digits, O/l for 0/1, spaced, dotted, dashed or slashed groups,
``(0)`` trunk prefixes and filler words between the groups. Returned in E.164."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import phonenumbers

from veriga.osint.extract.text import skeleton
from veriga.osint.extract.types import Phone

# Digits written as words; each language's own forms (with and without diacritics, genders).
DIGIT_WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {"0": ("zero", "oh", "nought"), "1": ("one",), "2": ("two",), "3": ("three",),
           "4": ("four",), "5": ("five",), "6": ("six",), "7": ("seven",), "8": ("eight",),
           "9": ("nine",)},
    "bg": {"0": ("нула",), "1": ("едно", "един", "една"), "2": ("две", "два"), "3": ("три",),
           "4": ("четири",), "5": ("пет",), "6": ("шест",), "7": ("седем",), "8": ("осем",),
           "9": ("девет",)},
    "lv": {"0": ("nulle",), "1": ("viens", "viena"), "2": ("divi", "divas"),
           "3": ("trīs",), "4": ("četri", "četras"), "5": ("pieci", "piecas"),
           "6": ("seši", "sešas"), "7": ("septiņi", "septiņas"), "8": ("astoņi", "astoņas"),
           "9": ("deviņi", "deviņas")},
    "et": {"0": ("null",), "1": ("üks",), "2": ("kaks",), "3": ("kolm",), "4": ("neli",),
           "5": ("viis",), "6": ("kuus",), "7": ("seitse",), "8": ("kaheksa",),
           "9": ("üheksa",)},
    "fi": {"0": ("nolla",), "1": ("yksi",), "2": ("kaksi",), "3": ("kolme",), "4": ("neljä",),
           "5": ("viisi",), "6": ("kuusi",), "7": ("seitsemän",), "8": ("kahdeksan",),
           "9": ("yhdeksän",)},
    "ru": {"0": ("ноль", "нуль"), "1": ("один", "одна", "раз"), "2": ("два", "две"),
           "3": ("три",), "4": ("четыре",), "5": ("пять",), "6": ("шесть",), "7": ("семь",),
           "8": ("восемь",), "9": ("девять",)},
    "uk": {"0": ("нуль",), "1": ("один", "одна"), "2": ("два", "дві"), "3": ("три",),
           "4": ("чотири",), "5": ("п'ять", "пʼять", "п’ять"), "6": ("шість",), "7": ("сім",),
           "8": ("вісім",), "9": ("дев'ять", "девʼять", "дев’ять")},
    "ro": {"0": ("zero",), "1": ("unu", "una"), "2": ("doi", "două"), "3": ("trei",),
           "4": ("patru",), "5": ("cinci",), "6": ("șase", "şase"), "7": ("șapte", "şapte"),
           "8": ("opt",), "9": ("nouă",)},
    "pl": {"0": ("zero",), "1": ("jeden", "jedna"), "2": ("dwa", "dwie"), "3": ("trzy",),
           "4": ("cztery",), "5": ("pięć",), "6": ("sześć",), "7": ("siedem",),
           "8": ("osiem",), "9": ("dziewięć",)},
}
PLUS_WORDS = frozenset(skeleton(w) for w in ("plus", "плюс", "pluss"))
# Words an ad may put between the groups of one number.
FILLER_WORDS = frozenset(skeleton(w) for w in (
    "call", "tel", "phone", "or", "me", "sms", "text", "звони", "звоните", "позвони", "тел",
    "дзвони", "zvani", "soita", "helista", "kontakt", "suna", "sună", "dzwoń", "puh",
    "обади", "се"))


def _digit_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for words in DIGIT_WORDS.values():
        for digit, forms in words.items():
            for form in forms:
                key = skeleton(form)
                if table.get(key, digit) != digit:
                    raise ValueError(f"digit word {form!r} means two digits")
                table[key] = digit
    return table


WORD_DIGIT = _digit_table()
_LOOKALIKE_DIGIT = {"O": "0", "o": "0", "О": "0", "о": "0", "l": "1", "I": "1", "|": "1"}

_TOKEN = re.compile(
    r"(?P<key>\d)\ufe0f?\u20e3"          # keycap emoji digit
    r"|(?P<trunk>\(0\))"                  # (0) trunk prefix
    r"|(?P<word>[^\W_]+(?:['’ʼ][^\W_]+)?)"  # word, digits, or a mix
    r"|(?P<plus>\+)"
    r"|(?P<sep>[ \t\u00a0.\-–/()]+)"
    r"|(?P<other>.)", re.S)


@dataclass
class _Group:
    digits: str
    start: int
    end: int
    trunk: bool = False
    after_filler: bool = False


def _word_digits(word: str) -> str | None:
    """The digits a word stands for, or None."""
    if word.isdecimal():
        return "".join(str(unicodedata.decimal(c)) for c in word)
    if any(c.isdecimal() for c in word):
        if all(c.isdecimal() or c in _LOOKALIKE_DIGIT for c in word):
            return "".join(str(unicodedata.decimal(c)) if c.isdecimal()
                           else _LOOKALIKE_DIGIT[c] for c in word)
        return None
    return WORD_DIGIT.get(skeleton(word))


def _runs(text: str) -> list[tuple[int | None, list[_Group]]]:
    """Runs of digit groups, each with where its leading plus sign (or word) starts."""
    runs: list[tuple[int | None, list[_Group]]] = []
    groups: list[_Group] = []
    plus: int | None = None
    pending_plus: int | None = None
    filler = False

    def close() -> None:
        nonlocal groups, plus
        if groups:
            runs.append((plus, groups))
        groups, plus = [], None

    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind == "key" or kind == "word":
            digits = m.group("key") if kind == "key" else _word_digits(m.group("word"))
            if digits is None:
                word = skeleton(m.group("word"))
                if word in PLUS_WORDS:
                    close()
                    pending_plus = m.start()
                elif word in FILLER_WORDS and groups and not filler:
                    filler = True
                else:
                    close()
                    pending_plus = None
                    filler = False
                continue
            if not groups:
                plus, pending_plus = pending_plus, None
            groups.append(_Group(digits, m.start(), m.end(), after_filler=filler))
            filler = False
        elif kind == "trunk":
            if groups:
                groups.append(_Group("0", m.start(), m.end(), trunk=True))
            else:
                plus, pending_plus = pending_plus, None
                groups.append(_Group("0", m.start() + 1, m.end() - 1))
        elif kind == "plus":
            close()
            pending_plus = m.start()
        elif kind == "sep":
            sep = m.group()
            if len(sep) > 3 or ("." in sep and any(c.isspace() for c in sep)):
                close()
                pending_plus = None
        else:
            close()
            pending_plus = None
            filler = False
    close()
    return runs


def _parse(digits: str, plus: bool, region: str | None) -> tuple[str, bool] | None:
    """E.164 and validity, or None when the digits are no phone number."""
    tries: list[tuple[str, str | None]] = []
    if plus:
        tries.append(("+" + digits, None))
    elif digits.startswith("00"):
        tries.append(("+" + digits[2:], None))
    else:
        if region:
            tries.append((digits, region))
        if len(digits) >= 10:
            tries.append(("+" + digits, None))
    for number, hint in tries:
        try:
            parsed = phonenumbers.parse(number, hint)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(parsed):
            return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164), True
        if hint is None and phonenumbers.is_possible_number(parsed) and len(digits) >= 9:
            return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164), False
    return None


_DATE = re.compile(r"(?<!\d)(?:\d{1,2}[./-]\d{1,2}[./-](?:19|20)\d\d|(?:19|20)\d\d[./-]\d{1,2}[./-]"
                   r"\d{1,2})(?!\d)")


def find_phones(text: str, region: str | None = None) -> list[Phone]:
    """Every phone number in ``text``, in order, with the region (ISO 3166 alpha-2) as the
    hint for numbers written in national form."""
    region = region.upper() if region else None
    found: list[Phone] = []
    for plus, groups in _runs(text):
        total = sum(len(g.digits) for g in groups if not g.trunk)
        if total < 7:
            continue
        run_start, run_end = groups[0].start, groups[-1].end
        dates = [(run_start + m.start(), run_start + m.end())
                 for m in _DATE.finditer(text[run_start:run_end])]
        candidates: list[tuple[int, int, int, Phone]] = []
        for i in range(len(groups)):
            if groups[i].trunk:
                continue
            lead = plus is not None and i == 0
            digits = ""
            for j in range(i, len(groups)):
                g = groups[j]
                if g.trunk and (lead or digits.startswith("00")):
                    continue
                digits += g.digits
                if len(digits) > 17:
                    break
                if len(digits) < 7:
                    continue
                if any(a < groups[j].end and groups[i].start < b for a, b in dates):
                    continue
                got = _parse(digits, lead, region)
                if got is None:
                    continue
                start = plus if lead and plus is not None else groups[i].start
                phone = Phone(got[0], text[start:groups[j].end], start, groups[j].end, got[1])
                candidates.append((len(digits) + (2 if got[1] else 0), -i, j, phone))
        taken: list[tuple[int, int]] = []
        for _, neg_i, j, phone in sorted(candidates, key=lambda c: (-c[0], -c[1])):
            i = -neg_i
            if any(not (j < a or i > b) for a, b in taken):
                continue
            taken.append((i, j))
            found.append(phone)
    found.sort(key=lambda p: p.start)
    return found
