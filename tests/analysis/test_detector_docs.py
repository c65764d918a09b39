"""Every detector's documentation link points to a section that exists: a file of docs/ with
an ``<a id="...">`` anchor of that name."""

from __future__ import annotations

import re
from pathlib import Path

from veriga import analysis

ROOT = Path(__file__).resolve().parents[2]


def test_every_detectors_docs_link_has_its_anchor() -> None:
    missing = []
    for kind, det in analysis.detectors().items():
        path, _, anchor = det.docs.partition("#")
        doc = ROOT / path
        text = doc.read_text(encoding="utf-8") if doc.is_file() else ""
        if not re.search(rf'<a id="{re.escape(anchor)}"></a>', text):
            missing.append(f"{kind}: {det.docs}")
    assert not missing, missing
