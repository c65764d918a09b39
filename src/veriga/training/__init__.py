"""The virtual training programme: content (modules, lessons, quizzes), case simulations
graded in the tool itself, delivery to cohorts, and exports to learning-management systems.

Beside the analysis families: it imports what is below ``veriga.analysis`` (and the
simulator), never the workspace; the workspace (``ws.training``) stores and checks what
trainees and trainers do.
"""
