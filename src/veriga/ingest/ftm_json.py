"""FollowTheMoney JSON lines: one entity ``{"id", "schema", "properties"}`` per line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from veriga.ingest.base import Draft, ImportContext, Importer, Item
from veriga.ingest.guards import json_too_deep
from veriga.ingest.limits import size
from veriga.model import model

TOO_DEEP = object()


class FtMJSONImporter(Importer):
    name = "veriga.ingest.ftm_json"
    version = "1"
    format = "ftm"
    media_type = "application/x-ndjson"

    @classmethod
    def detect(cls, path: Path, head: bytes) -> int:
        first = head.lstrip(b"\xef\xbb\xbf \t\r\n").split(b"\n", 1)[0]
        if not first.startswith(b"{"):
            return 0
        try:
            data = json.loads(first)
        except (ValueError, RecursionError):
            return 10 if b'"schema"' in first else 0
        return 90 if isinstance(data, dict) and "schema" in data else 0

    def parse(self, ctx: ImportContext) -> Iterator[Item]:
        done = 0
        most = ctx.limits.max_line_bytes
        with ctx.path.open("rb") as fh:
            for lineno, raw in enumerate(iter(lambda: fh.readline(most + 1), b""), start=1):
                if len(raw) > most and not raw.endswith(b"\n"):
                    raise ctx.fail(f"line {lineno}", f"line longer than {size(most)} "
                                                     "(max_line_bytes); refused")
                done += len(raw)
                if lineno % 5000 == 0:
                    ctx.progress(done)
                try:
                    line = raw.decode("utf-8-sig" if lineno == 1 else "utf-8").strip()
                except UnicodeDecodeError as exc:
                    ctx.reject(f"line {lineno}", None, None,
                               f"not UTF-8 (byte {exc.start}): FtM JSON must be UTF-8")
                    continue
                if not line:
                    continue
                draft = self._draft(ctx, lineno, line)
                if draft is not None:
                    yield draft
        ctx.progress(done)

    def _draft(self, ctx: ImportContext, lineno: int, line: str) -> Draft | None:
        loc = f"line {lineno}"
        try:
            data = json.loads(line)
        except ValueError as exc:
            ctx.reject(loc, None, line[:80], f"invalid JSON: {exc}")
            return None
        except RecursionError:
            data = TOO_DEEP
        if data is TOO_DEEP or json_too_deep(data, ctx.limits.max_depth):
            raise ctx.fail(loc, f"JSON nested deeper than {ctx.limits.max_depth} levels "
                                "(max_depth); refused")
        if not isinstance(data, dict):
            ctx.reject(loc, None, line[:80], "not a JSON object")
            return None
        schema_name = data.get("schema")
        entity_id = data.get("id")
        if not isinstance(entity_id, str) or not entity_id.strip():
            ctx.reject(loc, "id", entity_id, "entity has no id")
            return None
        schema = model.get(schema_name) if isinstance(schema_name, str) else None
        if schema is None:
            ctx.reject(loc, "schema", schema_name, "unknown schema")
            return None
        if schema.abstract:
            ctx.reject(loc, "schema", schema_name, "schema is abstract and cannot hold entities")
            return None
        draft = Draft(schema=schema.name, id=entity_id.strip(), locator=loc)
        properties = data.get("properties") or {}
        if not isinstance(properties, dict):
            ctx.reject(loc, "properties", None, "properties is not an object")
            return None
        for prop, values in properties.items():
            if not isinstance(values, list):
                values = [values]
            for value in values:
                if isinstance(value, dict | list):
                    ctx.reject(loc, prop, json.dumps(value)[:80], "nested value is not allowed")
                    continue
                draft.add(prop, value)
        return draft
