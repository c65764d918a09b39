"""Perceptual photo hashes: reposts of a picture match, other pictures and blanks do not,
bad files are refused with a reason, and the grouping links ads through their photos."""

from __future__ import annotations

import io
import random
import struct
import zlib

import pytest
from PIL import Image

from veriga.osint.operations import Ad, group_ads
from veriga.osint.photos import (
    PhotoHashes,
    PhotoRejected,
    cluster,
    hash_image,
    same_picture,
)
from veriga.simulate.photos import Uploads

UPLOADS = Uploads()


def _file(key: str, edits: tuple[str, ...] = (), seed: int = 1) -> bytes:
    return UPLOADS.upload(key, edits, random.Random(seed), "nightlist.example").data


@pytest.mark.parametrize("edits", [("resize",), ("recompress",), ("mirror",), ("watermark",),
                                   ("resize", "watermark")])
def test_a_reposted_picture_matches_its_original(edits: tuple[str, ...]) -> None:
    for n in range(6):
        original = hash_image(_file(f"pic-{n}"))
        repost = hash_image(_file(f"pic-{n}", edits, seed=n))
        assert same_picture(original, repost) and same_picture(repost, original), (n, edits)


def test_other_pictures_do_not_match() -> None:
    hashes = [hash_image(_file(f"other-{n}")) for n in range(40)]
    assert not any(same_picture(a, b) for i, a in enumerate(hashes) for b in hashes[i + 1:])


def test_png_and_transparency_are_read_and_the_key_round_trips() -> None:
    img = Image.open(io.BytesIO(_file("pic-1"))).convert("RGBA")
    out = io.BytesIO()
    img.save(out, "PNG")
    as_png = hash_image(out.getvalue())
    assert same_picture(as_png, hash_image(_file("pic-1")))
    assert PhotoHashes.parse(as_png.key()) == as_png
    bare = PhotoHashes.parse(as_png.phash.upper())
    assert bare == PhotoHashes(as_png.phash) and same_picture(bare, as_png)
    assert PhotoHashes.parse("not a hash") is None


def test_blank_images_match_nothing() -> None:
    white = io.BytesIO()
    Image.new("RGB", (200, 200), (250, 250, 250)).save(white, "JPEG")
    grey = io.BytesIO()
    Image.new("RGB", (120, 90), (128, 128, 128)).save(grey, "PNG")
    a, b = hash_image(white.getvalue()), hash_image(grey.getvalue())
    assert a.blank and b.blank and not a.crop
    assert not same_picture(a, b)
    assert cluster([a, b]) == [0, 1]


def _png_header(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2,
                                                              0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * 1024)) + chunk(b"IEND", b""))


def test_bad_files_are_refused_with_a_reason() -> None:
    cases = {
        b"": "empty",
        b"<html>not an image</html>": "not an image",
        _png_header(60_000, 60_000): "decompression bomb",
        _file("pic-2")[:300]: "damaged",
    }
    for data, reason in cases.items():
        with pytest.raises(PhotoRejected) as err:
            hash_image(data)
        assert reason in err.value.reason
    with pytest.raises(PhotoRejected, match="larger than 1000 bytes"):
        hash_image(_file("pic-2"), max_bytes=1000)


def test_cluster_finds_the_pictures_among_reposts() -> None:
    files = [(k, e) for k in ("a", "b", "c") for e in ((), ("mirror",), ("resize",),
                                                       ("recompress",))]
    labels = cluster([hash_image(_file(k, e, seed=i)) for i, (k, e) in enumerate(files)])
    truth = [k for k, _ in files]
    assert all((labels[i] == labels[j]) == (truth[i] == truth[j])
               for i in range(len(files)) for j in range(len(files)))


def test_ads_under_two_phones_group_through_a_mirrored_photo() -> None:
    photo = hash_image(_file("girl-1")).key()
    mirrored = hash_image(_file("girl-1", ("mirror", "recompress"))).key()
    other = hash_image(_file("someone-else")).key()
    blank = io.BytesIO()
    Image.new("RGB", (50, 50), "white").save(blank, "PNG")
    white = hash_image(blank.getvalue()).key()
    ads = [Ad("a1", "Nika, new in Riga, call now", phones=("+37120000001",),
              image_hashes=(photo, white)),
           Ad("a2", "Вика в Таллине, звони", phones=("+37250000002",),
              image_hashes=(mirrored, white)),
           Ad("a3", "Independent massage in Tampere", phones=("+358400000003",),
              image_hashes=(other, white))]
    labels = group_ads(ads).labels
    assert labels["a1"] == labels["a2"] != labels["a3"]
