"""The indicator library: YAML files, one per indicator family, loaded and checked.

A family file (``indicators/<domain>/<family>.yaml``) names its domain (``sex_ads`` or
``job_ads``), a title and explanation, and its indicators. Each indicator has an ``id``, a
``title``, a plain-language ``explanation``, the published ``source`` it rests on, a
``weight`` in (0, 1], and either

* ``patterns``: regular expressions per language (every language of :data:`LANGUAGES`),
  with ``examples`` per language (sentences that must ``match`` and must not), and
  optionally ``unless``: patterns per language that, in the same sentence, cancel a match
  ("the visa fee is paid by the employer"); or
* ``rule``: a structured indicator computed from the extraction (see
  :mod:`veriga.osint.screen.rules`), with its ``params``.

Patterns and text are compared folded (:func:`fold`): NFKC, case-folded, diacritics dropped,
Cyrillic and Greek look-alikes of Latin letters mapped to them; no script is stripped, and
every match is mapped back to its characters in the raw text. A further language can come
in as one file, ``indicators/languages/<lang>.yaml``, adding patterns and examples to the
indicators it names. Anything malformed is an :class:`IndicatorError` naming the file and
field.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml

from veriga.errors import VerigaError

#: The languages every text indicator covers.
LANGUAGES = ("en", "bg", "lv", "et", "fi", "ru", "uk", "ro", "pl")
DOMAINS = ("sex_ads", "job_ads")
ROOT = Path(__file__).parent / "indicators"
_ID = re.compile(r"^[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+$")
_LANG = re.compile(r"^[a-z]{2,3}$")
MAX_FILE = 1_000_000  # bytes: an indicator file is hand-written text

# Cyrillic and Greek letters that look like Latin ones (ads mix scripts to dodge filters).
_CONFUSABLE = str.maketrans({
    "а": "a", "в": "b", "е": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s", "ԁ": "d",
    "ο": "o", "α": "a", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ρ": "p", "τ": "t",
    "’": "'", "ʼ": "'", "`": "'",
})


class IndicatorError(VerigaError):
    """An indicator file that cannot be used, with the file and field at fault."""


@lru_cache(maxsize=8192)
def _fold_char(char: str) -> str:
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", char).casefold())
    return "".join(c for c in text if not unicodedata.combining(c)).translate(_CONFUSABLE)


@dataclass(frozen=True)
class Folded:
    """A folded text and, for each of its characters, the index of the raw character it
    came from (so a match maps back to the raw text)."""

    text: str
    origin: tuple[int, ...]
    raw_length: int

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The raw span of the folded span ``[start, end)``."""
        if start >= end:
            at = self.origin[start] if start < len(self.origin) else self.raw_length
            return at, at
        return self.origin[start], self.origin[end - 1] + 1


def fold(text: str) -> Folded:
    """``text`` folded for matching, with the way back to the raw characters."""
    parts: list[str] = []
    origin: list[int] = []
    for i, char in enumerate(text):
        piece = _fold_char(char)
        parts.append(piece)
        origin.extend([i] * len(piece))
    return Folded("".join(parts), tuple(origin), len(text))


