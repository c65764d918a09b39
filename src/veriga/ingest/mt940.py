"""SWIFT MT940 statements and MT942 interim reports, with or without the {1:}{2:}{4: blocks.

A small line-based parser rather than a PyPI one, because every reject must name its line.
Field :86: is read in the German/Baltic ``?20..?63`` style and the ``/NAME/ /IBAN/`` style.

Banks write :61: less strictly than the standard; read as written (docs/bank-formats.md):
a type code padded with blanks (``NOV NONREF``, ``S   X``) or missing, an entry date of four
blanks, a blank before the type code, an amount wrapped onto the next line, a value date that
is no calendar date (30 February) beside a valid entry date, DOS end-of-file bytes (Ctrl-Z)
between messages, and statements continued over several messages (``:60M:``/``:62M:``),
checked as one statement.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from veriga.ingest.bankstatement import Entry, Ledger, Statement, method_for
from veriga.ingest.base import ImportContext, Importer, Item
from veriga.ingest.guards import check_lines
from veriga.model.normalize import Rejected, normalize_account

# a field's tag (NS: a bank's non-SWIFT field), after blanks or control characters if any
TAG = re.compile(r"^[ \t\x00-\x08\x0b-\x1f\x7f\ufeff]*:(\d{2}[A-Z]?|NS):(.*)$")
LOOSE61 = re.compile(r"(?:^|\{4:)\W*:61:")  # what might be meant as a :61: field
BALANCE = re.compile(r"^(?P<dc>[DC])(?P<date>\d{6})(?P<ccy>[A-Z]{3})(?P<amount>\d+(?:,\d*)?)$")
# value date, entry date (MMDD, or four blanks), D/C mark, funds code, amount, then the rest
LINE61 = re.compile(
    r"^(?P<vdate>\d{6})(?P<edate>\d{4}| {4})?(?P<dc>R?[DC]|E[DC])(?P<funds>[A-Z])?"
    r"(?P<amount>\d+(?:[,.]\d*)?) ?(?P<rest>.*)$"
)
# a first line that stops after the D/C mark: the amount is on the next line
LINE61_CUT = re.compile(r"^\d{6}(?:\d{4}| {4})?(?:R?[DC]|E[DC])[A-Z]?$")
# type code: N, F or S and three characters, blanks allowed at the end ("NOV ", "S   ")
TYPE = re.compile(r"^[NFS](?:[A-Z0-9]{3}|[A-Z0-9]{2} |[A-Z0-9] {2}| {3})")
SIGN = {"D": -1, "C": 1, "RD": 1, "RC": -1, "ED": -1, "EC": 1}
GERMAN = re.compile(r"^(\d{3})([?])")
SUBFIELD = re.compile(r"\?(\d{2})")
SLASH_KEYS = ("EREF", "IBAN", "BIC", "NAME", "REMI", "CNTP", "ORDP", "BENM", "MARF", "CSID",
              "PURP", "RTRN", "ADDR", "ULTC", "ULTD", "TRTP", "ISDT", "USTD")
SLASH = re.compile(r"/(" + "|".join(SLASH_KEYS) + r")/")
MT942_TAGS = {"13D", "34F", "90D", "90C"}
MT942_BLOCK = re.compile(r"\{2:[IO]942")
DOS_EOF = "\x1a"  # Ctrl-Z, written by DOS-era software at the end of a file or message


@dataclass
class Field:
    line: int
    tag: str
    value: str


@dataclass
class _State:
    """One message (page) being read; ``stmt`` may continue the previous page's statement."""

    stmt: Statement | None = None
    started: bool = False
    mt942: bool = False
    pending: tuple[Entry, int] | None = None
    account: str | None = None  # :25: as written (compact), to match continuation pages
    closed: str | None = None  # tag of the page's closing balance (62F or 62M), once read
    closed_line: int = 0


