"""Probabilistic record linkage of resolution records with Splink 5: scored pairs and clusters.

``link(records)`` deduplicates a table of resolution records (the columns of ``COLUMNS``, one
row per person or company as the case holds it) and returns a ``Linked``:

- ``pairs``: every proposed match at or above ``LinkSettings.pair_threshold`` (0.5), with
  ``left_id < right_id``, the ``kind``, ``match_probability``, ``match_weight`` (log2 of the
  odds) and, per comparison of ``COMPARISONS``, ``<comparison>_level`` (the label of the level
  the pair fell into, e.g. ``name_level = "exact"``, ``birth_date_level = "different"``) and
  ``<comparison>_weight`` (that level's match weight, log2 of its Bayes factor m/u: positive
  where the field agreed, negative where it disagreed, 0 where a value was missing). The
  pair's ``match_weight`` is the prior weight plus the sum of these weights, so a finding can
  say which fields agreed or disagreed and how much each weighed.
- ``clusters``: every record with its ``cluster_id`` (the smallest ``record_id`` of its
  cluster): the pairs at or above ``LinkSettings.threshold`` (0.9) joined strongest first,
  short of a birth date or legal form conflict (see **Clusters**). A record that matches
  nothing is a cluster of its own.
- ``models``: per kind, how its model was made (trained or priors) and the Splink model
  itself (the settings dictionary with every m and u probability), so a run can be explained
  and repeated.

Each kind (``person``, ``company``, any other value of ``kind``) is linked on its own, with
its own model: a person is never linked to a company.

**Comparisons** (``COMPARISONS``, the SQL in ``_levels``): the name (the same name key, i.e.
the same tokens in any order; the same phonetic codes; a typo, by edit similarity; the tokens
of one all in the other; the same initials and a shared token; similar; one token or code
shared), the birth date (exact; one character apart or day and month swapped; the same month;
the same year), phones and e-mails (one shared), IBANs (one shared; none shared where both
records are known by nothing else than a name and accounts, as a bank statement's
counterparty is, which weighs more against than a different account beside a birth date, a
phone or a number; or none shared), registration numbers (one shared; the first ones one edit
apart, or two characters swapped), countries (one shared), gender, the address key (exact;
most words shared, by the Dice coefficient of its words), and a person's context (the
companies the case ties the record to: employer, company directed or owned, the business
whose statement names them; ``veriga.resolve.context``: most of its keys shared, by their
Dice coefficient, a company in common, or none). A missing value weighs nothing. Every
function used is built into both DuckDB and Spark and gives the same
result on both (Jaro-Winkler is not: Spark's comes from Splink's Scala functions and differs
from DuckDB's on a few pairs in a thousand, which changed clusters between the engines), so
the engines give the same pairs.

**Blocking.** Candidate pairs share a blocking key (one exploding blocking rule over the
array ``block_keys``, made here from the record): a phone (E.164), e-mail, IBAN or
registration number; the address key; a full birth date together with one phonetic code of
the name; two name tokens (in any order; the token itself for a one-word name); a token and
the initial of another (``P. Georgiev`` meets ``Petar Georgiev``); two phonetic
codes of the name; two of rigour's name symbols (when the records carry them). A key held by
more than ``max_block_size`` records of one kind (a switchboard phone, a very common name, a
hostel) proposes no pairs: it identifies no one, and it would make the number of pairs grow
with the square of the case.

**Training.** Unsupervised, on the case itself. First the case says how many of its pairs are
matches and how many are namesakes (``_estimate``): of the pairs with the same full name where
both records give a birth date, the share whose dates cannot be one person's is taken for the
share of namesakes among all same-name pairs, the rest are matches; the pairs sharing a
registration number, or name and birth date, taken to be ``deterministic_recall`` of the
matches, are a second estimate of the matches, the larger kept. That gives the prior
probability that two records match and the u of the exact name level. (Investigative cases
hold many records of few people: a suspect is in every booking and statement. Pairs of random
records, which u is usually trained on, are then mostly one person's records wherever a name
or a date is shared.) A case (of one kind) under ``estimate_records`` records keeps the fixed
priors of ``COMPARISONS`` (the m and u of every level, chosen for small investigative cases)
and a prior probability of ``2 * duplicates_per_record / (n - 1)``, at most
``max_prior_lambda``, so that a shared name alone proposes a pair but makes no cluster; one
under ``small_case`` records uses the estimate (between that prior and ``max_small_lambda``)
with the priors. A larger case trains the u probabilities on every pair of a sample of
``u_records`` records, less the share the matches make of each level (``_without_matches``);
the m probabilities by expectation maximisation (starting from the priors) on up to two plain
blocking rules (the same birth date, the same name key, the same address: the first two giving
between ``min_em_pairs`` and ``max_em_pairs`` pairs) over a sample of ``train_records``
records. With ``name_frequencies`` the weight of an exact name is adjusted for how common that
name is in the case (Splink's term frequencies; off by default, as a name is "common" in a
case mostly because one person has many records). No m probability goes below ``min_m`` and
no u below ``min_u``, so no level is infinitely decisive. The samples are chosen by the MD5 of
the record id and training always runs in process (DuckDB: the samples are small whatever the
size of the case), so a case gives the same model, and the same pairs and clusters, on DuckDB
and on Spark.

**Clusters** are not plain connected components of the pairs at or above ``threshold``:
components chain namesakes together through records that give no birth date. The pairs are
joined strongest first, and a pair that would put two birth dates that cannot be one
person's, or two different legal forms of a company, into one cluster is left out
(``_clusters``); it stays a proposal for a person to decide.
"""

from __future__ import annotations

import logging
import math
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from veriga.analysis import Progress

__all__ = ["COLUMNS", "COMPARISONS", "LinkSettings", "Linked", "Model", "link"]

#: The resolution records' columns (veriga.resolve.records writes them) and their types.
COLUMNS: dict[str, pa.DataType] = {
    "record_id": pa.string(), "kind": pa.string(), "name": pa.string(),
    "names": pa.list_(pa.string()), "name_key": pa.string(), "tokens": pa.list_(pa.string()),
    "phonetic": pa.list_(pa.string()), "initials": pa.string(), "birth_date": pa.string(),
    "phones": pa.list_(pa.string()), "emails": pa.list_(pa.string()),
    "ibans": pa.list_(pa.string()), "reg_numbers": pa.list_(pa.string()),
    "countries": pa.list_(pa.string()), "address_key": pa.string(),
    "context": pa.list_(pa.string()), "problems": pa.list_(pa.string()),
    # optional: rigour's name symbols (blocking on pairs of them), f/m, a company's legal forms
    "symbols": pa.list_(pa.string()), "gender": pa.string(),
    "legal_forms": pa.list_(pa.string()),
}