def fold_pattern(pattern: str) -> str:
    """A regular expression folded like the text it is matched against; escapes (``\\b``,
    ``\\W``) and the characters after a backslash are kept as written."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern[i] == "\\" and i + 1 < len(pattern):
            out.append(pattern[i:i + 2])
            i += 2
            continue
        out.append(_fold_char(pattern[i]))
        i += 1
    return "".join(out)


@dataclass(frozen=True)
class Examples:
    match: tuple[str, ...]
    no_match: tuple[str, ...]


@dataclass(frozen=True)
class Indicator:
    """One indicator of a family; ``patterns`` per language are folded and compiled."""

    id: str
    family: str
    domain: str
    title: str
    explanation: str
    source: str
    weight: float
    patterns: Mapping[str, re.Pattern[str]] = field(default_factory=dict)
    examples: Mapping[str, Examples] = field(default_factory=dict)
    rule: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    negatable: bool = True
    unless: re.Pattern[str] | None = None  # every language's ``unless`` patterns, joined
    path: str = ""

    @property
    def is_text(self) -> bool:
        return self.rule is None


@dataclass(frozen=True)
class FamilyDef:
    """One indicator family (one YAML file)."""

    name: str
    domain: str
    title: str
    explanation: str
    indicators: tuple[Indicator, ...]
    path: str


@dataclass(frozen=True)
class Library:
    """Every family and indicator, and the negation cues per language."""

    families: tuple[FamilyDef, ...]
    negations: Mapping[str, re.Pattern[str]]

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(i for f in self.families for i in f.indicators)

    def indicator(self, indicator_id: str) -> Indicator:
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        raise KeyError(indicator_id)

    def family(self, name: str) -> FamilyDef:
        for fam in self.families:
            if fam.name == name:
                return fam
        raise KeyError(name)

    def languages(self) -> tuple[str, ...]:
        found = {lang for i in self.indicators for lang in i.patterns}
        return tuple(sorted(found, key=lambda x: (x not in LANGUAGES, x)))


def _fail(path: Path | str, where: str, message: str) -> IndicatorError:
    return IndicatorError(f"{path}: {where}: {message}" if where else f"{path}: {message}")


def _read(path: Path) -> Any:
    try:
        if path.stat().st_size > MAX_FILE:
            raise _fail(path, "", f"larger than {MAX_FILE} bytes")
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else ""
        raise _fail(path, where, f"not valid YAML ({getattr(exc, 'problem', exc)})") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(path, "", str(exc)) from exc


def _text(path: Path, where: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(path, where, "expected a non-empty text")
    return " ".join(value.split())


def _strings(path: Path, where: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise _fail(path, where, "expected a non-empty list of texts")
    for k, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise _fail(path, f"{where}[{k}]", "expected a non-empty text")
    return tuple(value)


def _compile(path: Path, where: str, patterns: Sequence[str]) -> re.Pattern[str]:
    for k, pat in enumerate(patterns):
        try:
            re.compile(fold_pattern(pat))
        except re.error as exc:
            raise _fail(path, f"{where}[{k}]", f"bad regular expression ({exc})") from exc
        if re.fullmatch(fold_pattern(pat), ""):
            raise _fail(path, f"{where}[{k}]", "matches the empty text")
    return re.compile("|".join(f"(?:{fold_pattern(p)})" for p in patterns))


def _examples(path: Path, where: str, value: Any) -> Examples:
    if not isinstance(value, Mapping) or set(value) - {"match", "no_match"}:
        raise _fail(path, where, "expected match: [...] and no_match: [...]")
    return Examples(_strings(path, f"{where}.match", value.get("match")),
                    _strings(path, f"{where}.no_match", value.get("no_match")))


_INDICATOR_KEYS = {"id", "title", "explanation", "source", "weight", "patterns", "examples",
                   "rule", "params", "negatable", "unless"}


def _indicator(path: Path, where: str, data: Any, family: str, domain: str,
               rules: Mapping[str, Any]) -> Indicator:
    if not isinstance(data, Mapping):
        raise _fail(path, where, "expected a mapping")
    unknown = sorted(set(data) - _INDICATOR_KEYS)
    if unknown:
        raise _fail(path, f"{where}.{unknown[0]}", f"unknown field (known: "
                    f"{', '.join(sorted(_INDICATOR_KEYS))})")
    ident = data.get("id")
    if not isinstance(ident, str) or not _ID.match(ident):
        raise _fail(path, f"{where}.id", "expected an id such as youth.words (lower case, "
                    "dotted)")
    where = f"{where} ({ident})"
    weight = data.get("weight")
    if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 < weight <= 1:
        raise _fail(path, f"{where}.weight", "expected a number in (0, 1]")
    negatable = data.get("negatable", True)
    if not isinstance(negatable, bool):
        raise _fail(path, f"{where}.negatable", "expected true or false")
    common: dict[str, Any] = dict(id=ident, family=family, domain=domain,
                  title=_text(path, f"{where}.title", data.get("title")),
                  explanation=_text(path, f"{where}.explanation", data.get("explanation")),
                  source=_text(path, f"{where}.source", data.get("source")),
                  weight=float(weight), negatable=negatable, path=str(path))
    if ("rule" in data) == ("patterns" in data):
        raise _fail(path, where, "give either patterns (per language) or a rule")
    if "rule" in data:
        rule = data["rule"]
        if rule not in rules:
            raise _fail(path, f"{where}.rule", f"unknown rule {rule!r} (known: "
                        f"{', '.join(sorted(rules))})")
        params = data.get("params") or {}
        if not isinstance(params, Mapping):
            raise _fail(path, f"{where}.params", "expected a mapping")
        spec = rules[rule]
        for name, value in params.items():
            if name not in spec.params:
                raise _fail(path, f"{where}.params.{name}", f"rule {rule} takes "
                            f"{', '.join(spec.params) or 'no parameters'}")
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise _fail(path, f"{where}.params.{name}", "expected a number")
        examples = data.get("examples") or {}
        if spec.scope != "corpus" and not examples:
            raise _fail(path, f"{where}.examples", "an ad-level rule needs examples in at "
                        "least one language")
        if not isinstance(examples, Mapping):
            raise _fail(path, f"{where}.examples", "expected examples per language")
        checked = {lang: _examples(path, f"{where}.examples.{lang}", ex)
                   for lang, ex in examples.items()}
        return Indicator(**common, rule=rule, params={**spec.params, **params},
                         examples=checked)
    patterns = data["patterns"]
    if not isinstance(patterns, Mapping):
        raise _fail(path, f"{where}.patterns", "expected patterns per language")
    missing = [lang for lang in LANGUAGES if lang not in patterns]
    if missing:
        raise _fail(path, f"{where}.patterns", f"no patterns for {', '.join(missing)} "
                    f"(every indicator covers {', '.join(LANGUAGES)})")
    examples = data.get("examples")
    if not isinstance(examples, Mapping):
        raise _fail(path, f"{where}.examples", "expected examples per language")
    compiled, checked = {}, {}
    for lang, pats in patterns.items():
        if not isinstance(lang, str) or not _LANG.match(lang):
            raise _fail(path, f"{where}.patterns.{lang}", "expected a language code")
        compiled[lang] = _compile(path, f"{where}.patterns.{lang}",
                                  _strings(path, f"{where}.patterns.{lang}", pats))
        if lang not in examples:
            raise _fail(path, f"{where}.examples.{lang}", "each language with patterns "
                        "needs examples that match and examples that do not")
        checked[lang] = _examples(path, f"{where}.examples.{lang}", examples[lang])
    extra = sorted(set(examples) - set(patterns))
    if extra:
        raise _fail(path, f"{where}.examples.{extra[0]}", "examples of a language without "
                    "patterns")
    unless = data.get("unless")
    joined: re.Pattern[str] | None = None
    if unless is not None:
        if not isinstance(unless, Mapping) or not unless:
            raise _fail(path, f"{where}.unless", "expected patterns per language")
        parts = [_compile(path, f"{where}.unless.{lang}",
                          _strings(path, f"{where}.unless.{lang}", pats)).pattern
                 for lang, pats in unless.items()]
        joined = re.compile("|".join(f"(?:{p})" for p in parts))
    return Indicator(**common, patterns=compiled, examples=checked, unless=joined)


def load_family(path: Path, rules: Mapping[str, Any] | None = None) -> FamilyDef:
    """One family file, checked."""
    if rules is None:
        from veriga.osint.screen.rules import RULES
        rules = RULES
    data = _read(path)
    if not isinstance(data, Mapping):
        raise _fail(path, "", "expected a mapping with family, domain, title, explanation "
                    "and indicators")
    unknown = sorted(set(data) - {"family", "domain", "title", "explanation", "indicators"})
    if unknown:
        raise _fail(path, unknown[0], "unknown field")
    name = data.get("family")
    if not isinstance(name, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        raise _fail(path, "family", "expected a name such as youth")
    if name != path.stem:
        raise _fail(path, "family", f"the family {name!r} must be in a file named {name}.yaml")
    domain = data.get("domain")
    if domain not in DOMAINS:
        raise _fail(path, "domain", f"expected one of {', '.join(DOMAINS)}")
    items = data.get("indicators")
    if not isinstance(items, list) or not items:
        raise _fail(path, "indicators", "expected a non-empty list")
    indicators = tuple(_indicator(path, f"indicators[{k}]", item, name, domain, rules)
                       for k, item in enumerate(items))
    for ind in indicators:
        if not ind.id.startswith(f"{name}."):
            raise _fail(path, f"indicators ({ind.id}).id", f"ids of this family start with "
                        f"{name}.")
    return FamilyDef(name, domain, _text(path, "title", data.get("title")),
                     _text(path, "explanation", data.get("explanation")), indicators,
                     str(path))


def _negations(path: Path) -> dict[str, re.Pattern[str]]:
    data = _read(path)
    if not isinstance(data, Mapping) or not isinstance(data.get("negations"), Mapping):
        raise _fail(path, "negations", "expected negation cues per language")
    out = {}
    for lang, cues in data["negations"].items():
        words = _strings(path, f"negations.{lang}", cues)
        alternation = "|".join(fold_pattern(w) for w in words)
        # a cue, then at most three words on the same clause, then the indicator's match
        try:
            out[lang] = re.compile(rf"(?:^|[^\w'])(?:{alternation})(?:[ \t]+[\w'-]+){{0,3}}"
                                   r"[ \t]*$")
        except re.error as exc:
            raise _fail(path, f"negations.{lang}", f"bad regular expression ({exc})") from exc
    missing = [lang for lang in LANGUAGES if lang not in out]
    if missing:
        raise _fail(path, "negations", f"no cues for {', '.join(missing)}")
    return out


def _language_file(path: Path, families: list[FamilyDef]) -> list[FamilyDef]:
    """Add one language's patterns and examples to the indicators its file names."""
    data = _read(path)
    if not isinstance(data, Mapping) or set(data) - {"language", "indicators"}:
        raise _fail(path, "", "expected language: xx and indicators: {id: {patterns, "
                    "examples}}")
    lang = data.get("language")
    if not isinstance(lang, str) or not _LANG.match(lang) or lang != path.stem:
        raise _fail(path, "language", f"expected the code the file is named after ({path.stem})")
    items = data.get("indicators")
    if not isinstance(items, Mapping) or not items:
        raise _fail(path, "indicators", "expected patterns and examples per indicator id")
    by_id = {i.id: (k, j) for k, f in enumerate(families) for j, i in enumerate(f.indicators)}
    out = list(families)
    for ident, item in items.items():
        where = f"indicators.{ident}"
        if ident not in by_id:
            raise _fail(path, where, "no such indicator")
        k, j = by_id[ident]
        ind = out[k].indicators[j]
        if not ind.is_text:
            raise _fail(path, where, "a rule has no patterns")
        if lang in ind.patterns:
            raise _fail(path, where, f"{lang} patterns are already in {ind.path}")
        if not isinstance(item, Mapping) or set(item) != {"patterns", "examples"}:
            raise _fail(path, where, "expected patterns and examples")
        pats = _compile(path, f"{where}.patterns", _strings(path, f"{where}.patterns",
                                                           item["patterns"]))
        ex = _examples(path, f"{where}.examples", item["examples"])
        new = Indicator(**{**ind.__dict__, "patterns": {**ind.patterns, lang: pats},
                           "examples": {**ind.examples, lang: ex}})
        inds = list(out[k].indicators)
        inds[j] = new
        out[k] = FamilyDef(**{**out[k].__dict__, "indicators": tuple(inds)})
    return out


