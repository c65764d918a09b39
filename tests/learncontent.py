"""Training content for the learning tests (the shipped lessons change as they are
written): a module of two lessons, the first also in Latvian, the second only in English."""

from __future__ import annotations

from pathlib import Path

import pytest

from veriga.training import content

LESSON = """---
title: "{title}"
outcomes:
  - id: o1
    text: "{outcome}"
sources:
  - "A synthetic source, Article 1"
examples:
  - title: "{example}"
    view: chain
    text: "{example} text, see `veriga train`."
quiz:
  - id: q1
    outcome: o1
    prompt: "{prompt} one?"
    choices:
      - text: "{right}"
        correct: true
        feedback: "{right}: yes."
      - text: "{wrong}"
        feedback: "{wrong}: no."
  - id: q2
    outcome: o1
    prompt: "{prompt} two?"
    choices:
      - text: A
        correct: true
        feedback: A is right.
      - text: B
        feedback: B is not.
      - text: C
        correct: true
        feedback: C is right too.
---
{body}
"""


def write_content(root: Path) -> Path:
    """A module of two lessons, the first also in Latvian, the second only in English."""
    folder = root / "sample-mod"
    folder.mkdir(parents=True)
    (folder / "module.yml").write_text(
        "id: sample-mod\ntrack: core\norder: 1\ntitle:\n  en: Sample module\n"
        "  lv: Parauga modulis\nsummary:\n  en: A sample.\n  lv: Paraugs.\n"
        "lessons:\n  - sample-one\n  - sample-two\n", encoding="utf-8")
    en = dict(title="First lesson", outcome="Tell A from B.", example="An example",
              prompt="Which", right="Right", wrong="Wrong", body="The **first** lesson.")
    lv = dict(title="Pirmā nodarbība", outcome="Atšķirt A no B.", example="Piemērs",
              prompt="Kurš", right="Pareizi", wrong="Nepareizi", body="**Pirmā** nodarbība.")
    (folder / "sample-one.en.md").write_text(LESSON.format(**en), encoding="utf-8")
    (folder / "sample-one.lv.md").write_text(LESSON.format(**lv), encoding="utf-8")
    two = dict(en, title="Second lesson",
               body="The second lesson.\n\n<script>alert(1)</script>")
    (folder / "sample-two.en.md").write_text(LESSON.format(**two), encoding="utf-8")
    return root


def use_sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> content.Programme:
    """The sample module as the programme every part of Veriga reads."""
    prog = content.load(write_content(tmp_path / "content"))
    monkeypatch.setattr(content, "programme", lambda: prog)
    return prog
