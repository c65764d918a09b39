"""The browser and JSON API: FastAPI, server-rendered pages (Jinja2 + htmx), and TypeScript
modules for the graph, timeline, map and money flows (built with npm into static/dist)."""

from veriga.web.app import create_app

__all__ = ["create_app"]
