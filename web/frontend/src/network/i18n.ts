/**
 * UI strings. Keys are short English phrases (gettext msgids). The server passes `{key: translation}` as
 * JSON in `data-i18n`; a key it leaves out, or passes untranslated (value equal to the key), shows the
 * English text below, and a key not listed below shows as itself. `{name}` placeholders are filled from
 * `vars`. FtM schema names (Person, BankAccount…) and role/stage values are keys too.
 */
export const DEFAULT_STRINGS: Record<string, string> = {
  "network graph": "Network graph of the case",
  "graph tools": "Graph tools",
  "find entity": "Find entity",
  show: "Show",
  "size by": "Size by",
  degree: "Degree",
  betweenness: "Betweenness",
  closeness: "Closeness",
  pagerank: "PageRank",
  centrality: "Centrality",
  "top 10 by": "Top 10 by",
  computing: "Computing…",
  "run layout": "Run layout",
  "stop layout": "Stop layout",
  "zoom in": "Zoom in",
  "zoom out": "Zoom out",
  "fit graph": "Fit graph",
  "export PNG": "Export PNG",
  "export SVG": "Export SVG",
  "export ANX": "Export ANX (i2)",
  "save view": "Save view",
  "name of the view": "Name of this view",
  "saved views": "Saved views",
  "choose a saved view": "Choose a saved view",
  "open view": "Open view",
  filters: "Filters",
  "entity types": "Entity types",
  "link types": "Link types",
  roles: "Roles",
  stages: "Stages",
  "time range": "Time range",
  "show unlinked entities": "Show entities without links",
  from: "From",
  to: "To",
  reset: "Reset filters",
  victim: "Victim",
  suspect: "Suspect",
  witness: "Witness",
  other: "Other",
  "no role": "No role",
  recruitment: "Recruitment",
  transport: "Transport",
  exploitation: "Exploitation",
  proceeds: "Proceeds",
  "no stage": "No stage",
  selected: "Selected entity",
  "no selection": "Select an entity on the graph (or find it by name) to see its details.",
  schema: "Type",
  role: "Role",
  stage: "Stage",
  dates: "Dates",
  connections: "Connections",
  "open page": "Open entity page",
  expand: "Expand neighbours",
  pivot: "Shared identifiers",
  "path start": "Use as path start",
  "path start: {label}": "Path start: {label}",
  "find path": "Find path to this entity",
  "clear highlight": "Clear highlight",
  loading: "Loading…",
  "{nodes} entities and {edges} links shown.": "{nodes} entities and {edges} links shown.",
  "{nodes} entities and {edges} links added.": "{nodes} entities and {edges} links added.",
  "nothing new": "No new entities found.",
  "linked timeline": "Selected in the timeline: {n} entities highlighted here.",
  "linked map": "Selected on the map: {n} entities highlighted here.",
  "not found": "No entity of that name in the graph.",
  "path of {steps} steps found.": "Path of {steps} steps found.",
  "no path": "No path found.",
  "error: {message}": "Error: {message}",
  "view saved: {name}": "View “{name}” saved.",
  "view opened: {name}": "View “{name}” opened.",
  "laying out": "Laying out the graph…",
  "layout finished": "Layout finished.",
  "nothing to show": "No entities to show.",
  unknown: "unknown",
  none: "none",
};

export type Translate = (key: string, vars?: Record<string, string | number>) => string;

export function makeTranslator(raw: string | undefined): Translate {
  let strings: Record<string, unknown> = {};
  if (raw) {
    try {
      const parsed: unknown = JSON.parse(raw);
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) strings = parsed as Record<string, unknown>;
    } catch {
      console.warn("veriga network: data-i18n is not valid JSON, using English");
    }
  }
  return (key, vars) => {
    const given = strings[key];
    const english = DEFAULT_STRINGS[key] ?? key;
    let text = typeof given === "string" && given && given !== key ? given : english;
    if (vars) text = text.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
    return text;
  };
}

export function schemaName(t: Translate, schema: string): string {
  return t(schema);
}
