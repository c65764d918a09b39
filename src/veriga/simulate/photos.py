"""Ad photos: deterministic pictures and the uploads advertisers make of them.

A picture is drawn from its key (a background, shapes, soft edges, like a small photo). An
upload of it is what a site stores: JPEG, possibly transformed the way reposted photos are
(resized, recompressed harder, mirrored, cropped, watermarked). The answer key records for
every photo file its picture and its transformations, so photo matching can be scored per
transformation. The FtM copy of an ad states the pHash of each uploaded file (as a tool
exporting ads would), computed from the file itself.
"""

from __future__ import annotations

import io
import random
from collections import OrderedDict
from dataclasses import dataclass

import imagehash
from PIL import Image, ImageDraw, ImageFilter, ImageOps

SIZE = (120, 150)  # width, height of a picture as first uploaded
QUALITY = 85  # the JPEG quality a site saves uploads at
TRANSFORMS = ("resize", "recompress", "mirror", "crop", "watermark")
# What an operation does when it reposts a photo: nothing but the site's own re-encoding,
# one transformation, or two together (weights).
OPERATION_EDITS: tuple[tuple[tuple[str, ...], int], ...] = (
    ((), 20), (("resize",), 12), (("recompress",), 12), (("mirror",), 14), (("crop",), 14),
    (("watermark",), 12), (("mirror", "crop"), 6), (("resize", "watermark"), 5),
    (("crop", "recompress"), 5))


def picture(key: str) -> Image.Image:
    """The picture of ``key``: the same key always gives the same pixels."""
    rng = random.Random(f"picture:{key}")
    w, h = SIZE
    top = tuple(rng.randrange(30, 220) for _ in range(3))
    bottom = tuple(rng.randrange(30, 220) for _ in range(3))
    img = Image.linear_gradient("L").resize((w, h))
    img = Image.composite(Image.new("RGB", (w, h), bottom), Image.new("RGB", (w, h), top), img)
    draw = ImageDraw.Draw(img)
    for _ in range(rng.randint(5, 8)):
        x, y = rng.randrange(-20, w), rng.randrange(-20, h)
        bw, bh = rng.randrange(15, 80), rng.randrange(15, 100)
        colour = tuple(rng.randrange(256) for _ in range(3))
        if rng.random() < 0.6:
            draw.ellipse((x, y, x + bw, y + bh), fill=colour)
        else:
            draw.rectangle((x, y, x + bw, y + bh), fill=colour)
    for _ in range(3):
        draw.line([(rng.randrange(w), rng.randrange(h)) for _ in range(3)],
                  fill=tuple(rng.randrange(256) for _ in range(3)), width=rng.randint(2, 5))
    return img.filter(ImageFilter.GaussianBlur(1.2))


def transform(img: Image.Image, edits: tuple[str, ...], rng: random.Random,
              mark: str) -> tuple[Image.Image, int]:
    """``img`` with ``edits`` applied, and the JPEG quality to save it at."""
    quality = QUALITY
    for edit in edits:
        w, h = img.size
        if edit == "resize":
            f = rng.choice((rng.uniform(0.55, 0.85), rng.uniform(1.2, 1.6)))
            img = img.resize((max(16, round(w * f)), max(16, round(h * f))),
                             Image.Resampling.BILINEAR)
        elif edit == "recompress":
            quality = rng.randint(25, 50)
        elif edit == "mirror":
            img = ImageOps.mirror(img)
        elif edit == "crop":
            left, right = rng.uniform(0, .12), rng.uniform(0, .12)
            top, bottom = rng.uniform(0, .12), rng.uniform(0, .12)
            img = img.crop((round(w * left), round(h * top), round(w * (1 - right)),
                            round(h * (1 - bottom))))
        elif edit == "watermark":
            img = img.copy()
            draw = ImageDraw.Draw(img, "RGBA")
            y = round(h * rng.uniform(0.78, 0.88))
            draw.rectangle((0, y, w, y + max(8, h // 10)), fill=(255, 255, 255, 110))
            draw.text((3, y), mark, fill=(20, 20, 20, 200))
        else:
            raise ValueError(f"unknown photo edit {edit!r}")
    return img, quality


def encode(img: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    img.save(out, "JPEG", quality=quality, optimize=False)
    return out.getvalue()


@dataclass(frozen=True)
class Upload:
    data: bytes
    phash: str
    edits: tuple[str, ...]


class Uploads:
    """Photo files for ads, with bounded caches of pictures and of unedited uploads."""

    def __init__(self, limit: int = 512) -> None:
        self.limit = limit
        self._pictures: OrderedDict[str, Image.Image] = OrderedDict()
        self._plain: OrderedDict[str, Upload] = OrderedDict()

    def _picture(self, key: str) -> Image.Image:
        img = self._pictures.get(key)
        if img is None:
            img = self._pictures[key] = picture(key)
            if len(self._pictures) > self.limit:
                self._pictures.popitem(last=False)
        return img

    def upload(self, key: str, edits: tuple[str, ...], rng: random.Random,
               mark: str) -> Upload:
        """The file a site stores when ``key`` is uploaded with ``edits``."""
        if not edits:
            done = self._plain.get(key)
            if done is None:
                data = encode(self._picture(key), QUALITY)
                done = self._plain[key] = Upload(data, _phash(data), ())
                if len(self._plain) > self.limit:
                    self._plain.popitem(last=False)
            return done
        img, quality = transform(self._picture(key), edits, rng, mark)
        data = encode(img, quality)
        return Upload(data, _phash(data), edits)


def _phash(data: bytes) -> str:
    """The pHash of a stored file, decoded as any reader of the site would decode it."""
    with Image.open(io.BytesIO(data)) as stored:
        return str(imagehash.phash(stored))


def edits_for(kind: str, rng: random.Random) -> tuple[str, ...]:
    """How an advertiser of ``kind`` reposts a photo: operations transform most reposts
    (to dodge duplicate-photo filters), lawful advertisers upload the same file again."""
    if kind != "operation":
        return ()
    total = sum(w for _, w in OPERATION_EDITS)
    roll = rng.randrange(total)
    for edits, weight in OPERATION_EDITS:
        if roll < weight:
            return edits
        roll -= weight
    return ()
