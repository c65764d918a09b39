"""Ad texts: templates with slots, in the languages the sites use, plus realistic noise."""

from __future__ import annotations

import random

NATIONALITY_WORD = {
    "en": {"BG": "Bulgarian", "RO": "Romanian", "UA": "Ukrainian", "LV": "Latvian",
           "EE": "Estonian", "FI": "Finnish", "PL": "Polish"},
    "ru": {"BG": "болгарка", "RO": "румынка", "UA": "украинка", "LV": "латышка",
           "EE": "эстонка", "FI": "финка", "PL": "полька"},
}

# Escort ads run by an operation: third person, youth words, new in town, low price.
ESCORT_OPERATION = {
    "en": [
        ("NEW in {city}!!! {name} {age}y sweet {nat} girl",
         "Hi gentlemen, {name} just arrived in {city} for few days only. Young, fresh, {nat}. "
         "Outcall and incall 24/7. Only {price} EUR. Call or WhatsApp {phone}"),
        ("{name} - young {nat} beauty in {city}",
         "She is {age}, new here and waiting for you. Discreet apartment in center. {price} EUR "
         "for 1h. Two girls available. Tel {phone}"),
    ],
    "ru": [
        ("Новенькая {name} {age} лет в {city}",
         "Милая девочка {name}, {nat}, только приехала в {city}. Без выходных 24/7. Всего "
         "{price} евро. Звони {phone}"),
        ("{name}, молодая {nat} — {city}",
         "Она ждёт тебя, {age} лет, свежая. Выезд и у себя. {price} EUR. Тел. {phone}"),
    ],
    "fi": [("UUSI {city}! {name} {age}v",
            "{name} juuri saapunut {city}iin, nuori ja suloinen {nat}. Vain {price}e. "
            "Soita {phone}")],
    "et": [("UUS {city}s: {name} {age}a",
            "Noor ja armas {name} vaid paar päeva linnas. {price} EUR. Helista {phone}")],
    "lv": [("Jauna meitene {name} {age}g. {city}",
            "{name} tikko ieradās {city}, jauna, {nat}. Tikai {price} EUR. Zvani {phone}")],
}

# Lawful independent escorts and agencies: first person, stable place, market price.
ESCORT_LAWFUL = {
    "en": [("{name}, independent companion in {city}",
            "I am {name}, {age}, living in {city} for years. Appointments by phone, "
            "{price} EUR/h, no last-minute bookings. {phone}"),
           ("{name} - relaxing massage {city}",
            "Licensed massage studio. Book by phone {phone}. 60 min {price} EUR.")],
    "fi": [("{name}, hieroja {city}",
            "Olen {name}, toimin {city}ssa. Ajanvaraus puhelimella {phone}. {price}e/h.")],
    "lv": [("{name} masāža {city}",
            "Profesionāla masāža, pieraksts pa tālruni {phone}. {price} EUR/h.")],
}

