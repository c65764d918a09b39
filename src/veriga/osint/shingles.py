"""Text normalisation and character shingles of ads, hashed in bulk with numpy.

Text is normalised with Unicode NFKC and case folding; letters of every script are kept,
digits are masked (phone numbers, prices and ages are slots, not template), and anything
else becomes one space. Shingles are character k-grams of that text, hashed to 32 bits.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

_DIGIT = re.compile(r"\d")
_OTHER = re.compile(r"[^\w#]+|_")
_WORD = re.compile(r"[^\W_]+|#+")
_NUMBER = re.compile(r"#(?: ?#)*")
SHINGLE = 5


def normalise(text: str) -> str:
    """NFKC, case folded, each number (digits, spaced or not) as one ``#``, other
    non-letters as single spaces."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    spaced = " ".join(_OTHER.sub(" ", _DIGIT.sub("#", folded)).split())
    return _NUMBER.sub("#", spaced)


def tokens(text: str) -> list[str]:
    """Words of ``text`` as written (case folded, NFKC), for templates."""
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def _mix(h: NDArray[np.uint64]) -> NDArray[np.uint64]:
    """splitmix64 finaliser: spreads the bits of a polynomial hash."""
    h = h ^ (h >> np.uint64(30))
    h = h * np.uint64(0xBF58476D1CE4E5B9)
    h = h ^ (h >> np.uint64(27))
    h = h * np.uint64(0x94D049BB133111EB)
    return h ^ (h >> np.uint64(31))


def shingle_sets(texts: Sequence[str], k: int = SHINGLE, chunk: int = 20_000
                 ) -> tuple[NDArray[np.uint32], NDArray[np.int64]]:
    """Each normalised text's distinct k-gram hashes, sorted, as one flat array with offsets
    (text ``i`` owns ``flat[offsets[i]:offsets[i + 1]]``). A text shorter than ``k`` is one
    shingle; an empty text has none. Texts are hashed ``chunk`` at a time (memory)."""
    flats: list[NDArray[np.uint32]] = []
    sizes: list[NDArray[np.int64]] = []
    for lo in range(0, len(texts), chunk):
        flat, offsets = _shingle_chunk(texts[lo:lo + chunk], k)
        flats.append(flat)
        sizes.append(np.diff(offsets))
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    if sizes:
        np.cumsum(np.concatenate(sizes), out=offsets[1:])
    flat = np.concatenate(flats) if flats else np.zeros(0, dtype=np.uint32)
    return flat, offsets


def _shingle_chunk(texts: Sequence[str], k: int
                   ) -> tuple[NDArray[np.uint32], NDArray[np.int64]]:
    padded = [t.ljust(k) if t else "" for t in texts]
    lengths = np.fromiter((len(t) for t in padded), dtype=np.int64, count=len(padded))
    codes = np.frombuffer("".join(padded).encode("utf-32-le"), dtype=np.uint32)
    codes = codes.astype(np.uint64)
    starts = np.zeros(len(padded) + 1, dtype=np.int64)
    np.cumsum(lengths, out=starts[1:])
    windows = max(len(codes) - k + 1, 0)
    h = np.zeros(windows, dtype=np.uint64)
    prime = np.uint64(1_000_003)
    with np.errstate(over="ignore"):
        for j in range(k):
            h = h * prime + codes[j:j + windows]
        hashed = (_mix(h) & np.uint64(0xFFFFFFFF)).astype(np.uint64)
    doc = np.repeat(np.arange(len(padded), dtype=np.uint64), lengths)[:windows]
    valid = np.arange(windows) + k <= starts[1:][doc.astype(np.int64)]
    keys = np.sort((doc[valid] << np.uint64(32)) | hashed[valid])
    keys = keys[np.concatenate(([True], keys[1:] != keys[:-1]))] if len(keys) else keys
    owner = (keys >> np.uint64(32)).astype(np.int64)
    offsets = np.searchsorted(owner, np.arange(len(padded) + 1), side="left").astype(np.int64)
    return (keys & np.uint64(0xFFFFFFFF)).astype(np.uint32), offsets
