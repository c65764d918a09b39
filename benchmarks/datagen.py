"""Synthetic inputs for the import benchmarks (no real data; deterministic)."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

from veriga.simulate.banks import iban_check

FIRST = ["Anna", "Jānis", "Ivan", "Maria", "Elena", "Mikko", "Kadri", "Ion", "Olena", "Piotr"]
LAST = ["Ozola", "Bērziņš", "Petrov", "Ivanova", "Virtanen", "Tamm", "Popescu", "Kowalski"]
COUNTRIES = ["lv", "ee", "fi", "bg", "ro", "pl", "ua"]
LOCAL = {"lv": "2{:07d}", "ee": "5{:07d}", "fi": "040{:07d}", "bg": "088{:07d}",
         "ro": "072{:07d}", "pl": "5{:08d}", "ua": "050{:07d}"}


def _iban(rng: random.Random) -> str:
    bban = "BANK" + f"{rng.randrange(10**13):013d}"
    return "LV" + iban_check("LV", bban) + bban


def ftm_entities(path: Path, count: int, seed: int = 1) -> Path:
    """``count`` FtM entities: people (local phones, dates in several forms), accounts,
    ownerships and companies, as JSON lines."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as fh:
        i = 0
        while i < count:
            country = rng.choice(COUNTRIES)
            pid = f"p{i}"
            day = f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.{rng.randint(1960, 2005)}"
            person = {"id": pid, "schema": "Person", "properties": {
                "name": [f"{rng.choice(FIRST)} {rng.choice(LAST)}"],
                "nationality": [country],
                "phone": [LOCAL[country].format(rng.randrange(10**7))],
                "birthDate": [day],
            }}
            account = {"id": f"a{i}", "schema": "BankAccount",
                       "properties": {"iban": [_iban(rng)]}}
            owner = {"id": f"o{i}", "schema": "Ownership",
                     "properties": {"owner": [pid], "asset": [f"a{i}"]}}
            company = {"id": f"c{i}", "schema": "Company", "properties": {
                "name": [f"{rng.choice(LAST)} Services {i}"], "jurisdiction": [country],
                "registrationNumber": [str(rng.randrange(10**8))]}}
            for item in (person, account, owner, company):
                fh.write(json.dumps(item, ensure_ascii=False) + "\n")
            i += 4
    return path


TX_MAPPING = """\
csv: {delimiter: ";"}
country: LV
entities:
  account:
    schema: BankAccount
    keys: [iban]
    properties:
      iban: {column: iban}
  counterparty:
    schema: LegalEntity
    keys: [counterparty]
    properties:
      name: {column: counterparty}
records:
  transaction:
    account: {column: iban}
    ref: {column: reference}
    booking_date: {column: booking_date, format: "%d.%m.%Y"}
    amount: {column: amount, decimal: ","}
    currency: {column: currency}
    counterparty_account: {column: counterparty_iban}
    counterparty_name: {column: counterparty}
    description: {column: text}
"""


def transactions_csv(path: Path, rows: int, seed: int = 2) -> tuple[Path, Path]:
    """A bank CSV export (semicolon, decimal comma, DD.MM.YYYY) and its mapping."""
    rng = random.Random(seed)
    accounts = [_iban(rng) for _ in range(2000)]
    names = [f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(5000)]
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=";", lineterminator="\n")
        writer.writerow(["booking_date", "iban", "counterparty_iban", "counterparty", "amount",
                         "currency", "reference", "text"])
        for i in range(rows):
            cents = rng.randrange(-500000, 500000)
            writer.writerow([
                f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.2026",
                rng.choice(accounts), rng.choice(accounts), rng.choice(names),
                f"{cents / 100:.2f}".replace(".", ","), "EUR", f"TX{i:09d}",
                rng.choice(["rent", "salary", "card payment", "transfer", "cash"]),
            ])
    mapping = path.with_suffix(".mapping.yml")
    mapping.write_text(TX_MAPPING, encoding="utf-8")
    return path, mapping


INVOICE_MAPPING = """\
records:
  invoice:
    invoice_no: {column: invoice_no}
    issue_date: {column: issue_date, format: "%Y-%m-%d"}
    due_date: {column: due_date, format: "%Y-%m-%d"}
    supplier_name: {column: supplier_name}
    supplier_reg: {column: supplier_reg}
    supplier_vat: {column: supplier_vat}
    supplier_country: {column: supplier_country}
    buyer_name: {column: buyer_name}
    buyer_reg: {column: buyer_reg}
    buyer_vat: {column: buyer_vat}
    buyer_country: {column: buyer_country}
    contract_ref: {column: contract_ref}
    description: {column: description}
    net_amount: {column: net_amount}
    vat_amount: {column: vat_amount}
    currency: {column: currency}
    pay_to_account: {column: pay_to_iban}
"""


