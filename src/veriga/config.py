"""Where the workspace lives and which store it uses (environment driven)."""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs


@dataclass(frozen=True)
class Settings:
    """Resolved configuration of one workspace."""

    home: Path
    database_url: str

    @property
    def bulk_dir(self) -> Path:
        """Folder of the Parquet bulk records, one sub-folder per case."""
        return self.home / "bulk"


def load_settings() -> Settings:
    """Read ``VERIGA_HOME`` and ``VERIGA_DATABASE_URL`` (SQLite in the home by default)."""
    home = Path(os.environ.get("VERIGA_HOME") or platformdirs.user_data_dir("veriga"))
    home = home.expanduser().resolve()
    url = os.environ.get("VERIGA_DATABASE_URL") or f"sqlite:///{home / 'veriga.db'}"
    return Settings(home=home, database_url=url)


def current_user() -> str:
    """The acting user for audit until accounts exist: ``VERIGA_USER`` or the login name."""
    return os.environ.get("VERIGA_USER") or getpass.getuser()
