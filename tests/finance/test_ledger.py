"""The ledger every analysis reads: duplicates, EUR, methods, own-account and mirror legs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pyarrow as pa
import pytest

from veriga.engine import get_engine
from veriga.finance.ledger import holders_table, prepare, words_regex
from veriga.finance.params import Params
from veriga.model.records import TRANSACTION

A, B, C = "LV97HABA0012345678901", "EE382200221020145685", "FI2112345600000785"


def tx(rid: str, account: str, day: str, amount: str, currency: str = "EUR",
       ref: str | None = None, cp: str | None = None, name: str | None = None,
       method: str | None = "transfer", text: str | None = None, eur: str | None = None
       ) -> dict:
    return {"record_id": rid, "source_id": rid.split(":")[0], "locator": "line 1",
            "account": account, "ref": ref, "booking_date": date.fromisoformat(day),
            "value_date": None, "amount": Decimal(amount), "currency": currency,
            "amount_eur": Decimal(eur) if eur else None, "counterparty_account": cp,
            "counterparty_name": name, "counterparty_bic": None, "counterparty_country": None,
            "method": method, "description": text, "balance_after": None}


def engine_with(rows: list[dict], holders: list[tuple[str, str]] = ()):
    eng = get_engine("duckdb")
    eng.register_arrow("transaction", pa.Table.from_pylist(rows, schema=TRANSACTION.schema))
    prepare(eng, holders_table(holders))
    return eng


def test_duplicates_from_separate_imports_count_once() -> None:
    eng = engine_with([tx("s1:1", A, "2026-01-05", "-100", ref="R1", cp=B),
                       tx("s2:1", A, "2026-01-05", "-100", ref="R1", cp=B),
                       tx("s2:2", A, "2026-01-06", "-5", ref=None, method="fee"),
                       tx("s2:3", A, "2026-01-06", "-5", ref=None, method="fee")])
    ids = sorted(eng.query("SELECT record_id FROM ledger").column("record_id").to_pylist())
    assert ids == ["s1:1", "s2:2", "s2:3"]  # same ref kept once; no ref: both are bookings


def test_amounts_in_eur_only_where_known_and_methods_inferred() -> None:
    eng = engine_with([
        tx("s:1", A, "2026-01-05", "-100.00", "EUR", "a"),
        tx("s:2", A, "2026-01-05", "-1000.00", "SEK", "b"),
        tx("s:3", A, "2026-01-05", "-1000.00", "SEK", "c", eur="-88.50"),
        tx("s:4", A, "2026-01-05", "-50.00", "EUR", "d", name="ATM withdrawal Riga",
           method="other"),
        tx("s:5", A, "2026-01-05", "-0.00", "EUR", "e", method=None)])
    rows = {r["record_id"]: r for r in eng.query("SELECT * FROM ledger").to_pylist()}
    assert rows["s:1"]["eur"] == Decimal("-100.00")
    assert rows["s:2"]["eur"] is None and rows["s:2"]["amount"] == Decimal("-1000.00")
    assert rows["s:3"]["eur"] == Decimal("-88.50")
    assert rows["s:4"]["method"] == "cash"
    assert rows["s:5"]["method"] == "other"


def test_own_account_needs_both_statements_with_the_same_holder() -> None:
    rows = [tx("s:1", A, "2026-01-05", "-500", ref="x1", cp=B, name="Ivan Petrov"),
            tx("t:1", B, "2026-01-05", "500", ref="y1", cp=A, name="Ivan Petrov"),
            tx("s:2", A, "2026-01-06", "-300", ref="x2", cp=C, name="Ivan Petrov")]
    eng = engine_with(rows, [(A, "Ivan Petrov"), (B, "IVAN  PETROV"), (C, "Ivan Petrov")])
    own = {r["record_id"]: r["own"] for r in eng.query("SELECT * FROM ledger").to_pylist()}
    # C's statement is not in the case: a namesake (a relative) is not "own"
    assert own == {"s:1": True, "t:1": True, "s:2": False}


def test_both_legs_of_a_transfer_are_linked() -> None:
    eng = engine_with([tx("s:1", A, "2026-01-05", "-500", ref="x1", cp=B),
                       tx("t:1", B, "2026-01-06", "500", ref="y1", cp=A),
                       tx("t:2", B, "2026-01-20", "500", ref="y2", cp=A)])
    legs = eng.query("SELECT * FROM legs ORDER BY record_id").to_pylist()
    assert [(r["record_id"], r["mirror_id"]) for r in legs] == [("s:1", "t:1"), ("t:1", "s:1")]
    edges = eng.query("SELECT * FROM edges").to_pylist()
    assert sorted(r["record_id"] for r in edges) == ["s:1", "t:2"]  # each movement once


def test_keywords_must_be_plain() -> None:
    assert words_regex(["booking.com", "ads"]) == "'BOOKING[.]COM|ADS'"
    with pytest.raises(ValueError):
        words_regex(["a|b"])


def test_params_override_from_yaml(tmp_path) -> None:
    path = tmp_path / "p.yml"
    path.write_text("r5: {threshold: 15000}\nr6: {ad_words: [ADS, CLASSIFIEDS]}\n")
    params = Params.load(path)
    assert params.r5.threshold == Decimal("15000")
    assert params.r6.ad_words == ("ADS", "CLASSIFIEDS")
    path.write_text("r5: {treshold: 1}\n")
    with pytest.raises(ValueError, match="no setting 'treshold'"):
        Params.load(path)


def test_structuring_and_cash_intensity_on_hand_made_statements() -> None:
    from veriga.finance.analyze import analyze
    from veriga.finance.detectors import DETECTORS

    rows = [tx(f"s:{i}", A, f"2026-02-{2 + i:02d}", "-9500", ref=f"w{i}", method="cash",
               text="ATM withdrawal Riga") for i in range(3)]  # just below 10,000
    rows += [tx(f"t:{i}", B, f"2026-03-{1 + 2 * i:02d}", "2800", ref=f"d{i}", method="cash",
                text=f"Cash deposit {city}") for i, city in enumerate(["Riga", "Tartu", "Turku",
                                                                        "Tallinn"])]
    rows += [tx("t:9", B, "2026-03-10", "-7000", ref="o1", cp=C)]
    rows += [tx(f"u:{i}", C, f"2026-03-{1 + i:02d}", "-150", ref=f"c{i}", method="cash",
                text="ATM withdrawal") for i in range(5)]  # pocket money: nothing
    eng = engine_with(rows + [tx("s:9", A, "2026-02-01", "30000", ref="in", cp=C)])
    kinds = {d.kind: d for d in DETECTORS}
    result = analyze(eng, detectors=[kinds["R5"], kinds["R10"]])
    flagged = {(f.kind, result.group_of[f.id].key) for f in result.findings}
    assert flagged == {("R5", A), ("R5", B), ("R10", A), ("R10", B)}
    r5 = next(f for f in result.findings if f.kind == "R5" and A in f.explanation)
    assert len(r5.evidence.record_ids) == 3 and "10,000.00 EUR" in r5.explanation


def test_a_counterparty_is_named_as_most_statements_name_it() -> None:
    from veriga.finance import ledger_names

    eng = engine_with([tx("s:1", A, "2026-01-05", "-10", ref="a", cp=B, name="Anna Ozola"),
                       tx("s:2", A, "2026-01-06", "-10", ref="b", cp=B, name=" anna ozola"),
                       tx("s:3", A, "2026-01-07", "-10", ref="c", cp=B, name="A. Ozola"),
                       tx("s:4", A, "2026-01-08", "-10", ref="d", cp=C, name="Zeta Oy"),
                       tx("s:5", A, "2026-01-09", "-10", ref="e", cp=C, name="Alfa Oy"),
                       tx("s:6", A, "2026-01-10", "-10", ref="f", cp=None, name="Cash")])
    # the name given most often (written alike), of equals the first in order
    assert sorted(ledger_names(eng)) == [(B, "ANNA OZOLA"), (C, "ALFA OY")]


def test_rows_by_account_are_the_rows_a_filter_finds() -> None:
    """Each account's rows, found by their positions in account order, are those a filter
    finds, in the ledger's order; an account with no statement has none."""
    import random

    import pyarrow as pa
    import pyarrow.compute as pc

    from veriga.finance.ledger import ByAccount

    rng = random.Random(5)
    names = [f"LV{n:02d}" for n in range(30)]
    accounts = [rng.choice([*names, None]) for _ in range(2000)]
    table = pa.table({"account": pa.array(accounts, pa.string()),
                      "n": pa.array(range(len(accounts)), pa.int64())})
    index = ByAccount(table)
    for wanted in (["LV03"], ["LV07", "LV01", "LV07"], ["NONE", "LV11"], []):
        got = index.rows(table, wanted).column("n").to_pylist()
        mask = pc.is_in(table.column("account"), pa.array(wanted, pa.string()))
        assert sorted(got) == table.filter(mask).column("n").to_pylist()
        for name in dict.fromkeys(wanted):  # each account's rows in the ledger's order
            own = [n for n in got if accounts[n] == name]
            assert own == sorted(own)
