"""Ingest: detect a file's format, parse, normalise, report rejects, commit all or nothing."""

from veriga.ingest.base import Draft, ImportContext, Importer, RecordBatch, Reject
from veriga.ingest.folder import expand
from veriga.ingest.mapping import MappingError, load_mapping
from veriga.ingest.registry import detect_format, formats, get_importer, importers
from veriga.ingest.runner import ImportRequest, ImportResult, read_file, run_imports

__all__ = [
    "Draft", "ImportContext", "ImportRequest", "ImportResult", "Importer", "MappingError",
    "RecordBatch", "Reject", "detect_format", "expand", "formats", "get_importer", "load_mapping",
    "importers", "read_file", "run_imports",
]