@dataclass(frozen=True)
class LinkSettings:
    """How records are linked; the defaults are documented in the module docstring."""

    threshold: float = 0.9  # match probability at which two records are one cluster
    pair_threshold: float = 0.5  # lowest match probability of a pair returned
    small_case: int = 1000  # fewer records (of one kind) than this: priors, no training
    max_block_size: int = 200  # records sharing one blocking key before it is dropped
    u_records: int = 1500  # sample whose every pair (1.1M) trains the u probabilities
    train_records: int = 100_000  # records (whole blocks) EM trains the m probabilities on
    min_em_pairs: int = 200  # an EM rule needs this many pairs in its sample ...
    max_em_pairs: int = 3_000_000  # ... and no more than this
    duplicates_per_record: float = 0.25  # prior: duplicate pairs per record in a small case ...
    max_prior_lambda: float = 0.005  # ... and the prior probability two records match at most
    estimate_records: int = 50  # from this many records on, a small case's prior is estimated
    max_small_lambda: float = 0.02  # ... from the case, at most this
    deterministic_recall: float = 0.7  # share of matches sharing a registration or name+date
    min_m: float = 1e-3  # floor of every m probability ...
    min_u: float = 1e-5  # ... and of every u probability
    max_iterations: int = 25  # of EM
    name_frequencies: bool = False  # weigh an exact name by how common it is in the case


@dataclass(frozen=True)
class Model:
    """How one kind was linked: its record count, whether it was trained, and the model."""

    kind: str
    records: int
    trained: bool
    probability_two_random_records_match: float
    candidate_pairs: int  # upper bound of the pairs blocking proposes (before dedupe)
    splink: dict[str, Any] = field(repr=False)  # the Splink settings, with m and u


@dataclass(frozen=True)
class Linked:
    pairs: pa.Table
    clusters: pa.Table
    models: dict[str, Model]


# -- comparisons ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Level:
    label: str  # stable: findings and translations key on it
    m: float  # prior m probability (share of true matches at this level)
    u: float  # prior u probability (share of non-matches at this level)


#: Per comparison, its levels from the most to the least similar (after the null level,
#: "missing", which weighs 0) with their prior m and u probabilities. The SQL of each level
#: is in ``_levels``.
COMPARISONS: dict[str, tuple[Level, ...]] = {
    "name": (
        Level("exact", 0.50, 0.0005),  # the same tokens (word order ignored)
        Level("sounds alike", 0.12, 0.0005),  # the same phonetic codes
        Level("typo", 0.12, 0.001),  # edit similarity >= 0.85 (no initial in either name)
        Level("part of", 0.08, 0.0005),  # the tokens of one are all in the other
        Level("initials", 0.05, 0.0005),  # an initial, the same initials and a token shared
        Level("part misspelt", 0.06, 0.001),  # a token shared, the others a typo apart
        Level("shares a part", 0.03, 0.05),  # a token or phonetic code shared, others differ
        Level("different", 0.04, 0.9465),
    ),
    "birth_date": (
        Level("exact", 0.85, 0.0002),
        Level("typo", 0.05, 0.002),  # full dates one character apart, or day and month swapped
        Level("same month", 0.03, 0.002),  # the same year and month
        Level("same year", 0.03, 0.02),
        Level("different", 0.04, 0.9758),
    ),
    "phones": (Level("shared", 0.60, 0.0005), Level("different", 0.40, 0.9995)),
    "emails": (Level("shared", 0.50, 0.0002), Level("different", 0.50, 0.9998)),
    "ibans": (
        Level("shared", 0.80, 0.0005),
        Level("different, nothing else", 0.02, 0.5),  # both known only by name and account
        Level("different", 0.18, 0.4995),
    ),
    "reg_numbers": (
        Level("shared", 0.70, 0.0001),
        Level("typo", 0.10, 0.0005),  # the first numbers one edit apart, or two swapped
        Level("different", 0.20, 0.9994),
    ),
    "countries": (Level("shared", 0.90, 0.30), Level("different", 0.10, 0.70)),
    "gender": (Level("same", 0.95, 0.50), Level("different", 0.05, 0.50)),
    "address": (
        Level("exact", 0.50, 0.002),
        Level("typo", 0.15, 0.003),  # words: Dice coefficient >= 0.75 (one word in 4 differs)
        Level("similar", 0.10, 0.03),  # Dice >= 0.5
        Level("different", 0.25, 0.965),
    ),
    "context": (
        Level("mostly shared", 0.25, 0.0005),  # Dice coefficient of the parties' keys >= 0.25
        Level("shared", 0.10, 0.02),  # a party in common among many
        Level("different", 0.65, 0.9795),
    ),
}
MISSING = "missing"
#: Priors of a kind of record that differ from ``COMPARISONS``: a register holds one company
#: of a name (per country), so two companies of one name (its legal form aside) are far
#: rarer than two people of one name.
KIND_PRIORS: dict[str, dict[tuple[str, str], Level]] = {
    "company": {("name", "exact"): Level("exact", 0.50, 0.00002)},
}
#: The comparisons that identify someone beyond the name (a birth date conflict inside a
#: cluster is let through only when one of them agrees).
IDENTIFYING = ("phones", "emails", "ibans", "reg_numbers", "address")

# The plain blocking rules EM may train on, most precise first, with the comparison each one
# leaves untrained (it uses the rule's column).
_EM_RULES = {"reg_first": "reg_numbers", "birth_date": "birth_date", "phone_first": "phones",
             "name_key": "name", "address_key": "address"}
# Levels whose m EM does not train: how often one person's records carry different phones,
# e-mails, IBANs (and, of records known only by a name and accounts, different accounts: a
# person has a few accounts, but the statements of a case name most people by one), numbers
# or countries, or a different gender, cannot be learnt from a case
# where most people carry one value each (EM makes them near 0, so that one different
# e-mail would outweigh everything else); EM takes countries and gender, shared by most
# pairs it sees, for what makes a match; and relatives sharing a phone or an address in its
# blocks make it believe that a person's records often give different birth dates (they
# differ by a typo, which has its own level).
_FIXED_M = {("phones", "different"), ("emails", "different"), ("ibans", "different"),
            ("ibans", "different, nothing else"),
            ("reg_numbers", "different"), ("birth_date", "different"),
            ("countries", "shared"), ("countries", "different"),
            ("gender", "same"), ("gender", "different")}


def _sql(sql: str) -> Any:
    """A level of SQL written in DuckDB's dialect; Splink translates it for Spark."""
    import splink.comparison_level_library as cll

    return cll.CustomLevel(sql, base_dialect_str="duckdb")


