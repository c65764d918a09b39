"""What makes ad texts hard to group: per-ad edits of a template and the stock phrases every
advertiser of a trade uses, lawful or not.

An operation reposting its template drops a sentence, adds a stock phrase or moves one;
independent advertisers use the same stock phrases ("100% real photos", "no SMS"), so shared
wording alone does not make two advertisers one. Each edit draws from the random stream it
is given, so callers keep the rest of the world's draws unchanged.
"""

from __future__ import annotations

import random
import re

# Stock phrases of escort and massage ads, per language (the trade's own wording).
COMMON_PHRASES = {
    "en": ("100% real photos.", "No SMS, calls only.", "Discreet and clean.",
           "WhatsApp available.", "No hidden fees.", "Hygiene guaranteed."),
    "ru": ("Фото 100% реальные.", "СМС не читаю, только звонки.", "Чисто и уютно.",
           "Есть WhatsApp.", "Без доплат."),
    "fi": ("Aidot kuvat.", "Ei tekstiviestejä.", "Siisti ja diskreetti.", "WhatsApp käy."),
    "et": ("Pildid 100% päris.", "SMS-e ei loe.", "Puhas ja diskreetne."),
    "lv": ("Foto 100% īsti.", "Īsziņas nelasu.", "Tīri un diskrēti."),
}
# Stock phrases of job ads.
JOB_PHRASES = {
    "en": ("Start immediately.", "Free accommodation.", "Weekly advances."),
    "ru": ("Работа без опыта.", "Жильё предоставляем.", "Аванс каждую неделю."),
    "uk": ("Робота без досвіду.", "Житло надаємо.", "Аванс щотижня."),
    "bg": ("Без опит.", "Осигурена квартира.", "Аванс всяка седмица."),
    "ro": ("Fara experienta.", "Cazare asigurata.", "Avans saptamanal."),
    "pl": ("Bez doświadczenia.", "Zakwaterowanie zapewnione.", "Zaliczki co tydzień."),
    "fi": ("Aloitus heti.", "Majoitus järjestyy."),
    "lv": ("Darbs bez pieredzes.", "Dzīvesvieta nodrošināta."),
    "et": ("Kogemus pole vajalik.", "Majutus olemas."),
}
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def stock_phrase(rng: random.Random, lang: str, job: bool = False) -> str:
    """A stock phrase of the trade in ``lang`` (English when the language has none)."""
    table = JOB_PHRASES if job else COMMON_PHRASES
    return rng.choice(table.get(lang, table["en"]))


def edit_body(rng: random.Random, body: str, lang: str, job: bool = False) -> str:
    """One repost's edit of a templated body: a sentence dropped (never the one with the
    phone slot), a stock phrase added, two sentences swapped, or nothing."""
    sentences = [s for s in _SENTENCE.split(body.strip()) if s]
    roll = rng.random()
    if roll < 0.25 and len(sentences) > 2:
        droppable = [i for i, s in enumerate(sentences) if "{phone}" not in s.lower()]
        if droppable:
            del sentences[rng.choice(droppable)]
    elif roll < 0.55:
        sentences.insert(rng.randrange(len(sentences) + 1), stock_phrase(rng, lang, job))
    elif roll < 0.7 and len(sentences) > 2:
        i = rng.randrange(len(sentences) - 1)
        sentences[i], sentences[i + 1] = sentences[i + 1], sentences[i]
    return " ".join(sentences)


def with_stock_phrases(rng: random.Random, body: str, lang: str, job: bool = False) -> str:
    """An independent advertiser's text with one or two stock phrases of its trade."""
    extra = [stock_phrase(rng, lang, job) for _ in range(rng.randint(1, 2))]
    return " ".join([body, *dict.fromkeys(extra)])
