"""Text scrubbing: every protected value in a text replaced, in one pass per kind of value.

Names, documents, e-mails and ids are matched as whole words, in any letter case, with and
without accents; phone numbers and IBANs in any of the ways people write them (``+371 2912
3456``, ``0037129123456``, ``LV80 BANK 0000 4351 9500 1``). The literals are compiled into
one regular expression shaped as a trie, so that thousands of values cost one scan.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

# A value starts and ends where a letter or digit does not go on (``export_LT12...csv``).
_BEFORE = r"(?<![^\W_])"
_AFTER = r"(?![^\W_])"
_PHONE = re.compile(r"(?<![^\W_]|\+)\+?\(?\d[\d\s().\-/]{4,22}\d" + _AFTER)
_IBAN = re.compile(_BEFORE + r"[A-Za-z]{2}\d{2}(?:[ \-]?[A-Za-z0-9]){8,32}")
MIN_ACCOUNT = 12
_MEMO = 200_000  # scrubbed texts remembered per scrubber


def fold(text: str) -> str:
    """``text`` without accents (``Țurcan`` → ``Turcan``)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def compact(text: str) -> str:
    return re.sub(r"[\s\-]", "", text).upper()


def _trie_pattern(words: Iterable[str]) -> str:
    """A regular expression matching any of ``words``, built as a trie (shared prefixes are
    matched once, longer words first)."""
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = True

    def emit(node: dict[str, Any]) -> str:
        ends = "" in node
        branches = [re.escape(c) + emit(child) for c, child in sorted(node.items()) if c]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 and not ends else \
            "(?:" + "|".join(branches) + ")"
        return body + "?" if ends else body

    return emit(trie)


class Scrubber:
    """Replaces protected values in texts.

    ``literals`` maps a value (any case) to its replacement; ``phones`` maps the digits of a
    number (international, without ``+``, and national forms) to its replacement; ``ibans``
    maps a compact upper-case account number to its replacement.
    """

    def __init__(self, literals: Mapping[str, str], phones: Mapping[str, str],
                 ibans: Mapping[str, str]) -> None:
        self.literals: dict[str, str] = {}
        for literal, shown in literals.items():
            if not literal.strip():
                continue
            # without accents, and as HTML and JSON (ASCII-only) write it, in the usual cases
            for form in {literal, fold(literal)}:
                self.literals.setdefault(form.lower(), shown)
                for cased in {form, form.lower(), form.upper(), form.title()}:
                    for escaped in (html.escape(cased), json.dumps(cased)[1:-1]):
                        self.literals.setdefault(escaped.lower(), shown)
        self.phones = dict(phones)
        self.ibans = {compact(k): v for k, v in ibans.items()}
        words = sorted(self.literals, key=len, reverse=True)
        self._words = re.compile(_BEFORE + "(?:" + _trie_pattern(words) + ")" + _AFTER,
                                 re.IGNORECASE) if words else None
        self._memo: dict[str, str] = {}
        self._withheld: str | None = None

    def withholding(self, shown: str) -> Scrubber:
        """The same scrubber replacing every value with ``shown`` (for texts that may echo
        what the reader typed: a replacement by pseudonym would tell whose it is)."""
        other = Scrubber.__new__(Scrubber)
        other.__dict__.update(self.__dict__)
        other._memo = {}
        other._withheld = shown
        return other

    def __bool__(self) -> bool:
        return bool(self.literals or self.phones or self.ibans)

    def _phone(self, match: re.Match[str]) -> str:
        number = digits(match.group(0))
        for candidate in (number, number[2:] if number.startswith("00") else "",
                          number.lstrip("0")):
            if candidate and candidate in self.phones:
                return self._withheld or self.phones[candidate]
        return match.group(0)

    def _iban(self, match: re.Match[str]) -> str:
        """The longest known account number the match starts with, replaced (the match may
        run on into the next word: ``LT12 3456 ... 7890 EUR``)."""
        text = match.group(0)
        code = compact(text)
        for n in range(len(code), MIN_ACCOUNT - 1, -1):
            shown = self.ibans.get(code[:n])
            if shown is None:
                continue
            seen = 0
            for end, char in enumerate(text, 1):
                seen += char not in " -"
                if seen == n:
                    rest = text[end:]
                    return (self._withheld or shown) + rest if not rest[:1].isalnum() else text
        return text

    def _word(self, match: re.Match[str]) -> str:
        shown = self.literals.get(match.group(0).lower())
        return match.group(0) if shown is None else self._withheld or shown

    def __call__(self, text: str) -> str:
        if not text or not self:
            return text
        done = self._memo.get(text)
        if done is not None:
            return done
        out = text
        if self.ibans:
            out = _IBAN.sub(self._iban, out)
        if self.phones:
            out = _PHONE.sub(self._phone, out)
        if self._words is not None:
            out = self._words.sub(self._word, out)
            if not out.isascii():
                folded = fold(out)  # a value written with accents we do not know of
                if folded != out and self._words.search(folded):
                    out = self._words.sub(self._word, folded)
        if len(self._memo) > _MEMO:
            self._memo.clear()
        self._memo[text] = out
        return out

    def deep(self, value: Any) -> Any:
        """``value`` with every string in it (in dicts, lists and tuples) scrubbed."""
        if isinstance(value, str):
            return self(value)
        if isinstance(value, dict):
            return {self.deep(k) if isinstance(k, str) else k: self.deep(v)
                    for k, v in value.items()}
        if isinstance(value, list):
            return [self.deep(v) for v in value]
        if isinstance(value, tuple):
            return tuple(self.deep(v) for v in value)
        return value