def _similar(column: str, at_least: float) -> Any:
    """Edit similarity (1 - Levenshtein distance / the longer length) at least ``at_least``."""
    return _sql(f"1 - levenshtein({column}_l, {column}_r) / "
                f"greatest(length({column}_l), length({column}_r)) >= {at_least}")


def _rest_similar(at_least: float, dialect: str) -> Any:
    """The tokens each name has and the other has not, joined, at an edit similarity of at
    least ``at_least`` (``hanna jesdicai`` and ``hanna jessica``: yes; two sisters,
    ``paivi stalinen`` and ``minna stalinen``: no)."""
    import splink.comparison_level_library as cll

    def rest(a: str, b: str) -> str:
        if dialect == "spark":
            return f"concat_ws(' ', array_except({a}, {b}))"
        return f"array_to_string(list_filter({a}, lambda t: not list_contains({b}, t)), ' ')"

    left, right = rest("tokens_l", "tokens_r"), rest("tokens_r", "tokens_l")
    return cll.CustomLevel(f"1 - levenshtein({left}, {right}) / "
                           f"nullif(greatest(length({left}), length({right})), 0) >= {at_least}")


def _dice(column: str, at_least: float, dialect: str) -> Any:
    """The Dice coefficient of two arrays of distinct values at least ``at_least``."""
    import splink.comparison_level_library as cll

    size, inter = ("size", "array_intersect") if dialect == "spark" else ("len", "list_intersect")
    return cll.CustomLevel(f"2 * {size}({inter}({column}_l, {column}_r)) / "
                           f"({size}({column}_l) + {size}({column}_r)) >= {at_least}")


def _levels(comparison: str, dialect: str, tf: bool = False) -> tuple[Any, list[Any]]:
    """The null level and the SQL levels of a comparison (Splink level creators); ``tf``:
    the exact name level adjusted for how common the name is in the case.

    Only functions that DuckDB and Spark both have built in, with the same results, so that
    the engines give the same pairs: no Jaro-Winkler (Spark's comes from Splink's Scala
    functions and differs from DuckDB's on a few pairs in a thousand) and no
    Damerau-Levenshtein (the same, and slow in DuckDB)."""
    import splink.comparison_level_library as cll

    if comparison == "gender":
        return cll.NullLevel(comparison), [cll.ExactMatchLevel(comparison), cll.ElseLevel()]
    if comparison == "ibans":
        return cll.NullLevel(comparison), [
            cll.ArrayIntersectLevel(comparison, 1),
            _sql("account_only_l and account_only_r"),
            cll.ElseLevel(),
        ]
    if comparison == "context":
        return cll.NullLevel(comparison), [
            _dice(comparison, 0.25, dialect),
            cll.ArrayIntersectLevel(comparison, 1),
            cll.ElseLevel(),
        ]
    if comparison in {"phones", "emails", "countries"}:
        return cll.NullLevel(comparison), [cll.ArrayIntersectLevel(comparison, 1),
                                           cll.ElseLevel()]
    if comparison == "name":
        # names with different numbers (``Group 109`` and ``Group 379``, ``GlobalLabor SRL``
        # and its successor ``GlobalLabor 2 SRL``) are never similar
        numbers = _sql("coalesce(name_numbers_l, '') = coalesce(name_numbers_r, '')")
        return cll.NullLevel("name_key"), [
            cll.ExactMatchLevel("name_key", term_frequency_adjustments=tf),
            cll.And(numbers, cll.ExactMatchLevel("phonetic_key")),  # null with an initial
            cll.And(numbers, _sql("not (abbreviated_l or abbreviated_r)"),
                    _similar("name_key", 0.85)),
            cll.And(numbers, cll.ArraySubsetLevel("tokens")),
            cll.And(numbers, _sql("abbreviated_l or abbreviated_r"),
                    cll.ExactMatchLevel("initials"), cll.ArrayIntersectLevel("tokens", 1)),
            cll.And(numbers, cll.ArrayIntersectLevel("tokens", 1), _rest_similar(0.6, dialect)),
            cll.Or(cll.ArrayIntersectLevel("tokens", 1), cll.ArrayIntersectLevel("phonetic", 1)),
            cll.ElseLevel(),
        ]
    if comparison == "birth_date":
        return cll.NullLevel("birth_date"), [
            cll.ExactMatchLevel("birth_date"),
            _sql("levenshtein(birth_full_l, birth_full_r) <= 1 "
                 "or birth_full_l = birth_swapped_r"),
            cll.ExactMatchLevel("birth_ym"),
            cll.ExactMatchLevel("birth_y"),
            cll.ElseLevel(),
        ]
    if comparison == "reg_numbers":
        return cll.NullLevel(comparison), [
            cll.ArrayIntersectLevel(comparison, 1),
            # one edit, or two that swap characters (two companies of one register
            # often have numbers two edits apart: 10554923 and 10549323)
            _sql("levenshtein(reg_first_l, reg_first_r) <= 1 or "
                 "(levenshtein(reg_first_l, reg_first_r) = 2 and reg_sorted_l = reg_sorted_r)"),
            cll.ElseLevel(),
        ]
    if comparison == "address":
        return cll.NullLevel("address_key"), [
            cll.ExactMatchLevel("address_key"),
            _dice("address_tokens", 0.75, dialect),
            _dice("address_tokens", 0.5, dialect),
            cll.ElseLevel(),
        ]
    raise KeyError(comparison)


def priors(kind: str) -> dict[str, tuple[Level, ...]]:
    """The prior levels of every comparison for a kind of record (``KIND_PRIORS`` over
    ``COMPARISONS``)."""
    override = KIND_PRIORS.get(kind, {})
    return {name: tuple(override.get((name, lv.label), lv) for lv in levels)
            for name, levels in COMPARISONS.items()}


def _settings(lam: float, s: LinkSettings, dialect: str, tf: bool = False,
              kind: str = "person") -> dict[str, Any]:
    """The Splink settings (dedupe_only) with the prior m and u of every level of ``kind``,
    in the SQL dialect of the engine (``duckdb`` or ``spark``); ``tf`` as for ``_levels``."""
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    comparisons: list[Any] = []
    for name, levels in priors(kind).items():
        null, sql_levels = _levels(name, dialect, tf)
        configured = [null.configure(label_for_charts=MISSING)]
        for level, creator in zip(levels, sql_levels, strict=True):
            configured.append(creator.configure(
                m_probability=level.m, u_probability=level.u, label_for_charts=level.label,
                fix_m_probability=(name, level.label) in _FIXED_M))
        comparisons.append(cl.CustomComparison(configured, output_column_name=name))
    creator = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="record_id",
        probability_two_random_records_match=lam,
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=[
            block_on("block_keys", arrays_to_explode=["block_keys"])],
        retain_matching_columns=True,
        retain_intermediate_calculation_columns=True,
        max_iterations=s.max_iterations,
    )
    return creator.create_settings_dict(dialect)


