"""The language of an ad's text: py3langid restricted to the languages ads come in, with the
text's script deciding when the text is too short to classify."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from veriga.osint.extract.types import Language

ISO3 = {"en": "eng", "bg": "bul", "lv": "lav", "et": "est", "fi": "fin", "ru": "rus",
        "uk": "ukr", "ro": "ron", "pl": "pol", "lt": "lit", "sv": "swe", "de": "deu",
        "no": "nor", "da": "dan"}
_LETTERS = re.compile(r"[^\W\d_]")
_UKRAINIAN = re.compile(r"[іїєґ]", re.I)
_BULGARIAN = re.compile(r"[ъ]|\b(?:за|на|и|с|от|търсим|без)\b", re.I)


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import (  # type: ignore[import-untyped]
        MODEL_FILE,
        LanguageIdentifier,
    )

    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    ident.set_languages(sorted(ISO3))
    return ident


def detect_language(text: str) -> Language | None:
    """The most likely language, or None for a text without letters."""
    letters = _LETTERS.findall(text)
    if len(letters) < 3:
        return None
    code, prob = _identifier().classify(text)
    code, confidence = str(code), float(prob)
    cyrillic = sum("\u0400" <= c <= "\u04ff" for c in letters) > len(letters) / 2
    if cyrillic and code not in ("ru", "uk", "bg"):
        code, confidence = "ru", 0.5
    if cyrillic and code == "ru" and _UKRAINIAN.search(text):
        code = "uk"
    return Language(code, ISO3[code], round(confidence, 3))
