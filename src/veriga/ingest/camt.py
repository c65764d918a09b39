"""ISO 20022 bank statements: camt.053 statements, camt.052 reports, camt.054 notifications.

Read as a stream with lxml's ``iterparse`` (libxml2): entities are not resolved, no DTD or
network resource is loaded, libxml2's hard limits stay on (``huge_tree`` off) and a DOCTYPE
is refused outright. Only the statement-level elements (``Acct``, ``Bal``, ``Ntry``) come to
Python, each read and then dropped, so a large file is read at the speed of the parser and
never sits in memory whole.

Versions: camt.05x.001.01 (the root's message element carries a version suffix,
``BkToCstmrAcctRptV01``, transaction details sit directly in the entry, balance types are
``Tp/Cd`` and accounts may be ``PrtryAcct``) up to the current ones (``Sts/Cd``,
``Dbtr/Pty/Nm``, ``BICFI``). Every entry of the file is either kept (one ledger row, or
one per transaction detail of a batch booking) or reported as a reject at its locator; an
entry the importer cannot place in a statement fails the import.

An entry that is not booked (``Sts`` PDNG pending, INFO, FUTR: an intraday report's or a
notification's) is kept as a ``pending_transaction`` record with its status, outside the
ledger and the balance check; each statement with such entries gets a warning counting them.
Amounts keep their currency's decimals (three for KWD, none for JPY).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, BinaryIO

from lxml import etree

from veriga.ingest.bankstatement import STATUSES, Entry, Ledger, Statement, method_for
from veriga.ingest.base import ImportContext, Importer, Item
from veriga.ingest.camt_entries import BASE, COLUMN, EUR_PARTS, deep_path, stylesheet
from veriga.ingest.guards import check_xml_text
from veriga.ingest.xmlsafe import has_doctype

NS_PREFIX = "urn:iso:std:iso:20022:tech:xsd:camt.05"
CONTAINERS = {"BkToCstmrStmt": "Stmt", "BkToCstmrAcctRpt": "Rpt",
              "BkToCstmrDbtCdtNtfctn": "Ntfctn"}
STATEMENTS = frozenset(CONTAINERS.values())
NAMESPACE = re.compile(r"urn:iso:std:iso:20022:tech:xsd:camt\.05\d\.\d{3}\.\d{2}")
VERSION_SUFFIX = re.compile(r"V\d{1,2}$")  # camt.05x.001.01: BkToCstmrStmtV01
OPENING = ("OPBD", "PRCD")
INTERIM = "ITBD"
#: entries read by one run of the stylesheet (or fewer, once this many bytes were parsed):
#: memory bounded however large an entry is, few runs
CHUNK, CHUNK_BYTES = 500, 4 * 2**20
TRUE = ("true", "1")
# the only elements handed to Python by the parser (any namespace; checked against the
# document's own)
EVENT_TAGS = [f"{{*}}{tag}" for tag in (*sorted(STATEMENTS), "Acct", "Bal", "Ntry")]
_POSITION = re.compile(r",? line \d+, column \d+$")
HEAD = 64 * 1024
DTD_REFUSED = ("XML with a DOCTYPE/DTD is refused (camt needs none; DTDs carry entity and XXE "
               "attacks)")




class CamtError(ValueError):
    """A structural problem that aborts the import; carries the locator."""

    def __init__(self, locator: str | None, reason: str) -> None:
        super().__init__(reason)
        self.locator = locator


def _local(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        ns, _, name = tag[1:].partition("}")
        return ns, name
    return "", tag


class CamtImporter(Importer):
    name = "veriga.ingest.camt"
    version = "2"
    format = "camt"
    media_type = "application/xml"

    @classmethod
    def detect(cls, path: Path, head: bytes) -> int:
        return 95 if NS_PREFIX.encode() in head else 0

    def parse(self, ctx: ImportContext) -> Iterator[Item]:
        ledger = Ledger(ctx)  # the runner refused the file if over max_bytes
        with ctx.path.open("rb") as fh:
            check_xml_text(ctx.file_name, fh, ctx.limits)
            fh.seek(0)
            if has_doctype(fh.read(HEAD)):
                raise ctx.fail(None, DTD_REFUSED)
        try:
            with ctx.path.open("rb") as fh:
                yield from _CamtStream(ctx, ledger, fh).run()
        except etree.XMLSyntaxError as exc:
            # the column counted from 0, as before (libxml2 counts from 1)
            line, col = (exc.lineno, max(0, exc.offset or 0)) if exc.lineno else (1, 0)
            # one line: libxml2 quotes the offending text, line breaks included
            reason = " ".join(_POSITION.sub("", str(exc.msg or "")).split()) or \
                "no element found"
            raise ctx.fail(f"line {line}, column {col}",
                           f"malformed or truncated XML: {reason}") from None
        except LookupError as exc:
            raise ctx.fail(None, f"the XML declares an encoding that cannot be read ({exc})"
                           ) from None
        except CamtError as exc:
            raise ctx.fail(exc.locator, str(exc)) from None
        batch = ledger.batch()
        yield from ledger.payments(batch)
        for found in (batch, ledger.unbooked_batch()):
            if found is not None:
                yield found


@dataclass
class _Balance:
    code: str
    amount: Decimal
    when: str  # ISO date or date-time as written, for ordering interim balances
    currency: str | None


class _CamtStream:
    """Walks the parser's events: statements (depth 3) and their accounts, balances and
    entries (depth 4)."""

    def __init__(self, ctx: ImportContext, ledger: Ledger, fh: BinaryIO) -> None:
        self.ctx, self.ledger, self.fh = ctx, ledger, fh
        self.ns = ""
        self.root: Any = None
        self.container: Any = None
        self.container_name = ""
        self.expected = ""
        self.stmt: Statement | None = None
        self.stmt_elem: Any = None
        self.started = False
        self.counts: dict[str, int] = {}
        self.n_stmt = 0
        self.balances: list[_Balance] = []
        self.entries = 0  # entries in the file
        self.handled = 0  # entries kept or reported
        self.pending = 0  # entries parsed, not yet read
        self.flushed_at = 0  # where the parser was at the last flush
        self.last_ntry: Any = None
        self.xslt: Any = None
        self.deep: Any = None
        self.own: str | None = None  # the statement's account, compacted

    def run(self) -> Iterator[Item]:
        events = etree.iterparse(
            self.fh, events=("start", "end"), tag=EVENT_TAGS, resolve_entities=False,
            no_network=True, load_dtd=False, huge_tree=False, remove_comments=True,
            remove_pis=True)
        for event, elem in events:
            if self.root is None:
                self._check_root(elem.getroottree())
            if event == "start":
                if elem.getparent() is self.container and self.container is not None:
                    self._open(elem)
                continue
            if elem is self.stmt_elem:
                yield from self._flush()
                yield from self._close_stmt(elem)
                continue
            tag = elem.tag
            if tag == self.t_ntry:
                self.entries += 1
            if self.stmt is None or elem.getparent() is not self.stmt_elem:
                if tag == self.t_ntry:
                    raise CamtError(self._where(elem), "an entry (Ntry) outside a statement "
                                    f"of this {self.container_name or 'message'}: the file "
                                    "has entries that cannot be placed; refused")
                continue  # an Acct or Bal inside another element: read with that element
            if tag == self.t_ntry:
                self.pending += 1
                self.last_ntry = elem
                if self.pending >= CHUNK or self.fh.tell() - self.flushed_at > CHUNK_BYTES:
                    yield from self._flush()
                continue
            yield from self._flush()  # the entries before this part come first
            self._part(elem)
        root = events.root
        if root is None:
            raise CamtError(None, "no XML content")
        if self.root is None:
            self._check_root(root.getroottree())
        if self.entries != self.handled:  # every entry is kept or reported, or this is a bug
            raise CamtError(None, f"the file has {self.entries} entries but {self.handled} "
                                  "were read; refused")
        self.ctx.progress(self.ctx.path.stat().st_size)

    # -- structure ----------------------------------------------------------------------

    def _check_root(self, tree: Any) -> None:
        if tree.docinfo.doctype:
            raise CamtError(None, DTD_REFUSED)
        root = tree.getroot()
        ns, tag = _local(root.tag)
        if not ns.startswith(NS_PREFIX) or tag != "Document":
            raise CamtError("line 1", f"not a camt.052/053/054 message: the root element is "
                                      f"{tag!r} in namespace {ns or 'none'!r}")
        if not NAMESPACE.fullmatch(ns):
            raise CamtError("line 1", f"the namespace {ns!r} is not one of an ISO 20022 camt "
                                      "message (urn:iso:std:iso:20022:tech:xsd:camt.05x.001.NN)")
        self.root, self.ns = root, ns
        self.t_ntry = f"{{{ns}}}Ntry"
        self.t_acct = f"{{{ns}}}Acct"
        self.t_bal = f"{{{ns}}}Bal"
        self.prefix = f"{{{ns}}}"
        self.cut = len(self.prefix)
        self.local: dict[Any, str | None] = {}  # tag -> local name (None: another namespace)
        first = next(iter(root), None)
        if first is None:
            return
        c_ns, name = _local(first.tag)
        base = VERSION_SUFFIX.sub("", name)
        if c_ns != ns or base not in CONTAINERS:
            raise CamtError("/Document", f"{name!r} is not a camt.052/053/054 message "
                                         f"(expected one of {', '.join(CONTAINERS)})")
        self.container, self.container_name = first, name
        self.expected = f"{{{ns}}}{CONTAINERS[base]}"

    def _open(self, elem: Any) -> None:
        if elem.tag != self.expected:
            return
        self.n_stmt += 1
        name = _local(elem.tag)[1]
        self.stmt = Statement(locator=f"/Document/{self.container_name}/{name}[{self.n_stmt}]",
                              account=None)
        self.stmt_elem = elem
        self.started = False
        self.counts = {}
        self.balances = []

    def _close_stmt(self, elem: Any) -> Iterator[Item]:
        assert self.stmt is not None
        yield from self._start_stmt()
        self._settle_balances()
        self.ledger.end(self.stmt)
        self.stmt = self.stmt_elem = None
        _drop(elem)
        self._progress()

    def _where(self, elem: Any) -> str:
        """An XPath-like locator of an element outside the statements read."""
        parts = []
        node = elem
        while node is not None:
            parts.append(_local(node.tag)[1])
            node = node.getparent()
        return "/" + "/".join(reversed(parts))

    def _progress(self) -> None:
        self.ctx.progress(self.fh.tell())

    # -- statement parts --------------------------------------------------------------

    def _part(self, elem: Any) -> None:
        """An account or balance of the statement."""
        stmt = self.stmt
        assert stmt is not None
        tag = elem.tag
        name = _local(tag)[1]
        n = self.counts[name] = self.counts.get(name, 0) + 1
        locator = f"{stmt.locator}/{name}[{n}]"
        if tag == self.t_acct:
            self._account(self._flat(elem, locator))
        elif tag == self.t_bal:
            self._balance(self._flat(elem, locator), locator)

    def _flush(self) -> Iterator[Item]:
        """Read the entries parsed since the last flush, in C (:mod:`camt_entries`), then
        drop them from the tree."""
        n, last = self.pending, self.last_ntry
        if not n:
            return
        stmt, stmt_elem = self.stmt, self.stmt_elem
        assert stmt is not None and last is not None
        if self.xslt is None:
            self.xslt = stylesheet(self.ns)
            self.deep = etree.XPath(deep_path(self.ctx.limits.max_depth - 4),
                                    namespaces={"c": self.ns})
        if self.deep(stmt_elem, n=n):
            self._too_deep(n)
        text = str(self.xslt(stmt_elem, n=str(n)))
        self.pending, self.last_ntry, self.flushed_at = 0, None, self.fh.tell()
        _drop(last)
        last.getparent().remove(last)
        yield from self._start_stmt()
        self.own = _compact(stmt.account)
        lines = text.split("\n")
        k, end = 0, len(lines) - 1  # the text ends with a line break
        while k < end:
            v = lines[k].split("\t")
            n_tx = int(v[0][1:])
            parts = [lines[j].split("\t") for j in range(k + 1, k + 1 + n_tx)] \
                if n_tx > 1 else []
            k += 1 + len(parts)
            yield from self._read_entry(stmt, v, parts)
        self._progress()

    def _too_deep(self, n: int) -> None:
        """Refuse the first of the ``n`` pending entries nested deeper than ``max_depth``."""
        stmt = self.stmt
        assert stmt is not None and self.stmt_elem is not None
        first = self.counts.get("Ntry", 0)
        room = self.ctx.limits.max_depth - 4
        for k, elem in enumerate(self.stmt_elem.iterchildren(self.t_ntry), start=1):
            if k > n:
                break
            if elem.xpath("*" + "/*" * room):
                raise CamtError(f"{stmt.locator}/Ntry[{first + k}]/...",
                                f"XML nested deeper than {self.ctx.limits.max_depth} "
                                "elements (max_depth); refused")

    def _read_entry(self, stmt: Statement, v: list[str], parts: list[list[str]]
                    ) -> Iterator[Item]:
        n = self.counts["Ntry"] = self.counts.get("Ntry", 0) + 1
        locator = f"{stmt.locator}/Ntry[{n}]"
        before = len(self.ctx.rejects)
        rows = self.ledger.index
        entry = self._entry(v, locator)
        if entry is not None:
            if entry.status is not None:  # counted once, whatever its parts
                stmt.unbooked[entry.status] = stmt.unbooked.get(entry.status, 0) + 1
            for part in self._split(parts, entry, locator):
                yield from self.ledger.add(stmt, part)
        if self.ledger.index == rows and len(self.ctx.rejects) == before:
            raise CamtError(locator, "entry neither kept nor reported; refused")
        self.handled += 1

    def _start_stmt(self) -> Iterator[Item]:
        if not self.started and self.stmt is not None:
            self.started = True
            yield from self.ledger.start(self.stmt)

    def _flat(self, elem: Any, locator: str) -> Flat:
        """Descendants by path of local names (first occurrence), e.g. ``Amt``, ``Id/IBAN``.

        Transaction details written directly in the entry (camt.05x.001.01) are filed
        under ``NtryDtls/TxDtls`` like those of later versions; elements of another
        namespace are left out. Refuses nesting deeper than ``max_depth`` (the element is
        at depth 4 of the document).
        """
        out: Flat = {}
        local = self.local
        room = self.ctx.limits.max_depth - 4
        # paths by the id of each element, the elements kept alive meanwhile (ids stay
        # theirs): lxml hashes elements slowly and builds a parent's proxy again
        alive = [elem]
        paths = {id(elem): ""}
        for child in elem.iterdescendants():
            alive.append(child)
            tag = child.tag
            name = local.get(tag, "")
            if name == "":
                name = local[tag] = self._local_name(tag)
            parent = paths[id(child.getparent())]
            # another namespace: kept out of reach with all it holds
            path = "\0" + parent if name is None else parent + name
            paths[id(child)] = path + "/"
            if len(path) > room and path.count("/") >= room:
                raise CamtError(locator + "/...",
                                f"XML nested deeper than {self.ctx.limits.max_depth} "
                                "elements (max_depth); refused")
            if path not in out:
                out[path] = child
        return out

    def _local_name(self, tag: Any) -> str | None:
        """The name of an element of the document's namespace; ``None`` for another."""
        if isinstance(tag, str) and tag.startswith(self.prefix):
            return tag[self.cut:]
        return None

    def _split(self, parts: list[list[str]], entry: Entry, locator: str) -> list[Entry]:
        """A batch booking (several TxDtls with their own amounts) as one row per payment.

        The parts must add up to the entry's amount; otherwise the entry stays whole and the
        mismatch is reported. Without amounts in the details the entry stays whole.
        """
        if len(parts) < 2:
            return [entry]
        out: list[Entry] = []
        counters: dict[str, int] = {}
        groups: dict[str, int] = {}  # NtryDtls by its id in the stylesheet -> its number
        for k, p in enumerate(parts, start=1):
            kind = p[0]  # PD<id>: in the NtryDtls of that id; PT: directly in the entry
            j = counters[kind] = counters.get(kind, 0) + 1
            if kind[1] == "D":
                group = groups.setdefault(kind, len(groups) + 1)
                tx_loc = f"{locator}/NtryDtls[{group}]/TxDtls[{j}]"
            else:
                tx_loc = f"{locator}/TxDtls[{j}]"
            amount = _tx_amount(p, entry)
            part = self._entry(p, tx_loc, amount=amount) if amount is not None else None
            if part is None:
                return [entry]
            if not p[C_TX_REF] and entry.bank_ref:
                part.bank_ref = part.ref = f"{entry.bank_ref}/{k}"
            part.status = entry.status
            out.append(part)
        total = sum((p.amount for p in out), Decimal(0))
        if total != entry.amount:
            self.ctx.reject(locator, "TxDtls", str(total),
                            f"the {len(out)} transaction details add up to {total}, not to "
                            f"the entry amount {entry.amount}; kept as one entry")
            return [entry]
        return out

    def _account(self, f: Flat) -> None:
        stmt = self.stmt
        assert stmt is not None
        stmt.account = _first(f, "Id/IBAN", "Id/Othr/Id", "Id/PrtryAcct/Id", "Id/BBAN",
                              "Id/UPIC")
        stmt.currency = _first(f, "Ccy")
        stmt.owner = _first(f, "Ownr/Nm", "Ownr/Pty/Nm")
        stmt.bic = _first(f, "Svcr/FinInstnId/BIC", "Svcr/FinInstnId/BICFI")
        stmt.bank_name = _first(f, "Svcr/FinInstnId/Nm", "Svcr/FinInstnId/NmAndAdr/Nm")

    def _balance(self, f: Flat, locator: str) -> None:
        code = _first(f, "Tp/CdOrPrtry/Cd", "Tp/CdOrPrtry/Prtry", "Tp/Cd", "Tp/Prtry")
        if code not in (*OPENING, "CLBD", INTERIM):
            return  # available (ITAV, CLAV, FWAV...) balances include reservations: not checked
        amount = self._signed(f, locator, "Bal")
        if amount is None:
            return
        when = _first(f, "Dt/Dt", "Dt/DtTm") or ""
        self.balances.append(_Balance(code, amount, when, _attr(f, "Amt", "Ccy")))

    def _settle_balances(self) -> None:
        """Opening (OPBD, else PRCD) and closing (CLBD) balances; without a closing one the
        last interim booked balance (ITBD); in a report with interim balances only, the
        earliest and the latest of them."""
        stmt = self.stmt
        assert stmt is not None
        by_code: dict[str, list[_Balance]] = {}
        for bal in self.balances:
            by_code.setdefault(bal.code, []).append(bal)
        opening = _one(by_code.get("OPBD") or by_code.get("PRCD"))
        closing = _one(by_code.get("CLBD"))
        interim = by_code.get(INTERIM) or []
        if opening is None and closing is None and len(interim) >= 2:
            ordered = sorted(interim, key=lambda b: b.when)
            if ordered[0].when != ordered[-1].when:
                opening, closing = ordered[0], ordered[-1]
                interim = []
        stmt.opening = opening.amount if opening else None
        stmt.closing = closing.amount if closing else None
        stmt.interim = interim[-1].amount if interim else None
        if stmt.currency is None and self.balances:
            stmt.currency = self.balances[0].currency

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

    def _date(self, text: str, path: str, locator: str) -> date | None:
        if not text:
            return None
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
            self.ctx.reject(locator, path, text, "not a valid ISO date")
            return None

    # -- entries ----------------------------------------------------------------------

    def _entry(self, v: list[str], locator: str, amount: Decimal | None = None
               ) -> Entry | None:
        """The entry of a line (or, with ``amount`` given, one payment of a batch entry)."""
        part = amount is not None
        status = None
        if amount is None:
            code = v[C_STATUS]
            if code and code != "BOOK":  # kept apart from the booked entries
                status = STATUSES.get(code.upper(), code.lower())
            amount = self._amount(v[C_AMOUNT] or None, locator, "Amt")
            if amount is None:
                return None
            indicator = v[C_INDICATOR]
            if indicator not in ("CRDT", "DBIT"):
                self.ctx.reject(locator, "CdtDbtInd", indicator or None,
                                "credit/debit indicator must be CRDT or DBIT; record skipped")
                return None
            if indicator == "DBIT":
                amount = -amount
        credit = (v[C_TX_INDICATOR] or v[C_INDICATOR]) == "CRDT"
        reversal = v[C_REVERSAL].lower() in TRUE
        party = self._party(v, credit, reversal)
        bank_ref = ((v[C_TX_REF] or v[C_ENTRY_REF]) if part else
                    (v[C_ENTRY_REF] or v[C_TX_REF])) or None  # a batch part's own first
        e2e = v[C_E2E] if v[C_E2E] not in ("", "NOTPROVIDED") else None
        currency = v[C_CURRENCY] or None
        text = v[C_DESCRIPTION] or None
        if reversal:
            text = f"reversal: {text}" if text else "reversal"
        return Entry(
            locator=locator, amount=amount, currency=currency,
            booking_date=self._date(v[C_BOOKED], "BookgDt", locator),
            value_date=self._date(v[C_VALUE], "ValDt", locator),
            ref=bank_ref or e2e or v[C_NTRY_REF] or None, bank_ref=bank_ref,
            amount_eur=_eur(v, amount, currency),
            counterparty_account=v[party] or None,
            counterparty_name=v[party + 1] or None,
            counterparty_bic=v[party + 2] or None,
            counterparty_country=v[party + 3] or None,
            method=_method(v, text), description=text, status=status,
        )

    def _party(self, v: list[str], credit: bool, reversal: bool) -> int:
        """The column of the counterparty's account: the debtor of a credit, the creditor
        of a debit, the other way round for a reversal (it repeats the roles of the booking
        it undoes), and the other role when this one's account is the statement's own."""
        primary, other = (C_DBTR, C_CDTR) if credit != reversal else (C_CDTR, C_DBTR)
        own = self.own
        if own and v[primary] and "".join(v[primary].split()).upper() == own:
            return other
        return primary


