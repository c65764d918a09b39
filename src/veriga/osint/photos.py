"""Perceptual hashes of photos, computed safely from untrusted image bytes, and matching.

A photo reposted by the same advertiser is rarely the same file: sites resize and recompress
uploads, advertisers mirror, crop and watermark them. Each photo therefore gets

* the pHash (DCT) and dHash (gradient) of the image, 64 bits each, and of its mirror image,
  so a flipped repost matches its original;
* a crop-resistant hash (Steinebach et al., as ``imagehash`` implements it): one dHash per
  segment of the image, so a crop that keeps some segments still matches.

Two photos are the same picture when their pHashes (either orientation) are within
``PHASH_MAX`` bits and their dHashes in that orientation within ``DHASH_MAX`` bits (within
``PHASH_ALONE_MAX`` bits when one has no dHash: a bare pHash from another tool), or when
at least ``CROP_SEGMENTS`` segments (and ``CROP_SHARE`` of the segments of the one with
fewer) of each one's crop-resistant hash have a segment of the other's within
``CROP_SEGMENT_MAX`` bits and their pHashes, in the same orientation, are within
``CROP_PHASH_MAX`` bits (segments alone match unrelated pictures of similar composition
too often). A blank
or one-colour image matches nothing. docs/osint-operations.md has the recall under each
transformation measured on simulated photos.

``PhotoHashes.key`` writes the hashes as one value (``imageHash`` of an ``Advertisement``
or ``perceptualHash`` of an ``Image``); ``PhotoHashes.parse`` reads it back, and reads a
bare hexadecimal hash (as other tools export one) as a pHash without mirror.
"""

from __future__ import annotations

import io
import math
import re
import warnings
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 40_000_000
FORMATS = ("JPEG", "PNG", "GIF", "WEBP", "BMP")
WORK_SIZE = 256  # images are reduced to fit this square before hashing
CROP_SEGMENTATION = 128  # side of the image the crop-resistant hash segments
PHASH_MAX = 10
PHASH_ALONE_MAX = 6  # without a dHash to confirm (a bare pHash from another tool)
DHASH_MAX = 16
CROP_SEGMENTS = 2
CROP_SEGMENT_MAX = 10  # Hamming distance of two matching segment hashes
CROP_PHASH_MAX = 18  # a crop match must still be this close in pHash (same orientation)
CROP_SHARE = 0.4  # ... and match this share of the segments of the one with fewer
FLAT_CONTRAST = 3.0  # standard deviation of grey levels below which an image is blank

_HEX64 = re.compile(r"^[0-9a-f]{16}$")
_HEX = re.compile(r"^[0-9a-f]{8,64}$")


