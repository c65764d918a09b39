/**
 * Linked selection between the views of one case open side by side in the same browser (as i2's
 * linked charts): what is selected in the timeline, the network or the map is shown in the others.
 *
 * Only entity ids and a span of dates travel, over a BroadcastChannel (this browser, this site,
 * this case): no name or label. Each view reads what it shows through its own API, which checks the
 * reader's access and audits the read.
 */
export type ViewName = "timeline" | "network" | "map";

export interface Linked {
  /** The view the selection was made in. */
  from: ViewName;
  /** Entities selected; empty when the selection was cleared. */
  ids: string[];
  /** Inclusive dates (`2026-01-09`) of what was selected, when it has dates. */
  start: string | null;
  end: string | null;
}

/** At most this many ids go with one selection (a place visited by hundreds). */
export const MAX_LINKED = 200;

const ID = /^[A-Za-z0-9._:-]{1,200}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function clean(raw: unknown, self: ViewName): Linked | null {
  if (!raw || typeof raw !== "object") return null;
  const m = raw as Record<string, unknown>;
  const from = m.from;
  if (from !== "timeline" && from !== "network" && from !== "map") return null;
  if (from === self || !Array.isArray(m.ids)) return null;
  const ids = m.ids.filter((id): id is string => typeof id === "string" && ID.test(id)).slice(0, MAX_LINKED);
  const date = (v: unknown) => (typeof v === "string" && DATE.test(v.slice(0, 10)) ? v.slice(0, 10) : null);
  return { from, ids, start: date(m.start), end: date(m.end) };
}

export class LinkedViews {
  private readonly channel: BroadcastChannel | null;
  /** Selections this view received (tests read them). */
  received = 0;

  constructor(
    caseName: string,
    private readonly self: ViewName,
    onSelect: (selection: Linked) => void,
  ) {
    this.channel = typeof BroadcastChannel === "function" ? new BroadcastChannel(`veriga-linked:${caseName}`) : null;
    this.channel?.addEventListener("message", (event: MessageEvent) => {
      const selection = clean(event.data, self);
      if (!selection) return;
      this.received++;
      onSelect(selection);
    });
  }

  /** Tell the other views of this case what is selected here. */
  publish(ids: Iterable<string>, start: string | null = null, end: string | null = null): void {
    const unique = [...new Set(ids)].filter((id) => ID.test(id)).slice(0, MAX_LINKED);
    const message: Linked = { from: this.self, ids: unique, start: start?.slice(0, 10) ?? null, end: end?.slice(0, 10) ?? null };
    this.channel?.postMessage(message);
  }

  close(): void {
    this.channel?.close();
  }
}