Flat = dict[str, Any]
C_AMOUNT, C_CURRENCY, C_INDICATOR, C_STATUS, C_REVERSAL = (
    COLUMN[c] for c in ("amount", "currency", "indicator", "status", "reversal"))
C_BOOKED, C_VALUE, C_ENTRY_REF, C_TX_REF, C_E2E, C_NTRY_REF, C_TX_INDICATOR = (
    COLUMN[c] for c in ("booked", "value", "entry_ref", "tx_ref", "e2e", "ntry_ref",
                        "tx_indicator"))
#: a party's account, name, BIC and country follow one another
C_DBTR, C_CDTR = COLUMN["Dbtr_account"], COLUMN["Cdtr_account"]
C_TX_AMOUNT, C_TX_TXAMT, C_TX_INSTD = (COLUMN[c] for c in ("tx_amount", "tx_txamt",
                                                           "tx_instd"))
C_DESCRIPTION, C_BK_PRTRY, C_BK_FAMILY, C_BK_SUB = (
    COLUMN[c] for c in ("description", "bk_prtry", "bk_family", "bk_sub"))


def _one(balances: list[_Balance] | None) -> _Balance | None:
    return balances[0] if balances else None


def _drop(elem: Any) -> None:
    """Free an element that has been read, and the siblings read before it."""
    elem.clear(keep_tail=False)
    parent = elem.getparent()
    if parent is not None:
        while elem.getprevious() is not None:
            del parent[0]


