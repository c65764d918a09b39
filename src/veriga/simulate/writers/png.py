"""Small deterministic 'photos' as real PNG files (zlib only), and their perceptual hash.

A photo is a smooth picture defined on the unit square by its key, so the same key rendered
at a slightly different size or brightness (a re-upload) has the same difference hash.
"""

from __future__ import annotations

import math
import random
import struct
import zlib

GRID = (16, 20)  # width, height of the underlying picture


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def picture(key: str) -> list[list[tuple[int, int, int]]]:
    """The key's picture on a GRID of RGB pixels."""
    rng = random.Random(f"photo:{key}")
    w, h = GRID
    blobs = [(rng.random(), rng.random(), rng.uniform(0.08, 0.3),
              (rng.randrange(256), rng.randrange(256), rng.randrange(256))) for _ in range(4)]
    bg = (rng.randrange(40, 200), rng.randrange(40, 200), rng.randrange(40, 200))
    us = [(x + 0.5) / w for x in range(w)]
    # a gaussian blob is separable: exp(-(du^2 + dv^2)/r^2) = exp(-du^2/r^2) * exp(-dv^2/r^2)
    fx = [[math.exp(-((u - bx) ** 2) / (rad * rad)) for u in us] for bx, _by, rad, _c in blobs]
    rows = []
    for y in range(h):
        v = (y + 0.5) / h
        fy = [math.exp(-((v - by) ** 2) / (rad * rad)) for _bx, by, rad, _c in blobs]
        row = []
        for x in range(w):
            u = us[x]
            r, g, b = (bg[0] * (1 - v) + 30 * v, bg[1] * (1 - u * 0.5), bg[2] * (0.5 + u / 2))
            for j, (_bx, _by, _rad, col) in enumerate(blobs):
                k = fx[j][x] * fy[j]
                r, g, b = r + (col[0] - r) * k, g + (col[1] - g) * k, b + (col[2] - b) * k
            row.append((int(r), int(g), int(b)))
        rows.append(row)
    return rows


def render(grid: list[list[tuple[int, int, int]]], variant: int) -> bytes:
    """PNG bytes of one upload of the picture.

    Variant 0 is 48x60, 1 is 50x62 (resized), 2 is 48x60 slightly brighter and compressed
    at another level (re-encoded).
    """
    gw, gh = GRID
    w, h = (50, 62) if variant == 1 else (48, 60)
    cols = [x * gw // w for x in range(w)]
    pixels = [[bytes(p) for p in row] for row in grid]
    src_rows = [b"\x00" + b"".join([row[x] for x in cols]) for row in pixels]
    if variant == 2:
        src_rows = [b"\x00" + r[1:].translate(_BRIGHTER) for r in src_rows]
    raw = b"".join([src_rows[y * gh // h] for y in range(h)])
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr)
            + _chunk(b"IDAT", zlib.compress(raw, 9 if variant == 2 else 6))
            + _chunk(b"IEND", b""))


_BRIGHTER = bytes(min(255, i + 4) for i in range(256))


def dhash(grid: list[list[tuple[int, int, int]]]) -> str:
    """Difference hash on a 9x8 grey thumbnail (the same for every upload of a picture)."""
    gw, gh = GRID
    grey = []
    for j in range(8):
        y0, y1 = j * gh // 8, (j + 1) * gh // 8
        row = []
        for i in range(9):
            x0, x1 = i * gw // 9, max(i * gw // 9 + 1, (i + 1) * gw // 9)
            cells = [grid[y][x] for y in range(y0, y1) for x in range(x0, x1)]
            row.append(sum(0.299 * r + 0.587 * g + 0.114 * b for r, g, b in cells) / len(cells))
        grey.append(row)
    bits = 0
    for row in grey:
        for i in range(8):
            bits = (bits << 1) | (row[i] > row[i + 1])
    return f"{bits:016x}"
