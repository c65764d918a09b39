"""Certificates of the training programme: a canonical JSON payload, its SHA-256, the PDF.

The payload says only what a verifier needs: who holds it (display name), what was
completed (the cohort and the programme's modules), when, and which organisation issued
it. Its hash is the SHA-256 of its canonical form (keys sorted, no spaces, UTF-8); the store
keeps both, and a verifier who has the hash (typed, or read from the PDF) looks it up.

The PDF shows the payload, the hash and the verification URL; it carries the hash in its
keywords and the canonical payload as an attached file (``certificate.json``), so that
:func:`read_pdf` finds both without a PDF library, and a changed payload no longer matches
its hash.
"""

from __future__ import annotations

import hashlib
import json
import re
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from html import escape
from typing import Any

from veriga.errors import VerigaError

KIND = "veriga-certificate"
VERSION = 1
MAX_PDF = 20 * 2**20
_MAX_STREAM = 2**20  # bytes decompressed per stream when reading a PDF
_MARK = "veriga-certificate-sha256:"
_HASH = re.compile(r"^[0-9a-f]{64}$")
_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)

#: the certificate's words, per language of the cohort
LABELS: dict[str, dict[str, str]] = {
    "en": {"title": "Certificate of completion", "awarded": "awarded to",
           "completed": "for completing the training programme", "cohort": "Cohort",
           "modules": "Modules", "date": "Date", "issuer": "Issued by",
           "verify": "Verify this certificate at", "hash": "SHA-256"},
    "bg": {"title": "Удостоверение за завършване", "awarded": "се издава на",
           "completed": "за завършване на обучителната програма", "cohort": "Група",
           "modules": "Модули", "date": "Дата", "issuer": "Издадено от",
           "verify": "Проверете удостоверението на", "hash": "SHA-256"},
    "lv": {"title": "Apliecība par apmācību pabeigšanu", "awarded": "izsniegta",
           "completed": "par mācību programmas apguvi", "cohort": "Grupa",
           "modules": "Moduļi", "date": "Datums", "issuer": "Izsniedza",
           "verify": "Pārbaudiet apliecību", "hash": "SHA-256"},
    "et": {"title": "Lõputunnistus", "awarded": "väljastatud",
           "completed": "koolitusprogrammi läbimise eest", "cohort": "Rühm",
           "modules": "Moodulid", "date": "Kuupäev", "issuer": "Väljastaja",
           "verify": "Kontrollige tunnistust aadressil", "hash": "SHA-256"},
    "fi": {"title": "Todistus koulutuksen suorittamisesta", "awarded": "myönnetty",
           "completed": "koulutusohjelman suorittamisesta", "cohort": "Ryhmä",
           "modules": "Moduulit", "date": "Päivämäärä", "issuer": "Myöntäjä",
           "verify": "Tarkista todistus osoitteessa", "hash": "SHA-256"},
}


class CertificateError(VerigaError):
    """A certificate that cannot be read or does not match its hash."""


@dataclass(frozen=True)
class Found:
    """What a PDF says of itself: the hash it names, and the payload it carries (if any)."""

    hash: str
    payload: dict[str, Any] | None

    @property
    def intact(self) -> bool:
        """Whether the carried payload is the one the hash was made from."""
        return self.payload is not None and digest(self.payload) == self.hash


def payload(*, certificate_id: str, holder: str, cohort: str, modules: Sequence[Mapping[str,
            str]], issued: date, issuer: str, language: str = "en") -> dict[str, Any]:
    """The certificate's payload: nothing about the holder beyond the display name."""
    return {"kind": KIND, "v": VERSION, "id": certificate_id, "holder": holder,
            "cohort": cohort, "modules": [{"id": m["id"], "title": m["title"]}
                                          for m in modules],
            "date": issued.isoformat(), "issuer": issuer, "language": language}


def canonical(data: Mapping[str, Any]) -> bytes:
    """The canonical form hashed: keys sorted, no spaces, UTF-8."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def digest(data: Mapping[str, Any]) -> str:
    """The SHA-256 (hex) of the payload's canonical form."""
    return hashlib.sha256(canonical(data)).hexdigest()


def verify(data: Mapping[str, Any], expected: str) -> bool:
    """Whether ``data`` is the payload hashed as ``expected``."""
    return is_hash(expected) and digest(data) == expected


def is_hash(text: str) -> bool:
    return bool(_HASH.match(text))


