from decimal import Decimal

from veriga.model.currency import exponent, fits, format_amount


def test_exponents_of_iso_4217():
    assert [exponent(c) for c in ("EUR", "kwd", "JPY", "BHD", "ISK", "IQD", None, "XYZ")] == \
        [2, 3, 0, 3, 0, 3, 2, 2]


def test_an_amount_fits_its_currency():
    assert fits(Decimal("1.234"), "KWD") and not fits(Decimal("1.2345"), "KWD")
    assert fits(Decimal("1000.00"), "JPY") and not fits(Decimal("1000.5"), "JPY")
    assert fits(Decimal("0.10"), "EUR") and not fits(Decimal("0.105"), "EUR")
    assert not fits(Decimal("1.2345"), "CLF")  # four decimals: more than the records keep


def test_amounts_are_shown_with_their_currency_decimals():
    assert format_amount(Decimal("1234.5"), "EUR") == "1234.50"
    assert format_amount(Decimal("1234.5"), "KWD", grouping=True) == "1,234.500"
    assert format_amount(Decimal("150000.000"), "JPY", grouping=True) == "150,000"
    assert format_amount(2.5, None) == "2.50"
