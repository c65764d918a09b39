import pytest

from veriga.osint.extract import find_places
from veriga.osint.extract.places import gazetteer


@pytest.mark.parametrize(("text", "city"), [
    ("NEW in Riga!!!", "Riga"), ("Rīgā", "Riga"), ("Rīgas centrs", "Riga"), ("в Риге", "Riga"),
    ("Рига", "Riga"), ("Riias", "Riga"),
    ("Tallinn", "Tallinn"), ("Tallinnas", "Tallinn"), ("в Таллине", "Tallinn"),
    ("Helsinki", "Helsinki"), ("Helsingissä", "Helsinki"), ("Helsinkiin", "Helsinki"),
    ("Хельсинки", "Helsinki"), ("Helsingfors", "Helsinki"), ("UUSI HELSINKI", "Helsinki"),
    ("in Sofia", "Sofia"), ("в София", "Sofia"), ("в Софии", "Sofia"),
    ("Vilnius", "Vilnius"), ("в Вильнюсе", "Vilnius"), ("w Warszawie", "Warsaw"),
    ("Tampereella", "Tampere"), ("Stara Zagora", "Stara Zagora"), ("Kohtla-Järve", "Kohtla-Järve"),
])
def test_scripts_and_inflections(text: str, city: str) -> None:
    found = find_places(text)
    assert [p.name for p in found] == [city]
    assert found[0].country


def test_given_name_is_no_city_without_a_preposition() -> None:
    assert find_places("Sofia, 22, sweet girl") == []
    assert find_places("Sofi just arrived") == []


def test_curated_forms_name_known_cities() -> None:
    gaz = gazetteer()
    assert gaz.names["riga"].country == "LV"
    assert all(c.name for c in gaz.names.values())
