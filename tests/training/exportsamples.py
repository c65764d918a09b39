"""A small programme for the export tests: one lesson translated into Latvian, one not, a
question with several correct answers, and texts full of GIFT's special characters."""

from __future__ import annotations

from pathlib import Path

from veriga.training.content import Programme, load

MODULE = """id: sample-mod
track: core
order: 1
title:
  en: "Sample module: exports"
  lv: "Parauga modulis: eksports"
summary:
  en: A module for the tests.
lessons:
  - lesson-one
  - lesson-two
"""

ONE_EN = """---
title: "Lesson one: <the> basics"
outcomes:
  - id: basics
    text: Name the three elements.
sources:
  - "Directive 2011/36/EU, Article 2"
examples:
  - title: An example
    view: chain
    text: The chain view shows the stages.
quiz:
  - id: q-single
    outcome: basics
    prompt: "Which is right? {a} = b: #c ~d \\\\ end"
    choices:
      - text: "The first {one}"
        correct: true
        feedback: "Yes: #1 is = right"
      - text: The second
        feedback: "No ~ not this one"
---
Trafficking has **three** elements.

<script>alert(1)</script>
"""

ONE_LV = """---
title: "Pirmā nodarbība: pamati"
outcomes:
  - id: basics
    text: Nosauciet trīs elementus.
examples:
  - title: Piemērs
    text: Ķēdes skats rāda posmus.
quiz:
  - id: q-single
    outcome: basics
    prompt: "Kura atbilde ir pareiza?"
    choices:
      - text: Pirmā
        correct: true
        feedback: Jā, pareizi.
      - text: Otrā
        feedback: Nē, ne šī.
---
Cilvēku tirdzniecībai ir **trīs** elementi.
"""

TWO_EN = """---
title: Lesson two
outcomes:
  - id: evidence
    text: Name evidence beyond testimony.
sources:
  - "Palermo Protocol, Article 3"
quiz:
  - id: q-multi
    outcome: evidence
    prompt: Which are evidence beyond the victim's testimony?
    choices:
      - text: Bank statements
        correct: true
        feedback: Right, financial evidence.
      - text: Seized phones
        correct: true
        feedback: Right, digital evidence.
      - text: A rumour
        feedback: Not evidence.
      - text: The suspect's denial
        feedback: Not corroboration.
      - text: Another rumour
        feedback: Still not evidence.
---
Build the case on more than one voice.
"""


def sample_programme(root: Path) -> Programme:
    folder = root / "content" / "sample-mod"
    folder.mkdir(parents=True)
    (folder / "module.yml").write_text(MODULE, encoding="utf-8")
    (folder / "lesson-one.en.md").write_text(ONE_EN, encoding="utf-8")
    (folder / "lesson-one.lv.md").write_text(ONE_LV, encoding="utf-8")
    (folder / "lesson-two.en.md").write_text(TWO_EN, encoding="utf-8")
    return load(root / "content")
