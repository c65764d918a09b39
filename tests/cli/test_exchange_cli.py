"""`veriga org key ...` and `veriga exchange ...` between two installations (two
VERIGA_HOMEs), on a simulated case."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from veriga.cli import app
from veriga.simulate import simulate

runner = CliRunner()


def run(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.output


@pytest.mark.slow  # a simulated world, imported and exchanged (about 15 s)
def test_two_installations_exchange_a_package(env_home, tmp_path, monkeypatch) -> None:
    world = tmp_path / "world"
    simulate("mixed", "tiny", 2, world)
    lv, ee = str(tmp_path / "lv"), str(tmp_path / "ee")
    lv_pub, ee_pub = tmp_path / "lv.pub.json", tmp_path / "ee.pub.json"
    package = tmp_path / "lv-17.vxp"

    monkeypatch.setenv("VERIGA_HOME", ee)
    run("case", "create", "birch")
    assert "fingerprint" in run("org", "key", "generate", "--name", "Politsei", "--type",
                                "police", "--country", "EE")
    run("org", "key", "export", "--out", str(ee_pub))

    monkeypatch.setenv("VERIGA_HOME", lv)
    run("case", "create", "amber")
    run("import", str(world / "police"), "--case", "amber")
    run("org", "key", "generate", "--name", "Valsts policija", "--type", "police",
        "--country", "LV")
    run("org", "key", "export", "--out", str(lv_pub))
    assert "Politsei (EE, police) registered" in run("org", "key", "add", str(ee_pub))
    out = run("exchange", "export", "--case", "amber", "--to", "Politsei", "--legal-basis",
              "Art. 13 2000 EU MLA Convention", "--for", "JIT LV-EE 2026/3", "--condition",
              "not for court without consent", "--expires", "2999-12-31", "--out",
              str(package))
    assert "entities" in out and "written to" in out

    monkeypatch.setenv("VERIGA_HOME", ee)
    refused = run("exchange", "import", str(package), "--case", "birch", code=1)
    assert "from an unknown sender" in refused
    run("org", "key", "add", str(lv_pub))
    assert "valid: from Valsts policija (LV)" in run("exchange", "verify", str(package))
    out = run("exchange", "import", str(package), "--case", "birch")
    assert "from Valsts policija (LV)" in out and "veriga resolve" in out
    assert "not for court without consent" in out
    assert "replayed" in run("exchange", "import", str(package), "--case", "birch", code=1)
    cut = tmp_path / "cut.vxp"
    cut.write_bytes(package.read_bytes()[:-10])
    assert "cut short" in run("exchange", "import", str(cut), "--case", "birch", code=1)

    monkeypatch.setenv("VERIGA_HOME", lv)
    receipt = tmp_path / "lv-17.vxp.receipt.json"
    assert "receipt valid: Politsei imported" in run("exchange", "verify", "--receipt",
                                                     str(receipt))
    assert "sent" in run("exchange", "list")
