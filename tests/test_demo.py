import io

from rich.console import Console

from veriga.demo import run_demo
from veriga.workspace import Workspace


def test_demo_builds_a_case_from_a_simulated_world(env_home):
    console = Console(record=True, width=200)
    name = run_demo(console, size="tiny")
    text = console.export_text()
    assert "0 rejects" in text and "chain intact" in text
    ws = Workspace.local(purpose="check the demo")
    assert any(e.schema.name == "Advertisement" for e in ws.entities(name))
    assert run_demo(Console(file=io.StringIO()), size="tiny") == f"{name}-2"
    ws.close()
