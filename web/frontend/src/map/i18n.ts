/**
 * UI strings of the map. Keys are the English msgids; the server passes `{msgid: translation}` as JSON
 * in `data-i18n` (src/veriga/web/views/places.py, UI). `%(name)s` placeholders are filled from `vars`.
 */
export type Translate = (key: string, vars?: Record<string, string | number>) => string;

export function makeTranslator(raw: string | undefined): Translate {
  let strings: Record<string, unknown> = {};
  if (raw) {
    try {
      const parsed: unknown = JSON.parse(raw);
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) strings = parsed as Record<string, unknown>;
    } catch {
      console.warn("veriga map: data-i18n is not valid JSON, using English");
    }
  }
  return (key, vars) => {
    const given = strings[key];
    let text = typeof given === "string" && given ? given : key;
    if (vars) text = text.replace(/%\((\w+)\)s/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
    return text;
  };
}

/** Country names in the page's language (Intl), falling back to the upper-case ISO code. */
export function countryNamer(lang: string): (code: string) => string {
  let names: Intl.DisplayNames | null = null;
  try {
    names = new Intl.DisplayNames([lang, "en"], { type: "region" });
  } catch {
    names = null;
  }
  return (code) => {
    if (!code) return "";
    try {
      return names?.of(code.toUpperCase()) ?? code.toUpperCase();
    } catch {
      return code.toUpperCase();
    }
  };
}
