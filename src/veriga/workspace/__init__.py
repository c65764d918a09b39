"""The case workspace: the service every interface (CLI, web) calls.

A :class:`Workspace` is one user's session on a store and its bulk records. Its work is
shared out to parts, each a file of its own, all going through one access context
(:mod:`veriga.workspace.context`) that checks the operation against the access policy,
requires the purpose, applies handling codes and minimisation, and writes the audit entry:

- ``ws.cases``: cases, members, shares, configuration;
- ``ws.entities``: the entities as the user may see them, search, subject roles, handling;
- ``ws.records``: imported files, bulk records on a query engine, the money ledger;
- ``ws.findings``: findings and their review;
- ``ws.analyses``: the analysis families of :mod:`veriga.analysis`;
- ``ws.xref``: cross-referencing cases (shared entities, candidate matches);
- ``ws.ads``: online ads, each ad's page as captured (from its WARC record, verified);
- ``ws.hits``: hit/no-hit match filters published for, and matched against, other parties;
- ``ws.jits``: joint investigation teams (agreement, parties, cases, period, cross-party reads);
- ``ws.org_keys``: this organisation's key pair and its partners' public keys;
- ``ws.exchange``: signed and encrypted packages to and from other installations;
- ``ws.training``: the training programme (lessons, quizzes, cohorts, events, tests);
- ``ws.cohorts``: delivering it: cohorts, CSV enrolment, events, feedback, tests, the
  trainer's dashboard, certificates;
- ``ws.xapi``: xAPI statements of trainees' answers and attempts, with pseudonymous actors;
- ``ws.jobs``: background jobs started from the browser (the case report and its PDF);
- ``ws.notes``: notes, tags and assignments on a case's entities and findings;
- ``ws.enrich``: an entity looked up in the user's other cases, chosen values taken in;
- ``ws.exercises``: case simulations: exercises, teams, attempts on fresh simulated training
  cases, answers graded against the simulator's ground truth;
- ``ws.saved_views``, ``ws.exports``, ``ws.directory`` (organisations, users, tokens) and
  ``ws.audit`` (the log, who reached an entity, the chain's integrity).
"""

from __future__ import annotations

from veriga.access import directory as org_directory
from veriga.access.directory import User
from veriga.access.roles import OrgType, Role
from veriga.config import Settings, current_user, load_settings
from veriga.store import Store
from veriga.workspace.ads import Ads
from veriga.workspace.analyses import Analyses
from veriga.workspace.audit import WITHHELD, Audit
from veriga.workspace.cases import Cases
from veriga.workspace.cohorts import Cohorts
from veriga.workspace.context import (
    NEEDS_PURPOSE,
    CaseAccess,
    Context,
    PermissionDenied,
    PurposeRequired,
)
from veriga.workspace.directory import Directory
from veriga.workspace.enrich import Enrich
from veriga.workspace.entities import Around, Entities, EntityPage, EntityView
from veriga.workspace.exchange import Exchange
from veriga.workspace.exercises import Exercises
from veriga.workspace.exports import Exports
from veriga.workspace.findings import Findings
from veriga.workspace.hits import Hits
from veriga.workspace.jits import Jits
from veriga.workspace.jobs import Jobs
from veriga.workspace.notes import Notes
from veriga.workspace.org_keys import OrgKeys
from veriga.workspace.records import Ledger, Records
from veriga.workspace.saved_views import SavedViews
from veriga.workspace.training import Training
from veriga.workspace.training_xapi import Xapi
from veriga.workspace.xref import XrefPart


class Workspace(Context):
    """One user's session on a workspace (a store plus its bulk records)."""

    def __init__(
        self, settings: Settings | None = None, user: User | None = None,
        purpose: str | None = None, *, store: Store | None = None,
    ) -> None:
        settings = settings or load_settings()
        settings.home.mkdir(parents=True, exist_ok=True)
        super().__init__(settings, store or Store(settings.database_url), user, purpose)
        self.cases = Cases(self)
        self.entities = Entities(self)
        self.records = Records(self)
        self.findings = Findings(self)
        self.analyses = Analyses(self)
        self.saved_views = SavedViews(self)
        self.exports = Exports(self)
        self.directory = Directory(self)
        self.audit = Audit(self)
        self.xref = XrefPart(self)
        self.ads = Ads(self)
        self.hits = Hits(self)
        self.jits = Jits(self)
        self.org_keys = OrgKeys(self)
        self.exchange = Exchange(self)
        self.training = Training(self)
        self.exercises = Exercises(self)
        self.jobs = Jobs(self)
        self.notes = Notes(self)
        self.enrich = Enrich(self)
        self.cohorts = Cohorts(self)
        self.xapi = Xapi(self)

    @classmethod
    def local(cls, settings: Settings | None = None, purpose: str | None = None,
              token: str | None = None, username: str | None = None) -> Workspace:
        """The workspace as used from a terminal.

        With ``token`` the account is the token's. Otherwise the login name (or
        ``VERIGA_USER``) names the account; on a store with no accounts yet, that first
        user becomes the administrator and an investigator of a local organisation.
        """
        from veriga.access.auth import user_for_token

        ws = cls(settings, purpose=purpose)
        with ws.store.begin() as conn:
            if token:
                ws.user = org_directory.load_user(conn, user_id=user_for_token(conn, token))
            elif org_directory.count_users(conn) == 0:
                name = username or current_user()
                org = org_directory.create_org(conn, "Local workspace", OrgType.OTHER.value, "EU")
                row = org_directory.create_user(conn, name, org["id"],
                                            [Role.ADMINISTRATOR, Role.INVESTIGATOR])
                ws.user = org_directory.load_user(conn, user_id=row["id"])
                ws.write_audit(conn, "user.bootstrap", None, target=name)
            else:
                if ws.store.db.dialect.name != "sqlite":
                    raise PermissionDenied(
                        "a server store needs an API token: set VERIGA_TOKEN (create one "
                        "with 'veriga user token')")
                ws.user = org_directory.load_user(conn, username=username or current_user())
        return ws

    def as_user(self, username: str, purpose: str | None = None) -> Workspace:
        """Another session on the same store (for services acting for a logged-in user)."""
        with self.store.begin() as conn:
            user = org_directory.load_user(conn, username=username)
        return Workspace(self.settings, user, purpose, store=self.store)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = ["NEEDS_PURPOSE", "WITHHELD", "Around", "CaseAccess", "EntityPage", "EntityView",
           "Ledger", "PermissionDenied", "PurposeRequired", "Workspace"]
