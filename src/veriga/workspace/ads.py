"""``ws.ads``: a case's online ads, and each ad's page as it was captured.

The captured page is read from the WARC file its ad was imported from, kept by the import
(:mod:`veriga.store.originals`), found by the record's locator, URL and payload SHA-256, and
checked against both digests. It is shown only to readers who see the case unminimised: a
page is an image of what was published, with faces, names and numbers no minimisation can
replace, so a restricted (NGO) reader gets the values extracted from the ad, minimised like
every text they see, and is told the page is withheld. Every read is audited.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from veriga.access.policy import Op
from veriga.ingest.warc import WARCImporter
from veriga.osint.capture import SafePage, archive_resources, page_html, read_record, safe_page
from veriga.workspace.part import Part

#: Properties of an ad counted per value for the filters.
FACETS = ("site", "city", "language")


@dataclass
class Capture:
    """Where and when an ad's page was captured, and whether its record still verifies."""

    entity_id: str  # as the reader sees it
    url: str
    captured_at: str
    sha256: str  # of the payload, recorded at import
    source_id: str
    source_file: str
    source_sha256: str
    locator: str | None
    kept: bool = False  # the WARC file is in the workspace
    found: bool = False  # the record is in it
    #: the payload still has the SHA-256 recorded at import and its WARC-Payload-Digest
    verified: bool = False
    declared_digest: str | None = None
    truncated: str | None = None
    withheld: bool = False  # the page is not shown to this reader (minimised)
    page: SafePage | None = None


class Ads(Part):
    def facets(self, case: str, props: Sequence[str] = FACETS
               ) -> dict[str, list[tuple[str, int]]]:
        """How many ads the reader may see state each site, city and language (counted in
        SQL); the read is audited."""
        with self.ws.case(case, Op.ENTITY_READ) as access:
            found = self.ws.store.value_counts(
                access.conn, access.case_id, "Advertisement", props,
                exclude_sources=access.hidden_sources, exclude_ids=access.hidden_entities,
                only_ids=access.only_ids)
            access.audit("ads.facets", props=list(props))
        return access.shown(found)

    def capture(self, case: str, entity_id: str, page: bool = False) -> Capture | None:
        """The capture of an ad (or any page imported from a WARC file), checked against its
        digests; with ``page`` the page itself, made safe to show (see
        :func:`veriga.osint.capture.safe_page`), unless the reader sees the case minimised.
        None if the entity came from no WARC file the reader may see."""
        with self.ws.case(case, Op.ENTITY_READ) as access:
            real = access.real_id(entity_id)
            rows = self.ws.entity_rows(access, real)
            capture = _capture(entity_id, rows)
            if capture is None:
                access.audit("ad.capture", real, found=False)
                return None
            capture.withheld = access.minimiser is not None
            originals = self.ws.originals
            capture.kept = originals.has(access.case_id, capture.source_sha256)
            if capture.kept:
                path = originals.path(access.case_id, capture.source_sha256)
                record = read_record(path, capture.url, capture.sha256, capture.locator)
                if record is not None:
                    capture.found = True
                    capture.declared_digest = record.declared_digest
                    capture.truncated = record.truncated
                    capture.verified = record.sha256 == capture.sha256 \
                        and record.digest_matches() is not False
                    if page and not capture.withheld and capture.verified \
                            and record.mime in ("text/html", "application/xhtml+xml"):
                        capture.page = safe_page(page_html(record), record.url,
                                                 archive_resources(path))
            access.audit("ad.capture", real, source=capture.source_id,
                         locator=capture.locator, page=capture.page is not None,
                         withheld=capture.withheld, verified=capture.verified)
        if capture.withheld:
            capture.url = access.shown(capture.url)
        return capture


def _capture(entity_id: str, rows: list[dict[str, Any]]) -> Capture | None:
    """The capture stated by the entity's statements from a WARC import (the latest)."""
    by_source: dict[str, dict[str, Any]] = {}
    for row in rows:
        if row["importer"] != WARCImporter.name:
            continue
        found = by_source.setdefault(row["source_id"], {"row": row})
        if row["prop"] in ("sourceUrl", "contentHash", "retrievedAt"):
            found.setdefault(row["prop"], row["value"])
            if row["prop"] == "contentHash":
                found["locator"] = row["locator"]
    usable = [f for f in by_source.values() if "sourceUrl" in f and "contentHash" in f]
    if not usable:
        return None
    latest = max(usable, key=lambda f: (str(f["row"]["imported_at"]), f.get("retrievedAt", "")))
    row = latest["row"]
    return Capture(entity_id=entity_id, url=latest["sourceUrl"],
                   captured_at=latest.get("retrievedAt", ""), sha256=latest["contentHash"],
                   source_id=row["source_id"], source_file=row["file_name"],
                   source_sha256=row["sha256"], locator=latest.get("locator"))


__all__ = ["FACETS", "Ads", "Capture"]
