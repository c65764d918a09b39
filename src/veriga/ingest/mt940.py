"""SWIFT MT940 statements and MT942 interim reports, with or without the {1:}{2:}{4: blocks.

A small line-based parser rather than a PyPI one, because every reject must name its line.
Field :86: is read in the German/Baltic ``?20..?63`` style and the ``/NAME/ /IBAN/`` style.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from veriga.ingest.bankstatement import Entry, Ledger, Statement, method_for
from veriga.ingest.base import ImportContext, Importer, Item
from veriga.ingest.guards import check_lines
from veriga.model.normalize import Rejected, normalize_account

TAG = re.compile(r"^:(\d{2}[A-Z]?):(.*)$")
BALANCE = re.compile(r"^(?P<dc>[DC])(?P<date>\d{6})(?P<ccy>[A-Z]{3})(?P<amount>\d+(?:,\d*)?)$")
LINE61 = re.compile(
    r"^(?P<vdate>\d{6})(?P<edate>\d{4})?(?P<dc>R?[DC]|E[DC])(?P<funds>[A-Z])?"
    r"(?P<amount>\d+,\d*|\d+)(?P<type>[NFS][A-Z0-9]{3})(?P<ref>[^\n]*?)"
    r"(?://(?P<bankref>[^\n]*))?(?:\n(?P<supp>[\s\S]*))?$"
)
SIGN = {"D": -1, "C": 1, "RD": 1, "RC": -1, "ED": -1, "EC": 1}
GERMAN = re.compile(r"^(\d{3})([?])")
SUBFIELD = re.compile(r"\?(\d{2})")
SLASH_KEYS = ("EREF", "IBAN", "BIC", "NAME", "REMI", "CNTP", "ORDP", "BENM", "MARF", "CSID",
              "PURP", "RTRN", "ADDR", "ULTC", "ULTD", "TRTP", "ISDT", "USTD")
SLASH = re.compile(r"/(" + "|".join(SLASH_KEYS) + r")/")
MT942_TAGS = {"13D", "34F", "90D", "90C"}
MT942_BLOCK = re.compile(r"\{2:[IO]942")


@dataclass
class Field:
    line: int
    tag: str
    value: str


@dataclass
class _State:
    stmt: Statement | None = None
    started: bool = False
    mt942: bool = False
    pending: tuple[Entry, int] | None = None
    details: list[str] = field(default_factory=list)


def read_fields(ctx: ImportContext, text: str) -> Iterator[Field]:
    """Fields ``:NN[A]:value`` with their first line; block headers and trailers dropped."""
    current: Field | None = None
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip("\r")
        if line.startswith("{"):
            line = line.split("{4:", 1)[1] if "{4:" in line else ""
        if line.strip() in ("-}", "-") or line.startswith("-}") or line.startswith("{5:"):
            if current:
                yield current
            current = None
            continue
        match = TAG.match(line)
        if match:
            if current:
                yield current
            current = Field(number, match.group(1), match.group(2))
        elif current is not None:
            current.value += "\n" + line
        elif line.strip():
            ctx.reject(f"line {number}", None, line[:80], "text outside any MT940 field; ignored")
    if current:
        yield current


class MT940Importer(Importer):
    name = "veriga.ingest.mt940"
    version = "1"
    format = "mt940"
    media_type = "text/plain"
    reads_whole = True

    @classmethod
    def detect(cls, path: Path, head: bytes) -> int:
        if b":20:" in head and b":25:" in head and (b":61:" in head or b":60F:" in head):
            return 90
        return 0

    def parse(self, ctx: ImportContext) -> Iterator[Item]:
        size = ctx.path.stat().st_size  # the runner refused it over max_read_bytes
        check_lines(ctx.file_name, ctx.path, ctx.limits)
        ledger = Ledger(ctx)
        state = _State()
        seen_statement = False
        text = _decode(ctx)
        mt942 = MT942_BLOCK.search(text) is not None  # {2:I942...} or {2:O942...}
        for fld in read_fields(ctx, text):
            if fld.tag == "20":
                yield from self._finish(ledger, state)
                state = _State(stmt=Statement(locator=f"line {fld.line}", account=None),
                               mt942=mt942)
                seen_statement = True
            elif state.stmt is None:
                ctx.reject(f"line {fld.line}", fld.tag, fld.value[:80],
                           "field before the first :20: reference; ignored")
            else:
                yield from self._field(ctx, ledger, state, fld)
        yield from self._finish(ledger, state)
        if not seen_statement:
            raise ctx.fail(None, "no MT940/MT942 statement found (no :20: field)")
        ctx.progress(size)
        batch = ledger.batch()
        yield from ledger.payments(batch)
        if batch is not None:
            yield batch

    def _field(
        self, ctx: ImportContext, ledger: Ledger, state: _State, fld: Field
    ) -> Iterator[Item]:
        stmt = state.stmt
        assert stmt is not None
        if fld.tag != "86":
            yield from self._flush(ledger, state)
        if fld.tag == "25":
            stmt.account = _account(fld.value.strip())
        elif fld.tag in ("60F", "60M", "62F", "62M"):
            self._balance(ctx, stmt, fld)
        elif fld.tag == "61":
            yield from self._start(ledger, state)
            entry = self._line61(ctx, stmt, fld)
            if entry is not None:
                state.pending = (entry, fld.line)
        elif fld.tag == "86" and state.pending is not None:
            _details(state.pending[0], fld.value)
            yield from self._flush(ledger, state)
        elif fld.tag in MT942_TAGS:
            state.mt942 = True

    def _start(self, ledger: Ledger, state: _State) -> Iterator[Item]:
        if not state.started and state.stmt is not None:
            state.started = True
            yield from ledger.start(state.stmt)

    def _flush(self, ledger: Ledger, state: _State) -> Iterator[Item]:
        if state.pending is not None and state.stmt is not None:
            entry, _ = state.pending
            state.pending = None
            yield from ledger.add(state.stmt, entry)

    def _finish(self, ledger: Ledger, state: _State) -> Iterator[Item]:
        if state.stmt is None:
            return
        yield from self._flush(ledger, state)
        yield from self._start(ledger, state)
        ledger.end(state.stmt, require_balances=not state.mt942)

    def _balance(self, ctx: ImportContext, stmt: Statement, fld: Field) -> None:
        value = fld.value.strip()
        match = BALANCE.match(value)
        if match is None:
            ctx.reject(f"line {fld.line}", fld.tag, value[:80],
                       "balance is not D/C, YYMMDD, currency, amount; ignored")
            return
        amount = _amount(match["amount"]) * (-1 if match["dc"] == "D" else 1)
        if stmt.currency is None:
            stmt.currency = match["ccy"]
        elif stmt.currency != match["ccy"]:
            ctx.reject(f"line {fld.line}", fld.tag, value,
                       f"balance currency {match['ccy']} differs from {stmt.currency}")
        if fld.tag.startswith("60") and stmt.opening is None:
            stmt.opening = amount
        elif fld.tag.startswith("62"):
            stmt.closing = amount

    def _line61(self, ctx: ImportContext, stmt: Statement, fld: Field) -> Entry | None:
        loc = f"line {fld.line}"
        match = LINE61.match(fld.value.strip())
        if match is None:
            ctx.reject(loc, "61", fld.value[:80], "statement line :61: cannot be parsed (date, "
                       "D/C mark, amount, type code); entry skipped, the file may be truncated")
            return None
        value_date = _yymmdd(match["vdate"])
        if value_date is None:
            ctx.reject(loc, "value_date", match["vdate"], "not a valid YYMMDD date")
        booking = _entry_date(value_date, match["edate"]) if match["edate"] else value_date
        amount = _amount(match["amount"]) * SIGN[match["dc"]]
        ref = (match["ref"] or "").strip()
        bank_ref = (match["bankref"] or "").strip() or None
        ref = None if ref.upper() in ("", "NONREF") else ref
        return Entry(
            locator=loc, amount=amount, booking_date=booking, value_date=value_date,
            currency=stmt.currency, ref=bank_ref or ref, bank_ref=bank_ref,
            method=method_for(swift=match["type"]), description=(match["supp"] or "").strip(),
        )


def _decode(ctx: ImportContext) -> str:
    data = ctx.path.read_bytes()
    encoding = ctx.options.get("encoding")
    if encoding:
        try:
            return data.decode(encoding, errors="replace")
        except LookupError:
            raise ctx.fail(None, f"unknown encoding {encoding!r}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _amount(text: str) -> Decimal:
    return Decimal(text.replace(",", ".").rstrip(".") or "0")


def _yymmdd(text: str) -> date | None:
    yy, mm, dd = int(text[:2]), int(text[2:4]), int(text[4:6])
    try:
        return date(2000 + yy if yy < 80 else 1900 + yy, mm, dd)
    except ValueError:
        return None


def _entry_date(value_date: date | None, mmdd: str) -> date | None:
    """The booking date MMDD, in the year that puts it nearest the value date."""
    if value_date is None:
        return None
    best = None
    for year in (value_date.year - 1, value_date.year, value_date.year + 1):
        try:
            candidate = date(year, int(mmdd[:2]), int(mmdd[2:]))
        except ValueError:
            continue
        if best is None or abs(candidate - value_date) < abs(best - value_date):
            best = candidate
    return best if best and abs(best - value_date) < timedelta(days=183) else None


def _account(text: str) -> str:
    """Account of :25:, without a trailing currency code some banks append to the IBAN."""
    compact = "".join(text.split()).upper()
    if len(compact) > 18 and compact[-3:].isalpha() and compact[:2].isalpha():
        try:
            normalize_account(compact)
        except Rejected:
            try:
                return normalize_account(compact[:-3])
            except Rejected:
                pass
    return compact


def _details(entry: Entry, text: str) -> None:
    """Counterparty, purpose and codes from field :86:."""
    flat = text.strip()
    german = GERMAN.match(flat)
    if german:
        _german(entry, german.group(1), flat.replace("\n", ""))
    elif SLASH.search(flat):
        _slash(entry, flat.replace("\n", ""))
    else:
        entry.description = " ".join(p for p in (entry.description, flat) if p) or None
        if entry.method in (None, "other"):
            entry.method = method_for(text=flat)


def _german(entry: Entry, gvc: str, text: str) -> None:
    parts: dict[str, str] = {}
    pieces = SUBFIELD.split(text[3:])
    for key, value in zip(pieces[1::2], pieces[2::2], strict=False):
        parts[key] = parts.get(key, "") + value
    purpose = "".join(parts.get(f"{n:02d}", "") for n in (*range(20, 30), *range(60, 64)))
    name = " ".join(v for v in (parts.get("32"), parts.get("33")) if v).strip()
    entry.counterparty_name = name or entry.counterparty_name
    account = (parts.get("31") or "").strip()
    entry.counterparty_account = account or entry.counterparty_account
    bic = (parts.get("30") or "").strip()
    if bic and not bic.isdigit():
        entry.counterparty_bic = bic
    text_out = " ".join(p for p in (parts.get("00", "").strip(), purpose.strip()) if p)
    entry.description = text_out or entry.description
    if entry.method in (None, "other"):
        entry.method = method_for(gvc=gvc, text=text_out)


def _slash(entry: Entry, text: str) -> None:
    pieces = SLASH.split(text)
    parts: dict[str, str] = {}
    for key, value in zip(pieces[1::2], pieces[2::2], strict=False):
        parts.setdefault(key, value.strip("/ "))
    cntp = [p.strip() for p in parts.get("CNTP", "").split("/")]
    entry.counterparty_account = parts.get("IBAN") or (cntp[0] if cntp[0] else None)
    entry.counterparty_bic = parts.get("BIC") or (cntp[1] if len(cntp) > 1 and cntp[1] else None)
    entry.counterparty_name = parts.get("NAME") or (cntp[2] if len(cntp) > 2 and cntp[2]
                                                    else None)
    remi = parts.get("REMI", "").replace("USTD//", "").strip("/ ")
    entry.description = remi or parts.get("EREF") or entry.description
    if entry.ref is None and parts.get("EREF") and parts["EREF"] != "NOTPROVIDED":
        entry.ref = parts["EREF"]
