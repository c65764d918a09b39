"""Building blocks: IBANs, phones and name variants."""

from __future__ import annotations

import random

import phonenumbers
import pytest

from veriga.model.normalize import normalize_phone
from veriga.simulate.banks import IBAN_LENGTH, Banks, make_iban, valid_iban
from veriga.simulate.names import (
    CALLING,
    latvianize,
    local_phone,
    make_name,
    make_phone,
    transliterate,
    variant,
)


def test_ibans_valid_for_every_bank() -> None:
    rng = random.Random(1)
    for bank in Banks().all:
        for _ in range(20):
            iban = make_iban(rng, bank)
            assert len(iban) == IBAN_LENGTH[bank.country] and valid_iban(iban), iban
    assert valid_iban("LV80BANK0000435195001")  # the published example
    assert not valid_iban("LV81BANK0000435195001")


@pytest.mark.parametrize("country", sorted(CALLING))
def test_phones_possible_and_local_forms_normalise(country: str) -> None:
    rng = random.Random(country)
    for _ in range(30):
        e164 = make_phone(rng, country)
        assert phonenumbers.is_possible_number(phonenumbers.parse(e164))
        for recorder in ("LV", country):
            written = local_phone(rng, e164, recorder)
            assert normalize_phone(written, recorder) == e164, written


def test_name_variants() -> None:
    assert transliterate("Иван Петров") == "Ivan Petrov"
    assert transliterate("Олена Коваленко", "UA") == "Olena Kovalenko"
    assert latvianize("Ivan", "Petrov", False) == ("Ivans", "Petrovs")
    assert latvianize("Elena", "Petrova", True) == ("Elena", "Petrova")
    rng = random.Random(3)
    name = make_name(rng, "BG", True)
    kinds = {variant(rng, name, "LV")[1] for _ in range(300)}
    assert {"latin", "native_script", "latvian_ending", "swapped_order", "typo"} <= kinds


def _decode(png: bytes) -> tuple[int, int, bytes]:
    import struct
    import zlib

    w, h = struct.unpack(">II", png[16:24])
    pos, idat = 8, b""
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos:pos + 8])
        if kind == b"IDAT":
            idat += png[pos + 8:pos + 8 + length]
        pos += 12 + length
    raw = zlib.decompress(idat)
    rows = [raw[y * (3 * w + 1) + 1:(y + 1) * (3 * w + 1)] for y in range(h)]
    assert all(raw[y * (3 * w + 1)] == 0 for y in range(h))  # filter type None
    return w, h, b"".join(rows)


def _file_dhash(png: bytes) -> int:
    w, h, px = _decode(png)
    grey = []
    for j in range(8):
        row = []
        for i in range(9):
            cells = [px[3 * (y * w + x):3 * (y * w + x) + 3]
                     for y in range(j * h // 8, (j + 1) * h // 8)
                     for x in range(i * w // 9, (i + 1) * w // 9)]
            row.append(sum(0.299 * r + 0.587 * g + 0.114 * b for r, g, b in cells) / len(cells))
        grey.append(row)
    bits = 0
    for row in grey:
        for i in range(8):
            bits = (bits << 1) | (row[i] > row[i + 1])
    return bits


def test_reuploaded_photo_keeps_its_perceptual_hash() -> None:
    from veriga.simulate.writers.png import picture, render

    for key in ("OP-SEX-001-P000006-0", "bg-17", "decoy-P000042-1"):
        grid = picture(key)
        uploads = [render(grid, v) for v in range(3)]
        assert len(set(uploads)) == 3  # different bytes ...
        hashes = [_file_dhash(u) for u in uploads]
        for h in hashes[1:]:
            assert bin(h ^ hashes[0]).count("1") <= 6  # ... same picture
    other = _file_dhash(render(picture("another"), 0))
    assert bin(other ^ _file_dhash(render(picture("bg-17"), 0))).count("1") > 10
