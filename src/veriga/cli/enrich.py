"""`veriga enrich`: look an entity up in your other cases and take what they add."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from veriga.cli.common import PurposeOpt, console, workspace


def enrich(
    case: Annotated[str, typer.Argument(help="The case of the entity.")],
    entity_id: Annotated[str, typer.Argument(help="The entity to look up (its id).")],
    take: Annotated[str | None, typer.Option(
        "--take", metavar="CASE/ID",
        help="Take this candidate's new values into the case (a file of their own).")] = None,
    prop: Annotated[list[str] | None, typer.Option(
        "--prop", help="With --take: only the values of this property (repeatable).")] = None,
    with_links: Annotated[bool, typer.Option(
        "--with-links", help="With --take: also take the candidate's links (directors, "
                             "owners...) with the entities at their other end.")] = False,
    purpose: PurposeOpt = None,
) -> None:
    """Look an entity up in the other cases you may read (registers, sanctions lists,
    earlier investigations): same identifier or same name; the values they add, with their
    files. With --take, import a candidate's values into the case."""
    with workspace(purpose, ask=True) as ws:
        if take is None:
            found = ws.enrich.lookup(case, entity_id)
        else:
            other_case, _, other_id = take.partition("/")
            values, links = None, []
            if prop or with_links:
                found = ws.enrich.lookup(case, entity_id)
                chosen = next((c for c in found.candidates if c.case == other_case
                               and c.entity_id == other_id), None)
                if prop:
                    values = [(v.prop, v.value) for v in (chosen.new if chosen else [])
                              if v.prop in prop]
                if with_links:
                    links = [r.link_id for r in (chosen.related if chosen else [])]
            result = ws.enrich.take(case, entity_id, other_case, other_id, values, links)
            console.print(f"took {result['statements']} statement(s) into {case} as "
                          f"{result['file_name']} (handling {result['handling']})",
                          highlight=False)
            return
    console.print(f"[bold]{found.caption}[/] ({found.schema}): {len(found.candidates)} "
                  f"candidate(s) in {', '.join(found.searched) or 'no other case'}",
                  highlight=False)
    if found.skipped:
        console.print(f"not searched (something withheld from you): "
                      f"{', '.join(found.skipped)}", highlight=False)
    for c in found.candidates:
        console.print(f"\n[bold]{c.caption}[/] {c.schema} in {c.case}/{c.entity_id} "
                      f"{c.score:.0%} ({'; '.join(c.reasons)})"
                      + (" [red]differs: " + "; ".join(f"{p} {h} here, {t} there"
                                                      for p, h, t in c.differences) + "[/]"
                         if c.differences
                         else "") + (f" handled {c.handling}" if c.handling != "H0" else ""),
                      highlight=False)
        if c.new:
            table = Table("property", "value", "files")
            for v in c.new:
                table.add_row(v.prop, v.value, ", ".join(v.files))
            console.print(table)
        for r in c.related:
            console.print(f"  {r.link_schema}: {r.other_caption} ({r.other_schema}) "
                          f"[dim]{', '.join(r.files)}[/]", highlight=False)
