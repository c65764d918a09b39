"""Case reports for prosecutors: the confirmed findings, the chain, the proceeds, the persons
involved, and each fact with its source, as one HTML document or a PDF.

``build_report`` gathers through the Workspace (access checked, every read audited, NGO
users see pseudonyms); ``render_html`` and ``render_pdf`` turn it into a document in the
language of the ``gettext`` the caller passes.
"""

from __future__ import annotations

from veriga.reports.gather import Report, build_report
from veriga.reports.render import render_html, render_pdf

__all__ = ["Report", "build_report", "render_html", "render_pdf"]
