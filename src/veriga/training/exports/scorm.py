"""SCORM 1.2 packages of the programme: one SCO per lesson.

A package (a zip) holds ``imsmanifest.xml`` (IMS Content Packaging 1.1.2 with the ADL SCORM
1.2 metadata), one HTML page per lesson (``<module-id>/<lesson-id>.html``: the rendered text,
the learning outcomes, worked examples, sources and the quiz) and the shared assets under
``common/`` (the quiz script, which reports ``cmi.core.score.raw`` and
``cmi.core.lesson_status`` to the LMS, and a style sheet). Its organisation has an item per
module holding an item per lesson, each with the mastery score. Every lesson is a SCO of its
own, so that an LMS records a score per lesson rather than one for a whole module.

The manifest is checked against the project's own schema of the part of IMS CP it uses
(``schema/imscp_subset.xsd``) and structurally (:func:`check_package`) before it is
returned.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterable
from functools import cache
from html import escape
from pathlib import Path
from typing import Any

from lxml import etree

from veriga.training.content import Lesson, LessonText, Module, Programme
from veriga.training.exports import ExportError, check_language, modules, untranslated_note
from veriga.training.markup import to_html

HERE = Path(__file__).parent
SCHEMA = HERE / "schema" / "imscp_subset.xsd"
IMSCP = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
ADLCP = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
#: the score (of 100) at which a lesson's quiz is passed
MASTERY = 80
_NS = {"cp": IMSCP, "adlcp": ADLCP}

#: The words of a lesson page, in each language.
LABELS: dict[str, dict[str, str]] = {
    "en": {"outcomes": "Learning outcomes", "examples": "Worked examples", "sources": "Sources",
           "quiz": "Quiz", "check": "Check my answers", "right": "Right.",
           "wrong": "Not quite.", "score": "Your score:", "one": "Pick one answer.",
           "all": "Pick every correct answer.", "programme": "Veriga training programme"},
    "bg": {"outcomes": "Учебни резултати", "examples": "Примери от практиката",
           "sources": "Източници", "quiz": "Тест", "check": "Проверка на отговорите",
           "right": "Правилно.", "wrong": "Не съвсем.", "score": "Вашият резултат:",
           "one": "Изберете един отговор.", "all": "Изберете всички верни отговори.",
           "programme": "Програма за обучение Veriga"},
    "lv": {"outcomes": "Mācību rezultāti", "examples": "Praktiski piemēri",
           "sources": "Avoti", "quiz": "Tests", "check": "Pārbaudīt atbildes",
           "right": "Pareizi.", "wrong": "Ne gluži.", "score": "Jūsu rezultāts:",
           "one": "Izvēlieties vienu atbildi.", "all": "Izvēlieties visas pareizās atbildes.",
           "programme": "Veriga mācību programma"},
    "et": {"outcomes": "Õpiväljundid", "examples": "Näited praktikast", "sources": "Allikad",
           "quiz": "Test", "check": "Kontrolli vastuseid", "right": "Õige.",
           "wrong": "Mitte päris.", "score": "Teie tulemus:", "one": "Valige üks vastus.",
           "all": "Valige kõik õiged vastused.", "programme": "Veriga koolitusprogramm"},
    "fi": {"outcomes": "Osaamistavoitteet", "examples": "Esimerkit käytännöstä",
           "sources": "Lähteet", "quiz": "Kysymykset", "check": "Tarkista vastaukset",
           "right": "Oikein.", "wrong": "Ei aivan.", "score": "Tuloksesi:",
           "one": "Valitse yksi vastaus.", "all": "Valitse kaikki oikeat vastaukset.",
           "programme": "Veriga-koulutusohjelma"},
}

STYLE = """body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;
line-height:1.5;color:#1b1b1b}h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem}
.untranslated{background:#fff4d6;border-left:4px solid #c48a00;padding:.5rem 1rem}
fieldset{border:1px solid #ccc;margin:1rem 0;padding:.5rem 1rem}legend{font-weight:600}
.feedback{margin:.2rem 0 .6rem 1.6rem;font-size:.95rem;color:#333}
#veriga-result{font-weight:600;font-size:1.1rem}
"""


def lesson_path(lesson: Lesson) -> str:
    return f"{lesson.module_id}/{lesson.id}.html"


def _quiz_data(text: LessonText, labels: dict[str, str]) -> str:
    data = {"mastery": MASTERY,
            "labels": {k: labels[k] for k in ("right", "wrong", "score")},
            "questions": [{"id": q.id, "choices": [{"correct": c.correct, "feedback": c.feedback}
                                                   for c in q.choices]} for q in text.quiz]}
    # inside <script>: no "</" can close the element early
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")


def lesson_page(lesson: Lesson, module: Module, language: str) -> str:
    """One lesson as a page of the package, in ``language`` (English marked untranslated)."""
    text = lesson.text(language)
    labels = LABELS[language]
    content_lang = language if text.translated else "en"
    module_title, _ = module.title(language)
    parts = [f'<!DOCTYPE html>\n<html lang="{language}">\n<head>\n<meta charset="utf-8">',
             f"<title>{escape(text.title)}</title>",
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             '<link rel="stylesheet" href="../common/style.css">',
             '<script src="../common/quiz.js"></script>\n</head>\n<body>',
             f'<p class="module">{escape(module_title)}</p>']
    if not text.translated:
        parts.append(f'<p class="untranslated" data-untranslated="{language}">'
                     f"{escape(untranslated_note(language))}</p>")
    parts.append(f'<main lang="{content_lang}">')
    parts.append(f"<h1>{escape(text.title)}</h1>")
    parts.append(f'<h2>{escape(labels["outcomes"])}</h2>\n<ul class="outcomes">')
    parts += [f"<li>{escape(o.text)}</li>" for o in text.outcomes]
    parts.append("</ul>")
    parts.append(to_html(text.body))
    if text.examples:
        parts.append(f'<h2>{escape(labels["examples"])}</h2>')
        for ex in text.examples:
            parts.append(f"<h3>{escape(ex.title)}</h3>\n{to_html(ex.text)}")
    parts.append(f'<h2>{escape(labels["sources"])}</h2>\n<ul class="sources" lang="en">')
    parts += [f"<li>{escape(s)}</li>" for s in lesson.sources]
    parts.append("</ul>")
    parts.append(f'<h2>{escape(labels["quiz"])}</h2>\n<form id="veriga-quiz-form">')
    for qi, q in enumerate(text.quiz):
        kind = "checkbox" if q.multiple else "radio"
        hint = labels["all"] if q.multiple else labels["one"]
        parts.append(f'<fieldset data-question="{escape(q.id)}"><legend>{escape(q.prompt)}'
                     f"</legend>\n<p class=\"hint\">{escape(hint)}</p>")
        for ci, c in enumerate(q.choices):
            parts.append(f'<label><input type="{kind}" name="q{qi}" value="{ci}"> '
                         f"{escape(c.text)}</label><br>"
                         f'<p class="feedback" id="fb-{qi}-{ci}" hidden></p>')
        parts.append("</fieldset>")
    parts.append(f'<button type="submit">{escape(labels["check"])}</button>\n</form>')
    parts.append('<p id="veriga-result" hidden></p>')
    parts.append(f'<script type="application/json" id="veriga-quiz">'
                 f"{_quiz_data(text, labels)}</script>")
    parts.append("</main>\n</body>\n</html>\n")
    return "\n".join(parts)


def _sub(parent: etree._Element, ns: str, tag: str, text: str | None = None,
         **attrs: str) -> etree._Element:
    elem = etree.SubElement(parent, f"{{{ns}}}{tag}")
    for key, value in attrs.items():
        name = f"{{{ADLCP}}}scormtype" if key == "scormtype" else key
        elem.set(name, value)
    if text is not None:
        elem.text = text
    return elem


def manifest(mods: Iterable[Module], language: str, identifier: str, title: str) -> bytes:
    """``imsmanifest.xml`` of a package of ``mods``: an item per module, a SCO per lesson."""
    nsmap: Any = {None: IMSCP, "adlcp": ADLCP, "xsi": XSI}  # None: the default namespace
    root = etree.Element(f"{{{IMSCP}}}manifest", nsmap=nsmap)
    root.set("identifier", identifier)
    root.set("version", "1.0")
    root.set(f"{{{XSI}}}schemaLocation",
             f"{IMSCP} imscp_rootv1p1p2.xsd {ADLCP} adlcp_rootv1p2.xsd")
    meta = _sub(root, IMSCP, "metadata")
    _sub(meta, IMSCP, "schema", "ADL SCORM")
    _sub(meta, IMSCP, "schemaversion", "1.2")
    orgs = _sub(root, IMSCP, "organizations", default=f"org-{identifier}")
    org = _sub(orgs, IMSCP, "organization", identifier=f"org-{identifier}")
    _sub(org, IMSCP, "title", title)
    resources = _sub(root, IMSCP, "resources")
    for module in mods:
        module_title, translated = module.title(language)
        mod_item = _sub(org, IMSCP, "item", identifier=f"module-{module.id}")
        _sub(mod_item, IMSCP, "title",
             module_title if translated else f"{module_title} ({untranslated_note(language)})")
        for lesson in module.lessons:
            text = lesson.text(language)
            item = _sub(mod_item, IMSCP, "item", identifier=f"item-{lesson.id}",
                        identifierref=f"res-{lesson.id}")
            _sub(item, IMSCP, "title", text.title if text.translated
                 else f"{text.title} ({untranslated_note(language)})")
            _sub(item, ADLCP, "masteryscore", str(MASTERY))
            res = _sub(resources, IMSCP, "resource", identifier=f"res-{lesson.id}",
                       type="webcontent", scormtype="sco", href=lesson_path(lesson))
            _sub(res, IMSCP, "file", href=lesson_path(lesson))
            _sub(res, IMSCP, "dependency", identifierref="res-common")
    common = _sub(resources, IMSCP, "resource", identifier="res-common", type="webcontent",
                  scormtype="asset")
    for name in ("common/quiz.js", "common/style.css"):
        _sub(common, IMSCP, "file", href=name)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                pretty_print=True))


@cache
def schema() -> etree.XMLSchema:
    """The project's schema of the IMS CP subset its manifests use (with its ADL part)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.XMLSchema(etree.parse(str(SCHEMA), parser))


def parse_manifest(data: bytes) -> etree._Element:
    """A manifest parsed safely (no DTD, no entities, no network)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             dtd_validation=False, huge_tree=False)
    root = etree.fromstring(data, parser)
    docinfo: Any = root.getroottree().docinfo
    if docinfo.doctype:
        raise ExportError("the manifest declares a DOCTYPE")
    return root


def check_package(data: bytes) -> list[str]:
    """What is wrong with a package (empty: nothing): the manifest against the schema, and
    the structure: every resource's files in the zip, unique identifiers, the default
    organisation present, every item's resource a SCO that exists."""
    problems: list[str] = []
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = set(zf.namelist())
        if "imsmanifest.xml" not in names:
            return ["no imsmanifest.xml at the root of the package"]
        root = parse_manifest(zf.read("imsmanifest.xml"))
    xsd = schema()
    if not xsd.validate(root):
        log: Any = xsd.error_log
        problems += [f"schema: line {e.line}: {e.message}" for e in log]
    ids = [str(e.get("identifier")) for e in root.iter() if e.get("identifier") is not None]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        problems.append(f"identifiers repeat: {', '.join(repeated)}")
    orgs = root.find("cp:organizations", _NS)
    default = orgs.get("default") if orgs is not None else None
    org_ids = {o.get("identifier") for o in root.iterfind("cp:organizations/cp:organization",
                                                          _NS)}
    if default not in org_ids:
        problems.append(f"the default organisation {default!r} does not exist")
    resources = {str(r.get("identifier")): r for r in
                 root.iterfind("cp:resources/cp:resource", _NS)}
    for ident, res in resources.items():
        hrefs = [res.get("href")] + [f.get("href") for f in res.iterfind("cp:file", _NS)]
        for href in hrefs:
            if href is not None and href not in names:
                problems.append(f"resource {ident}: {href} is not in the package")
        for dep in res.iterfind("cp:dependency", _NS):
            if dep.get("identifierref") not in resources:
                problems.append(f"resource {ident}: depends on unknown "
                                f"{dep.get('identifierref')}")
    for item in root.iter(f"{{{IMSCP}}}item"):
        ref = item.get("identifierref")
        if ref is None:
            continue
        sco = resources.get(ref)
        if sco is None:
            problems.append(f"item {item.get('identifier')}: no resource {ref}")
        elif sco.get(f"{{{ADLCP}}}scormtype") != "sco" or not sco.get("href"):
            problems.append(f"item {item.get('identifier')}: {ref} is not a launchable SCO")
    return problems


def package(prog: Programme, module_id: str | None = None, language: str = "en") -> bytes:
    """The SCORM 1.2 package (zip bytes) of one module, or of the whole programme."""
    check_language(language)
    mods = modules(prog, module_id)
    if module_id is not None:
        identifier = f"veriga-{module_id}-{language}"
        title = mods[0].title(language)[0]
    else:
        identifier = f"veriga-programme-{language}"
        title = LABELS[language]["programme"]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("imsmanifest.xml", manifest(mods, language, identifier, title))
        zf.writestr("common/quiz.js", (HERE / "quiz.js").read_text(encoding="utf-8"))
        zf.writestr("common/style.css", STYLE)
        for module in mods:
            for lesson in module.lessons:
                zf.writestr(lesson_path(lesson), lesson_page(lesson, module, language))
    data = buf.getvalue()
    problems = check_package(data)
    if problems:
        raise ExportError("the SCORM package does not check: " + "; ".join(problems[:5]))
    return data
