"""Names as keys for entity resolution: romanised, folded, stemmed and order-free.

The same woman is ``Олена Шевченко`` in a booking, ``Olena Ševčenko`` in a Latvian police
record and ``SHEVCHENKO OLENA`` on a payroll. Each of these names becomes one key,
``olen sevcenko``, in four steps per token (a word of the name):

1. **romanise** (:func:`romanise`): rigour's transliteration (Cyrillic, Greek, Armenian,
   Georgian, Hangul; other scripts approximately, through ICU), ASCII, case-folded:
   ``Шевченко`` → ``shevchenko``, ``Ševčenko`` → ``sevcenko``;
2. **fold** the spelling (:func:`fold`): the ways one sound is written in the
   romanisations in use meet on one letter (``sh``/``sch``/``sz``/``š`` → ``s``,
   ``ch``/``tch``/``cz``/``č`` → ``c``, ``zh``/``ž`` → ``z``, ``ts``/``tz`` → ``c``,
   ``kh`` → ``h``, ``w`` → ``v``, ``x`` → ``ks``, ``y``/``j`` → ``i``, doubled letters once):
   ``shevchenko``, ``sevcenko`` and ``shevtchenko`` all become ``sevcenko``;
3. **stem** (:func:`strip_ending`): the Latvian and Lithuanian inflectional ending goes
   (masculine ``-s``/``-š``/``-is``/``-us``/``-as``/``-ys``/``-ius``, feminine ``-a``/``-e``/``-ė``,
   genitive ``-os``/``-es`` as in company names,
   Lithuanian married and unmarried women's ``-ienė``/``-uvienė``/``-aitė``/``-ytė``/``-utė``/
   ``-iūtė``), and so does the Slavic ``-ii``/``-iy``/``-y`` (Yurii, Khodorkovskiy, which
   Latvian writes Jurijs, Hodorkovskis), keeping at least three letters:
   ``Bērziņš``/``Berzins``/``Berzinsh`` → ``berzin``,
   ``Kazlauskas``/``Kazlauskienė``/``Kazlauskaitė`` → ``kazlausk``,
   ``Ivanovs``/``Ivanov`` → ``ivanov``;
4. the tokens are **sorted**, so the order does not matter (``SHEVCHENKO OLENA``).

A key is for blocking and comparison, never for display: the name as written stays what
is shown. The stem drops grammatical gender on purpose (a woman's maiden and married
Lithuanian names, and the ``-s`` a Latvian record adds to a foreign man's name, must
meet), so a Latvian couple, Ozols and Ozola, share a surname stem, and their full keys are
equal when their given names share a stem too (Andris/Andra → ``andr``). What tells them
apart is kept beside the key: :func:`gender_hint` reads the grammatical gender the endings
carry (``Andris Ozols`` → ``m``, ``Andra Ozola`` → ``f``), and the birth date.

Companies (:func:`company_key`) lose their legal form (``SIA``, ``OÜ``, ``UAB``, ``AS``,
``Ltd``, ``GmbH``, ``EOOD``, ``OOD``, ``SRL``, ``Oy`` ..., in any script, through rigour's
organisation types plus a few Baltic and Bulgarian forms it lacks in Latin letters), and
single letters in a row join into one acronym (``A.B.C.`` → ``abc``).

:func:`name_similarity` compares two names token by token, in any order, with
Jaro-Winkler on the keys (an initial agreeing with a full token scores
:data:`INITIAL_SCORE`); :func:`initials_compatible` says whether ``O. Shevchenko`` could be
``Olena Shevchenko``; :func:`name_symbols` gives rigour's symbols of a set of names (the
given names it knows across languages, organisation classes, numbers), for blocking.

Keys are cached per distinct token and per distinct name (:func:`functools.lru_cache`), as
names recur across the records of a case. Nothing here raises on any text: what cannot be
used (an empty name, a name of initials only, a script that cannot be romanised) is a
reason in :attr:`NameKey.problems`, and :attr:`NameKey.key` is then None.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from rigour.names import (
    NameTypeTag,
    analyze_names,
    extract_org_types,
    remove_org_prefixes,
    remove_org_types,
    remove_person_prefixes,
)
from rigour.text import jaro_winkler, metaphone
from rigour.text.normalize import Cleanup, Normalize, normalize
from rigour.text.scripts import text_scripts
from rigour.text.translit import ascii_text, maybe_ascii

Kind = Literal["person", "company"]
PERSON: Kind = "person"
COMPANY: Kind = "company"

#: Scripts rigour romanises systematically; a token in any other script is romanised
#: approximately (ICU's Any-Latin), and that is reported.
READABLE_SCRIPTS = frozenset({"Latin", "Cyrillic", "Greek", "Armenian", "Georgian", "Hangul"})

#: The end of the reason given for a token whose script cannot be romanised.
UNREADABLE = "cannot be romanised"

#: Longer names are cut to this many characters (and that is reported).
MAX_NAME_CHARS = 500

#: The score of an initial against a full token that starts with its letter.
INITIAL_SCORE = 0.8

#: Two full tokens at least this similar (Jaro-Winkler of their keys) count as the same
#: in :func:`initials_compatible`.
TOKEN_MATCH = 0.9

#: Inflectional endings, as folded (``y`` is ``i``), longest first; stripped when three
#: letters remain: Baltic, and the Slavic ``-ii``/``-iy``/``-y`` of given names and
#: adjectival surnames (Yurii/Jurijs, Khodorkovskiy/Hodorkovskis).
ENDINGS = ("iuviene", "uviene", "iene", "iute", "aite", "ite", "ute",
           "ius", "ias", "as", "is", "us", "os", "es", "s", "a", "e", "i")
MIN_STEM = 3

#: Grammatical gender carried by a romanised (unfolded) token's ending: Baltic and Slavic
#: feminine surnames and given names end in -a, Lithuanian women's surnames in -ienė,
#: -aitė, -ytė, -utė; Baltic masculine names end in -s, Slavic masculine surnames in -ov,
#: -ev, -sky, -ski, given names in -ii/-iy/-ij.
FEMININE_ENDINGS = ("a", "iene", "aite", "yte", "ute")
MASCULINE_ENDINGS = ("s", "ov", "ev", "sky", "skiy", "skyi", "ski", "ii", "iy", "ij", "yi")

#: Legal forms rigour's organisation types miss once romanised (Bulgarian ЕООД, ЕАД, АД
#: written in Latin letters; Lithuanian KŪB, MB, VšĮ, IĮ; Estonian OÜ and TÜ without
#: diacritics), removed only at the end (or, for the second set, the start) of a name.
TRAILING_LEGAL_FORMS = frozenset({
    "eood", "ead", "ad", "ood", "et", "kd", "kda", "sd", "kub", "mb", "ii", "vsi", "ou",
    "tu", "uab", "sia", "as", "ab", "oy", "oyj", "fie", "ltd", "llc", "inc", "plc",
})
LEADING_LEGAL_FORMS = frozenset({"uab", "sia", "vsi", "tov", "ooo", "zao", "oao", "pao", "ao",
                                 "eood", "ood", "ead", "ou", "oy", "ab", "ip", "ik", "fie",
                                 "mb", "as"})

_CONSONANTS = {"shch": "s", "tsch": "c", "sch": "s", "tch": "c", "ch": "c", "sh": "s",
               "zh": "z", "kh": "h", "ts": "c", "tz": "c", "cz": "c", "sz": "s", "ph": "f",
               "th": "t", "gh": "g", "ck": "k", "q": "k", "w": "v", "x": "ks"}
_CONSONANT_RE = re.compile("|".join(_CONSONANTS))  # in order: longer spellings first
_DOUBLE_RE = re.compile(r"([a-z])\1+")  # letters: 299 is not 29
_VOWELS = str.maketrans({"y": "i", "j": "i"})
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_SPLITTERS = re.compile(r"[.,/;:|+_()\[\]{}\"“”„«»]+")  # initials "O.S." become "O S"
# Bulgarian ъ before a consonant is a vowel (romanised a); elsewhere a Russian hard sign
_BG_HARD_SIGN = re.compile("ъ(?=[бвгджзйклмнпрстфхцчшщ])", re.IGNORECASE)

_NAME_FLAGS = Normalize.CASEFOLD | Normalize.NFKC | Normalize.NAME
_ORG_FLAGS = Normalize.CASEFOLD | Normalize.SQUASH_SPACES


@dataclass(frozen=True, slots=True)
class NameKey:
    """One name, as written and as keys.

    ``tokens`` are the keys of the name's tokens in the order written (folded, stemmed);
    ``key`` is them sorted and joined by a space, or None when the name cannot be used
    (``problems`` says why); ``romanised`` is the name romanised, before folding, for
    explaining a match."""

    text: str
    kind: Kind
    romanised: str
    tokens: tuple[str, ...]
    key: str | None
    phonetic: tuple[str, ...]
    initials: str
    gender: str | None
    legal_forms: tuple[str, ...]
    problems: tuple[str, ...]

    @property
    def usable(self) -> bool:
        return self.key is not None


def _script_name(token: str) -> str:
    scripts = sorted(text_scripts(token) - READABLE_SCRIPTS)
    return "/".join(scripts) if scripts else "unknown"


@lru_cache(maxsize=1 << 18)
def romanise_token(token: str) -> tuple[str, str | None]:
    """One token as lower-case ASCII letters and digits, and what was wrong if anything:
    ``("", reason)`` when its script cannot be romanised, ``(text, reason)`` when it was
    romanised only approximately (a script rigour does not transliterate systematically,
    such as Thai or Arabic)."""
    if token.isascii():
        return _NOT_ALNUM.sub("", token.lower()), None
    text = _BG_HARD_SIGN.sub("а", unicodedata.normalize("NFKC", token))
    scripts = text_scripts(text)
    if scripts <= READABLE_SCRIPTS:
        out = maybe_ascii(text)
        if not out.isascii():  # a stray symbol rigour leaves as it is
            out = ascii_text(out)
        return _NOT_ALNUM.sub("", out.lower()), None
    try:
        out = _NOT_ALNUM.sub("", ascii_text(text).lower())
    except Exception:  # noqa: BLE001 - a transliterator's failure is a reason, not a crash
        out = ""
    if not out:
        return "", f"{_script_name(text)} script {UNREADABLE}"
    return out, f"romanised approximately from {_script_name(text)} script"


def romanise(text: str) -> str:
    """A name in lower-case ASCII, its tokens separated by one space (tokens that cannot
    be romanised left out): ``Олена Шевченко`` → ``olena shevchenko``."""
    return " ".join(t for t in (romanise_token(raw)[0] for raw in _raw_tokens(text)) if t)


def fold(token: str) -> str:
    """The spelling skeleton of a romanised token (lower-case ASCII): the spellings of one
    sound meet (``shevchenko``, ``sevcenko``, ``shevtchenko`` → ``sevcenko``; ``yurii``,
    ``jurij`` → ``iuri``)."""
    consonants = _CONSONANT_RE.sub(lambda m: _CONSONANTS[m.group(0)], token)
    return _DOUBLE_RE.sub(r"\1", consonants.translate(_VOWELS))


def strip_ending(token: str) -> str:
    """A folded token (:func:`fold`) without its inflectional ending (:data:`ENDINGS`),
    keeping at least :data:`MIN_STEM` letters: ``kazlauskiene`` → ``kazlausk``, ``ozols``
    → ``ozol``, ``iuri`` → ``iur``, ``ana`` → ``ana`` (``an`` would be too short)."""
    if not token.isalpha():
        return token
    for ending in ENDINGS:
        if token.endswith(ending) and len(token) - len(ending) >= MIN_STEM:
            return token[: -len(ending)]
    return token


@lru_cache(maxsize=1 << 18)
def token_key(token: str) -> str:
    """The key of one token of a name as written: romanised, folded, its ending stripped
    (``Ševčenko``, ``Шевченко`` → ``sevcenko``; ``Bērziņš``, ``Berzinsh`` → ``berzin``;
    ``Юрий``, ``Jurijs``, ``Yurii`` → ``iur``); empty when it cannot be romanised."""
    ascii_form, _ = romanise_token(token)
    return _DOUBLE_RE.sub(r"\1", strip_ending(fold(ascii_form)))


@lru_cache(maxsize=1 << 18)
def phonetic(key: str) -> str:
    """A phonetic code (metaphone) of a token key; empty for digits and initials."""
    if len(key) < 2 or not key.isalpha():
        return ""
    return metaphone(key)


def gender_hint(romanised_tokens: Iterable[str]) -> str | None:
    """``"f"`` or ``"m"`` when the endings of a name's romanised tokens (before folding)
    agree on a grammatical gender (:data:`FEMININE_ENDINGS`, :data:`MASCULINE_ENDINGS`),
    None when none carries one or they disagree. A hint for telling apart people whose
    keys meet (a couple, Ozols and Ozola), not a fact about anyone."""
    feminine = masculine = False
    for token in romanised_tokens:
        if len(token) < 3 or not token.isalpha():
            continue
        feminine = feminine or token.endswith(FEMININE_ENDINGS)
        masculine = masculine or token.endswith(MASCULINE_ENDINGS)
    if feminine == masculine:
        return None
    return "f" if feminine else "m"


def _raw_tokens(text: str) -> list[str]:
    cleaned = _SPLITTERS.sub(" ", text[:MAX_NAME_CHARS])
    return (normalize(cleaned, _NAME_FLAGS) or "").split()


def _tokens(raws: Sequence[str], problems: list[str]) -> tuple[list[str], list[str]]:
    """The romanised and the key form of each token that can be romanised."""
    romanised: list[str] = []
    keys: list[str] = []
    for raw in raws:
        ascii_form, problem = romanise_token(raw)
        if problem and problem not in problems:
            problems.append(problem)
        key = token_key(raw)
        if ascii_form and key:
            romanised.append(ascii_form)
            keys.append(key)
    return romanised, keys


def _finish(text: str, kind: Kind, romanised: Sequence[str], tokens: Sequence[str],
            problems: list[str], legal_forms: Sequence[str] = ()) -> NameKey:
    key = " ".join(sorted(tokens)) if tokens else None
    if tokens and kind == PERSON and all(len(t) == 1 for t in tokens):
        problems.append("only initials")
        key = None
    elif not tokens and not any(p.endswith(UNREADABLE) for p in problems):
        problems.append("only a legal form" if legal_forms else "empty name")
    codes = tuple(dict.fromkeys(c for c in (phonetic(t) for t in tokens) if c))
    return NameKey(
        text=text, kind=kind, romanised=" ".join(romanised), tokens=tuple(tokens), key=key,
        phonetic=codes, initials="".join(sorted(t[0] for t in tokens)),
        gender=gender_hint(romanised) if kind == PERSON else None,
        legal_forms=tuple(legal_forms), problems=tuple(problems))


def _start(text: str) -> tuple[str, list[str]]:
    problems: list[str] = []
    if not isinstance(text, str):  # defensive: a value that is not text at all
        return "", ["empty name"]
    if len(text) > MAX_NAME_CHARS:
        problems.append(f"longer than {MAX_NAME_CHARS} characters; cut")
    return text[:MAX_NAME_CHARS], problems


@lru_cache(maxsize=1 << 16)
def person_key(text: str) -> NameKey:
    """The keys of a person's name: ``Олена Шевченко``, ``Olena Ševčenko`` and
    ``SHEVCHENKO OLENA`` all have the key ``olen sevcenko``; ``O. Shevchenko`` has
    ``o sevcenko`` (and is :func:`initials_compatible` with them); honorifics (Mr, Dr)
    are left out."""
    cut, problems = _start(text)
    romanised, tokens = _tokens(_raw_tokens(_without_prefix(cut)), problems)
    return _finish(text, PERSON, romanised, tokens, problems)


def _without_prefix(text: str) -> str:
    """The name without an honorific in front (Mr, Dr): only whole leading words written in
    a readable script are taken away (rigour's prefix removal also changes words of other
    scripts, e.g. the Han ``丨``, which then gave a key that depends on word order). Spaces
    are evened out first: ``MR `` lost its only word as a prefix, `` MR`` kept it."""
    text = " ".join(text.split())
    out = remove_person_prefixes(text)
    before, after = text.split(), out.split()
    cut = len(before) - len(after)
    if cut < 0 or before[cut:] != after:
        return text
    if not all(text_scripts(word) and text_scripts(word) <= READABLE_SCRIPTS
               for word in before[:cut]):
        return text
    return out


@lru_cache(maxsize=1 << 16)
def company_key(text: str) -> NameKey:
    """The keys of a company's name without its legal form: ``SIA "Baltic Build"``,
    ``Baltic Build, SIA`` and ``BALTIC BUILD Ltd`` all have the key ``baltic build``;
    ``Бар ЕООД`` and ``Bar EOOD`` have ``bar``. The legal forms found are kept in
    :attr:`NameKey.legal_forms`, one spelling each (:func:`legal_form_code`: ``spzoo``,
    ``eood``, ``ou``)."""
    cut, problems = _start(text)
    norm = normalize(unicodedata.normalize("NFKC", cut), _ORG_FLAGS, Cleanup.Strong) or ""
    forms: list[str] = []
    try:
        forms = _legal_forms(norm)
        norm = remove_org_types(norm, " ", _ORG_FLAGS, Cleanup.Strong)
        norm = remove_org_prefixes(norm)
    except Exception:  # noqa: BLE001 - keep the name with its legal form
        pass
    romanised, tokens = _tokens(norm.split(), problems)
    if len(tokens) > 1:  # a legal form only romanisation revealed (ЕООД → eood)
        latin = remove_org_types(" ".join(romanised), " ", _ORG_FLAGS, Cleanup.Strong).split()
        if latin != romanised and latin:
            forms.extend(_legal_forms(" ".join(romanised)))
            romanised, tokens = _tokens(latin, problems)
    if len(tokens) > 1 and romanised[-1] in TRAILING_LEGAL_FORMS:
        forms.append(legal_form_code(romanised[-1]))
        romanised, tokens = romanised[:-1], tokens[:-1]
    if len(tokens) > 1 and romanised[0] in LEADING_LEGAL_FORMS:
        forms.append(legal_form_code(romanised[0]))
        romanised, tokens = romanised[1:], tokens[1:]
    romanised, tokens = _join_acronyms(romanised, tokens)
    return _finish(text, COMPANY, romanised, tokens, problems, tuple(dict.fromkeys(forms)))


#: Words (romanised) that name an organisation rather than a person, for a party of
#: unknown kind (a bank statement's counterparty): trades, premises and bodies.
ORGANISATION_WORDS = frozenset({
    "agency", "agentura", "association", "bank", "bar", "biedriba", "build", "building",
    "centre", "center", "cleaning", "club", "company", "construction", "consulting",
    "fund", "fonds", "foundation", "group", "grupa", "holding", "holdings", "hostel",
    "hotel", "house", "international", "invest", "investment", "logistics", "management",
    "market", "media", "partners", "print", "property", "recruitment", "rent", "restaurant",
    "salon", "service", "services", "shop", "solutions", "spa", "staff", "staffing",
    "studio", "systems", "tech", "trade", "trading", "trans", "transport", "travel",
    "union", "wellness", "work", "works", "apartments", "beauty", "care", "cafe", "kafe",
    "nightclub", "massage", "models", "escort", "insurance", "office", "school", "tours",
})
#: A person's name has at most this many tokens (more is taken for an organisation).
MAX_PERSON_TOKENS = 5


@lru_cache(maxsize=1 << 16)
def looks_like_company(text: str) -> bool:
    """Whether a name of a party of unknown kind (a ``LegalEntity``, as a bank statement's
    counterparty is) reads as a company's: it has a legal form, a digit, an organisation's
    word (:data:`ORGANISATION_WORDS`), more tokens than a person's name or a single one."""
    if not isinstance(text, str) or not text.strip():
        return False
    if any(c.isdigit() for c in text):
        return True
    key = company_key(text)
    if key.legal_forms:
        return True
    words = {w for w in (_NOT_ALNUM.sub("", x) for x in romanise(text).split()) if w}
    if words & ORGANISATION_WORDS:
        return True
    return not 2 <= len(words) <= MAX_PERSON_TOKENS