def _companies(rng: random.Random, count: int) -> list[tuple[str, str, str, str]]:
    """(name, country, registration number, VAT number), every number valid."""
    from veriga.model.normalize import Rejected
    from veriga.model.regnum import normalize_registration

    made: list[tuple[str, str, str, str]] = []
    while len(made) < count:
        country = rng.choice(["LV", "EE", "FI", "PL"])
        body = {"LV": lambda: f"4000{rng.randrange(10**7):07d}",
                "EE": lambda: f"1{rng.randrange(10**7):07d}",
                "FI": lambda: f"{rng.randrange(10**6, 10**7)}-{rng.randrange(10)}",
                "PL": lambda: f"{rng.randrange(10**9, 10**10)}"}[country]()
        try:
            reg = normalize_registration(body, country)
            vat = {"LV": "LV" + reg, "FI": "FI" + reg, "PL": "PL" + reg,
                   "EE": ""}[country]
            if country == "PL":
                vat = normalize_registration(vat, country, "vat")
        except Rejected:
            continue
        made.append((f"{rng.choice(LAST)} {len(made)} {country}", country, body, vat))
    return made


def invoices_csv(path: Path, rows: int, seed: int = 3) -> tuple[Path, Path]:
    """Invoices between 5,000 companies (valid LV, EE, FI and PL numbers; one row in a
    thousand with a mistyped number, reported as a reject) and their mapping."""
    rng = random.Random(seed)
    companies = _companies(rng, 5000)
    accounts = [_iban(rng) for _ in range(2000)]
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["invoice_no", "issue_date", "due_date", "supplier_name",
                         "supplier_reg", "supplier_vat", "supplier_country", "buyer_name",
                         "buyer_reg", "buyer_vat", "buyer_country", "contract_ref",
                         "description", "net_amount", "vat_amount", "currency", "pay_to_iban"])
        for i in range(rows):
            s, b = rng.choice(companies), rng.choice(companies)
            s_reg = s[2] if i % 1000 else s[2][:-1] + str((int(s[2][-1]) + 1) % 10)
            cents = rng.randrange(10000, 50000000)
            month, day = rng.randint(1, 12), rng.randint(1, 28)
            writer.writerow([
                f"INV-{i:09d}", f"2026-{month:02d}-{day:02d}",
                f"2026-{month:02d}-{min(day + 14, 28):02d}", s[0], s_reg, s[3], s[1],
                b[0], b[2], b[3], b[1], f"K-{rng.randrange(20000):05d}",
                rng.choice(["construction works", "staff hire", "transport", "cleaning"]),
                f"{cents / 100:.2f}", f"{cents * 21 / 10000:.2f}",
                "EUR" if b[1] != "PL" else "PLN", rng.choice(accounts)])
    mapping = path.with_suffix(".mapping.yml")
    mapping.write_text(INVOICE_MAPPING, encoding="utf-8")
    return path, mapping


