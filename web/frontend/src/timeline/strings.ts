/**
 * UI strings of the timeline. Keys are the English msgids the server translates into `data-i18n`
 * (src/veriga/web/views/timeline.py, UI); a key missing there shows in English. Placeholders are
 * gettext's `%(name)s`, filled from `vars`.
 */
export { makeTranslator, type Translate } from "../common/i18n";

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
  route: "Moves",
  finding: "Findings",
};

