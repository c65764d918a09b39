"""Analysis families: the one way an analysis plugs into Veriga.

A family (finance, and later entity resolution, online investigation, labour schemes,
cooperation matching) is one package that reads a case's entities and bulk records and
yields :class:`~veriga.findings.Finding` objects. It declares itself as a :class:`Family`
named in the ``veriga.analyses`` entry-point group (see :mod:`veriga.plugins`); the workspace
runs it through ``ws.analyses.run``, and ``veriga analyze [--only NAME]`` from the terminal.

Each detector of a family describes itself with a :class:`Detector`: the stage of the
trafficking chain its findings speak to and the role it gives the entities it flags are
read from there, by the chain views and the report alike (:func:`stage_of`, :func:`role_of`).
"""

from veriga.analysis.family import (
    ROLE_STAGE,
    STAGES,
    Detector,
    Family,
    Inputs,
    Param,
    Progress,
    Run,
    Score,
    family_params,
    score_table,
)
from veriga.analysis.registry import (
    chosen,
    detector,
    detectors,
    families,
    family,
    role_of,
    stage_of,
)

__all__ = ["ROLE_STAGE", "STAGES", "Detector", "Family", "Inputs", "Param", "Progress", "Run",
           "Score", "chosen", "detector", "detectors", "families", "family", "family_params",
           "role_of", "score_table", "stage_of"]
