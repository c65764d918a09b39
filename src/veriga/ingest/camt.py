"""ISO 20022 bank statements: camt.053 statements, camt.052 reports, camt.054 notifications.

Parsed as a stream with defusedxml (no DTDs, no entities, no external references) so a
hostile file fails fast and a large one never sits in memory whole.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import BinaryIO
from xml.etree.ElementTree import Element, ParseError

import defusedxml
from defusedxml.ElementTree import iterparse

from veriga.ingest.bankstatement import Entry, Ledger, Statement, method_for
from veriga.ingest.base import ImportContext, Importer, Item
from veriga.ingest.guards import check_xml_text

NS_PREFIX = "urn:iso:std:iso:20022:tech:xsd:camt.05"
CONTAINERS = {"BkToCstmrStmt": "Stmt", "BkToCstmrAcctRpt": "Rpt",
              "BkToCstmrDbtCdtNtfctn": "Ntfctn"}
OPENING = ("OPBD", "PRCD")
INTERIM = "ITBD"
AMOUNT_PATHS = ("InstdAmt", "TxAmt", "CntrValAmt", "PrpsdAmt")


class CamtError(ValueError):
    """A structural problem that aborts the import; carries the locator."""

    def __init__(self, locator: str | None, reason: str) -> None:
        super().__init__(reason)
        self.locator = locator


class _Paths:
    """ElementPath expressions in the message's namespace, built once per path."""

    def __init__(self, ns: str) -> None:
        self.ns = ns
        self.cache: dict[str, str] = {}

    def __call__(self, path: str) -> str:
        found = self.cache.get(path)
        if found is None:
            found = "/".join(f"{{{self.ns}}}{part}" for part in path.split("/"))
            self.cache[path] = found
        return found


