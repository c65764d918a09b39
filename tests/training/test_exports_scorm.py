"""SCORM 1.2 packages: the manifest checks against the project's schema of IMS CP 1.1.2 and
structurally, every lesson is a SCO with its page, untranslated lessons are marked, lesson
text cannot inject markup, and the quiz reports its score to an LMS through the SCORM 1.2
API (in Chromium, with a stand-in LMS in the parent frame)."""

from __future__ import annotations

import functools
import io
import json
import threading
import zipfile
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from browserhelpers import acquire_browser, release_browser
from exportsamples import sample_programme
from lxml import etree

from veriga.training.content import Programme
from veriga.training.exports import ExportError, scorm

NS = {"cp": scorm.IMSCP, "adlcp": scorm.ADLCP}


@pytest.fixture
def prog(tmp_path: Path) -> Programme:
    return sample_programme(tmp_path)


def _files(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def _rezip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, body in files.items():
            zf.writestr(name, body)
    return buf.getvalue()


def test_package_manifest_is_valid_and_complete(prog: Programme) -> None:
    data = scorm.package(prog, "sample-mod", "en")
    files = _files(data)
    root = scorm.parse_manifest(files["imsmanifest.xml"])
    assert scorm.schema().validate(root), scorm.schema().error_log
    assert scorm.check_package(data) == []
    assert root.findtext("cp:metadata/cp:schema", namespaces=NS) == "ADL SCORM"
    assert root.findtext("cp:metadata/cp:schemaversion", namespaces=NS) == "1.2"
    # one SCO per lesson, each with its page in the zip and the mastery score
    scos = root.findall("cp:resources/cp:resource[@adlcp:scormtype='sco']", NS)
    assert sorted(r.get("href") for r in scos) == ["sample-mod/lesson-one.html",
                                                   "sample-mod/lesson-two.html"]
    assert all(r.get("href") in files for r in scos)
    items = root.findall(".//cp:item[@identifierref]", NS)
    assert [i.findtext("adlcp:masteryscore", namespaces=NS) for i in items] == ["80", "80"]
    assert {"common/quiz.js", "common/style.css"} <= set(files)


def test_whole_programme_is_one_package_with_an_item_per_module(tmp_path: Path) -> None:
    prog = sample_programme(tmp_path)
    data = scorm.package(prog, None, "lv")
    root = scorm.parse_manifest(_files(data)["imsmanifest.xml"])
    org = root.find("cp:organizations/cp:organization", NS)
    assert org is not None and org.findtext("cp:title", namespaces=NS) == \
        "Veriga mācību programma"
    modules = org.findall("cp:item", NS)
    assert [m.get("identifier") for m in modules] == ["module-sample-mod"]
    assert len(modules[0].findall("cp:item", NS)) == 2


def test_untranslated_lessons_are_marked_never_silently_english(prog: Programme) -> None:
    files = _files(scorm.package(prog, "sample-mod", "lv"))
    one = files["sample-mod/lesson-one.html"].decode()
    two = files["sample-mod/lesson-two.html"].decode()
    assert "Pirmā nodarbība" in one and "data-untranslated" not in one
    assert 'data-untranslated="lv"' in two and "Nav tulkots: rādīts angliski" in two
    assert '<main lang="en">' in two  # the English text says it is English
    manifest = files["imsmanifest.xml"].decode()
    assert "Lesson two (Nav tulkots: rādīts angliski)" in manifest


def test_lesson_text_cannot_inject_markup(prog: Programme) -> None:
    page = _files(scorm.package(prog, "sample-mod", "en"))["sample-mod/lesson-one.html"]
    text = page.decode()
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "Lesson one: &lt;the&gt; basics" in text
    quiz = text.split('<script type="application/json" id="veriga-quiz">')[1]
    data = json.loads(quiz.split("</script>")[0])
    assert data["mastery"] == 80
    assert [c["correct"] for c in data["questions"][0]["choices"]] == [True, False]


@pytest.mark.parametrize("break_it, expected", [
    (lambda m: m.replace(b'href="sample-mod/lesson-two.html"/>', b'href="missing.html"/>'),
     "missing.html is not in the package"),
    (lambda m: m.replace(b'identifier="res-lesson-two"', b'identifier="res-lesson-one"'),
     "schema"),
    (lambda m: m.replace(b'default="org-veriga-sample-mod-en"', b'default="nowhere"'),
     "the default organisation 'nowhere' does not exist"),
    (lambda m: m.replace(b"<schemaversion>1.2</schemaversion>",
                         b"<schemaversion>2004</schemaversion>"), "schema"),
    (lambda m: m.replace(b'adlcp:scormtype="sco" href="sample-mod/lesson-one.html"',
                         b'adlcp:scormtype="asset" href="sample-mod/lesson-one.html"'),
     "is not a launchable SCO"),
])
def test_broken_manifests_are_caught(prog: Programme, break_it: object,
                                     expected: str) -> None:
    files = _files(scorm.package(prog, "sample-mod", "en"))
    files["imsmanifest.xml"] = break_it(files["imsmanifest.xml"])  # type: ignore[operator]
    problems = scorm.check_package(_rezip(files))
    assert any(expected in p for p in problems), problems


def test_manifest_with_a_doctype_is_refused() -> None:
    evil = (b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b"<manifest>&x;</manifest>")
    with pytest.raises((ExportError, etree.XMLSyntaxError)):
        scorm.parse_manifest(evil)


def test_unknown_module_and_language_are_refused(prog: Programme) -> None:
    with pytest.raises(ExportError, match="no module"):
        scorm.package(prog, "nope", "en")
    with pytest.raises(ExportError, match="unknown language"):
        scorm.package(prog, "sample-mod", "xx")


def test_shipped_core_module_exports() -> None:
    from veriga.training.content import CONTENT, load_module

    shipped = Programme((load_module(CONTENT / "core-legal"),))
    data = scorm.package(shipped, "core-legal", "en")
    assert scorm.check_package(data) == []


LMS = """<!DOCTYPE html><html><head><script>
window.calls = [];
window.API = {
  LMSInitialize: function (a) { calls.push(["LMSInitialize", a]); return "true"; },
  LMSGetValue: function (k) { calls.push(["LMSGetValue", k]); return "not attempted"; },
  LMSSetValue: function (k, v) { calls.push(["LMSSetValue", k, v]); return "true"; },
  LMSCommit: function (a) { calls.push(["LMSCommit", a]); return "true"; },
  LMSFinish: function (a) { calls.push(["LMSFinish", a]); return "true"; },
  LMSGetLastError: function () { return "0"; }
};
</script></head><body><iframe id="sco" src="sample-mod/lesson-two.html"
 style="width:900px;height:1400px"></iframe></body></html>"""


@pytest.mark.browser
def test_quiz_reports_score_and_status_to_the_lms(prog: Programme, tmp_path: Path) -> None:
    site = tmp_path / "site"
    with zipfile.ZipFile(io.BytesIO(scorm.package(prog, "sample-mod", "en"))) as zf:
        zf.extractall(site)
    (site / "lms.html").write_text(LMS, encoding="utf-8")
    # served over HTTP: the SCO reaches its parent's API only from the same origin
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    # the process's one Chromium: the web and security suites hold Playwright's sync API
    browser = acquire_browser()
    page = browser.new_page()
    try:
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/lms.html")
        frame = page.frame_locator("#sco")
        # lesson two: two of five correct; pick one right and one wrong: not passed
        frame.locator("input[name=q0][value='0']").check()
        frame.locator("input[name=q0][value='2']").check()
        frame.locator("button[type=submit]").click()
        frame.locator("#veriga-result").wait_for()
        calls = page.evaluate("window.calls")
        assert ["LMSInitialize", ""] in calls
        assert ["LMSSetValue", "cmi.core.lesson_status", "incomplete"] in calls
        assert ["LMSSetValue", "cmi.core.score.raw", "0"] in calls
        assert ["LMSSetValue", "cmi.core.lesson_status", "failed"] in calls
        assert "Not quite. Not evidence." in frame.locator("#fb-0-2").inner_text()
        # now the right answer: 100 and passed
        frame.locator("input[name=q0][value='2']").uncheck()
        frame.locator("input[name=q0][value='1']").check()
        frame.locator("button[type=submit]").click()
        calls = page.evaluate("window.calls")
        assert ["LMSSetValue", "cmi.core.score.raw", "100"] in calls
        assert calls[-2:] == [["LMSSetValue", "cmi.core.lesson_status", "passed"],
                              ["LMSCommit", ""]]
        page.screenshot(path=str(tmp_path / "scorm.png"), full_page=True)
        page.evaluate("document.getElementById('sco').remove()")  # the LMS closes the SCO
        calls = page.evaluate("window.calls")
        assert calls[-1] == ["LMSFinish", ""]
    finally:
        page.close()
        release_browser()
        server.shutdown()