def _first(f: Flat, *paths: str) -> str | None:
    """Text of the first path present with text."""
    for path in paths:
        node = f.get(path)
        if node is not None:
            text = node.text
            if text:
                text = text.strip()
                if text:
                    return text
    return None


def _attr(f: Flat, path: str, name: str) -> str | None:
    node = f.get(path)
    return None if node is None else node.get(name)


def _compact(account: str | None) -> str | None:
    return "".join(account.split()).upper() if account else None


def _tx_amount(p: list[str], entry: Entry) -> Decimal | None:
    """Signed amount of one TxDtls in the entry's currency, when it states one."""
    for col in (C_TX_AMOUNT, C_TX_TXAMT, C_TX_INSTD):
        text = p[col]
        if not text or (p[col + 1] or None) != entry.currency:
            continue
        try:
            value = Decimal(text)
        except InvalidOperation:
            return None
        if not value.is_finite() or value < 0:
            return None
        indicator = p[C_TX_INDICATOR]
        debit = indicator == "DBIT" if indicator else entry.amount < 0
        return -value if debit else value
    return None


def _method(v: list[str], text: str | None) -> str:
    prop = v[C_BK_PRTRY]
    swift = prop if prop[:1] == "N" and prop[1:4].isalpha() else None
    gvc = prop.split("+")[1][:3] if "+" in prop and len(prop.split("+")[1]) >= 3 else None
    return method_for(v[C_BK_FAMILY] or None, v[C_BK_SUB] or None, swift, gvc, text)


def _eur(v: list[str], amount: Decimal, ccy: str | None) -> Decimal | None:
    """The EUR equivalent given in the message, or computed from a given rate."""
    if ccy == "EUR":
        return amount
    sign = -1 if amount < 0 else 1
    for start in range(BASE, len(v) - len(EUR_PARTS) + 1, len(EUR_PARTS)):
        found = _eur_from(v[start:start + len(EUR_PARTS)])
        if found is not None:
            return sign * found
    return None


def _eur_from(g: list[str]) -> Decimal | None:
    """One amount of the exchange details: its text, currency, source, target and unit
    currencies and rate (:data:`camt_entries.EUR_PARTS`)."""
    text, ccy, src, trgt, unit, rate_text = g
    if not text:
        return None
    try:
        value = abs(Decimal(text))
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    if ccy == "EUR":
        return value
    unit = unit or src
    try:
        rate = Decimal(rate_text)
    except InvalidOperation:
        return None
    if not rate.is_finite() or rate <= 0 or {src, trgt} != {ccy, "EUR"}:
        return None
    # the rate prices one unit of UnitCcy in the other currency
    return value * rate if unit == ccy else value / rate
