/** The JSON of GET /api/cases/{case}/timeline (veriga.web.views.timeline.TimelineOut). */
export interface Party {
  id: string;
  label: string;
  schema: string;
  role: string;
  role_label: string;
  url: string;
  /** A person, company or organisation: drawn on a lane of its own. */
  actor: boolean;
}

export interface TimelineEvent {
  id: string;
  kind: string;
  /** ISO date (`2026-01-09`) or date and time (`2026-01-09T13:00:00`), local time. */
  start: string;
  /** Inclusive last date or time; null for an event at one time. */
  end: string | null;
  label: string;
  entity_ids: string[];
  url: string | null;
  schema: string | null;
  entity_id: string | null;
  parties: Party[];
  amount: number | null;
  currency: string | null;
  detail: string | null;
  score: number | null;
  state: string | null;
}

export interface TimelineData {
  case: string;
  events: TimelineEvent[];
  total: number;
  truncated: boolean;
  limit: number;
  counts: Record<string, number>;
  start: string | null;
  end: string | null;
  kinds: string[];
}

/** What the user asked for: kinds shown (null: all) and an inclusive date range ("" for open). */
export interface Filter {
  kinds: Set<string> | null;
  from: string;
  to: string;
}
