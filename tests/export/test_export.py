import json
import subprocess
import sys

import networkx as nx
import openpyxl
import pytest

from veriga.ingest import ImportRequest


@pytest.fixture
def case_ws(sqlite_ws, examples):
    sqlite_ws.cases.create("c")
    sqlite_ws.records.import_files("c", [
        ImportRequest(examples["people"]),
        ImportRequest(examples["transactions"], mapping=examples["mapping"]),
    ])
    return sqlite_ws


PLAIN_FTM = """
import json, sys
from followthemoney import model
assert model.get("Advertisement") is None, "overlay must not be loaded here"
n = 0
for line in open(sys.argv[1], encoding="utf-8"):
    proxy = model.get_proxy(json.loads(line))
    assert proxy.schema is not None
    n += 1
print(n)
"""


def test_ftm_core_loads_in_plain_followthemoney(case_ws, tmp_path):
    out = tmp_path / "core.ftm.json"
    count = case_ws.exports.write("c", "ftm-core", out)
    done = subprocess.run([sys.executable, "-c", PLAIN_FTM, str(out)], check=True,
                          capture_output=True, text=True)
    assert int(done.stdout) == count == 10
    ad = next(json.loads(x) for x in out.read_text().splitlines() if '"ad-1"' in x)
    assert ad["schema"] == "Article"
    assert any("+37120123456" in n for n in ad["properties"]["notes"])


def test_ftm_keeps_the_overlay(case_ws, tmp_path):
    out = tmp_path / "full.ftm.json"
    case_ws.exports.write("c", "ftm", out)
    schemata = {json.loads(x)["schema"] for x in out.read_text().splitlines()}
    assert "Advertisement" in schemata


def test_gexf_parses_with_networkx(case_ws, tmp_path):
    out = tmp_path / "case.gexf"
    case_ws.exports.write("c", "gexf", out)
    graph = nx.read_gexf(out)
    assert graph.has_node("entity:p-ivan") and graph.has_node("entity:a-ivan")
    assert graph.nodes["entity:p-ivan"]["name"] == "Иван Петров"
    assert graph.number_of_edges() >= 3
    # the ad and Anna share a phone number: a pivot node links them
    phone = [n for n, d in graph.nodes(data=True) if d.get("schema") == "phone"]
    assert phone


def test_cypher_and_xlsx(case_ws, tmp_path):
    cypher = tmp_path / "case.cypher"
    case_ws.exports.write("c", "cypher", cypher)
    text = cypher.read_text()
    assert "MERGE" in text and "p-ivan" in text
    xlsx = tmp_path / "case.xlsx"
    case_ws.exports.write("c", "xlsx", xlsx)
    book = openpyxl.load_workbook(xlsx, read_only=True)
    assert {"People", "Bank accounts", "Advertisements"} <= set(book.sheetnames)


def test_export_is_audited(case_ws, tmp_path):
    case_ws.exports.write("c", "ftm", tmp_path / "x.json")
    actions = [e["action"] for e in case_ws.audit.log("c")]
    assert "export" in actions
