/**
 * UI strings a page hands to its module: `{msgid: translation}` as JSON in `data-i18n` (each view's
 * `UI` tuple, translated by the server). A msgid left out or untranslated shows as itself (English);
 * `%(name)s` placeholders are filled from `vars`. (The network explorer has its own, older contract:
 * src/network/i18n.ts.)
 */
export type Translate = (key: string, vars?: Record<string, string | number>) => string;

export function makeTranslator(raw: string | undefined, module = "veriga"): Translate {
  let strings: Record<string, unknown> = {};
  if (raw) {
    try {
      const parsed: unknown = JSON.parse(raw);
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) strings = parsed as Record<string, unknown>;
    } catch {
      console.warn(`veriga ${module}: data-i18n is not valid JSON, using English`);
    }
  }
  return (key, vars) => {
    const given = strings[key];
    let text = typeof given === "string" && given ? given : key;
    if (vars) text = text.replace(/%\((\w+)\)s/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
    return text;
  };
}
