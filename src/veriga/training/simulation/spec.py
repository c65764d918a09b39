"""What a trainer sets: the scenario, the difficulty, the trainee's role and, for a group
exercise, which parts of the answer each role delivers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from veriga.errors import VerigaError
from veriga.findings import N_
from veriga.training.simulation.vocab import COMPONENTS

#: the simulator's scenarios (``veriga.simulate.SCENARIOS``; the simulator is not imported
#: here: the workspace builds the world)
SCENARIOS: dict[str, str] = {
    "sexual-exploitation": N_("sexual exploitation"),
    "labour-exploitation": N_("labour exploitation"),
    "mixed": N_("sexual and labour exploitation"),
    "laundering": N_("laundering of proceeds"),
}


@dataclass(frozen=True)
class Difficulty:
    """How hard an exercise is: the world's size, how many lawful look-alikes are put
    among the entities to assess, and how many of the offenders the briefing names."""

    name: str
    label: str
    size: str  # a size of ``veriga.simulate.SIZES``
    decoys: int  # lawful parties (decoys, namesakes) among the entities to assess
    leads: float  # the share of the offenders named in the briefing as leads
    pass_mark: float  # the score an attempt needs (and no harmful action)


DIFFICULTIES: dict[str, Difficulty] = {
    "easy": Difficulty("easy", N_("easy"), "tiny", 1, 1.0, 0.5),
    "medium": Difficulty("medium", N_("medium"), "small", 3, 0.6, 0.6),
    "hard": Difficulty("hard", N_("hard"), "small", 8, 0.3, 0.7),
}

#: the roles a trainee plays, and the parts of the answer each delivers in a group
#: exercise (alone, a trainee delivers every part)
ROLE_PARTS: dict[str, tuple[str, ...]] = {
    "investigator": ("roles", "links", "evidence"),
    "prosecutor": ("evidence", "cooperation"),
    "financial_officer": ("proceeds", "links"),
    "labour_inspector": ("roles", "evidence"),
    "ngo": ("safeguards",),
}
BRIEFING_ROLES: dict[str, str] = {
    "investigator": N_("investigator"),
    "prosecutor": N_("prosecutor"),
    "financial_officer": N_("financial officer (FIU)"),
    "labour_inspector": N_("labour inspector"),
    "ngo": N_("NGO support worker"),
}


@dataclass(frozen=True)
class ExerciseSpec:
    """An exercise as set: validated values only."""

    title: str
    scenario: str
    difficulty: str
    role: str = "investigator"  # the trainee's role when alone
    team: bool = False

    def __post_init__(self) -> None:
        problems = []
        if not self.title.strip():
            problems.append("an exercise needs a title")
        if self.scenario not in SCENARIOS:
            problems.append(f"unknown scenario {self.scenario!r}; known: "
                            + ", ".join(SCENARIOS))
        if self.difficulty not in DIFFICULTIES:
            problems.append(f"unknown difficulty {self.difficulty!r}; known: "
                            + ", ".join(DIFFICULTIES))
        if self.role not in ROLE_PARTS:
            problems.append(f"unknown role {self.role!r}; known: " + ", ".join(ROLE_PARTS))
        if problems:
            raise VerigaError("; ".join(problems))

    @property
    def level(self) -> Difficulty:
        return DIFFICULTIES[self.difficulty]

    def settings(self) -> dict[str, Any]:
        """What is stored in ``training_exercises.settings``."""
        return {"role": self.role}


def parts_of(role: str | None, team: bool) -> tuple[str, ...]:
    """The components a member delivers: all of them alone, their role's part in a team."""
    if not team or role is None:
        return tuple(COMPONENTS)
    return ROLE_PARTS[role]
