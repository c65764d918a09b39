"""Enrolment CSV: valid files parse, every rejected value is reported with its line, and a
file built to exhaust memory is refused before it is parsed."""

from __future__ import annotations

import pytest

from veriga.training.enrolment import (
    MAX_BYTES,
    MAX_ROWS,
    EnrolmentRejected,
    parse,
    read,
    sample,
)

HEADER = "username,display name,e-mail,organisation,profession,language,role\n"


def test_a_file_of_300_trainees_parses() -> None:
    rows = parse(sample(300, "Academy", "judges", "lv"))
    assert len(rows) == 300
    assert rows[0].line == 2 and rows[-1].line == 301
    assert {r.profession for r in rows} == {"judges"} and rows[0].email


def test_header_aliases_optional_email_and_a_bom() -> None:
    data = ("\ufeff" + HEADER + "anna.k,Anna K,,Academy,ngo,et,trainee\n"
            "jaan,Jaan T,jaan@example.org,Academy,prosecutors,et,trainer\n").encode()
    rows = parse(data)
    assert [(r.username, r.email, r.role) for r in rows] == [
        ("anna.k", None, "trainee"), ("jaan", "jaan@example.org", "trainer")]


def test_every_rejected_value_is_reported_with_its_line() -> None:
    data = (HEADER + "ok,Ok,,Academy,ngo,lv,trainee\n"
            "bad name,X,not-mail,Academy,cooks,xx,boss\n"
            ",,,,,,\n"  # a blank row is skipped
            "ok,Again,,Academy,ngo,lv,trainee\n"
            "short,S,,Academy\n").encode()
    with pytest.raises(EnrolmentRejected) as caught:
        parse(data)
    found = {(r.line, r.column) for r in caught.value.rejects}
    assert found == {(3, "username"), (3, "email"), (3, "profession"), (3, "language"),
                     (3, "role"), (5, "username"), (6, "row")}
    assert "line 3" in str(caught.value)
    valid, rejects = read(data)
    assert [r.username for r in valid] == ["ok"] and len(rejects) == 7


def test_a_bad_header_and_empty_files_are_refused() -> None:
    with pytest.raises(EnrolmentRejected, match="required column missing"):
        parse(b"username,organisation\nx,y\n")
    with pytest.raises(EnrolmentRejected, match="unknown column"):
        parse((HEADER.strip() + ",salary\n").encode())
    with pytest.raises(EnrolmentRejected, match="empty"):
        parse(b"")
    with pytest.raises(EnrolmentRejected, match="no rows"):
        parse(HEADER.encode())


def test_a_cell_with_control_characters_or_too_long_is_rejected() -> None:
    data = (HEADER + "ok,\"A\x07B\",,Academy,ngo,lv,trainee\n"
            f"ok2,{'x' * 300},,Academy,ngo,lv,trainee\n").encode()
    with pytest.raises(EnrolmentRejected) as caught:
        parse(data)
    assert [(r.line, r.column) for r in caught.value.rejects] == [
        (2, "display_name"), (3, "display_name")]


def test_files_built_to_exhaust_memory_are_refused() -> None:
    with pytest.raises(EnrolmentRejected, match="larger than"):
        parse(b"x" * (MAX_BYTES + 1))
    many = sample(MAX_ROWS + 5, "Academy")
    assert len(many) < MAX_BYTES
    with pytest.raises(EnrolmentRejected, match="too many rows"):
        parse(many)
    with pytest.raises(EnrolmentRejected, match="not UTF-8"):
        parse(HEADER.encode() + b"\xff\xfe,,,\n")
    with pytest.raises(EnrolmentRejected, match="not a CSV"):
        parse((HEADER + 'a,"unterminated\n').encode())
