/**
 * UI strings of the timeline. Keys are the English msgids the server translates into `data-i18n`
 * (src/veriga/web/views/timeline.py, UI); a key missing there shows in English. Placeholders are
 * gettext's `%(name)s`, filled from `vars`.
 */
export type Translate = (key: string, vars?: Record<string, string | number>) => string;

/** Event kinds in display order, with the msgid of each group's name. */
export const KIND_NAMES: Record<string, string> = {
  trip: "Trips",
  ad: "Advertisements",
  payment: "Payments",
  employment: "Employment",
  directorship: "Directorships",
  ownership: "Ownerships",
  company: "Companies",
  other: "Other links",
  finding: "Findings",
};

export function makeTranslator(raw: string | undefined): Translate {
  let strings: Record<string, unknown> = {};
  if (raw) {
    try {
      const parsed: unknown = JSON.parse(raw);
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) strings = parsed as Record<string, unknown>;
    } catch {
      console.warn("veriga timeline: data-i18n is not valid JSON, using English");
    }
  }
  return (key, vars) => {
    const given = strings[key];
    let text = typeof given === "string" && given ? given : key;
    if (vars) text = text.replace(/%\((\w+)\)s/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
    return text;
  };
}