def _legal_forms(text: str) -> list[str]:
    """The legal forms in a normalised company name, each as rigour's compare form in ASCII
    without spaces (``spzoo``, ``sia``, ``eood``, ``ou``): one spelling per form, so that two
    companies' forms can be compared (an EOOD is not a Sp. z o.o.)."""
    return [legal_form_code(compare)
            for _, compare in extract_org_types(text, _ORG_FLAGS, Cleanup.Strong)]


def legal_form_code(form: str) -> str:
    """One spelling of a legal form: romanised, lower-case, letters and digits only."""
    return _NOT_ALNUM.sub("", romanise(form))


def _join_acronyms(romanised: list[str], tokens: list[str]) -> tuple[list[str], list[str]]:
    """Single letters in a row become one token (``a b c`` → ``abc``), as companies are
    named by acronyms."""
    out_r: list[str] = []
    out_t: list[str] = []
    run: list[str] = []
    for rom, tok in [*zip(romanised, tokens, strict=True), ("", "")]:
        if len(rom) == 1 and rom.isalpha():
            run.append(rom)
            continue
        if run:
            acronym = "".join(run)
            out_r.append(acronym)
            out_t.append(fold(acronym) if len(run) > 1 else token_key(acronym))
            run = []
        if rom:
            out_r.append(rom)
            out_t.append(tok)
    return out_r, out_t


