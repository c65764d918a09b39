"""Bank statements: ISO 20022 camt.053.001.08, SWIFT MT940 and bank CSV exports.

One account-month is written at a time: the writer gets the month's movements, assigns each
a reference unique within its bank, and appends to or creates the account's files.

Every holder a statement names (camt.053) and every counterparty with an identity is an
answer-key record, once per file and name, at the place the importer reads it first: the
camt.053 ``Stmt`` (holder) or ``Ntry``, the MT940 ``:61:`` line, the CSV line. The importers
make a holder entity of an account and a name, ``make_id("holder", IBAN, name)``; a name
without an account (a CSV export, a transfer without IBAN) is a record without an entity.
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

from veriga.simulate.bookings import Txn
from veriga.simulate.ground_truth import GroundTruth, entity_id
from veriga.simulate.names import strip_diacritics, transliterate
from veriga.simulate.world import Account, Company, Person, World

CAMT_NS = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"
CAMT_STMT = "/Document/BkToCstmrStmt/Stmt[1]"  # the statement, as the importer locates it
BKTX = {  # method -> (domain, family, sub-family) for credit / debit
    ("transfer", True): ("PMNT", "RCDT", "ESCT"), ("transfer", False): ("PMNT", "ICDT", "ESCT"),
    ("p2p", True): ("PMNT", "RCDT", "ESCT"), ("p2p", False): ("PMNT", "ICDT", "ESCT"),
    ("card", True): ("PMNT", "CCRD", "POSC"), ("card", False): ("PMNT", "CCRD", "POSD"),
    ("cash", True): ("PMNT", "CNTR", "CDPT"), ("cash", False): ("PMNT", "CCRD", "CWDL"),
    ("fee", True): ("ACMT", "MDOP", "CHRG"), ("fee", False): ("ACMT", "MDOP", "CHRG"),
}
MT_TYPE = {"transfer": "NTRF", "p2p": "NTRF", "card": "NMSC", "cash": "NMSC", "fee": "NCHG"}

CSV_LAYOUTS = {
    # delimiter, decimal, date format, columns (our key -> column name)
    "csv_lv": (";", ",", "%d.%m.%Y", {
        "account": "Konts", "booking_date": "Datums", "value_date": "Valutēšanas datums",
        "ref": "Dokumenta nr.", "counterparty_name": "Partneris",
        "counterparty_account": "Partnera konts", "counterparty_bic": "Partnera BIC",
        "description": "Maksājuma mērķis", "amount": "Summa", "currency": "Valūta",
        "balance_after": "Atlikums", "method": "Veids"}),
    "csv_en": (",", ".", "%Y-%m-%d", {
        "account": "Account", "booking_date": "Completed Date", "value_date": "Value Date",
        "ref": "Transaction ID", "method": "Type", "counterparty_name": "Counterparty",
        "counterparty_account": "Counterparty IBAN", "counterparty_bic": "Counterparty BIC",
        "description": "Description", "amount": "Amount", "currency": "Currency",
        "balance_after": "Balance"}),
    "csv_ee": ("\t", ",", "%d.%m.%Y", {
        "account": "Kliendi konto", "ref": "Arhiveerimistunnus", "booking_date": "Kuupäev",
        "value_date": "Väärtuspäev", "counterparty_account": "Saaja/Maksja konto",
        "counterparty_name": "Saaja/Maksja nimi", "counterparty_bic": "Panga kood",
        "description": "Selgitus", "amount": "Summa", "currency": "Valuuta",
        "balance_after": "Saldo", "method": "Tehingu tüüp"}),
}


def _amt(cents: int, decimal: str = ".") -> str:
    text = f"{abs(cents) // 100}.{abs(cents) % 100:02d}"
    return text.replace(".", decimal)


def holder_id(account: str, name: str) -> str | None:
    """The id the statement importers give the holder of ``account`` called ``name``."""
    return entity_id("holder", account, " ".join(name.split()))


def _swift_text(text: str) -> str:
    """SWIFT X character set: Latin letters, digits and a little punctuation."""
    latin = strip_diacritics(transliterate(text, "UA"))
    return "".join(c if c.isascii() and (c.isalnum() or c in " /-?:().,'+") else " "
                   for c in latin)


class StatementWriter:
    def __init__(self, out: Path, world: World, gt: GroundTruth) -> None:
        self.out, self.world, self.gt = out, world, gt
        self.rows = 0
        self._csv_started: set[str] = set()
        self._lines: dict[str, int] = {}  # MT940 and CSV files: lines written so far
        self._named: dict[str, set[tuple[str, str, str]]] = {}  # file -> parties recorded

    def holder(self, acct: Account) -> Person | Company:
        return self.world.people.get(acct.holder) or self.world.companies[acct.holder]

    def write(self, acct: Account, m: int, first: date, last: date, txns: list[Txn]) -> None:
        txns.sort(key=lambda t: t.day)
        fmt = acct.bank.fmt
        refs = [acct.bank.next_ref(t.day.year) for t in txns]
        opening = acct.balance
        acct.balance += sum(t.amount for t in txns)
        folder = self.out / "bank" / acct.bank.key
        folder.mkdir(parents=True, exist_ok=True)
        if fmt == "camt":
            name = f"camt053_{acct.iban}_{first:%Y-%m}.xml"
            rel = f"bank/{acct.bank.key}/{name}"
            (folder / name).write_text(self._camt(acct, m, first, last, opening, txns, refs),
                                       encoding="utf-8")
            self.gt.file(rel, "camt.053", "IBAN", f"statement of {acct.iban} ({acct.bank.name})")
            self.gt.record(rel, acct.iban, f"{CAMT_STMT}#holder", acct.holder, "LegalEntity",
                           acct.holder_name, (), holder_id(acct.iban, acct.holder_name))
            self._parties(acct, rel, [(f"{CAMT_STMT}/Ntry[{k}]", t, t.cp_name)
                                      for k, t in enumerate(txns, start=1)
                                      if t.method not in ("cash", "fee")], fresh=True)
        elif fmt == "mt940":
            name = f"mt940_{acct.iban}.sta"
            rel = f"bank/{acct.bank.key}/{name}"
            if m == 0:
                self._ref(acct, rel, "mt940")
            start = self._lines.get(rel, 0)
            text, lines = self._mt940(acct, m, first, last, opening, txns, refs, start)
            with (folder / name).open("a", encoding="ascii", newline="") as fh:
                fh.write(text)
            self._lines[rel] = start + text.count("\r\n")
            self._parties(acct, rel, [(f"line {n}", t, " ".join(_swift_text(t.cp_name).split()))
                                      for n, t in zip(lines, txns, strict=True)])
        else:
            name = f"export_{acct.iban}.csv"
            rel = f"bank/{acct.bank.key}/{name}"
            self._csv(folder / name, acct, fmt, opening, txns, refs, rel)
        rel = f"bank/{acct.bank.key}/{name}"
        for t, r in zip(txns, refs, strict=True):
            if t.tags:
                self.gt.booked(t.tags, r, acct.iban, t.day, t.amount, rel)
        self.rows += len(txns)

    def _ref(self, acct: Account, rel: str, fmt: str) -> None:
        """A statement that does not name its holder (MT940, CSV): noted on the holder."""
        self.holder(acct).records.append({"file": rel, "id": acct.iban})
        self.gt.file(rel, fmt, "IBAN", f"statement of {acct.iban} ({acct.bank.name})")

    def _parties(self, acct: Account, rel: str, named: list[tuple[str, Txn, str]],
                 fresh: bool = False) -> None:
        """Answer-key records of the counterparties with an identity, first sighting of each
        (account, name) in the file; ``named`` holds (importer locator, movement, the name
        as the importer reads it)."""
        seen = set() if fresh else self._named.setdefault(rel, set())
        for locator, t, written in named:
            if not t.cp_id or not written:
                continue
            key = (t.cp_iban or t.cp_id, written, t.cp_id)
            if key in seen:
                continue
            seen.add(key)
            variation = t.cp_var
            if written != t.cp_name and "no_diacritics" not in variation:
                variation += ("no_diacritics",)
            entity = holder_id(t.cp_iban, written) if t.cp_iban and not rel.endswith(
                ".csv") else None
            self.gt.record(rel, acct.iban, f"{locator}#counterparty", t.cp_id, "LegalEntity",
                           written, variation, entity)

    # -- camt.053 ------------------------------------------------------------------------

    def _camt(self, acct: Account, m: int, first: date, last: date, opening: int,
              txns: list[Txn], refs: list[str]) -> str:
        ccy = acct.currency
        created = f"{last + timedelta(days=1)}T06:00:00"
        sid = f"{acct.bank.key.upper()}-{acct.iban[-8:]}-{first:%Y%m}"
        parts = [
            '<?xml version="1.0" encoding="UTF-8"?>\n',
            f'<Document xmlns="{CAMT_NS}">\n <BkToCstmrStmt>\n',
            f"  <GrpHdr><MsgId>{sid}</MsgId><CreDtTm>{created}</CreDtTm></GrpHdr>\n",
            f"  <Stmt>\n   <Id>{sid}</Id><ElctrncSeqNb>{m + 1}</ElctrncSeqNb>"
            f"<CreDtTm>{created}</CreDtTm>\n",
            f"   <FrToDt><FrDtTm>{first}T00:00:00</FrDtTm><ToDtTm>{last}T23:59:59</ToDtTm>"
            "</FrToDt>\n",
            f"   <Acct><Id><IBAN>{acct.iban}</IBAN></Id><Ccy>{ccy}</Ccy><Ownr><Nm>"
            f"{escape(acct.holder_name)}</Nm></Ownr><Svcr><FinInstnId><BICFI>{acct.bank.bic}"
            "</BICFI></FinInstnId></Svcr></Acct>\n",
            self._bal("OPBD", opening, ccy, first - timedelta(days=1)),
            self._bal("CLBD", acct.balance, ccy, last),
            f"   <TxsSummry><TtlNtries><NbOfNtries>{len(txns)}</NbOfNtries></TtlNtries>"
            "</TxsSummry>\n",
        ]
        own = f"<Nm>{escape(acct.holder_name)}</Nm>"
        own_acct = f"<Id><IBAN>{acct.iban}</IBAN></Id>"
        for t, ref in zip(txns, refs, strict=True):
            credit = t.amount > 0
            ind = "CRDT" if credit else "DBIT"
            amt = f'<Amt Ccy="{ccy}">{_amt(t.amount)}</Amt><CdtDbtInd>{ind}</CdtDbtInd>'
            dom, fam, sub = BKTX[(t.method, credit)]
            other = f"<Nm>{escape(t.cp_name)}</Nm>"
            other_acct = f"<Id><IBAN>{t.cp_iban}</IBAN></Id>" if t.cp_iban else ""
            if t.method in ("cash", "fee"):
                parties = ""
            elif credit:
                parties = (f"<RltdPties><Dbtr><Pty>{other}</Pty></Dbtr>"
                           + (f"<DbtrAcct>{other_acct}</DbtrAcct>" if other_acct else "")
                           + f"<Cdtr><Pty>{own}</Pty></Cdtr><CdtrAcct>{own_acct}</CdtrAcct>"
                           "</RltdPties>")
            else:
                parties = (f"<RltdPties><Dbtr><Pty>{own}</Pty></Dbtr><DbtrAcct>{own_acct}"
                           f"</DbtrAcct><Cdtr><Pty>{other}</Pty></Cdtr>"
                           + (f"<CdtrAcct>{other_acct}</CdtrAcct>" if other_acct else "")
                           + "</RltdPties>")
            agent = ""
            if t.cp_bic:
                role = "DbtrAgt" if credit else "CdtrAgt"
                agent = (f"<RltdAgts><{role}><FinInstnId><BICFI>{t.cp_bic}</BICFI></FinInstnId>"
                         f"</{role}></RltdAgts>")
            text = t.text or t.cp_name
            parts.append(
                f"   <Ntry><NtryRef>{ref}</NtryRef>{amt}<Sts><Cd>BOOK</Cd></Sts>"
                f"<BookgDt><Dt>{t.day}</Dt></BookgDt><ValDt><Dt>{t.day}</Dt></ValDt>"
                f"<AcctSvcrRef>{ref}</AcctSvcrRef><BkTxCd><Domn><Cd>{dom}</Cd><Fmly><Cd>{fam}"
                f"</Cd><SubFmlyCd>{sub}</SubFmlyCd></Fmly></Domn></BkTxCd>\n    <NtryDtls>"
                f"<TxDtls><Refs><AcctSvcrRef>{ref}</AcctSvcrRef><EndToEndId>"
                f"{t.e2e or 'NOTPROVIDED'}</EndToEndId></Refs>{amt}{parties}{agent}"
                f"<RmtInf><Ustrd>{escape(text[:140])}</Ustrd></RmtInf></TxDtls></NtryDtls>"
                f"<AddtlNtryInf>{escape(t.cp_name[:500])}</AddtlNtryInf></Ntry>\n")
        parts.append("  </Stmt>\n </BkToCstmrStmt>\n</Document>\n")
        return "".join(parts)

    @staticmethod
    def _bal(code: str, cents: int, ccy: str, day: date) -> str:
        ind = "CRDT" if cents >= 0 else "DBIT"
        return (f"   <Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy=\"{ccy}\">"
                f"{_amt(cents)}</Amt><CdtDbtInd>{ind}</CdtDbtInd><Dt><Dt>{day}</Dt></Dt>"
                "</Bal>\n")

    # -- MT940 ---------------------------------------------------------------------------

    def _mt940(self, acct: Account, m: int, first: date, last: date, opening: int,
               txns: list[Txn], refs: list[str], start: int) -> tuple[str, list[int]]:
        """The month's statement, and the line of each movement's ``:61:`` in the file (the
        file has ``start`` lines before it)."""
        ccy = acct.currency

        def bal(tag: str, cents: int, day: date) -> str:
            return f":{tag}:{'C' if cents >= 0 else 'D'}{day:%y%m%d}{ccy}{_amt(cents, ',')}\r\n"

        lines = [f":20:{acct.bank.key.upper()}{first:%y%m}{acct.iban[-6:]}\r\n",
                 f":25:{acct.iban}\r\n", f":28C:{m + 1:05d}/1\r\n",
                 bal("60F", opening, first - timedelta(days=1))]
        at = start + len(lines)
        where = []
        for t, ref in zip(txns, refs, strict=True):
            mark = "C" if t.amount > 0 else "D"
            cust = (t.e2e or "NONREF")[:16]
            lines.append(f":61:{t.day:%y%m%d}{t.day:%m%d}{mark}{_amt(t.amount, ',')}"
                         f"{MT_TYPE[t.method]}{cust}//{ref}\r\n")
            where.append(at + 1)
            info = _swift_text(f"/NAME/{t.cp_name}" + (f"/IBAN/{t.cp_iban}" if t.cp_iban else "")
                               + f"/REMI/{t.text}")[:390]
            chunks = [info[i:i + 65] for i in range(0, len(info), 65)] or ["NONREF"]
            lines.append(":86:" + "\r\n".join(chunks) + "\r\n")
            at += 1 + len(chunks)
        lines.append(bal("62F", acct.balance, last))
        lines.append("-\r\n")
        return "".join(lines), where

    # -- bank CSV exports ----------------------------------------------------------------

    def _csv(self, path: Path, acct: Account, fmt: str, opening: int, txns: list[Txn],
             refs: list[str], rel: str) -> None:
        delim, dec, dfmt, cols = CSV_LAYOUTS[fmt]
        if not txns and rel not in self._csv_started:
            return  # an export with no movements is not a file a bank gives out
        buf = io.StringIO()
        w = csv.writer(buf, delimiter=delim, lineterminator="\n")
        if rel not in self._csv_started:
            self._csv_started.add(rel)
            w.writerow(list(cols.values()))
            (path.parent / (path.name + ".mapping.yml")).write_text(
                bank_csv_mapping(fmt), encoding="utf-8")
            self._ref(acct, rel, fmt)
            self.gt.file(rel, "csv", cols["account"], f"bank CSV export ({fmt}) of {acct.iban}")
            self._lines[rel] = 1
        start = self._lines[rel]
        self._lines[rel] = start + len(txns)
        self._parties(acct, rel, [(f"line {start + k}", t, t.cp_name)
                                  for k, t in enumerate(txns, start=1)])
        balance = opening
        for t, ref in zip(txns, refs, strict=True):
            balance += t.amount
            row = {"account": acct.iban, "booking_date": t.day.strftime(dfmt),
                   "value_date": t.day.strftime(dfmt), "ref": ref, "method": t.method,
                   "counterparty_name": t.cp_name, "counterparty_account": t.cp_iban,
                   "counterparty_bic": t.cp_bic, "description": t.text,
                   "amount": ("-" if t.amount < 0 else "") + _amt(t.amount, dec),
                   "currency": acct.currency,
                   "balance_after": ("-" if balance < 0 else "") + _amt(balance, dec)}
            w.writerow([row[k] for k in cols])
        with path.open("a", encoding="utf-8", newline="") as fh:
            fh.write(buf.getvalue())


def bank_csv_mapping(fmt: str) -> str:
    """The mapping YAML (veriga.ingest.mapping) that imports one bank CSV layout."""
    delim, dec, dfmt, cols = CSV_LAYOUTS[fmt]
    lines = [f"# Bank CSV export, layout {fmt} (generated by veriga simulate)",
             f"csv: {{delimiter: {delim!r}, encoding: utf-8}}".replace("'\\t'", '"\\t"'),
             "entities:", "  account:", "    schema: BankAccount",
             f"    keys: [{cols['account']!r}]",
             "    properties:", f"      iban: {{column: {cols['account']!r}}}",
             "records:", "  transaction:"]
    for key, column in cols.items():
        opts = f"column: {column!r}"
        if key in ("booking_date", "value_date"):
            opts += f", format: {dfmt!r}"
        if key in ("amount", "balance_after"):
            opts += f", decimal: {dec!r}"
        lines.append(f"    {key}: {{{opts}}}")
    return "\n".join(lines) + "\n"
