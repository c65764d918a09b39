"""Currencies' minor units (ISO 4217): how many decimals an amount in a currency has.

Most currencies have two (cents); the Japanese yen, the Korean won and the Icelandic króna
have none, the Kuwaiti, Bahraini, Jordanian, Omani, Iraqi, Libyan and Tunisian dinars three.
Amounts keep their currency's exponent: checked when imported, shown with it.
"""

from __future__ import annotations

from decimal import Decimal

#: Currencies whose minor unit is not the cent (ISO 4217 list one, "minor unit" column).
EXPONENTS: dict[str, int] = {
    **dict.fromkeys(("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF",
                     "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF"), 0),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
    **dict.fromkeys(("CLF", "UYW"), 4),
}
#: Decimals of a currency not in the table (and of an amount without a currency).
DEFAULT_EXPONENT = 2
#: Decimals the bulk records keep (``veriga.model.records.MONEY``).
STORED_EXPONENT = 3

_QUANTUM = {n: Decimal(1).scaleb(-n) for n in range(5)}


def exponent(currency: str | None) -> int:
    """Decimals of an amount in ``currency`` (ISO 4217 code, any case)."""
    if not currency:
        return DEFAULT_EXPONENT
    return EXPONENTS.get(currency.strip().upper(), DEFAULT_EXPONENT)


def fits(amount: Decimal, currency: str | None) -> bool:
    """Whether ``amount`` has no more decimals than its currency has (and the store keeps):
    ``1.234`` fits KWD, not EUR; ``1000.00`` fits JPY, ``1000.5`` does not."""
    places = min(exponent(currency), STORED_EXPONENT)
    return amount == amount.quantize(_QUANTUM[places])


def format_amount(amount: Decimal | float | int, currency: str | None,
                  grouping: bool = False) -> str:
    """``amount`` with its currency's decimals: ``1234.5`` EUR is ``1234.50``, KWD
    ``1234.500``, JPY ``1235`` (half-even, as the exponent is the currency's own); with
    ``grouping`` thousands are separated by commas."""
    places = exponent(currency)
    value = Decimal(str(amount)) if isinstance(amount, float) else Decimal(amount)
    return f"{value:{',' if grouping else ''}.{places}f}"


def sql_exponent(column: str) -> str:
    """SQL (DuckDB and Spark alike) for the decimals of the currency in ``column``."""
    cases = " ".join(f"WHEN '{code}' THEN {n}" for code, n in sorted(EXPONENTS.items()))
    return f"CASE upper(trim({column})) {cases} ELSE {DEFAULT_EXPONENT} END"
