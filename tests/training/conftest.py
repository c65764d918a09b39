"""The training tests borrow the web tests' browser helpers: one Chromium per test process."""

from __future__ import annotations

import sys
from pathlib import Path

WEB = Path(__file__).parents[1] / "web"
if str(WEB) not in sys.path:
    sys.path.insert(0, str(WEB))
