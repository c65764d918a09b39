"""The fields of camt entries, read by libxslt rather than element by element in Python.

An XSLT stylesheet, made once per namespace, turns a run of ``Ntry`` elements into text: one
line per entry (``E``), and for a batch booking with several transaction details one more
line per detail (``P``); fields are separated by tabs. Every value is whitespace-normalised
(``normalize-space``), so no value holds a tab or a line break, and each field is the first
of its paths that has text, in the order the importer prefers them, as the element-by-element
reading did. The stylesheet runs with every access denied (no file, network or document
loading) on the tree the safe parser built.

:func:`fields` names the columns; :data:`BASE` of them are always there, the exchange
details (:data:`EUR_SCOPES`) only after an entry whose amount is not in EUR.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from html import escape
from typing import Any

from lxml import etree

#: Transaction-detail paths under ``$t``: the entry's details (all of them on an ``E`` line,
#: where each path's first occurrence counts; one of them on a ``P`` line).
E, T = "$e", "$t"
AMOUNT_PATHS = ("InstdAmt", "TxAmt", "CntrValAmt", "PrpsdAmt")
EUR_SCOPES = ((E, "AmtDtls"), (T, "AmtDtls"))
EUR_PARTS = ("Amt", "Amt/@Ccy", "CcyXchg/SrcCcy", "CcyXchg/TrgtCcy", "CcyXchg/UnitCcy",
             "CcyXchg/XchgRate")


def _party(role: str) -> list[tuple[str, tuple[tuple[str, str], ...]]]:
    acct = f"RltdPties/{role}Acct/Id/"
    return [
        (f"{role}_account", tuple((T, acct + p) for p in ("IBAN", "Othr/Id", "PrtryAcct/Id",
                                                           "BBAN"))),
        (f"{role}_name", ((T, f"RltdPties/{role}/Nm"), (T, f"RltdPties/{role}/Pty/Nm"))),
        (f"{role}_bic", ((T, f"RltdAgts/{role}Agt/FinInstnId/BIC"),
                         (T, f"RltdAgts/{role}Agt/FinInstnId/BICFI"))),
        (f"{role}_country", ((T, f"RltdPties/{role}/PstlAdr/Ctry"),
                             (T, f"RltdPties/{role}/Pty/PstlAdr/Ctry"))),
    ]


#: (name, alternatives) of the plain fields, after the line's kind
PLAIN: list[tuple[str, tuple[tuple[str, str], ...]]] = [
    ("amount", ((E, "Amt"),)),
    ("currency", ((E, "Amt/@Ccy"),)),
    ("indicator", ((E, "CdtDbtInd"),)),
    ("status", ((E, "Sts/Cd"), (E, "Sts/Prtry"), (E, "Sts/text()"))),
    ("reversal", ((E, "RvslInd"),)),
    ("booked", ((E, "BookgDt/Dt"), (E, "BookgDt/DtTm"))),
    ("value", ((E, "ValDt/Dt"), (E, "ValDt/DtTm"))),
    ("entry_ref", ((E, "AcctSvcrRef"),)),
    ("tx_ref", ((T, "Refs/AcctSvcrRef"),)),
    ("e2e", ((T, "Refs/EndToEndId"),)),
    ("ntry_ref", ((E, "NtryRef"),)),
    ("tx_indicator", ((T, "CdtDbtInd"),)),
    *_party("Dbtr"),
    *_party("Cdtr"),
    ("tx_amount", ((T, "Amt"),)),
    ("tx_amount_ccy", ((T, "Amt/@Ccy"),)),
    ("tx_txamt", ((T, "AmtDtls/TxAmt/Amt"),)),
    ("tx_txamt_ccy", ((T, "AmtDtls/TxAmt/Amt/@Ccy"),)),
    ("tx_instd", ((T, "AmtDtls/InstdAmt/Amt"),)),
    ("tx_instd_ccy", ((T, "AmtDtls/InstdAmt/Amt/@Ccy"),)),
]
#: computed in the stylesheet: the text, and the bank transaction code (the details' when
#: they have one, else the entry's)
SPECIAL = ("description", "bk_prtry", "bk_family", "bk_sub")


def fields() -> list[str]:
    """The names of a line's columns, in order."""
    return ["kind", *(name for name, _ in PLAIN), *SPECIAL]


NAMES = fields()
COLUMN = {name: k for k, name in enumerate(NAMES)}
BASE = len(NAMES)


def _xpath(scope: str, path: str) -> str:
    steps = [step if step.startswith("@") or step.endswith("()") else f"c:{step}"
             for step in path.split("/")]
    return f"{scope}/{'/'.join(steps)}"


