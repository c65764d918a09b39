/**
 * UI strings of the map. Keys are the English msgids; the server passes `{msgid: translation}` as JSON
 * in `data-i18n` (src/veriga/web/views/places.py, UI). `%(name)s` placeholders are filled from `vars`.
 */
export { makeTranslator, type Translate } from "../common/i18n";

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
