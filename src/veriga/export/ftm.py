"""FollowTheMoney JSON lines: with Veriga's overlay schemata (``ftm``) or in plain FtM
(``ftm-core``), each line carrying the entity's handling code when one is given.

``ftm-core`` rewrites overlay entities as their nearest core FtM schema, moving overlay-only
values into ``notes``, so partners whose tools know only plain FtM can load the file.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from veriga.export.base import Exporter, HandlingOf
from veriga.model import EntityProxy, core_schema, is_core, model


def to_core(proxy: EntityProxy) -> EntityProxy:
    """The entity in plain FtM: overlay schema replaced by its core ancestor."""
    if is_core(proxy.schema):
        return proxy
    target = core_schema(proxy.schema)
    core = model.make_entity(target)
    core.id = proxy.id
    notes = []
    for prop, value in proxy.itervalues():
        if prop.name in target.properties:
            core.unsafe_add(target.properties[prop.name], value, cleaned=True)
        else:
            notes.append(f"{prop.label}: {value}")
    # a Payment or an Employment has no notes: its description takes them
    into = "notes" if "notes" in target.properties else "description"
    core.add(into, [f"Veriga {proxy.schema.name}"] + notes, cleaned=True)
    return core


@dataclass(frozen=True)
class FtMExporter(Exporter):
    core: bool = False  # plain FtM schemata only

    def write(self, entities: Iterable[EntityProxy], out: Path,
              handling: HandlingOf | None = None) -> int:
        count = 0
        with out.open("w", encoding="utf-8") as fh:
            for proxy in entities:
                data = (to_core(proxy) if self.core else proxy).to_dict()
                if handling is not None:
                    data["handling"] = handling(proxy.id or "")
                fh.write(json.dumps(data, ensure_ascii=False, sort_keys=True) + "\n")
                count += 1
        return count


FTM = FtMExporter("ftm", "ftm.json", "application/x-ndjson",
                  "FollowTheMoney JSON lines with Veriga's schemata and handling codes")
FTM_CORE = FtMExporter("ftm-core", "ftm.json", "application/x-ndjson",
                       "FollowTheMoney JSON lines in plain FtM schemata", core=True)