def render_html(data: Mapping[str, Any], hash_: str, verify_url: str) -> str:
    """The certificate as a one-page HTML document (no external resources)."""
    words = LABELS.get(str(data.get("language")), LABELS["en"])
    modules = "".join(f"<li>{escape(m['title'])}</li>" for m in data["modules"])
    columns = ' class="two"' if len(data["modules"]) > 8 else ""  # a page holds them all
    return f"""<!doctype html>
<html lang="{escape(str(data.get('language', 'en')))}"><head><meta charset="utf-8">
<meta name="keywords" content="{_MARK}{hash_}">
<title>{escape(words['title'])}</title>
<style>
@page {{ size: A4 landscape; margin: 18mm; }}
body {{ font-family: "DejaVu Sans", sans-serif; color: #1d2a3a; text-align: center; }}
.frame {{ border: 3px double #1d4e89; padding: 12mm 16mm; }}
h1 {{ font-size: 26pt; color: #1d4e89; margin: 0 0 6mm; }}
.holder {{ font-size: 22pt; font-weight: bold; margin: 3mm 0; }}
.small {{ font-size: 9pt; color: #444; }}
ul {{ list-style: none; padding: 0; margin: 2mm 0; }}
ul.two {{ columns: 2; column-gap: 8mm; width: 170mm; font-size: 8.5pt; }}
table {{ margin: 6mm auto 0; border-collapse: collapse; }}
td {{ padding: 1mm 4mm; text-align: left; }}
.hash {{ font-family: "DejaVu Sans Mono", monospace; font-size: 8pt; }}
</style></head><body><div class="frame">
<h1>{escape(words['title'])}</h1>
<p>{escape(words['awarded'])}</p>
<p class="holder">{escape(data['holder'])}</p>
<p>{escape(words['completed'])}</p>
<table>
<tr><td>{escape(words['cohort'])}</td><td><strong>{escape(data['cohort'])}</strong></td></tr>
<tr><td>{escape(words['modules'])}</td><td><ul{columns}>{modules}</ul></td></tr>
<tr><td>{escape(words['date'])}</td><td>{escape(data['date'])}</td></tr>
<tr><td>{escape(words['issuer'])}</td><td>{escape(data['issuer'])}</td></tr>
</table>
<p class="small">{escape(words['verify'])} {escape(verify_url)}</p>
<p class="small">{escape(words['hash'])}: <span class="hash">{hash_}</span></p>
</div></body></html>"""


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise CertificateError("a certificate loads no external resources")


def render_pdf(data: Mapping[str, Any], hash_: str, verify_url: str) -> bytes:
    """The certificate as PDF, with the hash in its keywords and the payload attached."""
    from weasyprint import HTML, Attachment

    attachment = Attachment(string=canonical(data).decode("utf-8"), name="certificate.json",
                            description="Veriga certificate payload (canonical JSON)")
    pdf = HTML(string=render_html(data, hash_, verify_url), url_fetcher=_no_fetch) \
        .write_pdf(attachments=[attachment])
    if pdf is None:  # only without a target; kept for the type checker
        raise CertificateError("the PDF was not produced")
    return bytes(pdf)


def _streams(pdf: bytes) -> list[bytes]:
    """The PDF's streams, decompressed where they are (at most _MAX_STREAM bytes each)."""
    out = []
    for match in _STREAM.finditer(pdf):
        raw = match.group(1)
        try:
            out.append(zlib.decompressobj().decompress(raw, _MAX_STREAM))
        except zlib.error:
            out.append(raw[:_MAX_STREAM])
    return out


def read_pdf(pdf: bytes) -> Found:
    """The hash a Veriga certificate PDF names and the payload it carries."""
    if len(pdf) > MAX_PDF or not pdf.startswith(b"%PDF-"):
        raise CertificateError("not a certificate PDF")
    mark = _MARK.encode()
    found: str | None = None
    carried: dict[str, Any] | None = None
    for chunk in [pdf, *_streams(pdf)]:
        at = chunk.find(mark)
        if at >= 0 and found is None:
            found = chunk[at + len(mark): at + len(mark) + 64].decode("ascii", "replace")
        if carried is None and chunk.startswith(b"{") and f'"kind":"{KIND}"'.encode() in chunk:
            try:
                carried = json.loads(chunk.decode("utf-8"))
            except ValueError:
                carried = None
    if found is None or not is_hash(found):
        raise CertificateError("the PDF names no certificate hash")
    return Found(found, carried)
