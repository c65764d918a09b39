"""Case simulations graded in the tool itself (the capstone of the training programme).

A trainer sets an exercise (:class:`ExerciseSpec`: scenario, difficulty, the trainee's role,
alone or in teams); for each attempt the workspace simulates a fresh seeded world, imports it
into a training case and runs the analyses; :func:`build_key` turns the simulator's ground
truth and that case into the answer key; the trainee reads the :func:`briefing`,
investigates in the normal views and submits an answer (:func:`parse_submission`);
:func:`grade` (or :func:`grade_team`) scores it per component, gives feedback with lessons to
review, and fails it on any action that would harm a victim (:mod:`.harms`).

Nothing here reads the store or the workspace: the workspace part ``ws.exercises`` does.
"""

from veriga.training.simulation.briefing import briefing
from veriga.training.simulation.grading import grade, grade_team
from veriga.training.simulation.harms import harms
from veriga.training.simulation.key import CaseEntity, CaseFinding, build_key, model_answer
from veriga.training.simulation.spec import (
    BRIEFING_ROLES,
    DIFFICULTIES,
    ROLE_PARTS,
    SCENARIOS,
    Difficulty,
    ExerciseSpec,
    parts_of,
)
from veriga.training.simulation.submission import (
    EvidenceItem,
    Submission,
    SubmissionError,
    merge,
    parse_submission,
)

__all__ = ["BRIEFING_ROLES", "DIFFICULTIES", "ROLE_PARTS", "SCENARIOS", "CaseEntity",
           "CaseFinding", "Difficulty", "EvidenceItem", "ExerciseSpec", "Submission",
           "SubmissionError", "briefing", "build_key", "grade", "grade_team", "harms",
           "merge", "model_answer", "parse_submission", "parts_of"]