def name_key(text: str, kind: Kind) -> NameKey:
    """:func:`person_key` or :func:`company_key`, by ``kind``."""
    return company_key(text) if kind == COMPANY else person_key(text)


def _token_list(name: NameKey | Sequence[str]) -> Sequence[str]:
    return name.tokens if isinstance(name, NameKey) else name


def _token_score(a: str, b: str) -> float:
    if a == b:
        return 1.0
    if a.isdigit() or b.isdigit():  # numbers are the same or not (Group 29, Group 299)
        return 0.0
    if len(a) == 1 or len(b) == 1:
        return INITIAL_SCORE if a[0] == b[0] else 0.0
    return jaro_winkler(a, b)


def name_similarity(a: NameKey | Sequence[str], b: NameKey | Sequence[str]) -> float:
    """How alike two names are, in [0, 1], whatever the order of their tokens: each token
    pairs with at most one token of the other name, best pairs first (Jaro-Winkler of the
    token keys; an initial and a token starting with its letter score
    :data:`INITIAL_SCORE`), and the sum of the pairs' scores is divided by the mean number
    of tokens (so a token the other name lacks lowers the score).

    ``Olena Shevchenko`` / ``SHEVCHENKO OLENA``: 1.0; ``Olena Shevchenko`` /
    ``Olena Shevchneko``: about 0.98; ``O. Shevchenko`` / ``Olena Shevchenko``: 0.9;
    ``Olena Shevchenko`` / ``Ivan Petrov``: 0.0."""
    ta, tb = _token_list(a), _token_list(b)
    if not ta or not tb:
        return 0.0
    pairs = sorted(((_token_score(x, y), i, j) for i, x in enumerate(ta)
                    for j, y in enumerate(tb)), reverse=True)
    used_a: set[int] = set()
    used_b: set[int] = set()
    total = 0.0
    for score, i, j in pairs:
        if score <= 0.0:
            break
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        total += score
    return min(1.0, 2.0 * total / (len(ta) + len(tb)))