def load_library(root: Path = ROOT) -> Library:
    """Every family under ``root`` (``<domain>/<family>.yaml``), the negation cues
    (``negations.yaml``) and further languages (``languages/<lang>.yaml``), checked."""
    families: list[FamilyDef] = []
    for domain in DOMAINS:
        for path in sorted((root / domain).glob("*.yaml")):
            fam = load_family(path)
            if fam.domain != domain:
                raise _fail(path, "domain", f"a family under {domain}/ has domain {domain}")
            families.append(fam)
    if not families:
        raise IndicatorError(f"{root}: no indicator families (<domain>/<family>.yaml)")
    for path in sorted((root / "languages").glob("*.yaml")):
        families = _language_file(path, families)
    seen: dict[str, str] = {}
    for fam in families:
        if fam.name in seen:
            raise _fail(fam.path, "family", f"{fam.name!r} is also in {seen[fam.name]}")
        seen[fam.name] = fam.path
    ids: dict[str, str] = {}
    for ind in (i for f in families for i in f.indicators):
        if ind.id in ids:
            raise _fail(ind.path, f"indicators ({ind.id}).id", f"also in {ids[ind.id]}")
        ids[ind.id] = ind.path
    return Library(tuple(families), _negations(root / "negations.yaml"))


@cache
def default_library() -> Library:
    """The library shipped with Veriga (loaded once)."""
    return load_library()
