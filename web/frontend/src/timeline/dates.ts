/** Dates of the API (ISO, no time zone: local time) as Dates, and as text in the user's language. */

/** `2026-01-09` is midnight local time (not UTC, as `new Date("2026-01-09")` would be). */
export function parseDate(value: string): Date {
  if (value.length <= 10) {
    const [y, m, d] = value.split("-").map(Number);
    return new Date(y, (m || 1) - 1, d || 1);
  }
  return new Date(value);
}

/** The exclusive end of an inclusive end: a date-only end covers its whole day. */
export function endOf(value: string): Date {
  const date = parseDate(value);
  if (value.length <= 10) date.setDate(date.getDate() + 1);
  return date;
}

export function day(value: string): string {
  return value.slice(0, 10);
}

export function formatter(lang: string): (value: string) => string {
  const locale = lang === "en" ? "en-GB" : lang;
  const dateOnly = new Intl.DateTimeFormat(locale, { year: "numeric", month: "short", day: "numeric" });
  const withTime = new Intl.DateTimeFormat(locale, {
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
  });
  return (value) => (value.length <= 10 ? dateOnly : withTime).format(parseDate(value));
}

/**
 * A window around where most events are: the quartiles of their starts widened by 1.5 times the
 * spread between them (Tukey's fences), within the first and last event, padded a little. Far-off
 * events (a company registered years before the case) stay reachable by zooming out or "Fit all".
 */
export function focusWindow(starts: Date[]): { start: Date; end: Date } | null {
  if (!starts.length) return null;
  const sorted = starts.map((d) => d.getTime()).sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.round(q * (sorted.length - 1))];
  const spread = at(0.75) - at(0.25);
  const low = at(0.25) - 1.5 * spread;
  const high = at(0.75) + 1.5 * spread;
  let lo = sorted.find((t) => t >= low) ?? sorted[0];
  let hi = [...sorted].reverse().find((t) => t <= high) ?? sorted[sorted.length - 1];
  const pad = Math.max((hi - lo) * 0.04, 43_200_000);
  lo -= pad;
  hi += 3 * pad; // labels run to the right of their dates
  return { start: new Date(lo), end: new Date(hi) };
}
