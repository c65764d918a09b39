"""The ledger's duplicates: the same entry in two overlapping statements is one, two identical
entries in one statement are two, and a repeated bank reference is no duplicate."""

from __future__ import annotations

from test_ledger import A, B, C, engine_with, tx
from typer.testing import CliRunner

from veriga.cli import app


def kept(rows: list[dict]) -> list[str]:
    eng = engine_with(rows)
    ids = sorted(eng.query("SELECT record_id FROM ledger").column("record_id").to_pylist())
    eng.close()
    return ids


def test_repeated_references_are_separate_entries() -> None:
    """Banks repeat references (NONREF, EREF, N, the counterparty's IBAN): before, the ledger
    kept one row per account and reference, and these six entries became three."""
    rows = [tx("s:1", A, "2026-03-02", "100", ref="EREF", cp=B),
            tx("s:2", A, "2026-03-03", "-40", ref="EREF", cp=C),
            tx("s:3", A, "2026-03-04", "25", ref=B, cp=B),
            tx("s:4", A, "2026-03-05", "25", ref=B, cp=B),
            tx("s:5", A, "2026-03-05", "-3", ref="N", method="fee", text="fee"),
            tx("s:6", A, "2026-03-06", "-3", ref="N", method="fee", text="fee")]
    assert kept(rows) == [f"s:{i}" for i in range(1, 7)]


def test_identical_entries_in_one_statement_are_two_bookings() -> None:
    rows = [tx("s:1", A, "2026-03-05", "-2.50", ref="NONREF", method="fee", text="fee"),
            tx("s:2", A, "2026-03-05", "-2.50", ref="NONREF", method="fee", text="fee")]
    assert kept(rows) == ["s:1", "s:2"]


def test_the_same_entry_in_two_overlapping_statements_is_one() -> None:
    """Two statements of one account imported separately, overlapping on 5 March: the entries
    of that day are kept once, as often as one statement books them (two fees, not four);
    an entry that differs in any of day, amount, counterparty or text is another entry."""
    day = [tx("{}:1", A, "2026-03-05", "-2.50", ref="N", method="fee", text="fee"),
           tx("{}:2", A, "2026-03-05", "-2.50", ref="N", method="fee", text="fee"),
           tx("{}:3", A, "2026-03-05", "300", ref="EREF", cp=B, name="Boris Sample")]
    first = [{**r, "record_id": r["record_id"].format("s1"), "source_id": "s1"} for r in day]
    second = [{**r, "record_id": r["record_id"].format("s2"), "source_id": "s2"} for r in day]
    other = [tx("s2:4", A, "2026-03-05", "300", ref="EREF", cp=C, name="Carla Test"),
             tx("s2:5", A, "2026-03-05", "-2.50", ref="N", method="fee", text="card fee"),
             tx("s2:6", A, "2026-03-06", "-2.50", ref="N", method="fee", text="fee")]
    assert kept(first + second + other) == ["s1:1", "s1:2", "s1:3", "s2:4", "s2:5", "s2:6"]
    # the second statement books the fee three times: the third one is new
    third = {**second[0], "record_id": "s2:7"}
    assert kept(first + second + [third]) == ["s1:1", "s1:2", "s1:3", "s2:7"]


OWN = "LV26BANK0000435195003"
PAYER = "EE112200221020145686"


def _statement(ref: str, opening: str, closing: str, entries: list[str]) -> str:
    return "\n".join([f":20:{ref}", f":25:{OWN}", ":28C:1", f":60F:{opening}", *entries,
                      f":62F:{closing}", "-", ""])


MARCH = [  # a bank's published example: six entries, references repeated
    ":61:2603020302C100,00NTRFEREF//N", f":86:/IBAN/{PAYER}/NAME/Ilze Paraugs/REMI/rent/",
    ":61:2603030303D40,00NTRFEREF//N", ":86:/NAME/Elektrum/REMI/electricity/",
    f":61:2603040304C25,00NTRF{PAYER}//N", f":86:/IBAN/{PAYER}/NAME/Ilze Paraugs/REMI/share/",
    f":61:2603050305C25,00NTRF{PAYER}//N", f":86:/IBAN/{PAYER}/NAME/Ilze Paraugs/REMI/share/",
    ":61:2603050305D3,00NCHGNONREF//N", ":86:monthly fee",
    ":61:2603060306D3,00NCHGNONREF//N", ":86:card fee",
]


def test_finance_account_shows_every_entry_of_a_statement(env_home, tmp_path) -> None:
    """`veriga finance account` on a statement whose six entries repeat the references EREF,
    N and an IBAN: before, it showed 3 transactions. An overlapping statement imported later
    (5 and 6 March again, and 7 March) adds only its new entry."""
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(app, list(args), catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    first = tmp_path / "march.sta"
    first.write_text(_statement("M1", "C260301EUR0,00", "C260306EUR104,00", MARCH))
    run("case", "create", "refs")
    out = run("import", str(first), "--case", "refs")
    assert "rejected" not in out
    profile = run("finance", "account", "--case", "refs", "--account", OWN)
    assert f"{OWN}: 6 transactions 2026-03-02 to 2026-03-06" in profile
    later = tmp_path / "march-later.sta"
    later.write_text(_statement("M2", "C260304EUR85,00", "C260307EUR99,00", MARCH[6:] + [
        ":61:2603070307D5,00NCHGNONREF//N", ":86:card fee"]))
    assert "rejected" not in run("import", str(later), "--case", "refs")
    profile = run("finance", "account", "--case", "refs", "--account", OWN)
    assert f"{OWN}: 7 transactions 2026-03-02 to 2026-03-07" in profile