# -- preparing the records ------------------------------------------------------------------

def _clean_array(col: str, limit: int | None = None) -> str:
    """SQL: the distinct non-empty values of an array column, sorted; NULL when none."""
    values = f"list_sort(list_distinct(list_filter({col}, lambda v: v is not null and v <> '')))"
    if limit:
        values = f"{values}[1:{limit}]"
    return f"case when len({values}) > 0 then {values} end"


_BASE_SQL = f"""
create or replace temp table rl_base as
select
    record_id, kind,
    nullif(trim(name_key), '') as name_key,
    {_clean_array("tokens", 8)} as tokens,
    list_bool_or([length(t) = 1 and not regexp_full_match(t, '[0-9]') for t in tokens])
        as abbreviated,  -- an initial is a letter (GlobalLabor 2 has none)
    {_clean_array("phonetic", 8)} as phonetic,
    nullif(trim(initials), '') as initials,
    case when regexp_full_match(birth_date, '[0-9]{{4}}(-[0-9]{{2}}(-[0-9]{{2}})?)?')
         then birth_date end as birth_date,
    {_clean_array("phones")} as phones,
    {_clean_array("emails")} as emails,
    {_clean_array("ibans")} as ibans,
    {_clean_array("reg_numbers")} as reg_numbers,
    {_clean_array("countries")} as countries,
    nullif(trim(address_key), '') as address_key,
    {_clean_array("context")} as context,
    {_clean_array("symbols", 8)} as symbols,
    {_clean_array("legal_forms", 4)} as legal_forms,
    case when lower(gender) in ('f', 'm') then lower(gender) end as gender
from rl_input
"""

# Every blocking key of every record, as (kind, record_id, key).
_KEYS_SQL = """
create or replace temp table rl_keys as
with tok as (select kind, record_id, unnest(tokens) as t, len(tokens) as n from rl_base),
     pho as (select kind, record_id, unnest(phonetic) as t, len(phonetic) as n from rl_base),
     sym as (select kind, record_id, unnest(symbols) as t from rl_base)
select kind, record_id, 'p:' || unnest(phones) as k from rl_base
union all select kind, record_id, 'e:' || unnest(emails) from rl_base
union all select kind, record_id, 'i:' || unnest(ibans) from rl_base
union all select kind, record_id, 'r:' || unnest(reg_numbers) from rl_base
union all select kind, record_id, 'a:' || address_key from rl_base where address_key is not null
union all select kind, record_id, 'd:' || birth_date || ' ' || unnest(phonetic) from rl_base
          where length(birth_date) = 10
union all select a.kind, a.record_id, 't:' || a.t || ' ' || b.t from tok a join tok b
          on a.record_id = b.record_id and a.kind = b.kind and a.t < b.t
union all select kind, record_id, 't:' || t from tok where n = 1
union all select a.kind, a.record_id, 'g:' || a.t || ' ' || left(b.t, 1) from tok a join tok b
          on a.record_id = b.record_id and a.kind = b.kind and a.t <> b.t
          where length(a.t) > 1
union all select a.kind, a.record_id, 'f:' || a.t || ' ' || b.t from pho a join pho b
          on a.record_id = b.record_id and a.kind = b.kind and a.t < b.t
union all select kind, record_id, 'f:' || t from pho where n = 1
union all select a.kind, a.record_id, 's:' || a.t || ' ' || b.t from sym a join sym b
          on a.record_id = b.record_id and a.kind = b.kind and a.t < b.t
"""

_BLOCKS_SQL = """
create or replace temp table rl_sizes as
select kind, k, count(distinct record_id) as size from rl_keys group by kind, k;
create or replace temp table rl_blocks as
select kind, record_id, list(distinct k order by k) as block_keys
from rl_keys join rl_sizes using (kind, k)
where size between 2 and $cap
group by kind, record_id
"""

_PREPARED_SQL = """
select b.record_id, b.name_key, b.tokens, b.phonetic,
       case when not coalesce(b.abbreviated, false)
            then array_to_string(b.phonetic, ' ') end as phonetic_key, b.initials,
       coalesce(b.abbreviated, false) as abbreviated,
       nullif(array_to_string(list_filter(b.tokens, lambda t: regexp_full_match(t, '[0-9]+')), ' '),
              '') as name_numbers,
       b.birth_date,
       case when length(b.birth_date) = 10 then b.birth_date end as birth_full,
       case when length(b.birth_date) = 10
                 and substr(b.birth_date, 6, 2) <> substr(b.birth_date, 9, 2)
            then substr(b.birth_date, 1, 5) || substr(b.birth_date, 9, 2) || '-'
                 || substr(b.birth_date, 6, 2) end as birth_swapped,
       case when length(b.birth_date) >= 7 then substr(b.birth_date, 1, 7) end as birth_ym,
       substr(b.birth_date, 1, 4) as birth_y,
       b.phones, b.phones[1] as phone_first, b.emails, b.ibans, b.reg_numbers,
       b.reg_numbers[1] as reg_first,
       array_to_string(list_sort(string_split(b.reg_numbers[1], '')), '') as reg_sorted,
       b.countries, b.gender, b.address_key, b.legal_forms, b.context,
       (b.ibans is not null and b.birth_date is null and b.phones is null and b.emails is null
        and b.reg_numbers is null and b.address_key is null) as account_only,
       list_sort(list_distinct(string_split(b.address_key, ' '))) as address_tokens,
       k.block_keys
from rl_base b left join rl_blocks k on k.kind = b.kind and k.record_id = b.record_id
where b.kind = $kind
"""


def _prepare(con: duckdb.DuckDBPyConnection, records: pa.Table, cap: int) -> None:
    con.register("rl_input", records)
    con.execute(_BASE_SQL)
    con.unregister("rl_input")
    con.execute(_KEYS_SQL)
    for statement in _BLOCKS_SQL.split(";"):
        con.execute(statement, {"cap": cap} if "$cap" in statement else {})


def _kind_table(con: duckdb.DuckDBPyConnection, kind: str, limit: int | None = None) -> pa.Table:
    """The prepared records of a kind: all (by record id), or the first ``limit`` by the MD5
    of their id (a sample that is the same on every engine)."""
    if limit is None:
        sql = f"{_PREPARED_SQL} order by b.record_id"
    else:
        sql = f"{_PREPARED_SQL} order by md5(b.record_id), b.record_id limit {int(limit)}"
    return con.sql(sql, params={"kind": kind}).to_arrow_table()


def _number(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any] | None = None
            ) -> int:
    rows = con.sql(sql, params=params).fetchall()
    return int(rows[0][0]) if rows and rows[0][0] is not None else 0


