"""Photo matching against the simulator's answer key: per transformation, the share of
reposted photo files matched with an unedited upload of their picture, and no two
pictures confused (slow: simulates and hashes every operation photo)."""

from __future__ import annotations

import json
import random
from collections import defaultdict
from pathlib import Path

import pytest

from veriga.osint.photos import PhotoHashes, cluster, hash_image, same_picture
from veriga.simulate import simulate
from veriga.simulate.photos import Uploads


def photo_recall(world: Path) -> tuple[dict[str, tuple[int, int]], int, int]:
    """Per edit kind (``+``-joined), (files matched with the picture's unedited upload,
    files); and the pairs of different pictures that ``cluster`` put together out of the
    pictures seen, and the number of pictures."""
    key = json.loads((world / "ground_truth.json").read_text(encoding="utf-8"))
    uploads = Uploads()
    originals: dict[str, PhotoHashes] = {}
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    hashed: list[PhotoHashes] = []
    pictures: list[str] = []
    for ad in key["ads"]:
        if ad["kind"] != "operation":
            continue
        for f in ad["photo_files"]:
            picture = f["picture"]
            if picture not in originals:
                plain = uploads.upload(picture, (), random.Random(0), "x").data
                originals[picture] = hash_image(plain)
            mine = hash_image((world / f["file"]).read_bytes())
            name = "+".join(f["edits"]) or "none"
            counts[name][1] += 1
            counts[name][0] += same_picture(mine, originals[picture])
            hashed.append(mine)
            pictures.append(picture)
    labels = cluster(hashed)
    found: dict[int, set[str]] = defaultdict(set)
    for label, picture in zip(labels, pictures, strict=True):
        found[label].add(picture)
    confused = sum(len(p) - 1 for p in found.values())
    return {k: (v[0], v[1]) for k, v in sorted(counts.items())}, confused, len(originals)


@pytest.mark.slow
def test_photo_recall_per_transformation(tmp_path: Path) -> None:
    simulate("sexual-exploitation", "small", 1, tmp_path / "w")
    recall, confused, pictures = photo_recall(tmp_path / "w")
    share = {k: hit / n for k, (hit, n) in recall.items()}
    # measured (small, seed 1): 1.00 for none, resize, recompress, mirror, watermark and
    # resize+watermark; crop about 0.4 (a crop moves the whole pHash; the crop-resistant
    # segments find part of them); no two pictures clustered together
    for edit in ("none", "resize", "recompress", "mirror", "watermark"):
        assert share[edit] >= 0.95, (edit, recall[edit])
    assert share["resize+watermark"] >= 0.9
    assert share["crop"] >= 0.25 and share["mirror+crop"] >= 0.2
    assert pictures > 10 and confused == 0
