"""Find the operations: group ads by shared identifiers and near-duplicate template text.

Ads are linked (1) by an identifier they share (phone, e-mail, messenger handle, photo hash)
and (2) by near-duplicate text: character shingles of the normalised text, MinHash with LSH
banding for candidate pairs, then exact Jaccard above a threshold so LSH false positives
drop out. Connected components of the links are operations. Two cautions keep unrelated
advertisers apart:

* an identifier carried by many ads whose texts are mostly unrelated (a switchboard, an
  agency number, a blank photo) links nothing; it is reported as a hub;
* a text template shared by more than ``max_bridge`` advertisers already told apart by
  their identifiers is boilerplate (a site's or a trade's stock wording): it then only
  attaches ads that carry no identifier to their nearest neighbour.

Each operation carries its ads, its shared identifiers, its templates with their variable
slots (the tokens common to its ads in order; names, ages, cities, prices differ in the
slots) and its route (cities in order of first appearance, with first and last time seen).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher

import numpy as np
from numpy.typing import NDArray

from veriga.osint.minhash import candidate_pairs, jaccard, signatures
from veriga.osint.photos import PhotoHashes, cluster
from veriga.osint.shingles import normalise, shingle_sets, tokens


@dataclass(frozen=True)
class Ad:
    """One ad as the grouping sees it: its text, identifiers, city and posting time."""

    id: str
    text: str
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    handles: tuple[str, ...] = ()
    image_hashes: tuple[str, ...] = ()
    city: str | None = None
    posted_at: str | None = None  # ISO 8601, as the source wrote it

    def identifiers(self) -> list[tuple[str, str]]:
        """(kind, value) of each identifier, normalised for comparison."""
        found = [("phone", p) for p in self.phones]
        found += [("email", e.strip().casefold()) for e in self.emails]
        found += [("handle", h.strip().casefold()) for h in self.handles]
        found += [("image", h.strip().lower()) for h in self.image_hashes
                  if not _degenerate_hash(h)]
        return sorted(set(found))


@dataclass(frozen=True)
class GroupingParams:
    """Knobs of the grouping; the defaults are the ones measured in docs and tests."""

    shingle: int = 5  # characters per shingle of the normalised text
    num_perm: int = 64  # MinHash permutations per text
    bands: int = 16  # LSH bands (num_perm / bands rows each): more bands, more candidates
    threshold: float = 0.5  # Jaccard similarity of shingles above which two texts link
    # a candidate whose MinHash estimate is within this of the threshold is checked exactly
    margin: float = 0.2
    # a template used by more advertisers than this (told apart by identifiers) links no one
    max_bridge: int = 1
    hub_min_ads: int = 25  # an identifier on this many ads or more may be a hub...
    hub_text_share: float = 0.5  # ...if its ads fall in at least this share of text groups


@dataclass(frozen=True)
class Slot:
    """A variable position of a template and some of the values the ads put there."""

    index: int
    values: tuple[str, ...]


@dataclass(frozen=True)
class Template:
    """Tokens common to a set of near-duplicate ads, in order; ``None`` marks a slot."""

    tokens: tuple[str | None, ...]
    slots: tuple[Slot, ...]
    ads: int

    @property
    def text(self) -> str:
        """The template with its slots as ``{1}``, ``{2}``..."""
        out: list[str] = []
        n = 0
        for tok in self.tokens:
            if tok is None:
                n += 1
                out.append(f"{{{n}}}")
            else:
                out.append(tok)
        return " ".join(out)


@dataclass(frozen=True)
class Stop:
    """A city on an operation's route: when its ads were first and last seen there."""

    city: str
    first_seen: str
    last_seen: str
    ads: int


@dataclass(frozen=True)
class Operation:
    """Ads grouped as one operation; ``ad_ids`` are the evidence a finding rests on."""

    id: str
    ad_ids: tuple[str, ...]
    identifiers: tuple[tuple[str, str, int], ...]  # (kind, value, ads) shared by 2+ ads
    templates: tuple[Template, ...]
    route: tuple[Stop, ...]
    text_links: int  # verified near-duplicate pairs inside the operation

    @property
    def size(self) -> int:
        return len(self.ad_ids)


@dataclass(frozen=True)
class Grouping:
    """Every ad's operation (singletons included), the hubs set aside, the parameters."""

    operations: tuple[Operation, ...]
    labels: dict[str, str]
    hubs: tuple[tuple[str, str, int], ...]
    params: GroupingParams = field(default_factory=GroupingParams)

    def groups(self, min_ads: int = 2) -> list[Operation]:
        """Operations of at least ``min_ads`` ads, largest first."""
        return [op for op in self.operations if op.size >= min_ads]


_HEX = re.compile(r"^[0-9a-f]+$")