def _candidate_pairs(con: duckdb.DuckDBPyConnection, kind: str, cap: int) -> int:
    return _number(con, "select coalesce(sum(size * (size - 1) / 2), 0) from rl_sizes "
                   "where kind = $kind and size between 2 and $cap", {"kind": kind, "cap": cap})


def _em_sample(con: duckdb.DuckDBPyConnection, kind: str, column: str, s: LinkSettings
               ) -> pa.Table:
    """The records EM trains on with a plain blocking rule on ``column``: whole groups of
    records sharing a value (so that sampling keeps the share of matches among the pairs),
    groups chosen by the MD5 of the value, up to ``train_records`` records and
    ``max_em_pairs`` pairs; groups larger than ``max_block_size`` left out."""
    sql = f"""
        with prepared as ({_PREPARED_SQL}),
        groups as (
            select {column} as v, count(*) as c from prepared where {column} is not null
            group by {column} having count(*) between 2 and $cap),
        chosen as (
            select v, sum(c) over w as records, sum(c * (c - 1) / 2) over w as pairs
            from groups window w as (order by md5(v), v))
        select prepared.* from prepared join chosen on prepared.{column} = chosen.v
        where chosen.records <= $records and chosen.pairs <= $pairs
        order by prepared.record_id"""
    return con.sql(sql, params={"kind": kind, "cap": s.max_block_size,
                                "records": s.train_records,
                                "pairs": s.max_em_pairs}).to_arrow_table()


def _deterministic_pairs(con: duckdb.DuckDBPyConnection, kind: str, cap: int) -> int:
    """Distinct pairs of a kind that share a registration number, or both name and birth
    date (groups larger than ``cap`` left out)."""
    return _number(con, """
        with keys as (
            select record_id, 'r:' || unnest(reg_numbers) as k from rl_base where kind = $kind
            union all
            select record_id, 'n:' || name_key || ' ' || birth_date from rl_base
            where kind = $kind and name_key is not null and length(birth_date) = 10),
        sized as (select k, count(*) over (partition by k) as size, record_id from keys)
        select count(*) from (
            select distinct a.record_id, b.record_id from sized a join sized b
            on a.k = b.k and a.record_id < b.record_id where a.size <= $cap)
        """, {"kind": kind, "cap": cap})


# -- the engines ----------------------------------------------------------------------------

_CHECKPOINTS = "veriga-spark-checkpoints-"  # the name of the temporary ones link() sets


def _connect() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    return con


class _Engine:
    """Splink's database APIs for one link() call: one per linker, as Splink caches its
    intermediate tables (the input concatenated, term frequencies) in the API by their
    templated names, and a linker must not find another one's.

    On Spark, the records are handed over as Parquet files (an Arrow table would be embedded
    in every query plan), and Splink writes its intermediate tables as Parquet under the
    session's checkpoint directory, which cuts the lineage that the iterations of clustering
    would otherwise grow without end. Unless the session has a checkpoint directory of its
    own, that is a temporary one for this call, removed by ``close()``."""

    def __init__(self, name: str, spark: Any = None) -> None:
        if name not in {"duckdb", "spark"}:
            raise ValueError(f"unknown engine {name!r} (duckdb or spark)")
        self.name = name
        self.dialect = name
        self._prefix = f"veriga_rl_{uuid.uuid4().hex[:8]}"
        self._apis: list[Any] = []
        self._connections: list[duckdb.DuckDBPyConnection] = []
        self._files: str | None = None
        self._checkpoints: str | None = None
        if name == "spark":
            if spark is None:
                from veriga.engine.spark_engine import SparkEngine

                spark = SparkEngine().spark
            current = spark.sparkContext._jsc.sc().getCheckpointDir()
            if current.isEmpty() or _CHECKPOINTS in str(current.get()):
                self._checkpoints = tempfile.mkdtemp(prefix=_CHECKPOINTS)
                spark.sparkContext.setCheckpointDir(self._checkpoints)
            self._files = tempfile.mkdtemp(prefix="veriga-link-")
        self.spark = spark

    def _api(self) -> Any:
        if self.name == "duckdb":
            from splink import DuckDBAPI

            con = _connect()
            self._connections.append(con)
            return DuckDBAPI(connection=con)
        from splink import SparkAPI

        return SparkAPI(spark_session=self.spark, break_lineage_method="parquet",
                        num_partitions_on_repartition=4, register_udfs_automatically=False)

    def linker(self, table: pa.Table, settings: dict[str, Any]) -> Any:
        from splink import Linker

        api = self._api()
        self._apis.append(api)
        name = f"{self._prefix}_{len(self._apis)}"
        data: Any = table
        if self._files is not None:
            import pyarrow.parquet as pq

            path = os.path.join(self._files, f"{name}.parquet")
            pq.write_table(table, path)
            data = self.spark.read.parquet(path)
        return Linker(api.register(data, table_name=name), settings, log_level=None)

    def close(self) -> None:
        for con in self._connections:
            con.close()
        if self._files is None:
            return
        checkpoints = str(self.spark.sparkContext._jsc.sc().getCheckpointDir().get())
        checkpoints = checkpoints.removeprefix("file:")
        for i, api in enumerate(self._apis, start=1):
            created = list(api._created_tables)  # Splink's intermediate tables
            api.delete_tables_created_by_splink_from_db()
            for table in created:
                shutil.rmtree(os.path.join(checkpoints, table), ignore_errors=True)
            self.spark.catalog.dropTempView(f"{self._prefix}_{i}")
        shutil.rmtree(self._files, ignore_errors=True)
        if self._checkpoints is not None:
            shutil.rmtree(self._checkpoints, ignore_errors=True)


@contextmanager
def _quiet() -> Iterator[None]:
    """Splink's warnings (default sample sizes and the like) are not for the investigator;
    its errors still reach the log."""
    logger = logging.getLogger("splink")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


# -- training -------------------------------------------------------------------------------

def _prior_lambda(n: int, s: LinkSettings) -> float:
    return min(s.max_prior_lambda, 2 * s.duplicates_per_record / max(1, n - 1))


@dataclass(frozen=True)
class _Estimate:
    """What a case says of itself before any model: the prior probability that two records
    match, and the share of all pairs that are namesakes (different people, one name)."""

    lam: float
    namesakes: float


