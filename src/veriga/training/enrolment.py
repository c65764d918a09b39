"""Enrolment of a cohort from a CSV file: parsed and validated row by row, all or nothing.

The columns (a header row names them, in any order; names are case-insensitive)::

    username, display_name, email (optional), organisation, profession, language, role

``role`` is ``trainee`` or ``trainer``; ``profession`` one of the programme's professions;
``language`` one of the programme's languages. Every rejected value is reported with its
line; a file with any rejected value enrols nobody. A file built to exhaust memory is
refused before it is parsed (:data:`MAX_BYTES`) or as soon as it has too many rows
(:data:`MAX_ROWS`).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from veriga.errors import VerigaError
from veriga.training.content import LANGUAGES, PROFESSIONS

MAX_BYTES = 1 * 2**20  # a CSV of 300 trainees is some 30 KB
MAX_ROWS = 2000
MAX_FIELD = 255
COLUMNS = ("username", "display_name", "email", "organisation", "profession", "language",
           "role")
REQUIRED = ("username", "display_name", "organisation", "profession", "language", "role")
ROLES = ("trainee", "trainer")
#: header spellings taken for a column
ALIASES = {"display name": "display_name", "name": "display_name", "e-mail": "email",
           "organization": "organisation", "org": "organisation", "lang": "language"}
_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$")
_EMAIL = re.compile(r"^[^@\s<>\"']{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


@dataclass(frozen=True)
class Reject:
    """One rejected value: its line in the file (1 is the header), column, value, reason."""

    line: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}, {self.column} {self.value!r}: {self.reason}"


@dataclass(frozen=True)
class Enrollee:
    """One valid row of the file."""

    line: int
    username: str
    display_name: str
    email: str | None
    organisation: str
    profession: str
    language: str
    role: str


class EnrolmentRejected(VerigaError):
    """The file enrols nobody: every rejected value, each with its line."""

    def __init__(self, rejects: list[Reject]) -> None:
        self.rejects = rejects
        shown = "; ".join(str(r) for r in rejects[:5])
        more = f" (and {len(rejects) - 5} more)" if len(rejects) > 5 else ""
        super().__init__(f"{len(rejects)} rejected value(s), nobody enrolled: {shown}{more}")


def _text(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise EnrolmentRejected([Reject(0, "file", f"{len(data)} bytes",
                                        f"larger than {MAX_BYTES // 1024} KB")])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise EnrolmentRejected([Reject(0, "file", f"byte {exc.start}",
                                        "not UTF-8 text")]) from None


def _header(names: list[str]) -> tuple[dict[str, int], list[Reject]]:
    index: dict[str, int] = {}
    rejects = []
    for n, raw in enumerate(names):
        name = raw.strip().lower()
        name = ALIASES.get(name, name.replace(" ", "_"))
        if name not in COLUMNS:
            rejects.append(Reject(1, "header", raw[:MAX_FIELD],
                                  f"unknown column (columns: {', '.join(COLUMNS)})"))
        elif name in index:
            rejects.append(Reject(1, "header", raw[:MAX_FIELD], "column given twice"))
        else:
            index[name] = n
    for name in REQUIRED:
        if name not in index:
            rejects.append(Reject(1, "header", name, "required column missing"))
    return index, rejects


def _row(line: int, cells: list[str], index: dict[str, int]) -> tuple[Enrollee | None,
                                                                     list[Reject]]:
    rejects: list[Reject] = []
    if len(cells) != len(index):
        rejects.append(Reject(line, "row", f"{len(cells)} cells",
                              f"expected {len(index)} cells like the header"))
        return None, rejects
    values = {name: cells[i].strip() for name, i in index.items()}

    def bad(column: str, reason: str) -> None:
        rejects.append(Reject(line, column, values.get(column, "")[:MAX_FIELD], reason))

    for name, value in values.items():
        if len(value) > MAX_FIELD:
            bad(name, f"longer than {MAX_FIELD} characters")
        elif any(ord(ch) < 32 for ch in value):
            bad(name, "contains control characters")
    for name in REQUIRED:
        if not values.get(name):
            bad(name, "missing")
    if values["username"] and not _USERNAME.match(values["username"]):
        bad("username", "2-64 letters, digits, '.', '_', '@' or '-', starting with a letter "
                        "or digit")
    email = values.get("email") or None
    if email and not _EMAIL.match(email):
        bad("email", "not an e-mail address")
    if values["profession"] and values["profession"] not in PROFESSIONS:
        bad("profession", f"one of {', '.join(PROFESSIONS)}")
    if values["language"] and values["language"] not in LANGUAGES:
        bad("language", f"one of {', '.join(LANGUAGES)}")
    if values["role"] and values["role"] not in ROLES:
        bad("role", "trainee or trainer")
    if rejects:
        return None, rejects
    return Enrollee(line, values["username"], values["display_name"], email,
                    values["organisation"], values["profession"], values["language"],
                    values["role"]), []


def parse(data: bytes) -> list[Enrollee]:
    """The enrollees of a CSV file, or :class:`EnrolmentRejected` with every rejected value."""
    enrollees, rejects = read(data)
    if rejects:
        raise EnrolmentRejected(rejects)
    return enrollees


def read(data: bytes) -> tuple[list[Enrollee], list[Reject]]:
    """The valid rows of a CSV file and every rejected value (so that a caller checking the
    valid rows further reports all at once); a file that cannot be read at all (too large,
    not UTF-8 text, a bad header, too many rows, no rows) raises :class:`EnrolmentRejected`.

    Lines are the file's physical lines (a quoted cell may span several; the row takes the
    line it starts on). A user name given twice is rejected on its second line.
    """
    text = _text(data)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rejects: list[Reject] = []
    enrollees: list[Enrollee] = []
    seen: dict[str, int] = {}
    try:
        header = next(reader, None)
        if header is None:
            raise EnrolmentRejected([Reject(1, "header", "", "the file is empty")])
        index, rejects = _header(header)
        if rejects:
            raise EnrolmentRejected(rejects)
        line = reader.line_num + 1
        for cells in reader:
            if len(enrollees) + len(rejects) >= MAX_ROWS:
                raise EnrolmentRejected([Reject(line, "file", f"over {MAX_ROWS} rows",
                                                "too many rows for one enrolment")])
            if not any(c.strip() for c in cells):
                line = reader.line_num + 1
                continue
            row, bad = _row(line, cells, index)
            if row is not None:
                key = row.username.lower()
                if key in seen:
                    bad = [Reject(line, "username", row.username,
                                  f"given twice (first on line {seen[key]})")]
                else:
                    seen[key] = line
                    enrollees.append(row)
            rejects.extend(bad)
            line = reader.line_num + 1
    except csv.Error as exc:
        rejects.append(Reject(reader.line_num, "file", "", f"not a CSV file: {exc}"))
    if not enrollees and not rejects:
        raise EnrolmentRejected([Reject(2, "file", "", "no rows after the header")])
    return enrollees, rejects


def sample(n: int, organisation: str, profession: str = "law_enforcement",
           language: str = "en", prefix: str = "trainee") -> bytes:
    """A synthetic enrolment file of ``n`` trainees (tests, benchmarks, demonstrations)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for i in range(1, n + 1):
        writer.writerow([f"{prefix}{i:03d}", f"Trainee {i:03d}", f"{prefix}{i:03d}@example.org",
                         organisation, profession, language, "trainee"])
    return out.getvalue().encode()