class PhotoRejected(ValueError):
    """The bytes are not an image Veriga hashes; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class PhotoHashes:
    """Perceptual hashes of one photo (hexadecimal strings; ``None`` when not known)."""

    phash: str
    phash_mirror: str | None = None
    dhash: str | None = None
    dhash_mirror: str | None = None
    crop: tuple[str, ...] = ()
    flat: bool = False
    crop_mirror: tuple[str, ...] = ()  # the segments' hashes in the mirror image

    @property
    def blank(self) -> bool:
        """A blank or one-colour image, or a hash that says so (almost all bits equal)."""
        return self.flat or _degenerate(self.phash) or (
            self.dhash is not None and _degenerate(self.dhash))

    def key(self) -> str:
        """One value holding every hash: ``ph:P/PM;dh:D/DM;cr:S1,S2;crm:M1,M2[;flat]``."""
        parts = [f"ph:{self.phash}/{self.phash_mirror or ''}"]
        if self.dhash:
            parts.append(f"dh:{self.dhash}/{self.dhash_mirror or ''}")
        if self.crop:
            parts.append("cr:" + ",".join(self.crop))
        if self.crop_mirror:
            parts.append("crm:" + ",".join(self.crop_mirror))
        if self.flat:
            parts.append("flat")
        return ";".join(parts)

    @classmethod
    def parse(cls, value: str) -> PhotoHashes | None:
        """Hashes from ``key()`` or a bare hex hash; ``None`` for anything else."""
        text = value.strip().lower()
        if _HEX.match(text):
            return cls(phash=text)
        fields: dict[str, str] = {}
        flat = False
        for part in text.split(";"):
            name, sep, rest = part.partition(":")
            if part == "flat":
                flat = True
            elif sep and name in ("ph", "dh", "cr", "crm"):
                fields[name] = rest
        ph = fields.get("ph", "").split("/")
        if not ph or not _HEX.match(ph[0]):
            return None
        dh = fields.get("dh", "").split("/") if "dh" in fields else []
        crop = tuple(s for s in fields.get("cr", "").split(",") if _HEX.match(s))
        crop_mirror = tuple(s for s in fields.get("crm", "").split(",") if _HEX.match(s))

        def opt(items: list[str], i: int) -> str | None:
            return items[i] if len(items) > i and _HEX.match(items[i]) else None

        return cls(ph[0], opt(ph, 1), opt(dh, 0), opt(dh, 1), crop, flat, crop_mirror)


def _degenerate(value: str) -> bool:
    bits = bin(int(value, 16)).count("1")
    return bits <= 2 or bits >= len(value) * 4 - 2


def hamming(a: str, b: str) -> int:
    """Bits that differ between two hex hashes (of equal length; else all of them)."""
    if len(a) != len(b):
        return max(len(a), len(b)) * 4
    return (int(a, 16) ^ int(b, 16)).bit_count()


def open_image(data: bytes, max_bytes: int = MAX_BYTES,
               max_pixels: int = MAX_PIXELS) -> Image.Image:
    """Decode untrusted bytes into an RGB image, refusing what is too big or no image.

    The size is checked from the header before any pixel is decoded, so a decompression
    bomb (a small file declaring a huge image) is refused without being expanded."""
    if len(data) > max_bytes:
        raise PhotoRejected(f"image file larger than {max_bytes} bytes")
    if not data:
        raise PhotoRejected("empty file")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            img: Image.Image = Image.open(io.BytesIO(data), formats=FORMATS)
            width, height = img.size
            if width < 1 or height < 1:
                raise PhotoRejected("image without pixels")
            if width * height > max_pixels:
                raise PhotoRejected(f"image of {width}x{height} pixels is larger than "
                                    f"{max_pixels} pixels (decompression bomb?)")
            if img.format == "JPEG":
                img.draft("RGB", (WORK_SIZE, WORK_SIZE))  # decode at a reduced scale
            img.seek(0)
            img.load()
            if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and
                                                     "transparency" in img.info):
                rgba = img.convert("RGBA")
                img = Image.new("RGB", rgba.size, (255, 255, 255))
                img.paste(rgba, mask=rgba.getchannel("A"))
            else:
                img = img.convert("RGB")
        except PhotoRejected:
            raise
        except UnidentifiedImageError:
            raise PhotoRejected("not an image (or a format other than "
                                + ", ".join(FORMATS) + ")") from None
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise PhotoRejected(f"decompression bomb refused: {exc}") from None
        except (OSError, SyntaxError, ValueError, EOFError, MemoryError) as exc:
            raise PhotoRejected(f"damaged image: {exc}") from None
    img.thumbnail((WORK_SIZE, WORK_SIZE), Image.Resampling.BILINEAR)
    return img


def hash_image(data: bytes, max_bytes: int = MAX_BYTES,
               max_pixels: int = MAX_PIXELS) -> PhotoHashes:
    """The perceptual hashes of an image file's bytes (see the module's docstring).

    Raises ``PhotoRejected`` with a reason for what is not a usable image."""
    return hashes_of(open_image(data, max_bytes, max_pixels))


def hashes_of(img: Image.Image) -> PhotoHashes:
    """The perceptual hashes of a decoded image."""
    import imagehash  # with scipy and PyWavelets: loaded only when images are hashed

    rgb = img.convert("RGB")
    grey = np.asarray(rgb.convert("L"), dtype=np.float32)
    flat = float(grey.std()) < FLAT_CONTRAST
    mirror = ImageOps.mirror(rgb)
    crop, crop_mirror = ((), ()) if flat else crop_resistant(rgb)
    return PhotoHashes(phash=str(imagehash.phash(rgb)),
                       phash_mirror=str(imagehash.phash(mirror)),
                       dhash=str(imagehash.dhash(rgb)), dhash_mirror=str(imagehash.dhash(mirror)),
                       crop=crop, flat=flat, crop_mirror=crop_mirror)


def crop_resistant(img: Image.Image, side: int = CROP_SEGMENTATION, threshold: int = 128
                   ) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The crop-resistant hash (Steinebach et al.) by the algorithm of
    ``imagehash.crop_resistant_hash``: the grey image reduced to ``side`` x ``side``,
    blurred and median-filtered, split into connected regions brighter and darker than
    ``threshold``; the dHash of each region's bounding box in the image (the whole image
    when no region is big enough).
    The regions are labelled with scipy instead of imagehash's pixel-by-pixel search, which
    takes ten to a hundred times longer (its regions can differ in a few pixels). Returns
    the segments' hashes and the hashes of the same segments mirrored (the mirror image's
    crop-resistant hash), so that a mirrored crop matches too."""
    import imagehash
    from PIL import ImageFilter
    from scipy import ndimage  # type: ignore[import-untyped]

    small = img.convert("L").resize((side, side), Image.Resampling.LANCZOS)
    small = small.filter(ImageFilter.GaussianBlur()).filter(ImageFilter.MedianFilter())
    pixels = np.asarray(small, dtype=np.float32)
    min_size = max(20, 500 * side * side // 300 ** 2)
    boxes = []
    for mask in (pixels > threshold, pixels <= threshold):
        labels, count = ndimage.label(mask)
        if not count:
            continue
        sizes = np.bincount(labels.ravel(), minlength=count + 1)
        for n, box in enumerate(ndimage.find_objects(labels), start=1):
            if box is not None and sizes[n] > min_size:
                boxes.append(box)
    w, h = img.size
    sx, sy = w / side, h / side
    parts = [img.crop((box[1].start * sx, box[0].start * sy, box[1].stop * sx,
                       box[0].stop * sy)) for box in boxes] or [img]
    return (tuple(sorted({str(imagehash.dhash(part)) for part in parts})),
            tuple(sorted({str(imagehash.dhash(ImageOps.mirror(part))) for part in parts})))


def crop_matches(a: PhotoHashes, b: PhotoHashes, max_distance: int = CROP_SEGMENT_MAX,
                 mirrored: bool = False) -> int:
    """How many segments of ``a`` have a segment of ``b`` (of ``b``'s mirror image when
    ``mirrored``) within ``max_distance`` bits."""
    segments = b.crop_mirror if mirrored else b.crop
    if not a.crop or not segments:
        return 0
    theirs = [int(s, 16) for s in segments]
    return sum(1 for s in a.crop
               if min((int(s, 16) ^ t).bit_count() for t in theirs) <= max_distance)


def distance(a: PhotoHashes, b: PhotoHashes) -> tuple[int, bool]:
    """Least pHash distance of ``a`` to ``b`` or to ``b``'s mirror, and whether the mirror."""
    best, mirrored = hamming(a.phash, b.phash), False
    for theirs, mine in ((b.phash_mirror, a.phash), (a.phash_mirror, b.phash)):
        if theirs is not None:
            d = hamming(mine, theirs)
            if d < best:
                best, mirrored = d, True
    return best, mirrored


def same_picture(a: PhotoHashes, b: PhotoHashes, phash_max: int = PHASH_MAX,
                 dhash_max: int = DHASH_MAX, crop_segments: int = CROP_SEGMENTS,
                 crop_phash_max: int = CROP_PHASH_MAX,
                 phash_alone_max: int = PHASH_ALONE_MAX) -> bool:
    """Whether two photos show the same picture (resized, recompressed, mirrored, cropped or
    watermarked); a blank image matches nothing."""
    if a.blank or b.blank:
        return False
    d, mirrored = distance(a, b)
    if a.dhash is None or b.dhash is None:
        return d <= phash_alone_max
    if d <= phash_max:
        mine: str | None = a.dhash
        theirs: str | None = b.dhash_mirror if mirrored else b.dhash
        if theirs is None:  # b has no mirror dHash: compare a's mirror with b
            mine, theirs = a.dhash_mirror, b.dhash
        if mine is None or theirs is None or hamming(mine, theirs) <= dhash_max:
            return True
    if not a.crop or not b.crop:
        return False
    need = max(crop_segments, math.ceil(CROP_SHARE * min(len(a.crop), len(b.crop))))
    # the segments must agree with the pHash in the same orientation
    if hamming(a.phash, b.phash) <= crop_phash_max and crop_matches(
            a, b) >= need and crop_matches(b, a) >= need:
        return True
    return (b.phash_mirror is not None and a.phash_mirror is not None
            and hamming(a.phash, b.phash_mirror) <= crop_phash_max
            and crop_matches(a, b, mirrored=True) >= need
            and crop_matches(b, a, mirrored=True) >= need)


def cluster(photos: Sequence[PhotoHashes], max_bucket: int = 200) -> list[int]:
    """Each photo's picture: the least index of the photos it is (transitively) the same
    picture as.

    Candidates share a window of a 64-bit pHash (either orientation) or a crop segment
    hash; candidates further apart than any rule accepts are dropped at once (numpy), the
    rest verified with ``same_picture``. The windows are eight bands of 8 bits (every pair
    within 7 bits shares one), or for 20,000 photos and more eight overlapping windows of
    16 bits (every pair within 3 bits, most within 6), so that buckets stay small. A bucket
    of more than ``max_bucket`` photos (a common pattern, not a picture) proposes nothing.
    Hashes of another length match only their equals."""
    n = len(photos)
    usable = [i for i, p in enumerate(photos) if not p.blank and _HEX64.match(p.phash)]
    idx = np.array(usable, dtype=np.int64)
    ph = np.array([int(photos[i].phash, 16) for i in usable], dtype=np.uint64)
    pm = np.array([int(photos[i].phash_mirror or photos[i].phash, 16) for i in usable],
                  dtype=np.uint64)
    width = 8 if n < 20_000 else 16
    found: list[np.ndarray] = []
    m = len(usable)
    mirrored = np.flatnonzero(pm != ph)  # a photo's mirror meets the other photos too
    both = np.concatenate([ph, pm[mirrored]])
    owner = np.concatenate([np.arange(m, dtype=np.int64), mirrored])
    for shift in range(0, 64, 8):
        rotated = (both >> np.uint64(shift)) | (both << np.uint64((64 - shift) % 64)) \
            if shift else both
        found.append(owner[_bucket_pairs(rotated & np.uint64((1 << width) - 1), max_bucket)])
    pairs = np.concatenate(found) if found else np.zeros((0, 2), np.int64)
    if len(pairs):
        a, b = ph[pairs[:, 0]], ph[pairs[:, 1]]
        near = np.minimum(np.bitwise_count(a ^ b),
                          np.minimum(np.bitwise_count(a ^ pm[pairs[:, 1]]),
                                     np.bitwise_count(pm[pairs[:, 0]] ^ b)))
        pairs = pairs[(near <= max(PHASH_MAX, CROP_PHASH_MAX)) & (pairs[:, 0] != pairs[:, 1])]
        pairs = np.sort(pairs, axis=1)
        codes = np.unique(pairs[:, 0] * m + pairs[:, 1])
        pairs = np.stack([codes // m, codes % m], axis=1)
    candidates = [(int(idx[x]), int(idx[y])) for x, y in pairs.tolist()]
    segments: dict[str, list[int]] = defaultdict(list)
    others: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(photos):
        if p.blank:
            continue
        for seg in {*p.crop, *p.crop_mirror}:
            segments[seg].append(i)
        if not _HEX64.match(p.phash):
            others[p.phash].append(i)
    for members in segments.values():
        if 2 <= len(members) <= max_bucket:
            candidates += [(x, y) for k, x in enumerate(members) for y in members[k + 1:]]
    parent = list(range(n))

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for members in others.values():
        for m in members[1:]:
            parent[root(m)] = root(members[0])
    for x, y in candidates:
        rx, ry = root(x), root(y)
        if rx != ry and same_picture(photos[x], photos[y]):
            parent[max(rx, ry)] = min(rx, ry)
    return [root(i) for i in range(n)]


def _bucket_pairs(keys: np.ndarray, max_bucket: int) -> np.ndarray:
    """Positions (i, j), i < j, of equal keys, from buckets of at most ``max_bucket``."""
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    if len(ordered) < 2:
        return np.zeros((0, 2), dtype=np.int64)
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    sizes = np.diff(np.append(starts, len(ordered)))
    size_of = np.repeat(sizes, sizes)
    ok = size_of <= max_bucket
    out = []
    for k in range(1, int(sizes[sizes <= max_bucket].max(initial=1))):
        same = (ordered[k:] == ordered[:-k]) & ok[k:]
        pos = np.flatnonzero(same)
        if len(pos):
            a, b = order[pos], order[pos + k]
            out.append(np.stack([np.minimum(a, b), np.maximum(a, b)], axis=1))
    return np.concatenate(out) if out else np.zeros((0, 2), dtype=np.int64)
