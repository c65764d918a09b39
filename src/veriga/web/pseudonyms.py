"""Pseudonyms in the reader's language, at display time only.

A protected person is stored, compared and searched under one English pseudonym
("Victim B7B05C", "Victim B7B05C account 1A2B": :mod:`veriga.access.protect`); the minimised
response a restricted reader receives is the last place it is rewritten, into "Cietušais
B7B05C" for a Latvian reader. What the reader types back (a search for a pseudonym) is turned
into the stored form first, so that everything matching on a pseudonym keeps working.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import cache

from veriga.access.minimise import Minimiser
from veriga.access.protect import WITHHELD
from veriga.findings import N_

#: The word before a pseudonym's code, by the subject role the pseudonym stands for.
PEOPLE = {"Victim": N_("Victim %(code)s"), "Suspect": N_("Suspect %(code)s"),
          "Witness": N_("Witness %(code)s"), "Other": N_("Other %(code)s"),
          "Person": N_("Person %(code)s")}
#: What of a protected person a replacement stands for (their account, phone...).
THINGS = {"account": N_("%(person)s account %(code)s"),
          "number": N_("%(person)s number %(code)s"),
          "phone": N_("%(person)s phone"), "e-mail": N_("%(person)s e-mail"),
          "address": N_("%(person)s address"), "account.": N_("%(person)s account")}
WITHHELD_MSG = N_("[withheld]")

#: A stored pseudonym, also inside a file name ("camt053_Victim B7B05C account 1A2B_01.xml").
STORED = re.compile(
    r"(?<![A-Za-z])(?P<who>" + "|".join(PEOPLE) + r") (?P<code>[0-9A-F]{6})(?![0-9A-Za-z])"
    r"(?: (?P<what>account|number) (?P<sub>[0-9A-F]{4})(?![0-9A-Za-z])"
    r"| (?P<thing>phone|e-mail|address|account)(?![A-Za-z]))?")


def localise(text: str, gettext: Callable[[str], str]) -> str:
    """``text`` with every stored pseudonym (and ``[withheld]``) in the reader's language."""
    def one(m: re.Match[str]) -> str:
        person = gettext(PEOPLE[m["who"]]) % {"code": m["code"]}
        if m["what"]:
            return gettext(THINGS[m["what"]]) % {"person": person, "code": m["sub"]}
        if m["thing"]:
            key = "account." if m["thing"] == "account" else m["thing"]
            return gettext(THINGS[key]) % {"person": person}
        return person

    out = STORED.sub(one, text)
    return out.replace(WITHHELD, gettext(WITHHELD_MSG)) if WITHHELD in out else out


def for_reader(text: str, minimisers: Iterable[Minimiser], lang: str) -> str:
    """``text`` as a restricted reader receives it: every protected value withheld by each
    of ``minimisers``, the pseudonyms then written in ``lang`` (unchanged without any)."""
    minimisers = list(minimisers)
    if not minimisers:
        return text
    for minimiser in minimisers:
        text = minimiser.withhold(text)
    if lang != "en":
        from veriga.web.i18n import translations

        text = localise(text, translations(lang).gettext)
    return text


@cache
def _reading(lang: str) -> list[tuple[re.Pattern[str], str]]:
    """How each translated form reads back into the stored one, longest first."""
    from veriga.web.i18n import translations

    gettext = translations(lang).gettext
    code, sub = r"(?P<code>[0-9A-F]{6})", r"(?P<sub>[0-9A-F]{4})"
    out = []
    for who, msgid in PEOPLE.items():
        person = re.escape(gettext(msgid) % {"code": "QCODEQ"}).replace("QCODEQ", code)
        for key, thing in THINGS.items():
            shown = re.escape(gettext(thing) % {"person": "QPERSONQ", "code": "QSUBQ"})
            pattern = shown.replace("QPERSONQ", person).replace("QSUBQ", sub)
            stored = f"{who} \\g<code> " + (f"{key} \\g<sub>" if "%(code)s" in thing
                                             else key.rstrip("."))
            out.append((re.compile(pattern, re.I), stored))
        out.append((re.compile(person, re.I), f"{who} \\g<code>"))
        word = re.escape(gettext(msgid).replace("%(code)s", "").strip())
        out.append((re.compile(rf"^\s*{word}\s*$", re.I), who))  # the word alone
    return out


def stored_form(text: str, lang: str) -> str:
    """What a reader of ``lang`` typed, with translated pseudonyms in their stored form."""
    if lang == "en" or not text:
        return text
    for pattern, stored in _reading(lang):
        text = pattern.sub(stored, text)
    return text
