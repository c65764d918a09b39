"""goAML: UNODC's XML for reports to financial intelligence units. The importer
(:mod:`.reader`), the FIU profiles (:mod:`.profile`) and the project's own XSD of the
elements Veriga reads and writes (:mod:`.schema`); the export is in
:mod:`veriga.export.goaml`."""

from __future__ import annotations

from veriga.ingest.goaml.profile import Profile, ProfileError, load_profile
from veriga.ingest.goaml.reader import GoAMLImporter

__all__ = ["GoAMLImporter", "Profile", "ProfileError", "load_profile"]