def _estimate(con: duckdb.DuckDBPyConnection, kind: str, n: int, s: LinkSettings,
              small: bool) -> _Estimate:
    """How many pairs are matches, and how many namesakes, read from the case.

    Pairs with the same (full) name are matches or namesakes. Among those where both
    records give a full birth date, the share whose dates cannot be one person's (smoothed
    towards the share the prior u expects, as if ten more such pairs had shown it) is taken
    for the share of namesakes among all same-name pairs; the
    rest are matches, which are the exact name level's m (its prior) of all matches (for
    companies, which have no birth date, the namesakes are the prior u of all pairs). The
    pairs that deterministic rules find (a registration number, or name and birth date),
    taken to be ``deterministic_recall`` of the matches, give a second estimate; the larger
    is kept. A small case's is no less than the prior of ``duplicates_per_record`` and no
    more than ``max_small_lambda``. Random pairs (what u is trained on) cannot tell the
    two apart: in a case where one person has many records, most pairs that share a name
    are that person's."""
    total_pairs = n * (n - 1) / 2
    found = _deterministic_pairs(con, kind, s.max_block_size)
    rows = con.sql("""
        with named as (
            select record_id, name_key,
                   case when length(birth_date) = 10 then birth_date end as born,
                   count(*) over (partition by name_key) as size
            from rl_base where kind = $kind and name_key is not null
            and not coalesce(abbreviated, false)),
        same as (
            select a.born as x, b.born as y from named a join named b
            on a.name_key = b.name_key and a.record_id < b.record_id
            where a.size <= $cap)
        select count(*),
               count(*) filter (where x is not null and y is not null),
               count(*) filter (where x is not null and y is not null and x <> y
                                and levenshtein(x, y) > 1
                                and substr(x, 1, 5) || substr(x, 9, 2) || '-'
                                    || substr(x, 6, 2) <> y)
        from same""", params={"kind": kind, "cap": s.max_block_size}).fetchall()
    same_name, dated, conflicting = (int(v or 0) for v in rows[0])
    exact = priors(kind)["name"][0]
    expected = min(same_name, exact.u * total_pairs)  # namesakes the prior expects
    if kind == "person" and same_name:
        # the share of namesakes: what the dated pairs show, smoothed towards the prior's
        # (as if ten more dated pairs had shown it)
        prior_share = expected / same_name
        namesakes = same_name * (conflicting + 10 * prior_share) / (dated + 10)
    else:  # no birth dates to tell: the prior's
        namesakes = expected
    by_name = (same_name - namesakes) / exact.m / total_pairs
    lam = max(found / s.deterministic_recall / total_pairs, by_name)
    if small:
        lam = min(s.max_small_lambda, max(_prior_lambda(n, s), lam))
    else:
        lam = min(0.5, max(1 / total_pairs, lam))
    return _Estimate(lam, namesakes / total_pairs)


def _with_namesakes(model: dict[str, Any], estimate: _Estimate, s: LinkSettings
                    ) -> dict[str, Any]:
    """The exact name level's u: the share of namesakes among all pairs the case shows
    (:func:`_estimate`), at least ``min_u``."""
    for comparison in model["comparisons"]:
        if comparison["output_column_name"] != "name":
            continue
        for lv in comparison["comparison_levels"]:
            if lv.get("label_for_charts") == COMPARISONS["name"][0].label:
                lv["u_probability"] = max(s.min_u, estimate.namesakes)
    return model


def _floor(model: dict[str, Any], s: LinkSettings, kind: str) -> dict[str, Any]:
    """Every m at least ``min_m`` and every u at least ``min_u`` (an untrained level keeps
    its prior). Each level's weight is log2(m / u) on its own: they are not renormalised."""
    by_label = {name: {lv.label: lv for lv in levels} for name, levels in priors(kind).items()}
    for comparison in model["comparisons"]:
        for lv in comparison["comparison_levels"]:
            if lv.get("is_null_level"):
                continue
            prior = by_label[comparison["output_column_name"]][lv["label_for_charts"]]
            for key, floor, default in (("m_probability", s.min_m, prior.m),
                                        ("u_probability", s.min_u, prior.u)):
                value = lv.get(key)
                if value is None or not math.isfinite(value):
                    value = default
                lv[key] = max(float(value), floor)
    return model


def _train(trainer: _Engine, con: duckdb.DuckDBPyConnection, kind: str, n: int,
           s: LinkSettings, base: dict[str, Any]) -> tuple[dict[str, Any], float]:
    """The model trained on the case: u on every pair of a sample, m by EM, lambda from the
    pairs that deterministic rules find. The samples are small whatever the size of the
    case, so training runs in process (DuckDB) for every engine."""
    from splink import block_on

    estimate = _estimate(con, kind, n, s, small=False)
    lam = estimate.lam
    model = dict(base, probability_two_random_records_match=lam)

    sample = _kind_table(con, kind, s.u_records)
    pairs = sample.num_rows * (sample.num_rows - 1) / 2
    linker = trainer.linker(sample, model)
    linker.training.estimate_u_using_random_sampling(
        max_pairs=pairs + 1, min_count_per_level=None, num_chunks=1)
    model = _with_namesakes(_without_matches(linker.misc.save_model_to_json(), lam, s.min_u),
                            estimate, s)

    # m by EM, one session per rule (each from the priors, on its own sample), averaged
    m_values: dict[tuple[str, str], list[float]] = {}
    sessions = 0
    for column, untrained in _EM_RULES.items():
        if sessions == 2:
            break
        sample = _em_sample(con, kind, column, s)
        if _pairs_in(sample, column) < s.min_em_pairs:
            continue
        sessions += 1
        linker = trainer.linker(sample, model)
        linker.training.estimate_parameters_using_expectation_maximisation(
            block_on(column), estimate_without_term_frequencies=True)
        for comparison in linker.misc.save_model_to_json()["comparisons"]:
            if comparison["output_column_name"] == untrained:
                continue
            for lv in comparison["comparison_levels"]:
                if not lv.get("is_null_level") and not lv.get("fix_m_probability") \
                        and lv.get("m_probability") is not None:
                    key = (comparison["output_column_name"], lv["label_for_charts"])
                    m_values.setdefault(key, []).append(lv["m_probability"])
    for comparison in model["comparisons"]:
        for lv in comparison["comparison_levels"]:
            trained = m_values.get((comparison["output_column_name"], lv.get("label_for_charts")))
            if trained:
                lv["m_probability"] = sum(trained) / len(trained)
    model["probability_two_random_records_match"] = lam
    return model, lam


def _without_matches(model: dict[str, Any], lam: float, min_u: float) -> dict[str, Any]:
    """u with the matches taken out. Random sampling counts every pair as a non-match, but in
    a case where one person has many records (a suspect in every booking and statement) the
    pairs of their records are most of those that share a name, a birth date or a phone: u
    of such a level is the share of all pairs at it, less ``lam`` times its m (the share the
    matches make), over ``1 - lam``."""
    for comparison in model["comparisons"]:
        for lv in comparison["comparison_levels"]:
            u, m = lv.get("u_probability"), lv.get("m_probability")
            if lv.get("is_null_level") or u is None or m is None:
                continue
            lv["u_probability"] = max(min_u, (u - lam * m) / (1 - lam))
    return model