JOB_OPERATION = {
    "uk": [("Робота у {country_word}: {sector} {pay} EUR/міс",
            "Терміново! Потрібні {count} працівників на {sector}. Зарплата {pay} EUR, житло та "
            "дорога безкоштовно, мова не потрібна. Оформлення {fee} EUR. Viber {phone}")],
    "ru": [("Работа в {country_word} {sector}, {pay} евро",
            "Срочно набираем {count} человек! {sector}, {pay} EUR в месяц, жильё бесплатно, "
            "знание языка не нужно. Оплата за оформление {fee} EUR. "
            "Только Viber/Telegram {phone}")],
    "bg": [("Работа в {country_word} - {sector} {pay} EUR",
            "Спешно търсим {count} работници за {sector}. Заплата {pay} евро, безплатна "
            "квартира и транспорт. Без език. Такса {fee} EUR. Viber {phone}")],
    "ro": [("Lucru in {country_word}: {sector} {pay} EUR/luna",
            "Angajam urgent {count} muncitori {sector}. Salariu {pay} EUR, cazare si transport "
            "gratuit, fara limba straina. Taxa {fee} EUR. WhatsApp {phone}")],
    "pl": [("Praca w {country_word} {sector} {pay} EUR",
            "Pilnie! {count} osób do pracy, {sector}. {pay} EUR/mies, zakwaterowanie gratis, "
            "bez języka. Opłata {fee} EUR. Kontakt {phone}")],
}
JOB_LAWFUL = {
    "en": [("{sector} workers wanted - {city}",
            "{company} hires {sector} workers in {city}. Collective agreement pay "
            "{pay} EUR/month gross, contract with the employer, no fees. Apply: {phone}")],
    "fi": [("{sector}-työntekijöitä {city}", "{company} hakee työntekijöitä. Palkka TES:n "
            "mukaan {pay} EUR/kk. Ei välityspalkkioita. Puh {phone}")],
    "lv": [("Darbs {city}: {sector}", "{company} piedāvā darbu. Alga {pay} EUR bruto. "
            "Tālr. {phone}")],
    "et": [("Töö {city}: {sector}", "{company} pakub tööd. Palk {pay} EUR bruto, "
            "tööleping otse tööandjaga. Tel {phone}")],
}
COUNTRY_WORD = {"uk": {"FI": "Фінляндії", "EE": "Естонії", "LV": "Латвії"},
                "ru": {"FI": "Финляндии", "EE": "Эстонии", "LV": "Латвии"},
                "bg": {"FI": "Финландия", "EE": "Естония", "LV": "Латвия"},
                "ro": {"FI": "Finlanda", "EE": "Estonia", "LV": "Letonia"},
                "pl": {"FI": "Finlandii", "EE": "Estonii", "LV": "Łotwie"}}
SECTOR_WORD = {"construction": {"uk": "будівництво", "ru": "стройка", "bg": "строителство",
                                "ro": "constructii", "pl": "budowa", "en": "construction",
                                "fi": "rakennus", "lv": "būvniecība", "et": "ehitus"},
               "agriculture": {"uk": "збір ягід", "ru": "сбор ягод", "bg": "бране на плодове",
                               "ro": "cules de fructe", "pl": "zbiór owoców", "en": "berry picking",
                               "fi": "marjanpoiminta", "lv": "ogu lasīšana",
                               "et": "marjakorjamine"},
               "cleaning": {"uk": "прибирання", "ru": "уборка", "bg": "почистване",
                            "ro": "curatenie", "pl": "sprzątanie", "en": "cleaning",
                            "fi": "siivous", "lv": "uzkopšana", "et": "koristus"},
               "shipyard": {"uk": "верф", "ru": "верфь", "bg": "корабостроене",
                            "ro": "santier naval", "pl": "stocznia", "en": "shipyard",
                            "fi": "telakka", "lv": "kuģu būve", "et": "laevatehas"}}


def noisy(rng: random.Random, text: str) -> str:
    """Typos, shouting, emoji and spacing the way real ads are written."""
    roll = rng.random()
    if roll < 0.15:
        text = text.replace(". ", "!! ", 1)
    elif roll < 0.25:
        text = text.upper()
    elif roll < 0.35:
        text = text.replace(" ", "  ", 2)
    if rng.random() < 0.3:
        text += rng.choice((" 💋", " 🔥🔥", " ❤️", " ✨", " !!!"))
    if rng.random() < 0.1 and len(text) > 20:
        i = rng.randrange(5, len(text) - 5)
        slot = max(text.find("{phone}"), text.find("{PHONE}"))
        if slot < 0 or not slot - 1 <= i <= slot + len("{phone}") - 1:  # keep the phone slot
            text = text[:i] + text[i + 1] + text[i] + text[i + 2:]
    return text


def fill(template: tuple[str, str], **slots: object) -> tuple[str, str]:
    return template[0].format(**slots), template[1].format(**slots)
