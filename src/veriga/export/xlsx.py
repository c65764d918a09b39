"""XLSX workbooks, one sheet per schema, every value written as text with formula triggers
defused (:mod:`veriga.export.cells`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from followthemoney.export.excel import ExcelExporter

from veriga.export.base import Exporter, HandlingOf
from veriga.export.cells import text_cells
from veriga.model import EntityProxy


class _SafeExcel(ExcelExporter):
    """XLSX with every value written as text and formula triggers defused (a value such as
    ``=HYPERLINK(...)`` from an imported file must not become a live formula)."""

    def write(self, proxy: EntityProxy, extra: list[str] | None = None) -> None:
        if proxy.schema not in self.sheets:
            headers = ["ID", *self.extra]
            headers.extend(prop.label for prop in self.exportable_properties(proxy.schema))
            self.sheets[proxy.schema] = self.make_sheet(proxy.schema.plural, headers)
        sheet = self.sheets[proxy.schema]
        values = [proxy.id, *(extra or [])]
        values.extend(prop.type.join(vals) for prop, vals in self.exportable_fields(proxy))
        sheet.append(text_cells(sheet, values))


@dataclass(frozen=True)
class XlsxExporter(Exporter):
    def write(self, entities: Iterable[EntityProxy], out: Path,
              handling: HandlingOf | None = None) -> int:
        count = 0
        exporter = _SafeExcel(out)
        for proxy in entities:
            exporter.write(proxy)
            count += 1
        exporter.finalize()
        return count


XLSX = XlsxExporter("xlsx", "xlsx",
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    "XLSX workbook, one sheet per schema, values as text")