def camt_statement(path: Path, entries: int, seed: int = 4) -> Path:
    """A camt.053.001.08 file: statements of 1,000 entries each over 50 accounts, every
    entry a transfer with one of 2,000 counterparties (account and name), its bank and a
    remittance text."""
    rng = random.Random(seed)
    accounts = [_iban(rng) for _ in range(50)]
    others = [(_iban(rng), f"{rng.choice(FIRST)} {rng.choice(LAST)}") for _ in range(2000)]
    with path.open("w", encoding="utf-8") as fh:
        fh.write(CAMT_HEAD)
        done = 0
        while done < entries:
            n = min(1000, entries - done)
            own = accounts[(done // 1000) % len(accounts)]
            fh.write(_camt_stmt(rng, own, others, done, n, "2026-03"))
            done += n
        fh.write(CAMT_TAIL)
    return path


def camt_files(folder: Path, entries: int, per_file: int = 20, seed: int = 4) -> Path:
    """A bank production: one camt.053 file per account and month, ``per_file`` entries
    each (the entries of :func:`camt_statement` spread over many small files)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    n_files = max(1, entries // per_file)
    accounts = [_iban(rng) for _ in range(max(1, n_files // 12))]
    others = [(_iban(rng), f"{rng.choice(FIRST)} {rng.choice(LAST)}") for _ in range(2000)]
    for i in range(n_files):
        month = f"{2015 + i % 120 // 12}-{i % 12 + 1:02d}"  # ten years of months
        own = accounts[(i // 12) % len(accounts)]
        text = CAMT_HEAD + _camt_stmt(rng, own, others, i * per_file, per_file, month)
        (folder / f"{own}-{month}.xml").write_text(text + CAMT_TAIL, encoding="utf-8")
    return folder


CAMT_HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="urn:iso:std:iso:'
             '20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt><GrpHdr><MsgId>BENCH</MsgId>'
             "<CreDtTm>2026-04-01T06:00:00</CreDtTm></GrpHdr>\n")
CAMT_TAIL = "</BkToCstmrStmt></Document>\n"


def _camt_stmt(rng: random.Random, own: str, others: list[tuple[str, str]], done: int,
               n: int, month: str) -> str:
    """One statement of ``n`` entries booked in ``month`` (YYYY-MM)."""
    cents = [rng.randrange(-500000, 500000) for _ in range(n)]
    parts = [f"<Stmt><Id>S{done}</Id><CreDtTm>2026-04-01T06:00:00</CreDtTm><Acct><Id>"
             f"<IBAN>{own}</IBAN></Id><Ccy>EUR</Ccy><Ownr><Nm>Holder {done}</Nm></Ownr>"
             "</Acct>" + _bal("OPBD", 0) + _bal("CLBD", sum(cents)) + "\n"]
    for k, c in enumerate(cents):
        ind, role = ("CRDT", "Dbtr") if c >= 0 else ("DBIT", "Cdtr")
        day = f"{month}-{rng.randint(1, 28):02d}"
        other, name = rng.choice(others)
        parts.append(
            f'<Ntry><Amt Ccy="EUR">{abs(c) / 100:.2f}</Amt><CdtDbtInd>{ind}</CdtDbtInd>'
            f"<Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>{day}</Dt></BookgDt><ValDt><Dt>{day}"
            f"</Dt></ValDt><AcctSvcrRef>R{done + k:09d}</AcctSvcrRef><BkTxCd><Domn><Cd>"
            "PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn>"
            "</BkTxCd><NtryDtls><TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId>"
            f"</Refs><RltdPties><{role}><Pty><Nm>{name}</Nm></Pty></{role}>"
            f"<{role}Acct><Id><IBAN>{other}</IBAN></Id></{role}Acct>"
            f"</RltdPties><RltdAgts><{role}Agt><FinInstnId><BICFI>BANKLV2X</BICFI>"
            f"</FinInstnId></{role}Agt></RltdAgts><RmtInf><Ustrd>"
            f"{rng.choice(['rent', 'salary', 'invoice', 'transfer'])} {k}</Ustrd>"
            "</RmtInf></TxDtls></NtryDtls></Ntry>\n")
    parts.append("</Stmt>\n")
    return "".join(parts)


def mt940_statement(path: Path, entries: int, seed: int = 5) -> Path:
    """An MT940 file: statements of 1,000 entries each over 50 accounts, every entry a
    transfer with one of 2,000 counterparties in a German-style :86: (?20 text, ?30 BIC,
    ?31 IBAN, ?32 name)."""
    rng = random.Random(seed)
    accounts = [_iban(rng) for _ in range(50)]
    others = [(_iban(rng), f"{rng.choice(FIRST)} {rng.choice(LAST)}") for _ in range(2000)]
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        done = 0
        while done < entries:
            n = min(1000, entries - done)
            own = accounts[(done // 1000) % len(accounts)]
            cents = [rng.randrange(-500000, 500000) for _ in range(n)]
            lines = [":20:STMT" + str(done), f":25:{own}", f":28C:{done // 1000 + 1}/1",
                     ":60F:C260301EUR0,00"]
            for k, c in enumerate(cents):
                day = f"2603{rng.randint(1, 28):02d}"
                other, name = rng.choice(others)
                amount = f"{abs(c) // 100},{abs(c) % 100:02d}"
                lines.append(f":61:{day}{day[2:]}{'C' if c >= 0 else 'D'}{amount}NTRFNONREF"
                             f"//R{done + k:09d}")
                lines.append(f":86:166?00UEBERWEISUNG?20{rng.choice(['rent', 'salary'])} {k}"
                             f"?30BANKLV2X?31{other}?32{name}")
            total = sum(cents)
            lines.append(f":62F:{'C' if total >= 0 else 'D'}260331EUR"
                         f"{abs(total) // 100},{abs(total) % 100:02d}")
            fh.write("\n".join(lines) + "\n-\n")
            done += n
    return path


def _bal(code: str, cents: int) -> str:
    ind = "CRDT" if cents >= 0 else "DBIT"
    return (f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">"
            f"{abs(cents) / 100:.2f}</Amt><CdtDbtInd>{ind}</CdtDbtInd><Dt><Dt>2026-03-01</Dt>"
            "</Dt></Bal>")