def _degenerate_hash(value: str) -> bool:
    """A perceptual hash of a blank or one-colour image (almost all bits equal)."""
    v = value.strip().lower()
    if not v or not _HEX.match(v):
        return not v
    bits = bin(int(v, 16)).count("1")
    return bits <= 2 or bits >= len(v) * 4 - 2


def _components(n: int, edges: NDArray[np.int64]) -> NDArray[np.int64]:
    """Connected components (union-find): each node's label is its component's least node."""
    parent = list(range(n))

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges.tolist():
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return np.array([root(x) for x in range(n)], dtype=np.int64)


def text_links(texts: Sequence[str], params: GroupingParams
               ) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Verified near-duplicate pairs of ``texts`` and their Jaccard similarity.

    A candidate pair whose MinHash estimate is far from the threshold (more than
    ``params.margin``, over three standard errors of the estimate) is decided by the
    estimate; the others by the exact Jaccard of their shingle sets."""
    flat, offsets = shingle_sets([normalise(t) for t in texts], params.shingle)
    sig = signatures(flat, offsets, params.num_perm)
    pairs = candidate_pairs(sig, params.bands)
    sims = np.zeros(len(pairs), dtype=np.float64)
    for lo in range(0, len(pairs), 100_000):
        part = pairs[lo:lo + 100_000]
        sims[lo:lo + 100_000] = (sig[part[:, 0]] == sig[part[:, 1]]).mean(axis=1)
    unsure = np.flatnonzero(np.abs(sims - params.threshold) <= params.margin)
    sims[unsure] = jaccard(flat, offsets, pairs[unsure])
    keep = sims >= params.threshold
    return pairs[keep], sims[keep]


#: ``links(texts, params) -> (pairs, similarities)``: the near-duplicate pairs of texts, as
#: :func:`text_links` finds them in this process (``veriga.osint.spark_links`` on Spark).
TextLinks = Callable[[Sequence[str], GroupingParams],
                     tuple[NDArray[np.int64], NDArray[np.float64]]]


def group_ads(ads: Sequence[Ad], params: GroupingParams | None = None,
              links: TextLinks | None = None) -> Grouping:
    """Group ``ads`` into operations (see the module's docstring); ``links`` finds the
    near-duplicate texts (default :func:`text_links`, in this process)."""
    params = params or GroupingParams()
    n = len(ads)
    edges, sims = (links or text_links)([a.text for a in ads], params)
    text_cluster = _components(n, edges)

    idents = identifiers(ads)
    carriers: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, own in enumerate(idents):
        for ident in own:
            carriers[ident].append(i)
    hubs: list[tuple[str, str, int]] = []
    id_edges: list[tuple[int, int]] = []
    for (kind, value), members in carriers.items():
        if len(members) < 2:
            continue
        distinct = len({int(text_cluster[m]) for m in members})
        if len(members) >= params.hub_min_ads and distinct >= params.hub_text_share * len(
                members):
            hubs.append((kind, value, len(members)))
            continue
        id_edges += [(members[0], m) for m in members[1:]]
    hub_keys = {(k, v) for k, v, _ in hubs}
    identified = np.array([any(i not in hub_keys for i in own) for own in idents],
                          dtype=bool)
    id_comp = _components(n, np.array(id_edges, dtype=np.int64).reshape(-1, 2))

    ident_ads = np.flatnonzero(identified)
    spans_of = np.zeros(n, dtype=np.int64)
    if len(ident_ads):
        combos = np.sort(text_cluster[ident_ads] * n + id_comp[ident_ads])
        combos = combos[np.concatenate(([True], combos[1:] != combos[:-1]))]
        spans_of = np.bincount(combos // n, minlength=n)
    chosen: list[NDArray[np.int64]] = [np.array(id_edges, dtype=np.int64).reshape(-1, 2)]
    if len(edges):
        spans = spans_of[text_cluster[edges[:, 0]]]
        rare = spans <= params.max_bridge
        chosen.append(edges[rare])
        # boilerplate: an ad without identifiers joins its most similar neighbour
        best: dict[int, tuple[float, int]] = {}
        for (x, y), s in zip(edges[~rare].tolist(), sims[~rare].tolist(), strict=True):
            for me, other in ((x, y), (y, x)):
                if not identified[me] and (me not in best or s > best[me][0]):
                    best[me] = (s, other)
        chosen.append(np.array([(me, o) for me, (_, o) in sorted(best.items())],
                               dtype=np.int64).reshape(-1, 2))
    final = _components(n, np.concatenate(chosen))

    members_of: dict[int, list[int]] = defaultdict(list)
    for i, c in enumerate(final.tolist()):
        members_of[c].append(i)
    in_op_edges: Counter[int] = Counter(int(final[x]) for x, _ in edges.tolist())
    operations = [_operation(ads, idents, idx, text_cluster, in_op_edges[c], hub_keys)
                  for c, idx in members_of.items()]
    operations.sort(key=lambda op: (-op.size, op.route[0].first_seen if op.route else "",
                                    op.id))
    labels = {ad_id: op.id for op in operations for ad_id in op.ad_ids}
    hubs.sort(key=lambda h: (-h[2], h[0], h[1]))
    return Grouping(tuple(operations), labels, tuple(hubs), params)


def identifiers(ads: Sequence[Ad]) -> list[list[tuple[str, str]]]:
    """Each ad's identifiers (``Ad.identifiers``), its photo hashes replaced by the picture
    they show: photos matched by ``veriga.osint.photos.cluster`` (near pHashes, mirrors,
    crop-resistant segments) share one ``("image", pHash of the first of them)``; a blank
    photo is no identifier."""
    values: dict[str, int] = {}
    parsed: list[PhotoHashes] = []
    for ad in ads:
        for value in ad.image_hashes:
            key = value.strip().lower()
            if key and key not in values:
                photo = PhotoHashes.parse(key)
                if photo is not None:
                    values[key] = len(parsed)
                    parsed.append(photo)
    picture = cluster(parsed)
    out = []
    for ad in ads:
        own = {ident for ident in ad.identifiers() if ident[0] != "image"}
        for value in ad.image_hashes:
            key = value.strip().lower()
            if key in values:
                photo = parsed[picture[values[key]]]
                if not photo.blank:
                    own.add(("image", photo.phash))
            elif key and not _degenerate_hash(key):
                own.add(("image", key))
        out.append(sorted(own))
    return out


def _operation(ads: Sequence[Ad], idents: Sequence[list[tuple[str, str]]], idx: list[int],
               text_cluster: NDArray[np.int64], links: int, hubs: set[tuple[str, str]]
               ) -> Operation:
    ad_ids = tuple(sorted(ads[i].id for i in idx))
    digest = hashlib.sha1("\n".join(ad_ids).encode("utf-8")).hexdigest()[:12]
    counts = Counter(ident for i in idx for ident in idents[i])
    shared = tuple(sorted(((k, v, c) for (k, v), c in counts.items()
                           if c >= 2 and (k, v) not in hubs), key=lambda t: (-t[2], t[0], t[1])))
    by_text: dict[int, list[int]] = defaultdict(list)
    for i in idx:
        by_text[int(text_cluster[i])].append(i)
    clusters = sorted((m for m in by_text.values() if len(m) >= 2),
                      key=lambda m: (-len(m), ads[min(m)].id))
    templates = tuple(template([ads[i].text for i in m]) for m in clusters[:5])
    return Operation(f"op-{digest}", ad_ids, shared, templates, route(ads[i] for i in idx),
                     links)


def route(ads: Iterable[Ad]) -> tuple[Stop, ...]:
    """Cities of the ads in order of first appearance, with first and last time seen."""
    seen: dict[str, list[str]] = defaultdict(list)
    for ad in ads:
        if ad.city and ad.posted_at:
            seen[ad.city].append(ad.posted_at)
    stops = [Stop(city, min(times), max(times), len(times)) for city, times in seen.items()]
    return tuple(sorted(stops, key=lambda s: (s.first_seen, s.city)))


def template(texts: Sequence[str], sample: int = 12, max_values: int = 8) -> Template:
    """The tokens common to ``texts`` in order, the positions between them being slots.

    The first text is aligned with each of the others (at most ``sample``); a token of the
    first text kept by every alignment is part of the template."""
    docs = [tokens(t) for t in texts[:sample]]
    base = docs[0]
    keep = [True] * len(base)
    positions: list[list[int | None]] = []
    for other in docs[1:]:
        where: list[int | None] = [None] * len(base)
        for block in SequenceMatcher(None, base, other, autojunk=False).get_matching_blocks():
            for k in range(block.size):
                where[block.a + k] = block.b + k
        positions.append(where)
        keep = [k and w is not None for k, w in zip(keep, where, strict=True)]
    toks: list[str | None] = []
    slots: list[Slot] = []
    i = 0
    while i < len(base):
        if keep[i]:
            toks.append(base[i])
            i += 1
            continue
        j = i
        while j < len(base) and not keep[j]:
            j += 1
        values = {" ".join(base[i:j])}
        for other, where in zip(docs[1:], positions, strict=True):
            lo = (where[i - 1] or 0) + 1 if i > 0 else 0
            hi = where[j] if j < len(base) and where[j] is not None else len(other)
            values.add(" ".join(other[lo:hi]))
        toks.append(None)
        slots.append(Slot(len(slots) + 1, tuple(sorted(v for v in values if v))[:max_values]))
        i = j
    return Template(tuple(toks), tuple(slots), len(texts))
