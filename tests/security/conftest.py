"""The attack suite runs against the web tests' application: the same small analysed world,
users of several roles and the case ``amber`` (fixtures loaded from tests/web/conftest.py),
plus an outsider of another agency with no access to the case."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

WEB = Path(__file__).parents[1] / "web"
if str(WEB) not in sys.path:
    sys.path.insert(0, str(WEB))

_spec = importlib.util.spec_from_file_location("veriga_web_fixtures", WEB / "conftest.py")
assert _spec is not None and _spec.loader is not None
_web = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_web)

from webhelpers import PASSWORD, Site  # noqa: E402

web_site = _web.site
client = _web.client
server = _web.server
browser = _web.browser


@pytest.fixture(scope="session")
def site(web_site: Site) -> Iterator[Site]:
    """The web tests' site, with an investigator of another agency who may not see ``amber``."""
    admin = web_site.ws.as_user("admin", purpose="setting up the attack")
    admin.directory.add_org("Other Agency", "police", "EE")
    admin.directory.add_user("outsider", "Other Agency", ["investigator"], "Outsider", PASSWORD)
    yield web_site
