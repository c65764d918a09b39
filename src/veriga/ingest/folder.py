"""Import a whole folder: every file whose format is known, CSV/XLSX with a mapping beside it
or in a known bank layout.

A bank or a partner agency often sends a folder. A spreadsheet ``X.csv`` is imported when
``X.csv.mapping.yml`` (or ``X.mapping.yml``) lies beside it, or when its header is one of the
shipped presets (:mod:`veriga.ingest.preset`); other files when their content gives their
format.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from veriga.errors import ImportFailed
from veriga.ingest.registry import detect_format, get_importer
from veriga.ingest.runner import ImportRequest

MAPPING_SUFFIX = ".mapping.yml"
TABULAR = (".csv", ".tsv", ".xlsx")


def mapping_beside(path: Path) -> Path | None:
    """``X.csv.mapping.yml`` or ``X.mapping.yml`` next to ``X.csv``, if there is one."""
    for name in (path.name + MAPPING_SUFFIX, path.stem + MAPPING_SUFFIX):
        candidate = path.with_name(name)
        if candidate.is_file():
            return candidate
    return None


def expand(
    paths: Sequence[Path], template: ImportRequest | None = None
) -> tuple[list[ImportRequest], list[tuple[Path, str]]]:
    """Requests for files and folders; also the files of folders left out, with why."""
    base = template or ImportRequest(path=Path("."))
    requests: list[ImportRequest] = []
    skipped: list[tuple[Path, str]] = []
    for path in paths:
        if not path.is_dir():
            requests.append(_request(base, path, base.mapping or mapping_beside(path)))
            continue
        for item in sorted(p for p in path.rglob("*") if p.is_file()):
            if item.name.endswith(MAPPING_SUFFIX) or item.name.startswith("."):
                continue
            mapping = mapping_beside(item)
            if item.suffix.lower() in TABULAR:
                if mapping is None and not _has_preset(item, base.encoding):
                    skipped.append((item, f"no {item.name}{MAPPING_SUFFIX} beside it and its "
                                          "header matches no preset"))
                else:
                    requests.append(_request(base, item, mapping))
                continue
            try:
                fmt = detect_format(item)
            except ImportFailed:
                skipped.append((item, "format not recognised"))
                continue
            if get_importer(fmt).needs_mapping and mapping is None:
                skipped.append((item, f"no {item.name}{MAPPING_SUFFIX} beside it"))
                continue
            requests.append(_request(base, item, mapping, fmt))
    return requests, skipped


def _has_preset(path: Path, encoding: str | None) -> bool:
    from veriga.ingest.preset import match_preset

    try:
        match_preset(path, "xlsx" if path.suffix.lower() == ".xlsx" else "csv", encoding)
    except ImportFailed:
        return False
    return True


def _request(base: ImportRequest, path: Path, mapping: Path | None,
             fmt: str | None = None) -> ImportRequest:
    return ImportRequest(path=path, format=base.format or fmt, mapping=mapping,
                         encoding=base.encoding, country=base.country, account=base.account,
                         options=dict(base.options))
