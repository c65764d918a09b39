"""camt entries are read in runs of the stylesheet (``camt.CHUNK`` entries at a time): what
crosses a run's boundary is read as what lies within one, and a hostile namespace cannot
reach the stylesheet."""

import pytest
from test_camt import OTHER, batch_entry, document, ntry, stmt, write
from test_camt import tx as transactions

from veriga.errors import ImportFailed
from veriga.ingest import ImportRequest
from veriga.ingest.camt import CHUNK
from veriga.ingest.runner import read_file


def test_entries_across_runs_keep_their_order_locators_and_batches(tmp_path):
    n = 2 * CHUNK + 3
    entries = [ntry("1.00", ref=f"R{k}", name=f"Payer {k}", iban=OTHER) for k in range(n)]
    entries[CHUNK - 1] = batch_entry("100.00", "200.00")  # the last entry of the first run
    opening, closing = "500.00", f"{500 + (n - 1) - 300:.2f}"
    text = document([stmt(entries, opening=opening, closing=closing),
                     stmt([ntry("5.00", ref="X1")], opening="0.00", closing="5.00")])
    r = read_file(ImportRequest(write(tmp_path, text)))
    assert r.rejects == []
    assert r.records == {"transaction": n + 2}  # the batch entry is two payments


def test_rows_are_those_of_the_file_in_order(tmp_path, sqlite_ws):
    n = CHUNK + 10
    text = document([stmt([ntry(f"{k + 1}.00", ref=f"R{k}") for k in range(n)],
                          opening="0.00", closing=f"{n * (n + 1) // 2:.2f}")])
    sqlite_ws.cases.create("c")
    [r] = sqlite_ws.records.import_files("c", [ImportRequest(write(tmp_path, text))])
    assert r.rejects == []
    rows = transactions(sqlite_ws)
    by_ref = {row["ref"]: row for row in rows}
    assert len(by_ref) == n
    for k in (0, CHUNK - 1, CHUNK, n - 1):
        assert by_ref[f"R{k}"]["locator"].endswith(f"/Stmt[1]/Ntry[{k + 1}]")
        assert by_ref[f"R{k}"]["amount"] == k + 1


def test_an_entry_too_deep_in_a_later_run_is_refused_at_its_locator(tmp_path):
    entries = [ntry("1.00", ref=f"R{k}") for k in range(CHUNK + 5)]
    entries[CHUNK + 2] = entries[CHUNK + 2].replace("<Sts>", "<X>" * 80 + "</X>" * 80
                                                    + "<Sts>", 1)
    text = document([stmt(entries)])
    with pytest.raises(ImportFailed, match=rf"Stmt\[1\]/Ntry\[{CHUNK + 3}\]/\.\.\.: XML "
                                           r"nested deeper than 64 elements"):
        read_file(ImportRequest(write(tmp_path, text)))


def test_a_namespace_with_quotes_is_refused_before_any_stylesheet(tmp_path):
    ns = 'urn:iso:std:iso:20022:tech:xsd:camt.053.001.08&quot;/&gt;&lt;x a=&quot;'
    text = document([stmt([ntry("1.00", ref="R1")], opening="0.00", closing="1.00")])
    text = text.replace('xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"',
                        f'xmlns="{ns}"')
    with pytest.raises(ImportFailed, match=r"line 1: the namespace .* is not one of an ISO "
                                           "20022 camt message"):
        read_file(ImportRequest(write(tmp_path, text), format="camt"))


def test_a_batch_over_several_entry_details_keeps_their_numbers(tmp_path, sqlite_ws):
    """Transaction details in several NtryDtls of one entry: each part's locator names its
    NtryDtls and its place in it."""
    def detail(amount, iban, name):
        return (f'<TxDtls><Amt Ccy="EUR">{amount}</Amt><RltdPties><Cdtr><Nm>{name}</Nm></Cdtr>'
                f"<CdtrAcct><Id><IBAN>{iban}</IBAN></Id></CdtrAcct></RltdPties></TxDtls>")

    details = "".join("<NtryDtls>" + detail("50.00", OTHER, f"Payee {k}")
                      + detail("25.00", OTHER, "X") + "</NtryDtls>" for k in range(3))
    entry = ntry("225.00", "DBIT", ref="B9").split("<NtryDtls>")[0] + details + "</Ntry>"
    text = document([stmt([entry], opening="500.00", closing="275.00")])
    sqlite_ws.cases.create("c")
    [r] = sqlite_ws.records.import_files("c", [ImportRequest(write(tmp_path, text))])
    assert r.rejects == []
    rows = transactions(sqlite_ws)  # by locator: NtryDtls, then TxDtls
    assert [(x["locator"].split("Ntry[1]")[1], x["ref"]) for x in rows] == [
        ("/NtryDtls[1]/TxDtls[1]", "B9/1"), ("/NtryDtls[1]/TxDtls[2]", "B9/2"),
        ("/NtryDtls[2]/TxDtls[1]", "B9/3"), ("/NtryDtls[2]/TxDtls[2]", "B9/4"),
        ("/NtryDtls[3]/TxDtls[1]", "B9/5"), ("/NtryDtls[3]/TxDtls[2]", "B9/6")]