def _local(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        ns, _, name = tag[1:].partition("}")
        return ns, name
    return "", tag


class CamtImporter(Importer):
    name = "veriga.ingest.camt"
    version = "1"
    format = "camt"
    media_type = "application/xml"

    @classmethod
    def detect(cls, path: Path, head: bytes) -> int:
        return 95 if NS_PREFIX.encode() in head else 0

    def parse(self, ctx: ImportContext) -> Iterator[Item]:
        ledger = Ledger(ctx)  # the runner refused the file if over max_bytes
        with ctx.path.open("rb") as fh:
            check_xml_text(ctx.file_name, fh, ctx.limits)
        try:
            with ctx.path.open("rb") as fh:
                yield from _CamtStream(ctx, ledger, fh).run()
        except ParseError as exc:
            line, col = getattr(exc, "position", (None, None))
            reason = str(exc).split(":")[0]
            raise ctx.fail(f"line {line}, column {col}" if line else None,
                           f"malformed or truncated XML: {reason}") from None
        except LookupError as exc:
            raise ctx.fail(None, f"the XML declares an encoding Python does not know ({exc})"
                           ) from None
        except defusedxml.DTDForbidden:
            raise ctx.fail(None, "XML with a DOCTYPE/DTD is refused (camt needs none; DTDs "
                                 "carry entity and XXE attacks)") from None
        except defusedxml.EntitiesForbidden:
            raise ctx.fail(None, "XML entity declarations are refused (entity expansion "
                                 "attack)") from None
        except defusedxml.ExternalReferenceForbidden:
            raise ctx.fail(None, "XML external references are refused (XXE)") from None
        except CamtError as exc:
            raise ctx.fail(exc.locator, str(exc)) from None
        batch = ledger.batch()
        yield from ledger.payments(batch)
        if batch is not None:
            yield batch


class _CamtStream:
    """Walks the element stream: statements at depth 3, their parts at depth 4."""

    def __init__(self, ctx: ImportContext, ledger: Ledger, fh: BinaryIO) -> None:
        self.ctx, self.ledger, self.fh = ctx, ledger, fh
        self.p: _Paths | None = None
        self.stmt: Statement | None = None
        self.started = False
        self.expected = ""

    def run(self) -> Iterator[Item]:
        stack: list[Element] = []
        counts: list[dict[str, int]] = [{}]
        path: list[str] = []
        depth = 0
        for event, elem in iterparse(self.fh, events=("start", "end"), forbid_dtd=True):
            if event == "start":
                depth += 1
                if depth > self.ctx.limits.max_depth:
                    raise CamtError("/" + "/".join(path[:4]) + "/...",
                                    f"XML nested deeper than {self.ctx.limits.max_depth} "
                                    "elements (max_depth); refused")
                if depth <= 4:
                    self._open(elem, stack, counts, path)
                continue
            depth -= 1
            if depth >= 4:
                continue
            if len(stack) >= 3 and self.stmt is not None:
                yield from self._close(elem, stack, "/" + "/".join(path))
            stack.pop()
            counts.pop()
            path.pop()
        if self.p is None:
            raise CamtError(None, "no XML content")
        self.ctx.progress(self.ctx.path.stat().st_size)

    def _open(self, elem: Element, stack: list[Element], counts: list[dict[str, int]],
              path: list[str]) -> None:
        ns, tag = _local(elem.tag)
        self._check_start(len(stack), ns, tag)
        n = counts[-1][tag] = counts[-1].get(tag, 0) + 1
        path.append(f"{tag}[{n}]" if len(stack) >= 2 else tag)
        stack.append(elem)
        counts.append({})
        if len(stack) == 3 and tag == self.expected:
            self.stmt = Statement(locator="/" + "/".join(path), account=None)
            self.started = False

    def _close(self, elem: Element, stack: list[Element], locator: str) -> Iterator[Item]:
        assert self.stmt is not None
        if len(stack) == 3:
            yield from self._start_stmt()
            self.ledger.end(self.stmt)
            self.stmt = None
            stack[-2].remove(elem)
            self._progress()
            return
        tag = _local(elem.tag)[1]
        yield from self._part(tag, elem, locator)
        if tag == "Ntry":
            stack[-2].remove(elem)

    def _progress(self) -> None:
        self.ctx.progress(self.fh.tell())

    def _check_start(self, depth: int, ns: str, tag: str) -> None:
        if depth == 0:
            if not ns.startswith(NS_PREFIX) or tag != "Document":
                raise CamtError("line 1", f"not a camt.052/053/054 message: the root element is "
                                          f"{tag!r} in namespace {ns or 'none'!r}")
            self.p = _Paths(ns)
        elif depth == 1:
            if tag not in CONTAINERS:
                raise CamtError("/Document", f"{tag!r} is not a camt.052/053/054 message "
                                             f"(expected one of {', '.join(CONTAINERS)})")
            self.expected = CONTAINERS[tag]

    # -- statement parts --------------------------------------------------------------

    def _part(self, tag: str, elem: Element, locator: str) -> Iterator[Item]:
        assert self.stmt is not None
        if tag == "Acct":
            self._account(self._flat(elem))
        elif tag == "Bal":
            self._balance(self._flat(elem), locator)
        elif tag == "Ntry":
            yield from self._start_stmt()
            entry = self._entry(self._flat(elem), locator)
            if entry is not None:
                for part in self._split(elem, entry, locator):
                    yield from self.ledger.add(self.stmt, part)
            if self.ledger.index % 5000 == 0:
                self._progress()

    def _start_stmt(self) -> Iterator[Item]:
        if not self.started and self.stmt is not None:
            self.started = True
            yield from self.ledger.start(self.stmt)

    def _flat(self, elem: Element, prefix: str = "", out: Flat | None = None) -> Flat:
        """Descendants by path of local names (first occurrence), e.g. ``Amt``, ``Id/IBAN``."""
        assert self.p is not None
        cut = len(self.p.ns) + 2
        out = {} if out is None else out

        def walk(node: Element, prefix: str) -> None:
            for child in node:
                path = prefix + child.tag[cut:]
                if path not in out:
                    out[path] = child
                if len(child):
                    walk(child, path + "/")

        walk(elem, prefix)
        return out

    def _split(self, elem: Element, entry: Entry, locator: str) -> list[Entry]:
        """A batch booking (several TxDtls with their own amounts) as one row per payment.

        The parts must add up to the entry's amount; otherwise the entry stays whole and the
        mismatch is reported.
        """
        assert self.p is not None
        txs = list(elem.iterfind(self.p("NtryDtls/TxDtls")))
        if len(txs) < 2:
            return [entry]
        f_entry = {k: v for k, v in self._flat(elem).items() if not k.startswith(TX)}
        parts: list[Entry] = []
        for k, tx in enumerate(txs, start=1):
            f = self._flat(tx, TX, dict(f_entry))
            amount = _tx_amount(f, entry)
            part = self._entry(f, f"{locator}/NtryDtls[1]/TxDtls[{k}]", amount=amount)
            if amount is None or part is None:
                return [entry]
            if not _first(f, TX + "Refs/AcctSvcrRef") and entry.bank_ref:
                part.bank_ref = part.ref = f"{entry.bank_ref}/{k}"
            parts.append(part)
        total = sum((p.amount for p in parts), Decimal(0))
        if total != entry.amount:
            self.ctx.reject(locator, "TxDtls", str(total),
                            f"the {len(parts)} transaction details add up to {total}, not to "
                            f"the entry amount {entry.amount}; kept as one entry")
            return [entry]
        return parts

    def _account(self, f: Flat) -> None:
        stmt = self.stmt
        assert stmt is not None
        stmt.account = _first(f, "Id/IBAN", "Id/Othr/Id")
        stmt.currency = _first(f, "Ccy")
        stmt.owner = _first(f, "Ownr/Nm", "Ownr/Pty/Nm")
        stmt.bic = _first(f, "Svcr/FinInstnId/BIC", "Svcr/FinInstnId/BICFI")
        stmt.bank_name = _first(f, "Svcr/FinInstnId/Nm")

    def _balance(self, f: Flat, locator: str) -> None:
        stmt = self.stmt
        assert stmt is not None
        code = _first(f, "Tp/CdOrPrtry/Cd", "Tp/CdOrPrtry/Prtry")
        if code not in (*OPENING, "CLBD", INTERIM):
            return  # available (ITAV, CLAV, FWAV) balances include reservations: not checked
        amount = self._signed(f, locator, "Bal")
        if amount is None:
            return
        if code == "CLBD" and stmt.closing is None:
            stmt.closing = amount
        elif code == INTERIM:
            stmt.interim = amount  # the last interim booked balance of a camt.052 report
        elif code in OPENING and stmt.opening is None:
            stmt.opening = amount
        if stmt.currency is None:
            stmt.currency = _attr(f, "Amt", "Ccy")

    def _amount(self, text: str | None, locator: str, what: str) -> Decimal | None:
        if text is None:
            self.ctx.reject(locator, what, None, "no amount; record skipped")
            return None
        try:
            value = Decimal(text)
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite() or value < 0:
            self.ctx.reject(locator, what, text, "not a valid amount; record skipped")
            return None
        return value

    def _signed(self, f: Flat, locator: str, what: str) -> Decimal | None:
        amount = self._amount(_first(f, "Amt"), locator, what)
        if amount is None:
            return None
        indicator = _first(f, "CdtDbtInd")
        if indicator not in ("CRDT", "DBIT"):
            self.ctx.reject(locator, "CdtDbtInd", indicator,
                            "credit/debit indicator must be CRDT or DBIT; record skipped")
            return None
        return -amount if indicator == "DBIT" else amount

    def _date(self, f: Flat, path: str, locator: str) -> date | None:
        text = _first(f, f"{path}/Dt", f"{path}/DtTm")
        if text is None:
            return None
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
            self.ctx.reject(locator, path, text, "not a valid ISO date")
            return None

    # -- entries ----------------------------------------------------------------------

    def _entry(self, f: Flat, locator: str, amount: Decimal | None = None) -> Entry | None:
        """The entry (or, with ``amount`` given, one payment of a batch entry)."""
        if amount is None:
            status = _first(f, "Sts/Cd", "Sts")
            if status not in (None, "BOOK"):
                self.ctx.reject(locator, "Sts", status,
                                "entry is not booked; left out of the ledger and the balance")
                return None
            amount = self._signed(f, locator, "Amt")
            if amount is None:
                return None
        credit = _first(f, TX + "CdtDbtInd", "CdtDbtInd") == "CRDT"
        tx, party = TX, "Dbtr" if credit else "Cdtr"
        bank_ref = _first(f, "AcctSvcrRef", tx + "Refs/AcctSvcrRef")
        e2e = _first(f, tx + "Refs/EndToEndId")
        e2e = None if e2e == "NOTPROVIDED" else e2e
        currency = _attr(f, "Amt", "Ccy")
        text = self._description(f)
        return Entry(
            locator=locator, amount=amount, currency=currency,
            booking_date=self._date(f, "BookgDt", locator),
            value_date=self._date(f, "ValDt", locator),
            ref=bank_ref or e2e or _first(f, "NtryRef"), bank_ref=bank_ref,
            amount_eur=_eur(f, amount, currency),
            counterparty_account=_first(f, f"{tx}RltdPties/{party}Acct/Id/IBAN",
                                        f"{tx}RltdPties/{party}Acct/Id/Othr/Id"),
            counterparty_name=_first(f, f"{tx}RltdPties/{party}/Nm",
                                     f"{tx}RltdPties/{party}/Pty/Nm"),
            counterparty_bic=_first(f, f"{tx}RltdAgts/{party}Agt/FinInstnId/BIC",
                                    f"{tx}RltdAgts/{party}Agt/FinInstnId/BICFI"),
            counterparty_country=_first(f, f"{tx}RltdPties/{party}/PstlAdr/Ctry",
                                        f"{tx}RltdPties/{party}/Pty/PstlAdr/Ctry"),
            method=_method(f, text), description=text,
        )

    def _description(self, f: Flat) -> str | None:
        rmt = f.get(TX + "RmtInf")
        if rmt is not None:
            assert self.p is not None
            lines = [e.text.strip() for e in rmt.iterfind(self.p("Ustrd")) if e.text]
            if lines:
                return " ".join(lines)
        return _first(f, TX + "AddtlTxInf", "AddtlNtryInf")


Flat = dict[str, Element]
TX = "NtryDtls/TxDtls/"


def _first(f: Flat, *paths: str) -> str | None:
    """Text of the first path present with text."""
    for path in paths:
        node = f.get(path)
        if node is not None and node.text:
            text = node.text.strip()
            if text:
                return text
    return None


def _attr(f: Flat, path: str, name: str) -> str | None:
    node = f.get(path)
    return None if node is None else node.get(name)


def _tx_amount(f: Flat, entry: Entry) -> Decimal | None:
    """Signed amount of one TxDtls in the entry's currency, when it states one."""
    for path in (TX + "Amt", TX + "AmtDtls/TxAmt/Amt", TX + "AmtDtls/InstdAmt/Amt"):
        text = _first(f, path)
        if text is None or _attr(f, path, "Ccy") != entry.currency:
            continue
        try:
            value = Decimal(text)
        except InvalidOperation:
            return None
        indicator = _first(f, TX + "CdtDbtInd")
        debit = indicator == "DBIT" if indicator else entry.amount < 0
        return -value if debit else value
    return None


def _method(f: Flat, text: str | None) -> str:
    base = TX if TX + "BkTxCd" in f else ""
    prop = _first(f, base + "BkTxCd/Prtry/Cd") or ""
    swift = prop if prop[:1] == "N" and prop[1:4].isalpha() else None
    gvc = prop.split("+")[1][:3] if "+" in prop and len(prop.split("+")[1]) >= 3 else None
    return method_for(_first(f, base + "BkTxCd/Domn/Fmly/Cd"),
                      _first(f, base + "BkTxCd/Domn/Fmly/SubFmlyCd"), swift, gvc, text)


def _eur(f: Flat, amount: Decimal, ccy: str | None) -> Decimal | None:
    """The EUR equivalent given in the message, or computed from a given rate."""
    if ccy == "EUR":
        return amount
    sign = -1 if amount < 0 else 1
    for scope in ("AmtDtls/", TX + "AmtDtls/"):
        for name in AMOUNT_PATHS:
            found = _eur_from(f, f"{scope}{name}/")
            if found is not None:
                return sign * found
    return None


def _eur_from(f: Flat, prefix: str) -> Decimal | None:
    text = _first(f, prefix + "Amt")
    if text is None:
        return None
    try:
        value = abs(Decimal(text))
    except InvalidOperation:
        return None
    ccy = _attr(f, prefix + "Amt", "Ccy")
    if ccy == "EUR":
        return value
    src, trgt = _first(f, prefix + "CcyXchg/SrcCcy"), _first(f, prefix + "CcyXchg/TrgtCcy")
    unit = _first(f, prefix + "CcyXchg/UnitCcy") or src
    try:
        rate = Decimal(_first(f, prefix + "CcyXchg/XchgRate") or "")
    except InvalidOperation:
        return None
    if not rate.is_finite() or rate <= 0 or {src, trgt} != {ccy, "EUR"}:
        return None
    # the rate prices one unit of UnitCcy in the other currency
    return value * rate if unit == ccy else value / rate
