"""What makes ad texts hard to screen: each operation writes in a wording family of its own,
some of its ads carry only one or two signs, and lawful advertisers use the same words in
lawful ways.

Real screening meets independent escorts who are "new in town" or "young" at 25, salons
that present their staff in the third person, and staffing agencies that state openly that
accommodation is "available at cost, deducted only with written consent". Operations in turn
write "documents kept for safekeeping", "pay after deductions for housing" or "transport
arranged, repay from first wages" rather than the loud wording of a textbook case.

Every choice here draws from a random stream the caller gives it, a stream of its own, so the
rest of the world (records, statements, calls) stays byte-identical for a given seed.
"""

from __future__ import annotations

import random
import re

from veriga.simulate.texts import ESCORT_OPERATION, JOB_OPERATION

Template = tuple[str, str]
Family = dict[str, list[Template]]

# Escort operations' wording families; the first is the simulator's original wording.
_ESCORT_QUIET: Family = {
    "en": [("{name} {age} - {city}",
            "Sweet {nat} girl {name}. Visiting {city} this week. {price} EUR. {phone}"),
           ("{city}: {name}, {age}",
            "{name} is waiting for you. Incall, discreet apartment. {price} EUR/h. {phone}")],
    "ru": [("{name}, {age} — {city}",
            "Милая {nat} {name}. В {city} на этой неделе. {price} EUR. {phone}"),
           ("{city}: {name} {age}",
            "{name} ждёт тебя. Уютная квартира. {price} евро/час. {phone}")],
    "fi": [("{name} {age} - {city}",
            "Suloinen {name}. {city}ssa tällä viikolla. {price}e. {phone}")],
    "et": [("{name} {age} - {city}",
            "Armas {name}. {city}s sel nädalal. {price} EUR. {phone}")],
    "lv": [("{name} {age} - {city}",
            "Mīļa {name}. {city} šonedēļ. {price} EUR. {phone}")],
}
_ESCORT_MANAGER: Family = {
    "en": [("Girls for you in {city} - {name} {age}",
            "Our girls {name} and her friends are ready 24/7. Call the manager {phone}. "
            "{price} EUR only."),
           ("{name}, {age}, {nat}",
            "Only a few days in {city}. {price} EUR. {phone}")],
    "ru": [("Девочки для тебя в {city} - {name} {age}",
            "Наши девочки {name} и подружки ждут 24/7. Звони менеджеру {phone}. "
            "Всего {price} евро."),
           ("{name}, {age}, {nat}", "Всего несколько дней в {city}. {price} EUR. {phone}")],
    "fi": [("Tytöt {city} - {name} {age}v",
            "Meidän tytöt {name} ja ystävät 24/7. Soita managerille {phone}. {price}e.")],
    "et": [("Tüdrukud {city}s - {name} {age}",
            "Meie tüdrukud {name} ja sõbrannad 24/7. Helista mänedžerile {phone}. "
            "{price} EUR.")],
    "lv": [("Meitenes {city} - {name} {age}",
            "Mūsu meitenes {name} un draudzenes 24/7. Zvani menedžerim {phone}. {price} EUR.")],
}
ESCORT_FAMILIES: tuple[Family, ...] = (ESCORT_OPERATION, _ESCORT_QUIET, _ESCORT_MANAGER)

# Recruiters' wording families; the first is the simulator's original wording. The others
# speak of deductions, debts for the trip and documents kept "for safekeeping".
_JOB_DEDUCTIONS: Family = {
    "uk": [("Робота {sector}, {country_word}",
            "Офіційна робота, {sector}. Зарплата {pay} EUR після відрахувань за житло. "
            "Транспорт організуємо, вартість повертаєте з першої зарплати. Тел. {phone}")],
    "ru": [("Работа {sector} в {country_word}",
            "{sector}, {pay} EUR после вычетов за жильё. Дорогу организуем, возврат с первой "
            "зарплаты. Тел. {phone}")],
    "bg": [("{sector} в {country_word}",
            "Заплата {pay} евро след удръжки за квартира. Транспорт осигуряваме, връщате от "
            "първата заплата. Тел. {phone}")],
    "ro": [("{sector} in {country_word}",
            "Salariu {pay} EUR dupa deducerile pentru cazare. Transport organizat, se "
            "returneaza din primul salariu. Tel {phone}")],
    "pl": [("{sector} w {country_word}",
            "{pay} EUR po potrąceniach za mieszkanie. Transport organizujemy, zwrot z "
            "pierwszej wypłaty. Tel {phone}")],
}
_JOB_DOCUMENTS: Family = {
    "uk": [("{sector}: {country_word}, {pay} EUR",
            "Набираємо {count} осіб. Паспорти зберігаються у бригадира для безпеки. "
            "Проживання на об'єкті. Зарплата {pay} EUR. {phone}")],
    "ru": [("{sector}: {country_word}, {pay} EUR",
            "Набираем {count} человек. Документы хранятся у бригадира для сохранности. "
            "Проживание на объекте. {pay} EUR. {phone}")],
    "bg": [("{sector}: {country_word}, {pay} EUR",
            "Търсим {count} души. Паспортите се пазят от работодателя. Живеене на обекта. "
            "{pay} EUR. {phone}")],
    "ro": [("{sector}: {country_word}, {pay} EUR",
            "Cautam {count} persoane. Pasapoartele sunt pastrate de angajator pentru "
            "siguranta. Locuinta pe santier. {pay} EUR. {phone}")],
    "pl": [("{sector}: {country_word}, {pay} EUR",
            "Szukamy {count} osób. Paszporty przechowuje pracodawca dla bezpieczeństwa. "
            "Mieszkanie na budowie. {pay} EUR. {phone}")],
}
JOB_FAMILIES: tuple[Family, ...] = (JOB_OPERATION, _JOB_DEDUCTIONS, _JOB_DOCUMENTS)