def _pairs_in(sample: pa.Table, column: str) -> int:
    counts = pc.value_counts(sample.column(column).drop_null()).field("counts").to_pylist()
    return sum(c * (c - 1) // 2 for c in counts)


def _with_parameters(model: dict[str, Any], trained: dict[str, Any]) -> dict[str, Any]:
    """``model`` (settings in one SQL dialect) with the m, u and lambda of ``trained`` (the
    same comparisons, trained in another)."""
    model = dict(model, probability_two_random_records_match=trained[
        "probability_two_random_records_match"])
    for target, source in zip(model["comparisons"], trained["comparisons"], strict=True):
        for a, b in zip(target["comparison_levels"], source["comparison_levels"], strict=True):
            if a.get("label_for_charts") != b.get("label_for_charts"):
                raise AssertionError("trained model does not fit the settings")
            for key in ("m_probability", "u_probability"):
                if key in b:
                    a[key] = b[key]
    return model


# -- linking --------------------------------------------------------------------------------

def _pairs_schema() -> pa.Schema:
    fields = [pa.field("left_id", pa.string()), pa.field("right_id", pa.string()),
              pa.field("kind", pa.string()), pa.field("match_probability", pa.float64()),
              pa.field("match_weight", pa.float64())]
    for name in COMPARISONS:
        fields += [pa.field(f"{name}_level", pa.string()),
                   pa.field(f"{name}_weight", pa.float64())]
    return pa.schema(fields)


def _labels(model: dict[str, Any]) -> dict[str, dict[int, str]]:
    """Per comparison, the label of each comparison vector value (gamma): -1 for the null
    level, then from the most similar level (highest) down to the else level (0)."""
    out: dict[str, dict[int, str]] = {}
    for comparison in model["comparisons"]:
        levels = comparison["comparison_levels"]
        non_null = [lv for lv in levels if not lv.get("is_null_level")]
        labels = {-1: MISSING}
        for i, lv in enumerate(non_null):
            labels[len(non_null) - 1 - i] = lv["label_for_charts"]
        out[comparison["output_column_name"]] = labels
    return out


def _explained(predictions: pa.Table, kind: str, model: dict[str, Any]) -> pa.Table:
    labels = _labels(model)
    left = predictions.column("record_id_l").to_pylist()
    right = predictions.column("record_id_r").to_pylist()
    columns: dict[str, list[Any]] = {
        "left_id": [min(a, b) for a, b in zip(left, right, strict=True)],
        "right_id": [max(a, b) for a, b in zip(left, right, strict=True)],
        "kind": [kind] * predictions.num_rows,
        "match_probability": predictions.column("match_probability").to_pylist(),
        "match_weight": predictions.column("match_weight").to_pylist(),
    }
    for name in COMPARISONS:
        gammas = predictions.column(f"gamma_{name}").to_pylist()
        columns[f"{name}_level"] = [labels[name][int(g)] for g in gammas]
        weights = predictions.column(f"mw_{name}").to_pylist()
        if f"mw_tf_adj_{name}" in predictions.column_names:  # how common the name is
            adjust = predictions.column(f"mw_tf_adj_{name}").to_pylist()
            weights = [w + (a or 0.0) for w, a in zip(weights, adjust, strict=True)]
        columns[f"{name}_weight"] = [float(w) for w in weights]
    return pa.Table.from_pydict(columns, schema=_pairs_schema())


def dates_agree(a: str, b: str) -> bool:
    """Two full birth dates that may be one person's: the same, one character apart, or
    day and month swapped (the typo level of the birth date comparison); two companies'
    legal forms (comma-separated) that share one (an EOOD is not a Sp. z o.o.)."""
    if a == b:
        return True
    if "," in a or "," in b or not a[:1].isdigit() or not b[:1].isdigit():
        return bool(set(a.split(",")) & set(b.split(",")))
    if len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) <= 1:
        return True
    return a[:5] + a[8:10] + "-" + a[5:7] == b


def _clusters(ids: list[str], pairs: pa.Table, table: pa.Table, threshold: float
              ) -> dict[str, str]:
    """Every record's cluster (named by its smallest record id): the pairs at or above
    ``threshold`` joined strongest first, except a pair that would put two birth dates that
    cannot be one person's, or two companies' different legal forms (:func:`dates_agree`),
    into one cluster, and a pair through a name with an initial that would join clusters
    whose names written in full all sound different (``M. Nieminen`` between Maria and Matti
    Nieminen). A pair's own two records' dates (not legal forms) may differ when
    something that identifies (``IDENTIFYING``: a phone, e-mail, account, number or address)
    agrees, as a typo of two digits in a date would. Plain connected components chain
    namesakes together through records that give no birth date (a booking with only a name
    joins two different men of that name); the refused pair stays a proposal of its own for a
    person to decide.

    A record that gives neither date nor legal form and is as close to a cluster it was
    refused as to the one it joined (a bank counterparty called Nikolay Todorov, between a
    recruiter and a victim of that name born a year apart) cannot be placed: it is left on
    its own, and both pairs stay proposals."""
    strong = pairs.filter(pc.greater_equal(pairs.column("match_probability"), threshold))
    identified = [any(w > 0 for w in weights) for weights in zip(
        *(strong.column(f"{c}_weight").fill_null(0.0).to_pylist() for c in IDENTIFYING),
        strict=True)] if strong.num_rows else []
    order = sorted(zip(strong.column("match_probability").to_pylist(),
                       strong.column("left_id").to_pylist(),
                       strong.column("right_id").to_pylist(), identified, strict=True),
                   key=lambda p: (-p[0], p[1], p[2]))
    facts = _Facts(table)
    clusters, refused = _join(ids, order, facts)
    best: dict[str, float] = {}  # record: its strongest pair inside its cluster
    for probability, left, right, _ in order:
        if clusters[left] == clusters[right]:
            for record in (left, right):
                best[record] = max(best.get(record, 0.0), probability)
    unplaced = {record for probability, left, right in refused for record in (left, right)
                if record not in facts.own_date and best.get(record, 0.0) <= probability}
    if not unplaced:
        return clusters
    kept = [p for p in order if p[1] not in unplaced and p[2] not in unplaced]
    return _join(ids, kept, facts)[0]


