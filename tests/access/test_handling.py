import json

from veriga.ingest import ImportRequest


def _ids(path):
    return {json.loads(x)["id"] for x in path.read_text().splitlines()}


def test_handling_codes_restrict_exports_and_travel_with_them(agencies, tmp_path):
    liga = agencies["liga"]
    secret = tmp_path / "informant.ftm.json"
    secret.write_text('{"id": "inf-1", "schema": "Person", "properties": '
                      '{"name": ["Source Seven"]}}\n', encoding="utf-8")
    liga.records.import_files("amber", [ImportRequest(secret)], handling="H2",
                      handling_note="informant report")
    liga.entities.set_handling("amber", "ad-1", "H1")

    full = tmp_path / "full.json"
    liga.exports.write("amber", "ftm", full)
    assert {"inf-1", "ad-1"} <= _ids(full)
    lines = {json.loads(x)["id"]: json.loads(x) for x in full.read_text().splitlines()}
    assert lines["inf-1"]["handling"]["codes"] == ["H2"]
    assert lines["inf-1"]["handling"]["disseminate"] is False
    sidecar = json.loads((tmp_path / "full.json.handling.json").read_text())
    assert sidecar["entities"]["ad-1"]["court_use"] is False

    court = tmp_path / "court.json"
    liga.exports.write("amber", "ftm", court, for_court=True)
    assert "ad-1" not in _ids(court) and "inf-1" in _ids(court)

    out = tmp_path / "to-ee.json"
    liga.exports.write("amber", "ftm", out, recipient="Politsei")
    assert "inf-1" not in _ids(out) and "p-ivan" in _ids(out)
    agencies["admin"].directory.add_user("dpo", "Valsts policija", ["dpo"])
    dpo = agencies["admin"].as_user("dpo", purpose="review")
    disclosures = [e for e in dpo.audit.log("amber") if e["action"] == "disclosure"]
    assert disclosures[-1]["target"] == "Politsei"
    assert disclosures[-1]["purpose"] == "investigation LV-2026-17"


def test_visible_only_to_named_organisations(agencies, tmp_path):
    liga = agencies["liga"]
    liga.entities.set_handling("amber", "p-ivan", "H0", orgs=["Valsts policija"])
    liga.cases.share("amber", "Politsei")
    assert "p-ivan" not in {e.id for e in agencies["mart"].entities.list("amber")}
    assert "p-ivan" in {e.id for e in liga.entities.list("amber")}
