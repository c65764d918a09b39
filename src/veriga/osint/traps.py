"""Crawler traps: URLs that would make a crawl endless (session ids, growing paths and
queries, calendars). Each check returns the reason to skip a URL, or ``None``."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

SESSION_PARAMS = {"sid", "sessid", "sessionid", "session_id", "session", "phpsessid",
                  "jsessionid", "aspsessionid", "cfid", "cftoken", "s_id", "token"}
DATE = re.compile(r"(?:19|20|21)\d\d[-/_.]?(?:0?[1-9]|1[0-2])(?:[-/_.]?(?:0?[1-9]|[12]\d|3[01]))?")
CALENDAR_WORDS = {"date", "day", "month", "year", "week", "cal", "calendar", "from", "to"}


@dataclass
class TrapRules:
    """Limits that mark a URL as a trap."""

    max_url_length: int = 2000
    max_path_segments: int = 12
    max_segment_repeats: int = 2
    max_query_length: int = 400
    max_query_params: int = 10
    max_calendar_pages: int = 24  # same URL shape with a date in it, per host
    max_pages_per_host: int = 10_000


@dataclass
class TrapDetector:
    """Checks URLs against :class:`TrapRules`, counting calendar shapes and pages per host."""

    rules: TrapRules = field(default_factory=TrapRules)
    shapes: Counter[str] = field(default_factory=Counter)
    per_host: Counter[str] = field(default_factory=Counter)

    def check(self, url: str) -> str | None:
        """The trap ``url`` falls into, or ``None``; counts it when it passes."""
        r = self.rules
        parts = urlsplit(url)
        if len(url) > r.max_url_length:
            return f"trap: URL longer than {r.max_url_length} characters"
        path = parts.path
        if ";jsessionid=" in path.lower() or ";sid=" in path.lower():
            return "trap: session id in the path"
        segments = [s for s in path.split("/") if s]
        if len(segments) > r.max_path_segments:
            return f"trap: path deeper than {r.max_path_segments} segments"
        if segments and max(Counter(segments).values()) > r.max_segment_repeats:
            return "trap: repeating path segments"
        params = parse_qsl(parts.query, keep_blank_values=True)
        if len(parts.query) > r.max_query_length or len(params) > r.max_query_params:
            return "trap: query string too long"
        names = {k.lower() for k, _ in params}
        if names & SESSION_PARAMS:
            return f"trap: session id in the query ({', '.join(sorted(names & SESSION_PARAMS))})"
        host = (parts.hostname or "").lower()
        if DATE.search(path + "?" + parts.query) or names & CALENDAR_WORDS:
            shape = host + re.sub(r"\d+", "0", path + "?" + parts.query)
            if self.shapes[shape] >= r.max_calendar_pages:
                return (f"trap: calendar-like pattern (more than {r.max_calendar_pages} "
                        "URLs of one dated shape)")
            self.shapes[shape] += 1
        if self.per_host[host] >= r.max_pages_per_host:
            return f"trap: page cap of {r.max_pages_per_host} for {host} reached"
        self.per_host[host] += 1
        return None