# Lawful independent escorts using the trade's indicator-like words in lawful ways.
ESCORT_LAWFUL_WORDY: Family = {
    "en": [("NEW in {city}: {name}, {age}",
            "Hi, I am {name}, {age}, independent and new in town. I work for myself, my own "
            "apartment, my own rules. {price} EUR/h. {phone}"),
           ("{name}, young and sweet, {city}",
            "Young {age}-year-old independent lady. I choose my clients, appointments by "
            "phone only. {price} EUR. {phone}")],
    "fi": [("UUSI {city}ssa: {name} {age}",
            "Olen {name}, {age}, itsenäinen ja uusi kaupungissa. Oma asunto, omat säännöt. "
            "{price}e/h. {phone}")],
    "et": [("UUS {city}s: {name} {age}",
            "Olen {name}, {age}, iseseisev ja linnas uus. Oma korter, omad reeglid. "
            "{price} EUR/h. {phone}")],
    "lv": [("JAUNA {city}: {name} {age}",
            "Esmu {name}, {age}, neatkarīga un pilsētā jauna. Savs dzīvoklis, savi noteikumi. "
            "{price} EUR/h. {phone}")],
}
# A lawful salon presenting its staff in the third person.
SALON_PROFILE: Family = {
    "en": [("{name} at our studio in {city}",
            "{name} is {age} and has worked with us for three years. She sets her own hours; "
            "book her through our reception {phone}. 60 min {price} EUR."),
           ("Meet {name} - {city} massage studio",
            "Our therapist {name}, {age}, is available Tuesday to Saturday. She is new to our "
            "team. Reception {phone}. {price} EUR/h.")],
}
# Lawful staffing agencies stating their terms the way lawful seasonal-work ads do.
JOB_LAWFUL_AGENCY: Family = {
    "en": [("Seasonal {sector} work - {city}",
            "{company}, licensed staffing agency. {pay} EUR/month gross, employment contract "
            "before travel. Accommodation available at cost, deducted only with written "
            "consent. No recruitment fee. You keep your own documents. {phone}")],
    "fi": [("Kausityö {sector} - {city}",
            "{company}, rekisteröity henkilöstöpalveluyritys. {pay} EUR/kk brutto, "
            "työsopimus ennen matkaa. Majoitus omakustannehintaan, vähennetään vain "
            "kirjallisella suostumuksella. Ei rekrytointimaksua. {phone}")],
    "lv": [("Sezonas darbs {sector} - {city}",
            "{company}, licencēta darbā iekārtošanas aģentūra. {pay} EUR bruto, līgums pirms "
            "brauciena. Dzīvesvieta par pašizmaksu, ietur tikai ar rakstisku piekrišanu. "
            "Bez starpniecības maksas. {phone}")],
    "et": [("Hooajatöö {sector} - {city}",
            "{company}, litsentseeritud renditööfirma. {pay} EUR bruto, tööleping enne "
            "sõitu. Majutus omahinnaga, kinni peetakse ainult kirjalikul nõusolekul. "
            "Vahendustasu pole. {phone}")],
}

_DIGITS = re.compile(r"\d+")


def family_of(seed: int, op_id: str, families: tuple[Family, ...]) -> Family:
    """An operation's wording family: operations of one world take the families in turn
    (from an offset of the seed's own), so two operations differ by more than phones."""
    number = int(_DIGITS.findall(op_id)[-1]) if _DIGITS.search(op_id) else 0
    offset = random.Random(f"{seed}:adfamily").randrange(len(families))
    return families[(number - 1 + offset) % len(families)]


def pick(rng: random.Random, family: Family, lang: str, fallback: str) -> tuple[str, Template]:
    """A template of ``family`` in ``lang``, else in ``fallback``, else in the family's first
    language; returns the language used and the template."""
    for key in (lang, fallback, next(iter(family))):
        if key in family:
            return key, rng.choice(family[key])
    raise KeyError(lang)  # pragma: no cover - families are never empty