def initials_compatible(a: NameKey | Sequence[str], b: NameKey | Sequence[str]) -> bool:
    """Whether every token of the shorter name has its own counterpart in the other: a
    full token a full token at least :data:`TOKEN_MATCH` alike, an initial any token
    starting with its letter. ``O. Shevchenko`` and ``Olena Shevchenko``: True;
    ``O. Shevchenko`` and ``Anna Shevchenko``: False."""
    ta, tb = list(_token_list(a)), list(_token_list(b))
    if not ta or not tb:
        return False
    short, rest = (ta, tb) if len(ta) <= len(tb) else (tb, ta)
    for token in sorted(short, key=len, reverse=True):  # full tokens take theirs first
        best, best_score = None, 0.0
        for j, other in enumerate(rest):
            score = _token_score(token, other)
            if len(token) > 1 and len(other) > 1 and score < TOKEN_MATCH:
                continue
            if score > best_score:
                best, best_score = j, score
        if best is None:
            return False
        rest.pop(best)
    return True


def name_symbols(names: Iterable[str], kind: Kind) -> list[str]:
    """rigour's symbols of a set of names, as sorted ``CATEGORY:id`` strings, for
    blocking: given names it knows across languages and scripts (``NAME:Q…``), a
    company's organisation class (``ORGCLS:LLC``) and numbers (``NUM:7``). Initials are
    left out (too common to block on)."""
    texts = [n[:MAX_NAME_CHARS] for n in names if isinstance(n, str) and n.strip()]
    if not texts:
        return []
    tag = NameTypeTag.ORG if kind == COMPANY else NameTypeTag.PER
    try:
        analysed = analyze_names(tag, texts, phonetics=False)
    except Exception:  # noqa: BLE001 - no symbols rather than no record
        return []
    return sorted({f"{s.category.value}:{s.id}" for name in analysed for s in name.symbols
                   if s.category.value != "INITIAL"})
