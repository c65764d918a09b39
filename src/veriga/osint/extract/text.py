"""Text folding shared by the extractors: case, diacritics and look-alike letters."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

# Cyrillic and Greek letters that look like Latin ones, mapped to the Latin letter, so that
# "дeвет" written with a Latin "e" and "девет" fold to the same skeleton.
_CONFUSABLE = str.maketrans({
    "а": "a", "в": "b", "е": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s", "ԁ": "d",
    "ο": "o", "α": "a", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ρ": "p", "τ": "t",
    "'": "", "’": "", "ʼ": "", "`": "",
})


@lru_cache(maxsize=65536)
def fold(word: str) -> str:
    """Lower case without diacritics (NFKD, combining marks dropped); scripts are kept."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=65536)
def skeleton(word: str) -> str:
    """``fold`` plus look-alike letters of other scripts mapped to Latin: for matching words
    an ad mixes scripts in on purpose."""
    return fold(word).translate(_CONFUSABLE)
