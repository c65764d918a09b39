import pytest

from veriga.osint.extract import find_ages, find_prices


@pytest.mark.parametrize(("text", "years"), [
    ("Anna 22y sweet", 22), ("Anna 22 y.o.", 22), ("I am 25 years old", 25),
    ("Новенькая Аня 22 лет", 22), ("Мила 23 години", 23), ("Оля 24 роки", 24),
    ("Jauna meitene 22g. Rīga", 22), ("Anna 22 gadi", 22), ("Mia 22a", 22),
    ("Mia 22 aastat", 22), ("UUSI Mia 22v", 22), ("Mia 22 vuotta", 22), ("am 25 de ani", 25),
    ("mam 23 lata", 23), ("She is 22, new", 22),
])
def test_ages(text: str, years: int) -> None:
    assert [a.years for a in find_ages(text)] == [years]


def test_price_is_no_age() -> None:
    assert find_ages("I am 50 EUR") == []


@pytest.mark.parametrize(("text", "amount", "currency", "unit"), [
    ("Only 150 EUR for 1h", 150, "EUR", "hour"),
    ("60 min 200 EUR", 200, "EUR", "hour"),
    ("1 200 € per night", 1200, "EUR", "night"),
    ("Vain 80e.", 80, "EUR", None),
    ("120e/h", 120, "EUR", "hour"),
    ("Всего 100 евро", 100, "EUR", None),
    ("2500 EUR/міс", 2500, "EUR", "month"),
    ("3000 лв.", 3000, "BGN", None),
    ("500 zł/godz", 500, "PLN", "hour"),
    ("200 lei", 200, "RON", None),
    ("1000 грн", 1000, "UAH", None),
    ("5000 руб в месяц", 5000, "RUB", "month"),
    ("Salariu 1.500,50 EUR", 1500.5, "EUR", None),
    ("€100/h", 100, "EUR", "hour"),
    ("Palkka 2100 EUR/kk", 2100, "EUR", "month"),
])
def test_prices(text: str, amount: float, currency: str, unit: str | None) -> None:
    found = find_prices(text)
    assert [(p.amount, p.currency, p.unit) for p in found] == [(amount, currency, unit)]
