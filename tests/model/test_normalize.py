from decimal import Decimal

import pytest

from veriga.model.normalize import (
    Rejected,
    normalize_account,
    normalize_amount,
    normalize_date,
    normalize_phone,
    romanize,
)


@pytest.mark.parametrize(
    ("raw", "country", "e164"),
    [
        ("2012 3456", "LV", "+37120123456"),
        ("0888 123 456", "BG", "+359888123456"),
        ("00372 5123 4567", None, "+37251234567"),
        ("+358 40 1234567", "LV", "+358401234567"),
        ("0721 234 567", "RO", "+40721234567"),
        ("050 123 4567", "UA", "+380501234567"),
    ],
)
def test_phone_to_e164(raw, country, e164):
    assert normalize_phone(raw, country) == e164


@pytest.mark.parametrize("raw", ["2012 3456", "call me", ""])
def test_phone_without_hint_or_invalid_is_rejected(raw):
    with pytest.raises(Rejected):
        normalize_phone(raw)


@pytest.mark.parametrize(
    ("raw", "fmt", "iso"),
    [
        ("12.03.1985", None, "1985-03-12"),
        ("2026-04-01", None, "2026-04-01"),
        ("01/04/2026", None, "2026-04-01"),
        ("2026-04", None, "2026-04"),
        ("04-01-2026", "%m-%d-%Y", "2026-04-01"),
    ],
)
def test_dates_to_iso(raw, fmt, iso):
    assert normalize_date(raw, fmt) == iso


@pytest.mark.parametrize("raw", ["31.02.2026", "yesterday", "2026-13-01"])
def test_bad_dates_are_rejected(raw):
    with pytest.raises(Rejected):
        normalize_date(raw)


def test_amounts_are_exact_and_negative_zero_is_zero():
    assert normalize_amount("1 234,56", ",") == Decimal("1234.56")
    assert normalize_amount("1,234.56") == Decimal("1234.56")
    assert str(normalize_amount("-0.00")) == "0.00"
    with pytest.raises(Rejected):
        normalize_amount("12abc")


def test_names_keep_script_and_gain_latin_form():
    assert romanize("Иван Петров") == "Ivan Petrov"
    assert romanize("Šķēle") == "Skele"
    assert romanize("Põder") == "Poder"
    assert romanize("Ozola") is None


def test_iban_checksum():
    assert normalize_account("lv80 bank 0000 4351 9500 1") == "LV80BANK0000435195001"
    with pytest.raises(Rejected):
        normalize_account("LV81BANK0000435195001")