def read_fields(ctx: ImportContext, text: str) -> Iterator[Field]:
    """Fields ``:NN[A]:value`` with their first line; block headers and trailers dropped.

    A DOS end-of-file byte (Ctrl-Z) is dropped wherever it stands, so that it hides neither
    the message after it nor a field it precedes; a message may start on its
    predecessor's trailer line (``-}{1:...}{4:``)."""
    current: Field | None = None
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip("\r").replace(DOS_EOF, "")
        if line.strip() == "-" or line.startswith("-}") or line.startswith("{5:"):
            if current:
                yield current
            current = None
            if "{4:" not in line:
                continue
        if line.startswith(("{", "-}")):
            line = line.split("{4:", 1)[1] if "{4:" in line else ""
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
        reader = _Reader(ctx, Ledger(ctx))
        text = _decode(ctx)
        reader.mt942 = MT942_BLOCK.search(text) is not None  # {2:I942...} or {2:O942...}
        yield from reader.read(text)
        if not reader.seen_statement:
            raise ctx.fail(None, "no MT940/MT942 statement found (no :20: field)")
        ctx.progress(size)
        batch = reader.ledger.batch()
        yield from reader.ledger.payments(batch)
        if batch is not None:
            yield batch


class _Reader:
    """Reads one file's messages: pages of statements, their entries and balances."""

    def __init__(self, ctx: ImportContext, ledger: Ledger) -> None:
        self.ctx = ctx
        self.ledger = ledger
        self.mt942 = False
        self.seen_statement = False
        self.state = _State()
        self.carried: _State | None = None  # a page that ended with :62M:, awaiting the next
        self.lines61: set[int] = set()  # lines of the :61: fields read (entries or rejects)

    def read(self, text: str) -> Iterator[Item]:
        for fld in read_fields(self.ctx, text):
            if fld.tag == "61":
                self.lines61.add(fld.line)
            if fld.tag == "20" or (fld.tag[:2] == "60" and self.state.closed is not None):
                # a new message; an opening balance after a closing one starts a page too
                # (a bank that leaves out the next statement's :20:), on the same account
                account = self.state.account
                yield from self._end_page()
                self.state = _State(stmt=Statement(locator=f"line {fld.line}", account=None),
                                    mt942=self.mt942)
                self.seen_statement = True
                if fld.tag == "20":
                    continue
                self.state.account = account
                assert self.state.stmt is not None
                self.state.stmt.account = account
            if self.state.stmt is None:
                self.ctx.reject(f"line {fld.line}", fld.tag, fld.value[:80],
                                "field before the first :20: reference; ignored")
            else:
                yield from self._field(fld)
        yield from self._end_page()
        self._settle()
        self._unread61(text)

    def _unread61(self, text: str) -> None:
        """Never a quiet loss: a :61: that did not start a field (other characters before
        it on its line) was not read as an entry; each is reported with its line."""
        for number, raw in enumerate(text.split("\n"), start=1):
            if number not in self.lines61 and LOOSE61.search(raw):
                self.ctx.reject(f"line {number}", "61", raw.strip()[:80],
                                "statement line :61: after other characters on its line; "
                                "not read as an entry (the balance check shows it missing)")

    def _field(self, fld: Field) -> Iterator[Item]:
        state = self.state
        stmt = state.stmt
        assert stmt is not None
        if fld.tag != "86":
            yield from self._flush()
        if fld.tag == "25":
            state.account = stmt.account = _account(fld.value.strip())
        elif fld.tag in ("60F", "60M"):
            if self.carried is not None and fld.tag == "60M" \
                    and self.carried.account == state.account:
                self._continue(fld)
            else:
                self._settle()
                self._balance(stmt, fld)
        elif fld.tag in ("62F", "62M"):
            self._balance(stmt, fld)
            state.closed, state.closed_line = fld.tag, fld.line
        elif fld.tag == "61":
            self._settle()  # a page without an opening balance continues nothing
            yield from self._start()
            entry = self._line61(stmt, fld)
            if entry is not None:
                state.pending = (entry, fld.line)
        elif fld.tag == "86" and state.pending is not None:
            _details(state.pending[0], fld.value)
            yield from self._flush()
        elif fld.tag in MT942_TAGS:
            state.mt942 = True

    def _start(self) -> Iterator[Item]:
        state = self.state
        if not state.started and state.stmt is not None:
            state.started = True
            yield from self.ledger.start(state.stmt)

    def _flush(self) -> Iterator[Item]:
        state = self.state
        if state.pending is not None and state.stmt is not None:
            entry, _ = state.pending
            state.pending = None
            yield from self.ledger.add(state.stmt, entry)

    def _end_page(self) -> Iterator[Item]:
        """The end of a message: its statement is checked, or kept open when the page
        closes with an intermediate balance (:62M:) and the statement goes on."""
        state = self.state
        if state.stmt is None:
            return
        yield from self._flush()
        self._settle()
        yield from self._start()
        if state.closed == "62M" and not state.mt942:
            self.carried = state
        else:
            self.ledger.end(state.stmt, require_balances=not state.mt942)

    def _settle(self) -> None:
        """A page ended with :62M: and the next page does not continue it: the statement
        is checked up to there, and the missing continuation reported."""
        carried, self.carried = self.carried, None
        if carried is None or carried.stmt is None:
            return
        self.ctx.warn(f"line {carried.closed_line}", "62M", carried.stmt.closing,
                      "the statement goes on after this intermediate balance, but its next "
                      "page is not next in this file; checked up to here")
        self.ledger.end(carried.stmt, require_balances=True)

    def _continue(self, fld: Field) -> None:
        """This page (:60M:) continues the carried statement: its balance so far is checked
        at the carried page's :62M:, and this page's opening must equal that balance."""
        carried, self.carried = self.carried, None
        assert carried is not None and carried.stmt is not None
        stmt = carried.stmt
        if stmt.opening is not None and stmt.closing is not None:
            expected = stmt.opening + stmt.movements
            if expected != stmt.closing:
                self.ctx.reject(
                    f"line {carried.closed_line}", "balance", str(stmt.closing),
                    f"balance mismatch: opening {stmt.opening} + {stmt.entries} entries "
                    f"{stmt.movements} = {expected}, but intermediate balance :62M: is "
                    f"{stmt.closing} (difference {stmt.closing - expected})")
        parsed = self._parse_balance(fld)
        if parsed is not None and stmt.closing is not None and parsed[0] != stmt.closing:
            self.ctx.reject(f"line {fld.line}", fld.tag, fld.value.strip(),
                            f"this page opens with {parsed[0]}, but the previous page closed "
                            f"with {stmt.closing} (line {carried.closed_line})")
        if parsed is not None and stmt.currency not in (None, parsed[1]):
            self.ctx.reject(f"line {fld.line}", fld.tag, fld.value.strip(),
                            f"balance currency {parsed[1]} differs from {stmt.currency}")
        stmt.closing = None  # the closing balance is the last page's
        self.state.stmt = stmt
        self.state.started = carried.started

    def _parse_balance(self, fld: Field) -> tuple[Decimal, str] | None:
        value = fld.value.strip()
        match = BALANCE.match(value)
        if match is None:
            self.ctx.reject(f"line {fld.line}", fld.tag, value[:80],
                            "balance is not D/C, YYMMDD, currency, amount; ignored")
            return None
        return _amount(match["amount"]) * (-1 if match["dc"] == "D" else 1), match["ccy"]

    def _balance(self, stmt: Statement, fld: Field) -> None:
        parsed = self._parse_balance(fld)
        if parsed is None:
            return
        amount, currency = parsed
        if stmt.currency is None:
            stmt.currency = currency
        elif stmt.currency != currency:
            self.ctx.reject(f"line {fld.line}", fld.tag, fld.value.strip(),
                            f"balance currency {currency} differs from {stmt.currency}")
        if fld.tag.startswith("60") and stmt.opening is None:
            stmt.opening = amount
        elif fld.tag.startswith("62"):
            stmt.closing = amount

    def _line61(self, stmt: Statement, fld: Field) -> Entry | None:
        ctx, loc = self.ctx, f"line {fld.line}"
        first, _, supp = fld.value.partition("\n")
        first = first.strip()
        if LINE61_CUT.match(first) and supp[:1].isdigit():  # the amount on the next line
            more, _, supp = supp.partition("\n")
            first += more.strip()
        match = LINE61.match(first)
        if match is None:
            ctx.reject(loc, "61", fld.value[:80], "statement line :61: cannot be parsed (date, "
                       "D/C mark, amount); entry skipped, the file may be truncated")
            return None
        edate = match["edate"] if match["edate"] and match["edate"].strip() else None
        booking, value_date = _dates(ctx, loc, match["vdate"], edate)
        amount = _amount(match["amount"]) * SIGN[match["dc"]]
        code, rest = _type_code(match["rest"])
        ref, _, bank_ref = rest.partition("//")
        return Entry(
            locator=loc, amount=amount, booking_date=booking, value_date=value_date,
            currency=stmt.currency, ref=_ref(bank_ref) or _ref(ref), bank_ref=_ref(bank_ref),
            method=method_for(swift=code), description=supp.strip(),
        )


