"""The case's findings are read from the store once per change of them: a review, new
findings and changed data are seen at once; each reader gets copies of their own, so
minimising or changing one never changes what the next reader gets; every listing is
audited."""

from __future__ import annotations

from veriga.findings import Evidence, Finding, Key, ReviewState
from veriga.workspace import Workspace, cache


def _finding(n: int) -> Finding:
    return Finding(kind="test.kind", score=0.5 + n / 100, explanation=f"finding {n}",
                   evidence=Evidence(entity_ids=[f"e{n}"], keys=[Key("iban", f"LV{n}")]),
                   detector="test", detector_version="1", title=f"Finding {n}")


def test_findings_are_read_once_per_change(ws: Workspace) -> None:
    cache.clear()
    ws.cases.create("c")
    ws.findings.save("c", [_finding(1), _finding(2)])
    first = ws.findings.list("c")
    assert [f.explanation for f in first] == ["finding 2", "finding 1"]
    first[0].evidence.entity_ids.append("changed")
    first[0].evidence.keys[0] = Key("iban", "changed")
    first[0].review.reason = "changed"
    again = ws.findings.list("c")
    assert again[0].evidence.entity_ids == ["e2"] and again[0].review.reason is None
    assert again[0].evidence.keys == [Key("iban", "LV2")]
    assert [f.id for f in ws.findings.list("c", kind="test.kind")] == [f.id for f in again]
    assert ws.findings.list("c", kind="other") == []
    ws.findings.review("c", again[1].id, ReviewState.CONFIRMED, "checked")
    assert ws.findings.list("c")[1].review.state is ReviewState.CONFIRMED
    ws.findings.save("c", [_finding(3)])
    assert len(ws.findings.list("c")) == 3
    listed = [r for r in ws.audit.log("c") if r["action"] == "finding.list"]
    assert len(listed) == 6
    cache.clear()


def test_a_reader_who_only_reads_gets_the_kept_findings(ws: Workspace) -> None:
    """``shared``: the kept findings themselves (no copy per listing), still audited; a
    plain listing copies them."""
    cache.clear()
    ws.cases.create("c")
    ws.findings.save("c", [_finding(1), _finding(2)])
    one, two = ws.findings.list("c", shared=True), ws.findings.list("c", shared=True)
    assert [a is b for a, b in zip(one, two, strict=True)] == [True, True]
    copies = ws.findings.list("c")
    assert not any(a is b for a, b in zip(one, copies, strict=True))
    assert [f.id for f in copies] == [f.id for f in one]
    listed = [r for r in ws.audit.log("c") if r["action"] == "finding.list"]
    assert len(listed) == 3
    cache.clear()


def test_after_a_review_only_the_reviews_are_read_again(ws: Workspace, monkeypatch) -> None:
    """A reviewer changes one finding at a time: the findings read before are kept, with
    the new reviews; new findings are read whole."""
    cache.clear()
    ws.cases.create("c")
    ws.findings.save("c", [_finding(n) for n in range(5)])
    before = ws.findings.list("c", shared=True)
    read: list[int] = []
    whole = ws.store.list_findings
    monkeypatch.setattr(ws.store, "list_findings", lambda *a, **k: (
        read.append(1) if len(a) == 2 and not k else None) or whole(*a, **k))  # all of them
    ws.findings.review("c", before[2].id, ReviewState.DISMISSED, "a false alarm")
    after = ws.findings.list("c", shared=True)
    assert read == []  # only the reviews were read
    assert [f.id for f in after] == [f.id for f in before]
    assert after[2].review.state is ReviewState.DISMISSED and after[2].review.by
    assert after[2].review.reason == "a false alarm"
    assert before[2].review.state is ReviewState.NEW  # what was kept is never changed
    assert [a is b for a, b in zip(before, after, strict=True)] == [True, True, False, True, True]
    ws.findings.reopen("c", before[2].id)
    assert ws.findings.list("c", shared=True)[2].review.state is ReviewState.NEW
    ws.findings.save("c", [_finding(9)])  # new findings: read whole
    assert len(ws.findings.list("c")) == 6 and read == [1]
    cache.clear()


def test_the_summary_of_findings_is_counted_in_sql(ws: Workspace) -> None:
    """One finding of each kind (the first listed) and how many of the kind are in each
    review state: what counting the whole listing gives."""
    cache.clear()
    ws.cases.create("c")
    items = [_finding(n) for n in range(6)]
    for n in (4, 5):
        items[n].kind = "other.kind"
        items[n].id = items[n].make_id()
    ws.findings.save("c", items)
    listed = ws.findings.list("c")
    ws.findings.review("c", listed[0].id, ReviewState.DISMISSED, "a false alarm")
    ws.findings.review("c", listed[-1].id, ReviewState.CONFIRMED, "checked")
    listed = ws.findings.list("c")
    expected = {}
    for f in listed:
        first, counts = expected.setdefault(f.kind, (f.id, {}))
        counts[f.review.state.value] = counts.get(f.review.state.value, 0) + 1
    assert {f.kind: (f.id, counts) for f, counts in ws.findings.by_kind("c")} == expected
    assert any(len(counts) > 1 for _, counts in expected.values())
    listings = [r for r in ws.audit.log("c") if r["action"] == "finding.list"
                and (r.get("detail") or {}).get("by_kind")]
    assert len(listings) == 1 and listings[0]["detail"]["count"] == 6
    cache.clear()