class _Facts:
    """What may keep records apart: each record's own full birth date (or a company's legal
    forms, comma-separated), whether its name has an initial, and the sound of its name
    written in full."""

    own_date: dict[str, str]
    initialled: set[str]
    sound: dict[str, str]

    def __init__(self, table: pa.Table) -> None:
        self.own_date, self.initialled, self.sound = {}, set(), {}
        forms = (",".join(f) if f else None for f in table.column("legal_forms").to_pylist())
        for record_id, birth, form, sound, short in zip(
                table.column("record_id").to_pylist(), table.column("birth_full").to_pylist(),
                forms, table.column("phonetic_key").to_pylist(),
                table.column("abbreviated").to_pylist(), strict=True):
            value = birth or form
            if value:
                self.own_date[record_id] = value
            if short:
                self.initialled.add(record_id)
            elif sound:
                self.sound[record_id] = sound


def _join(ids: list[str], order: list[tuple[float, str, str, bool]], facts: _Facts
          ) -> tuple[dict[str, str], list[tuple[float, str, str]]]:
    """One pass of :func:`_clusters` over its pairs (strongest first): every record's cluster,
    and the pairs refused for a date or legal form conflict."""
    parent = {i: i for i in ids}
    dates = {record: {value} for record, value in facts.own_date.items()}
    sounds = {record: {value} for record, value in facts.sound.items()}
    own_date = facts.own_date
    refused: list[tuple[float, str, str]] = []

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for probability, left, right, backed in order:
        a, b = find(left), find(right)
        if a == b:
            continue
        da, db = dates.get(a, set()), dates.get(b, set())
        own = {(own_date.get(left), own_date.get(right)),
               (own_date.get(right), own_date.get(left))} if backed else set()
        own = {(x, y) for x, y in own if x and y and x[:1].isdigit() and y[:1].isdigit()}
        if any(not dates_agree(x, y) and (x, y) not in own for x in da for y in db):
            refused.append((probability, left, right))
            continue
        sa, sb = sounds.get(a, set()), sounds.get(b, set())
        if (left in facts.initialled or right in facts.initialled) and sa and sb \
                and not sa & sb:
            continue  # "M. Nieminen" does not make Maria and Matti Nieminen one
        root, child = (a, b) if a < b else (b, a)
        parent[child] = root
        if da or db:
            dates[root] = da | db
            dates.pop(child, None)
        if sa or sb:
            sounds[root] = sa | sb
            sounds.pop(child, None)
    return {i: find(i) for i in ids}, refused


def _link_kind(engine: _Engine, trainer: _Engine, con: duckdb.DuckDBPyConnection, kind: str,
               s: LinkSettings, progress: Progress | None
               ) -> tuple[pa.Table, dict[str, str], Model]:
    table = _kind_table(con, kind)
    n = table.num_rows
    ids = table.column("record_id").to_pylist()
    lam = _prior_lambda(n, s)
    trained = n >= s.small_case
    estimate = None
    if not trained and n >= s.estimate_records:
        estimate = _estimate(con, kind, n, s, small=True)
        lam = estimate.lam
    model = _settings(lam, s, engine.dialect, tf=trained and s.name_frequencies, kind=kind)
    if estimate is not None:
        model = _with_namesakes(model, estimate, s)
    candidates = _candidate_pairs(con, kind, s.max_block_size)
    if n < 2 or candidates == 0:
        empty = _pairs_schema().empty_table()
        return empty, {i: i for i in ids}, Model(kind, n, False, lam, candidates, model)
    if trained:
        if progress:
            progress(f"{kind}: training", 0, 3)
        learned, lam = _train(trainer, con, kind, n, s,
                              _settings(lam, s, "duckdb", tf=s.name_frequencies, kind=kind))
        model = _with_parameters(model, learned)
    model = _floor(model, s, kind)
    if progress:
        progress(f"{kind}: scoring", 1, 3)
    linker = engine.linker(table, model)
    predictions = linker.inference.predict(
        threshold_match_probability=min(s.pair_threshold, s.threshold), warning_mode="never")
    if progress:
        progress(f"{kind}: clustering", 2, 3)
    pairs = _explained(predictions.as_pyarrow_table(), kind, model)
    clusters = _clusters(ids, pairs, table, s.threshold)
    pairs = pairs.filter(pc.greater_equal(pairs.column("match_probability"), s.pair_threshold))
    return pairs, clusters, Model(kind, n, trained, lam, candidates, model)


def link(records: pa.Table, engine: str = "duckdb", settings: LinkSettings | None = None,
         progress: Progress | None = None, spark: Any = None) -> Linked:
    """Deduplicate resolution records (``COLUMNS``), each kind on its own; see the module
    docstring. ``engine`` is ``duckdb`` (in process) or ``spark`` (``spark`` a session, by
    default the one ``veriga.engine.spark_engine.SparkEngine`` starts)."""
    s = settings or LinkSettings()
    missing = [c for c in COLUMNS if c in {"record_id", "kind"} and c not in records.column_names]
    if missing:
        raise ValueError(f"resolution records lack the columns {', '.join(missing)}")
    records = _conform(records)
    ids = records.column("record_id")
    if pc.count_distinct(ids).as_py() != records.num_rows or ids.null_count:
        raise ValueError("resolution records need a unique, non-empty record_id each")
    kinds = sorted({k for k in records.column("kind").to_pylist() if k is not None})
    con = _connect()
    runner = _Engine(engine, spark)
    trainer = runner if engine == "duckdb" else _Engine("duckdb")
    all_pairs: list[pa.Table] = [_pairs_schema().empty_table()]
    clusters: dict[str, str] = {}
    models: dict[str, Model] = {}
    try:
        with _quiet():
            _prepare(con, records, s.max_block_size)
            for i, kind in enumerate(kinds):
                if progress:
                    progress(kind, i, len(kinds))
                pairs, found, model = _link_kind(runner, trainer, con, kind, s, progress)
                all_pairs.append(pairs)
                clusters.update(found)
                models[kind] = model
    finally:
        runner.close()
        if trainer is not runner:
            trainer.close()
        con.close()
    if progress:
        progress("done", len(kinds), len(kinds))
    pairs = pa.concat_tables(all_pairs).sort_by(
        [("left_id", "ascending"), ("right_id", "ascending")])
    order = sorted(clusters)
    cluster_table = pa.table({"record_id": pa.array(order, pa.string()),
                              "cluster_id": pa.array([clusters[i] for i in order], pa.string())})
    return Linked(pairs, cluster_table, models)


def _conform(records: pa.Table) -> pa.Table:
    """The record columns link reads, cast to their contract types (absent ones null)."""
    wanted = [c for c in COLUMNS if c not in {"name", "names", "problems"}]  # not read
    arrays = []
    for name in wanted:
        if name in records.column_names:
            arrays.append(records.column(name).cast(COLUMNS[name]))
        else:
            arrays.append(pa.nulls(records.num_rows, COLUMNS[name]))
    return pa.table(arrays, names=wanted)
