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
    assert any(e.schema.name == "Advertisement" for e in ws.entities.list(name))
    assert run_demo(Console(file=io.StringIO()), size="tiny") == f"{name}-2"
    ws.close()


def test_demo_creates_users_of_several_roles(env_home):
    console = Console(record=True, width=200)
    name = run_demo(console, size="tiny", users=True)
    text = console.export_text()
    assert "demo users" in text and "kadri" in text and "ngo_worker" in text
    ws = Workspace.local(purpose="check the demo")
    kadri = ws.as_user("kadri", purpose="victim support")
    roles = ws.entities.subject_roles(name)
    assert "victim" in roles.values() and "suspect" in roles.values()
    victims = [e for e, r in kadri.entities.subject_roles(name).items() if r == "victim"]
    assert victims and all(v.startswith("pseudo-") for v in victims)
    ws.close()
