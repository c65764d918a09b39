"""The lessons a graded component points to: modules of the programme by id, resolved at
run time (a module not in the programme is skipped, so the feedback never names a lesson
that does not exist)."""

from __future__ import annotations

from collections.abc import Iterable

from veriga.training import content

#: the modules to review for a weak component (``harm``: a harmful action), best first
MODULES: dict[str, tuple[str, ...]] = {
    "roles": ("core-modus-operandi", "core-legal"),
    "links": ("core-evidence", "core-modus-operandi"),
    "evidence": ("core-evidence", "core-legal"),
    "proceeds": ("core-evidence", "financial-follow-the-money", "prosecutors-confiscation"),
    "safeguards": ("core-victim-centred", "ngo-referral"),
    "cooperation": ("core-cooperation",),
    "harm": ("core-victim-centred",),
}


def lessons_for(components: Iterable[str],
                programme: content.Programme | None = None) -> list[str]:
    """The lesson ids to review for ``components``, without repeats, in order."""
    try:
        found = programme or content.programme()
    except content.ContentError:  # content being edited: the grade still stands
        return []
    modules = {m.id: m for m in found.modules}
    out: list[str] = []
    for component in components:
        for module_id in MODULES.get(component, ()):
            module = modules.get(module_id)
            for lesson in module.lessons if module else ():
                if lesson.id not in out:
                    out.append(lesson.id)
    return out