def _value(alternatives: tuple[tuple[str, str], ...] | list[tuple[str, str]]) -> str:
    """The first alternative with text, whitespace-normalised."""
    paths = [_xpath(*a) for a in alternatives]
    if len(paths) == 1:
        return f'<xsl:value-of select="normalize-space({paths[0]})"/>'
    whens = "".join(f"<xsl:when test=\"normalize-space({p}) != ''\">"
                    f'<xsl:value-of select="normalize-space({p})"/></xsl:when>' for p in paths)
    return f"<xsl:choose>{whens}</xsl:choose>"


TAB = "<xsl:text>&#9;</xsl:text>"


def _line_template() -> str:
    parts = ['<xsl:value-of select="$kind"/>']
    parts += [_value(alts) for _, alts in PLAIN]
    desc = (
        '<xsl:variable name="ustrd" select="($t/c:RmtInf)[1]/c:Ustrd[normalize-space() != \'\']"/>'
        '<xsl:choose><xsl:when test="$ustrd"><xsl:for-each select="$ustrd">'
        '<xsl:if test="position() &gt; 1"><xsl:text> </xsl:text></xsl:if>'
        '<xsl:value-of select="normalize-space()"/></xsl:for-each></xsl:when>'
        "<xsl:otherwise>"
        + _value([(T, "AddtlTxInf"), (E, "AddtlNtryInf"), (T, "RmtInf/Strd/CdtrRefInf/Ref")])
        + "</xsl:otherwise></xsl:choose>")
    parts.append(desc)
    for path in ("Prtry/Cd", "Domn/Fmly/Cd", "Domn/Fmly/SubFmlyCd"):
        parts.append(f'<xsl:choose><xsl:when test="$t/c:BkTxCd">{_value([(T, "BkTxCd/" + path)])}'
                     f"</xsl:when><xsl:otherwise>{_value([(E, 'BkTxCd/' + path)])}"
                     "</xsl:otherwise></xsl:choose>")
    eur = [_value([(scope, f"{base}/{name}/{part}")])
           for scope, base in EUR_SCOPES for name in AMOUNT_PATHS for part in EUR_PARTS]
    body = TAB.join(parts)
    return (f"{body}<xsl:if test=\"normalize-space($e/c:Amt/@Ccy) != 'EUR'\">{TAB}"
            f"{TAB.join(eur)}</xsl:if><xsl:text>&#10;</xsl:text>")


def _stylesheet_text(ns: str) -> str:
    return f"""<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
 xmlns:c="{escape(ns, quote=True)}">
<xsl:output method="text" encoding="UTF-8"/>
<xsl:param name="n" select="0"/>
<xsl:template match="/">
 <xsl:for-each select="*/c:Ntry[position() &lt;= $n]">
  <xsl:variable name="entry" select="."/>
  <xsl:variable name="txs" select="c:NtryDtls/c:TxDtls | c:TxDtls"/>
  <xsl:call-template name="line">
   <xsl:with-param name="e" select="."/><xsl:with-param name="t" select="$txs"/>
   <xsl:with-param name="kind" select="concat('E', count($txs))"/>
  </xsl:call-template>
  <xsl:if test="count($txs) &gt; 1">
   <xsl:for-each select="$txs">
    <xsl:call-template name="line">
     <xsl:with-param name="e" select="$entry"/><xsl:with-param name="t" select="."/>
     <xsl:with-param name="kind"><xsl:choose><xsl:when test="parent::c:NtryDtls">PD<xsl:value-of
      select="generate-id(..)"/></xsl:when>
      <xsl:otherwise>PT</xsl:otherwise></xsl:choose></xsl:with-param>
    </xsl:call-template>
   </xsl:for-each>
  </xsl:if>
 </xsl:for-each>
</xsl:template>
<xsl:template name="line">
 <xsl:param name="e"/><xsl:param name="t"/><xsl:param name="kind"/>
 {_line_template()}
</xsl:template>
</xsl:stylesheet>"""


#: no file, directory or network access from the stylesheet (lxml's stubs lack the name)
NO_ACCESS = etree.XSLTAccessControl.DENY_ALL  # type: ignore[attr-defined]


@lru_cache(maxsize=16)
def _compiled_text(ns: str) -> bytes:
    return _stylesheet_text(ns).encode()


_THREAD = threading.local()


def stylesheet(ns: str) -> Any:
    """The compiled stylesheet for documents in namespace ``ns``, compiled once per thread
    (an XSLT object is used by one thread only; a production of many small statement files
    would otherwise compile it once per file)."""
    compiled: dict[str, Any] = _THREAD.__dict__.setdefault("sheets", {})
    sheet = compiled.get(ns)
    if sheet is None:
        if len(compiled) >= 16:
            compiled.clear()
        sheet = compiled[ns] = etree.XSLT(etree.XML(_compiled_text(ns)),
                                          access_control=NO_ACCESS)
    return sheet


def deep_path(room: int) -> str:
    """XPath finding an element more than ``room`` levels below an entry."""
    return "c:Ntry[position() <= $n]" + "/*" * (room + 1)
