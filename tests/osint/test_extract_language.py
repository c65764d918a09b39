import pytest

from veriga.osint.extract import detect_language, extract


@pytest.mark.parametrize(("text", "code"), [
    ("Hi gentlemen, Anna just arrived in town for a few days only", "en"),
    ("Милая девочка Аня только приехала в Ригу. Звони", "ru"),
    ("Терміново! Потрібні працівники на будівництво, житло безкоштовно", "uk"),
    ("Спешно търсим работници за почистване. Заплата и безплатна квартира", "bg"),
    ("Jauna meitene tikko ieradās Rīgā, tikai šodien. Zvani", "lv"),
    ("Noor ja armas tüdruk vaid paar päeva linnas. Helista", "et"),
    ("Juuri saapunut Helsinkiin, nuori ja suloinen. Soita", "fi"),
    ("Angajam urgent muncitori, cazare si transport gratuit", "ro"),
    ("Pilnie! Osób do pracy, zakwaterowanie gratis, bez języka", "pl"),
])
def test_languages(text: str, code: str) -> None:
    lang = detect_language(text)
    assert lang is not None and lang.code == code


def test_non_latin_text_is_kept() -> None:
    text = "Новенькая Аня 22 лет в Риге"
    assert extract(text).text == text


def test_no_letters() -> None:
    assert detect_language("123 456") is None