def _type_code(rest: str) -> tuple[str | None, str]:
    """The transaction type code and what follows it; ``None`` when the bank wrote none
    (the line goes on with NONREF, // or text that is no code)."""
    if rest.upper().startswith("NONREF") or rest.startswith("//"):
        return None, rest
    match = TYPE.match(rest + "   ")  # a code cut short at the end of the line reads too
    if match is None:
        return None, rest
    return match.group(), rest[4:]


def _ref(text: str) -> str | None:
    text = text.strip()
    return None if text.upper() in ("", "NONREF") else text


def _dates(ctx: ImportContext, loc: str, vtext: str, etext: str | None
           ) -> tuple[date | None, date | None]:
    """Booking and value date of a :61: line. A value date that is no calendar date (some
    banks write 30 February) beside a valid entry date keeps the entry, with a warning."""
    value_date = _yymmdd(vtext)
    if etext is None:  # no entry date, or four blanks: booked on the value date
        if value_date is None:
            ctx.reject(loc, "value_date", vtext, "value date is no valid YYMMDD date and the "
                       "line has no entry date, so its booking date is unknown")
        return value_date, value_date
    booking = _entry_date(value_date or _near(vtext), etext)
    if value_date is None:
        if booking is None:
            ctx.reject(loc, "value_date", vtext, f"value date is no valid YYMMDD date and the "
                       f"entry date {etext} cannot be placed, so the booking date is unknown")
            return None, None
        ctx.warn(loc, "value_date", vtext, f"value date {vtext} is no calendar date; entry "
                 f"kept with its entry date {booking.isoformat()}, value date left empty")
        return booking, None
    if booking is None:
        ctx.warn(loc, "entry_date", etext, f"entry date {etext} is no date within half a year "
                 f"of the value date {value_date.isoformat()}; booked on the value date")
        return value_date, value_date
    return booking, value_date


def _near(text: str) -> date | None:
    """The calendar date nearest to a YYMMDD with a day past its month's end (300230)."""
    yy, mm, dd = int(text[:2]), int(text[2:4]), int(text[4:6])
    if not 1 <= mm <= 12 or dd < 1:
        return None
    year = 2000 + yy if yy < 80 else 1900 + yy
    return date(year, mm, min(dd, calendar.monthrange(year, mm)[1]))


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


#: the subfields of a German :86: that hold the purpose, in order
PURPOSE = frozenset(f"{n:02d}" for n in (*range(20, 30), *range(60, 64)))


def _german(entry: Entry, gvc: str, text: str) -> None:
    parts: dict[str, str] = {}
    pieces = SUBFIELD.split(text[3:])
    for key, value in zip(pieces[1::2], pieces[2::2], strict=False):
        parts[key] = parts.get(key, "") + value
    purpose = "".join(v for k, v in sorted(parts.items()) if k in PURPOSE)
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
