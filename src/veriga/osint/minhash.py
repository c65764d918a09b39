"""MinHash signatures, LSH banding and exact Jaccard of shingle sets, vectorised with numpy.

Deterministic: the hash family is fixed by a seed, and candidate pairs come out sorted.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

EMPTY = np.uint32(0xFFFFFFFF)


def _fmix32(h: NDArray[np.uint32]) -> NDArray[np.uint32]:
    """MurmurHash3's 32-bit finaliser."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def signatures(flat: NDArray[np.uint32], offsets: NDArray[np.int64], num_perm: int = 64,
               seed: int = 14) -> NDArray[np.uint32]:
    """One row of ``num_perm`` minimum hashes per set; an empty set's row is all ``EMPTY``."""
    n = len(offsets) - 1
    sig = np.full((n, num_perm), EMPTY, dtype=np.uint32)
    sizes = np.diff(offsets)
    filled = np.flatnonzero(sizes > 0)
    if len(filled) == 0:
        return sig
    salts = np.random.default_rng(seed).integers(0, 2**32, size=num_perm, dtype=np.uint64)
    starts = offsets[filled]
    with np.errstate(over="ignore"):
        for p in range(num_perm):
            mixed = _fmix32(flat ^ salts[p].astype(np.uint32))
            sig[filled, p] = np.minimum.reduceat(mixed, starts)
    return sig


def candidate_pairs(sig: NDArray[np.uint32], bands: int = 16) -> NDArray[np.int64]:
    """Pairs ``(i, j)``, ``i < j``, of rows equal in at least one band: within a bucket each
    row is paired with the bucket's first row and with the row before it (enough for
    connected components, linear in the bucket's size). Empty rows take part in none."""
    n, num_perm = sig.shape
    rows = num_perm // bands
    live = np.flatnonzero(sig[:, 0] != EMPTY)
    found: list[NDArray[np.int64]] = []
    for b in range(bands):
        band = sig[live, b * rows:(b + 1) * rows].astype(np.uint64)
        key = np.zeros(len(live), dtype=np.uint64)
        with np.errstate(over="ignore"):
            for c in range(rows):
                key = (key * np.uint64(0x100000001B3)) ^ band[:, c]
        order = np.lexsort((live, key))
        skey, members = key[order], live[order]
        same = np.concatenate(([False], skey[1:] == skey[:-1]))
        if not same.any():
            continue
        head = np.maximum.accumulate(np.where(same, 0, np.arange(len(skey))))
        idx = np.flatnonzero(same)
        found.append(np.stack([members[head[idx]], members[idx]], axis=1))
        found.append(np.stack([members[idx - 1], members[idx]], axis=1))
    if not found:
        return np.zeros((0, 2), dtype=np.int64)
    pairs = np.concatenate(found)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    pairs.sort(axis=1)
    codes = np.sort(pairs[:, 0].astype(np.uint64) * np.uint64(n) + pairs[:, 1].astype(np.uint64))
    codes = codes[np.concatenate(([True], codes[1:] != codes[:-1]))]
    return np.stack([(codes // np.uint64(n)).astype(np.int64),
                     (codes % np.uint64(n)).astype(np.int64)], axis=1)


def jaccard(flat: NDArray[np.uint32], offsets: NDArray[np.int64], pairs: NDArray[np.int64],
            batch: int = 20_000) -> NDArray[np.float64]:
    """Exact Jaccard similarity of the shingle sets of each pair."""
    out = np.zeros(len(pairs), dtype=np.float64)
    sizes = np.diff(offsets)
    for lo in range(0, len(pairs), batch):
        part = pairs[lo:lo + batch]
        a, b = part[:, 0], part[:, 1]
        la, lb = sizes[a], sizes[b]
        owner = np.repeat(np.arange(len(part), dtype=np.uint64), la + lb)
        starts = np.stack([offsets[a], offsets[b]], axis=1).ravel()
        lens = np.stack([la, lb], axis=1).ravel()
        total = int(lens.sum())
        pos = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(lens) - lens, lens)
        gathered = flat[np.repeat(starts, lens) + pos].astype(np.uint64)
        keys = np.sort((owner << np.uint64(32)) | gathered)
        dup = np.flatnonzero(keys[1:] == keys[:-1])
        inter = np.bincount((keys[dup] >> np.uint64(32)).astype(np.int64),
                            minlength=len(part))
        union = la + lb - inter
        out[lo:lo + batch] = np.where(union > 0, inter / np.maximum(union, 1), 0.0)
    return out
