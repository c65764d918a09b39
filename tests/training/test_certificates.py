"""Certificates: the payload's canonical hash, the PDF carries hash and payload, and a
tampered certificate fails verification."""

from __future__ import annotations

from datetime import date

import pytest

from veriga.training import certificates as certs

MODULES = [{"id": "core-legal", "title": "Tiesiskais regulējums"}]


def _payload(**changes: object) -> dict:
    data = certs.payload(certificate_id="crt-1", holder="Anna Kalniņa", cohort="LV-2026",
                         modules=MODULES, issued=date(2026, 5, 4), issuer="Valsts policija",
                         language="lv")
    return {**data, **changes}


def test_the_hash_is_of_the_canonical_payload() -> None:
    data = _payload()
    digest = certs.digest(data)
    assert len(digest) == 64 and certs.is_hash(digest)
    reordered = dict(reversed(list(data.items())))
    assert certs.digest(reordered) == digest  # key order does not matter
    assert certs.canonical(data).startswith(b'{"cohort":"LV-2026"')
    assert set(data) == {"kind", "v", "id", "holder", "cohort", "modules", "date", "issuer",
                         "language"}  # nothing else about the holder
    assert certs.verify(data, digest)


def test_a_tampered_payload_fails_verification() -> None:
    data = _payload()
    digest = certs.digest(data)
    assert not certs.verify(_payload(holder="Someone Else"), digest)
    assert not certs.verify(_payload(date="2025-01-01"), digest)
    assert not certs.verify(data, digest[:-1] + ("0" if digest[-1] != "0" else "1"))
    assert not certs.verify(data, "not a hash")


def test_the_pdf_carries_its_hash_and_payload() -> None:
    data = _payload()
    digest = certs.digest(data)
    pdf = certs.render_pdf(data, digest, f"https://veriga.example/verify/{digest}")
    assert pdf.startswith(b"%PDF-")
    found = certs.read_pdf(pdf)
    assert found.hash == digest and found.payload == data and found.intact


def test_a_pdf_whose_payload_was_changed_is_not_intact() -> None:
    data = _payload()
    digest = certs.digest(data)
    forged = certs.render_pdf(_payload(holder="Someone Else"), digest, "https://x/verify")
    found = certs.read_pdf(forged)
    assert found.hash == digest and not found.intact


def test_the_pdf_text_shows_holder_hash_and_url() -> None:
    pypdf = pytest.importorskip("pypdf")
    import io

    data = _payload()
    digest = certs.digest(data)
    pdf = certs.render_pdf(data, digest, f"https://veriga.example/verify/{digest}")
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "Anna Kalniņa" in text and digest in text.replace("\n", "")
    assert "Apliecība" in text and "veriga.example/verify/" in text.replace("\n", "")


def test_what_is_not_a_certificate_pdf_is_refused() -> None:
    with pytest.raises(certs.CertificateError):
        certs.read_pdf(b"hello")
    with pytest.raises(certs.CertificateError, match="no certificate hash"):
        certs.read_pdf(b"%PDF-1.7\n%%EOF")
