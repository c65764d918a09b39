"""The lessons a graded component (or a harmful action) points to, resolved at run time
against the programme: a lesson or module not (or no longer) in it is skipped, so the
feedback never names a lesson that does not exist."""

from __future__ import annotations

from collections.abc import Iterable

from veriga.training import content

#: what to review for a weak component or a harmful action (``harm:<kind>``), best first:
#: ``module-id/lesson-id``, or ``module-id`` for every lesson of a module
REVIEW: dict[str, tuple[str, ...]] = {
    "roles": ("core-modus-operandi/exploitation-forms", "core-legal/act-means-purpose"),
    "links": ("core-evidence/money-evidence", "le-financial/le-fin-parallel-investigation"),
    "evidence": ("core-evidence/beyond-testimony",
                 "core-evidence/digital-documentary-evidence",
                 "pros-no-testimony/pros-corroboration-strategy"),
    "proceeds": ("core-evidence/money-evidence", "fin-follow-money/fin-follow-money-trace",
                 "pros-confiscation/pros-freezing-compensation"),
    "safeguards": ("core-victim-centred/identification-referral",
                   "core-victim-centred/non-punishment-court",
                   "ngo-proceedings/ngo-proceedings-rights"),
    "cooperation": ("core-cooperation/agencies-and-jits", "core-cooperation/eio-and-fiu",
                    "pros-jit/pros-jit-when-eurojust"),
    "harm:exposes_victim": ("ngo-safe-sharing/ngo-safe-sharing-gdpr",
                            "core-victim-centred/identification-referral"),
    "harm:testimony_only": ("core-evidence/beyond-testimony",
                            "pros-no-testimony/pros-corroboration-strategy"),
    "harm:victim_as_offender": ("core-victim-centred/non-punishment-court",
                                "judges-non-punishment/judges-np-legal-basis"),
}


def lessons_for(topics: Iterable[str], programme: content.Programme | None = None
                ) -> list[str]:
    """The lesson ids to review for ``topics`` (components, ``harm:<kind>``), without
    repeats, in order."""
    try:
        found = programme or content.programme()
    except content.ContentError:  # content being edited: the grade still stands
        return []
    modules = {m.id: m for m in found.modules}
    out: list[str] = []
    for topic in topics:
        for ref in REVIEW.get(topic, ()):
            module_id, _, lesson_id = ref.partition("/")
            module = modules.get(module_id)
            for lesson in module.lessons if module else ():
                if (not lesson_id or lesson.id == lesson_id) and lesson.id not in out:
                    out.append(lesson.id)
    return out
