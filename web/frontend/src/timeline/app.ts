/**
 * The timeline page: controls (kinds, dates, zoom), the vis-timeline chart with one group per kind,
 * the details of the selected event, and the same events as a table (for screen readers and keyboards).
 */
import { DataSet } from "vis-data/peer";
import { Timeline, type TimelineOptions } from "vis-timeline/peer";

import { LinkedViews, type Linked } from "../common/linked";
import { h, safeUrl, uid } from "../network/dom";
import { day, endOf, focusWindow, formatter, parseDate } from "./dates";
import { KIND_NAMES, type Translate } from "./strings";
import type { Filter, TimelineData, TimelineEvent } from "./types";

const MAX_NETWORK_IDS = 10;
/** Lanes per entity: the most involved, the rest in one lane. */
const MAX_LANES = 25;
const OTHERS = "__others";
type Lanes = "kind" | "entity";
const HOUR = 3_600_000;
const YEAR = 365 * 24 * HOUR;

interface Item {
  id: string;
  group: string;
  start: Date;
  end?: Date;
  type: string;
  content: string;
  className: string;
}

interface Group {
  id: string;
  content: string;
  order: number;
  className: string;
}

export interface Options {
  api: string;
  caseName: string;
  ids: string[];
  lang: string;
  t: Translate;
}

/** A safe href (http(s) or same-site), relative when on this site. */
function link(url: string | null | undefined): string | null {
  const safe = safeUrl(url);
  if (!safe) return null;
  const parsed = new URL(safe);
  return parsed.origin === window.location.origin ? parsed.pathname + parsed.search + parsed.hash : safe;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Does the data fetched for `had` hold every event `want` asks for? */
function covers(had: Filter, want: Filter): boolean {
  if (had.kinds && (!want.kinds || [...want.kinds].some((k) => !had.kinds?.has(k)))) return false;
  if (had.from && (!want.from || want.from < had.from)) return false;
  return !(had.to && (!want.to || want.to > had.to));
}

function matches(event: TimelineEvent, filter: Filter): boolean {
  if (filter.from && day(event.end ?? event.start) < filter.from) return false;
  return !(filter.to && day(event.start) > filter.to);
}

export class TimelineApp {
  readonly ready: Promise<void>;
  /** Events on the chart now. */
  shown: TimelineEvent[] = [];
  timeline: Timeline | null = null;

  private readonly t: Translate;
  private readonly format: (value: string) => string;
  private readonly items = new DataSet<Item, "id">();
  private readonly groups = new DataSet<Group, "id">();
  private data: TimelineData | null = null;
  private fetched: Filter | null = null;
  private byId = new Map<string, TimelineEvent>();
  private kinds: string[] = Object.keys(KIND_NAMES);
  private request = 0;

  private readonly form: HTMLFormElement;
  private readonly kindBox: HTMLFieldSetElement;
  private readonly from: HTMLInputElement;
  private readonly to: HTMLInputElement;
  private readonly status: HTMLElement;
  private readonly chart: HTMLElement;
  private readonly details: HTMLElement;
  private readonly tbody: HTMLTableSectionElement;
  private readonly lanesSelect: HTMLSelectElement;
  private lanes: Lanes = "kind";
  /** The timeline, network and map of this case open side by side select together. */
  readonly linked: LinkedViews;
  private readonly linkedNote: HTMLElement;

  constructor(
    private readonly root: HTMLElement,
    private readonly options: Options,
  ) {
    const t = (this.t = options.t);
    this.format = formatter(options.lang);
    const fromId = uid("tl-from");
    const toId = uid("tl-to");
    const lanesId = uid("tl-lanes");
    this.kindBox = h("fieldset", { class: "tl-kinds" }, h("legend", {}, t("Kinds of event")));
    this.from = h("input", { type: "date", id: fromId, name: "from" });
    this.to = h("input", { type: "date", id: toId, name: "to" });
    this.form = h(
      "form",
      { class: "tl-controls", onsubmit: (e: Event) => (e.preventDefault(), void this.apply()) },
      this.kindBox,
      h(
        "fieldset",
        { class: "tl-dates" },
        h("legend", {}, t("Dates")),
        h("label", { for: fromId }, t("From")),
        this.from,
        h("label", { for: toId }, t("To")),
        this.to,
        h("button", { type: "submit", "data-testid": "tl-apply" }, t("Apply")),
        h("button", { type: "button", class: "secondary", onclick: () => void this.reset() }, t("Reset")),
      ),
      h(
        "div",
        { class: "tl-lanes" },
        h("label", { for: lanesId }, t("Lanes")),
        (this.lanesSelect = h(
          "select",
          { id: lanesId, "data-testid": "tl-lanes", onchange: () => this.setLanes(this.lanesSelect.value as Lanes) },
          h("option", { value: "kind" }, t("one per kind of event")),
          h("option", { value: "entity" }, t("one per person or company")),
        )),
      ),
      h(
        "div",
        { class: "tl-zoom", role: "group", "aria-label": t("Zoom in") + " / " + t("Zoom out") },
        h("button", { type: "button", onclick: () => this.timeline?.zoomIn(0.5) }, t("Zoom in")),
        h("button", { type: "button", onclick: () => this.timeline?.zoomOut(0.5) }, t("Zoom out")),
        h("button", { type: "button", onclick: () => this.timeline?.fit({ animation: false }) }, t("Fit all")),
      ),
    );
    this.status = h("p", { class: "tl-status", role: "status", "aria-live": "polite" }, t("Loading…"));
    this.linkedNote = h("p", { class: "tl-linked", "aria-live": "polite", "data-testid": "tl-linked", hidden: true });
    this.chart = h("div", { class: "tl-chart", role: "region", "aria-label": t("Timeline chart: every event is also listed in the table below.") });
    this.details = h(
      "aside",
      { class: "tl-details", "aria-live": "polite", tabindex: "-1", "data-testid": "tl-details" },
      h("h2", {}, t("Details")),
      h("p", { class: "tl-hint" }, t("Select an event on the timeline or in the table to see its details.")),
    );
    this.tbody = h("tbody", {});
    const table = h(
      "table",
      { class: "tl-table" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ...["Start", "End", "Kind", "Event", "Involved", ""].map((k) => h("th", { scope: "col" }, k ? t(k) : "")),
        ),
      ),
      this.tbody,
    );
    root.append(
      this.form,
      this.status,
      this.linkedNote,
      h("div", { class: "tl-body" }, this.chart, this.details),
      // the same events for screen readers and keyboards (closed at first: it can be long)
      h("details", { class: "tl-list", "data-testid": "tl-list" }, h("summary", {}, h("h2", {}, t("Events as a table"))), table),
    );
    this.linked = new LinkedViews(options.caseName, "timeline", (selection) => this.showLinked(selection));
    this.ready = this.load(this.filter());
  }

  /** What the network or the map of this case selected: its events selected here, brought into view. */
  showLinked(selection: Linked): void {
    const t = this.t;
    if (!this.timeline) return;
    if (!selection.ids.length) {
      this.timeline.setSelection([]);
      this.linkedNote.hidden = true;
      return;
    }
    const ids = new Set(selection.ids);
    const events = this.shown.filter((e) => e.entity_ids.some((id) => ids.has(id)) || e.parties.some((p) => ids.has(p.id)));
    const wanted = new Set(events.map((e) => e.id));
    const drawn = this.items.getIds({ filter: (i) => wanted.has(String(i.id).split("\u0000")[0]) });
    this.timeline.setSelection(drawn);
    // where most of them are (a company registered years before stays a zoom away)
    const span = selection.start && selection.end ? { start: parseDate(selection.start), end: endOf(selection.end) } : null;
    const around = focusWindow(events.map((e) => parseDate(e.start))) ?? span;
    if (around) this.timeline.setWindow(around.start, around.end, { animation: false });
    const where = selection.from === "map" ? t("Selected on the map") : t("Selected in the network");
    this.linkedNote.textContent = `${where}: ${t("%(count)s events here.", { count: events.length })}`;
    this.linkedNote.hidden = false;
    if (events.length === 1) this.select(events[0], false, false);
  }

  /** The filter the controls say. */
  filter(): Filter {
    const boxes = [...this.kindBox.querySelectorAll<HTMLInputElement>("input[type=checkbox]")];
    const on = boxes.filter((b) => b.checked).map((b) => b.value);
    const all = boxes.length === 0 || on.length === boxes.length;
    return { kinds: all ? null : new Set(on), from: this.from.value, to: this.to.value };
  }

  async apply(): Promise<void> {
    const want = this.filter();
    if (want.from && want.to && want.from > want.to) {
      this.setStatus(this.t("Error: %(message)s", { message: `${this.t("From")} > ${this.t("To")}` }), true);
      return;
    }
    if (this.data && this.fetched && !this.data.truncated && covers(this.fetched, want)) {
      this.show(this.data.events.filter((e) => matches(e, want)), want);
      return;
    }
    await this.load(want);
  }

  async reset(): Promise<void> {
    this.from.value = "";
    this.to.value = "";
    for (const box of this.kindBox.querySelectorAll<HTMLInputElement>("input[type=checkbox]")) box.checked = true;
    await this.apply();
    this.fit();
  }

  private url(filter: Filter): string {
    const params = new URLSearchParams();
    if (this.options.ids.length) params.set("ids", this.options.ids.join(","));
    if (filter.from) params.set("from", filter.from);
    if (filter.to) params.set("to", filter.to);
    if (filter.kinds) params.set("kinds", [...filter.kinds].join(","));
    const query = params.toString();
    return this.options.api + (query ? `?${query}` : "");
  }

  private async load(filter: Filter): Promise<void> {
    const request = ++this.request;
    this.setStatus(this.t("Loading…"));
    this.root.setAttribute("aria-busy", "true");
    try {
      const res = await fetch(this.url(filter), { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!res.ok) {
        let message = `${res.status} ${res.statusText}`;
        try {
          const body = (await res.json()) as { detail?: unknown };
          if (body.detail) message = typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail);
        } catch {
          /* not JSON */
        }
        throw new Error(message);
      }
      const data = (await res.json()) as TimelineData;
      if (request !== this.request) return; // a newer request is on its way
      this.data = data;
      this.fetched = filter;
      if (data.kinds?.length) this.kinds = data.kinds;
      this.show(data.events, filter);
    } catch (err) {
      if (request === this.request) this.setStatus(this.t("Error: %(message)s", { message: String((err as Error).message ?? err) }), true);
      throw err;
    } finally {
      if (request === this.request) this.root.removeAttribute("aria-busy");
    }
  }

  private setStatus(text: string, error = false): void {
    this.status.textContent = text;
    this.status.classList.toggle("error", error);
  }

  /** Counts per kind for the checkboxes: the server's, or those of the events filtered here. */
  private counts(filter: Filter): Record<string, number> {
    if (!this.data) return {};
    if (this.data.truncated || (this.fetched?.kinds ?? null) !== null) return this.data.counts;
    const out: Record<string, number> = {};
    for (const e of this.data.events) if (matches(e, filter)) out[e.kind] = (out[e.kind] ?? 0) + 1;
    return out;
  }

  private renderKinds(filter: Filter): void {
    const counts = this.counts(filter);
    const previous = new Map(
      [...this.kindBox.querySelectorAll<HTMLInputElement>("input[type=checkbox]")].map((b) => [b.value, b.checked]),
    );
    for (const label of this.kindBox.querySelectorAll("label")) label.remove();
    for (const kind of this.kinds) {
      const count = counts[kind] ?? 0;
      if (!count && !previous.has(kind)) continue; // a kind the case has none of
      const box = h("input", {
        type: "checkbox",
        value: kind,
        checked: previous.get(kind) ?? (filter.kinds ? filter.kinds.has(kind) : true),
        "data-testid": `tl-kind-${kind}`,
        onchange: () => void this.apply(),
      });
      this.kindBox.append(
        h(
          "label",
          { class: `tl-kind tl-kind-${kind}` },
          box,
          h("span", { class: "tl-swatch", "aria-hidden": "true" }),
          ` ${this.t(KIND_NAMES[kind] ?? kind)} `,
          h("span", { class: "tl-count" }, `(${count})`),
        ),
      );
    }
  }

  /** Put `events` (of every kind the filter may want) on the chart and in the table. */
  private show(events: TimelineEvent[], filter: Filter): void {
    this.renderKinds(filter);
    const kinds = this.filter().kinds;
    const shown = kinds ? events.filter((e) => kinds.has(e.kind)) : events;
    this.shown = shown;
    this.byId = new Map(shown.map((e) => [e.id, e]));
    this.draw(shown);
    this.renderTable(shown);
    let text = shown.length ? this.t("%(count)s events shown.", { count: shown.length }) : this.t("No events match these filters.");
    if (this.data?.truncated)
      text = this.t("Too many events: a sample of %(shown)s of %(total)s is shown, spread over time. Narrow the dates or kinds to see them all.", {
        shown: shown.length,
        total: this.data.total,
      });
    this.setStatus(text);
    this.status.classList.toggle("tl-truncated", Boolean(this.data?.truncated));
    if (!this.timeline) this.create();
    else this.fit();
  }

  /** The lanes: one per kind, or one per person or company (as theme lines), the events
   * drawn on the lane of each one involved. */
  private draw(shown: TimelineEvent[]): void {
    const className = (e: TimelineEvent) => `tl-kind-${e.kind}${e.state === "dismissed" ? " tl-dismissed" : ""}`;
    const item = (e: TimelineEvent, id: string, group: string): Item => ({
      id,
      group,
      start: parseDate(e.start),
      ...(e.end ? { end: endOf(e.end) } : {}),
      type: e.end ? "range" : "point",
      content: escapeHtml(e.label),
      className: className(e),
    });
    this.groups.clear();
    this.items.clear();
    if (this.lanes === "kind") {
      const present = new Set(shown.map((e) => e.kind));
      this.groups.add(
        this.kinds
          .filter((k) => present.has(k))
          .map((k, i) => ({ id: k, order: i, className: `tl-kind-${k}`, content: escapeHtml(this.t(KIND_NAMES[k] ?? k)) })),
      );
      this.items.add(shown.map((e) => item(e, e.id, e.kind)));
      return;
    }
    // the people and companies most involved, each a lane; the others share one
    const count = new Map<string, { label: string; n: number }>();
    for (const e of shown)
      for (const p of e.parties)
        if (p.actor) {
          const c = count.get(p.id) ?? { label: p.label, n: 0 };
          c.n++;
          count.set(p.id, c);
        }
    const lanes = [...count.entries()].sort((a, b) => b[1].n - a[1].n || a[1].label.localeCompare(b[1].label)).slice(0, MAX_LANES);
    const laneOf = new Map(lanes.map(([id], k) => [id, k]));
    this.groups.add(lanes.map(([id, c], k) => ({ id, order: k, className: "tl-lane", content: escapeHtml(c.label) })));
    const items: Item[] = [];
    let others = false;
    for (const e of shown) {
      const own = [...new Set(e.parties.filter((p) => laneOf.has(p.id)).map((p) => p.id))];
      for (const id of own) items.push(item(e, `${e.id}\u0000${id}`, id));
      if (!own.length) {
        items.push(item(e, e.id, OTHERS));
        others = true;
      }
    }
    if (others) this.groups.add({ id: OTHERS, order: lanes.length, className: "tl-lane", content: escapeHtml(this.t("Others")) });
    this.items.add(items);
  }

  private setLanes(lanes: Lanes): void {
    this.lanes = lanes;
    this.draw(this.shown);
    for (const panel of this.chart.querySelectorAll<HTMLElement>(".vis-panel.vis-left"))
      panel.setAttribute("aria-label", this.t(lanes === "kind" ? "Kinds of event" : "Lanes"));
  }

  private create(): void {
    const t = this.t;
    const options: TimelineOptions = {
      groupOrder: "order",
      stack: true,
      selectable: true,
      multiselect: false,
      showCurrentTime: false,
      verticalScroll: true,
      zoomKey: "ctrlKey",
      maxHeight: 560,
      minHeight: 240,
      zoomMin: HOUR,
      zoomMax: 40 * YEAR,
      orientation: { axis: "top", item: "top" },
      margin: { item: { horizontal: 4, vertical: 4 } },
      locale: this.options.lang,
      locales: { [this.options.lang]: { current: "", time: "", deleteSelected: "" } },
      xss: { disabled: false },
      // zoomed out, the events of a lane close together are one box with their number
      cluster: {
        maxItems: 4,
        titleTemplate: t("%(count)s events: zoom in to see them", { count: "{count}" }),
        clusterCriteria: (a, b) => a.group === b.group,
        showStipes: true,
      },
    };
    const window = this.window();
    if (window) Object.assign(options, window); // at once: no first frame of everything
    this.timeline = new Timeline(this.chart, this.items as never, this.groups as never, options);
    // the group labels scroll with the items: keyboard users may scroll them too
    for (const panel of this.chart.querySelectorAll<HTMLElement>(".vis-panel.vis-left")) {
      panel.tabIndex = 0;
      panel.setAttribute("aria-label", t("Kinds of event"));
    }
    this.timeline.on("select", (props?: { items: string[] }) => {
      const id = props?.items?.[0];
      // an event drawn on an entity's lane: its id, then the entity's
      const event = id ? this.byId.get(String(id).split("\u0000")[0]) : undefined;
      if (event) this.select(event, false);
      else if (!props?.items?.length) this.linked.publish([]);
    });
  }

  /** Show where most events are (far-off ones, such as old company registrations, may lie outside),
   * within the dates asked for. */
  fit(): void {
    if (!this.timeline) return;
    const window = this.window();
    if (window) this.timeline.setWindow(window.start, window.end, { animation: false });
    else this.timeline.fit({ animation: false });
  }

  private window(): { start: Date; end: Date } | null {
    const { from, to } = this.filter();
    const low = from ? parseDate(from) : null;
    const high = to ? endOf(to) : null;
    const starts = this.shown.map((e) => parseDate(e.start)).map((d) => (low && d < low ? low : d));
    const focus = focusWindow(starts);
    if (!focus) return low && high ? { start: low, end: high } : null;
    return { start: low && focus.start < low ? low : focus.start, end: high && focus.end > high ? high : focus.end };
  }

  private renderTable(events: TimelineEvent[]): void {
    const rows = events.map((e) =>
      h(
        "tr",
        { "data-id": e.id, class: `tl-kind-${e.kind}` },
        h("td", {}, h("time", { datetime: e.start }, this.format(e.start))),
        h("td", {}, e.end ? h("time", { datetime: e.end }, this.format(e.end)) : ""),
        h("td", {}, h("span", { class: "tl-swatch", "aria-hidden": "true" }), " ", this.t(KIND_NAMES[e.kind] ?? e.kind)),
        h("td", {}, link(e.url) ? h("a", { href: link(e.url) }, e.label) : e.label),
        h("td", { class: "tl-parties" }, ...this.partyLinks(e, 4)),
        h(
          "td",
          {},
          h("button", { type: "button", class: "secondary", "aria-label": `${this.t("Show")}: ${e.label}`, onclick: () => this.select(e, true) }, this.t("Show")),
        ),
      ),
    );
    this.tbody.replaceChildren(...rows);
  }

  private partyLinks(event: TimelineEvent, max: number): Node[] {
    const out: Node[] = [];
    event.parties.slice(0, max).forEach((p, i) => {
      if (i) out.push(document.createTextNode(", "));
      const href = link(p.url);
      out.push(href ? h("a", { href }, p.label) : document.createTextNode(p.label));
    });
    if (event.parties.length > max) out.push(document.createTextNode(` … (+${event.parties.length - max})`));
    return out;
  }

  /** Show an event's details; from the table, also select and centre it on the chart. The network
   * and map of the case open beside are told (unless the selection came from them). */
  select(event: TimelineEvent, fromTable: boolean, tell = true): void {
    const t = this.t;
    if (tell) {
      this.linkedNote.hidden = true;
      this.linked.publish([...event.entity_ids, ...event.parties.map((p) => p.id)], event.start, event.end ?? event.start);
    }
    if (fromTable && this.timeline) {
      // on entity lanes the event is drawn once per lane it is on
      const drawn = this.items.getIds({ filter: (i) => i.id === event.id || String(i.id).startsWith(`${event.id}\u0000`) });
      this.timeline.setSelection(drawn);
      if (drawn.length) this.timeline.focus(drawn, { animation: false });
    }
    const rows: [string, Node | string][] = [[t("Kind"), t(KIND_NAMES[event.kind] ?? event.kind)]];
    rows.push([t("Dates"), event.end ? `${this.format(event.start)} – ${this.format(event.end)}` : this.format(event.start)]);
    if (event.amount !== null) rows.push([t("Amount"), `${event.amount.toLocaleString(this.options.lang === "en" ? "en-GB" : this.options.lang, { minimumFractionDigits: 2, maximumFractionDigits: 2 })} ${event.currency ?? ""}`.trim()]);
    if (event.score !== null) rows.push([t("Score"), event.score.toFixed(2)]);
    if (event.state) rows.push([t("State"), t(event.state)]);
    const links: Node[] = [];
    const own = link(event.url);
    if (own) links.push(h("a", { href: own, "data-testid": "tl-open" }, t(event.kind === "finding" ? "Open finding" : "Open entity page")));
    const ids = event.entity_ids.slice(0, MAX_NETWORK_IDS);
    if (ids.length) {
      const href = `/cases/${encodeURIComponent(this.options.caseName)}/network?ids=${ids.map(encodeURIComponent).join(",")}`;
      links.push(h("a", { href, "data-testid": "tl-network" }, t("Open in the network")));
      const where = new URLSearchParams({ ids: ids.join(","), from: event.start.slice(0, 10), to: (event.end ?? event.start).slice(0, 10) });
      links.push(h("a", { href: `/cases/${encodeURIComponent(this.options.caseName)}/map?${where}`, "data-testid": "tl-map" }, t("Show on the map")));
    }
    const parts: (Node | null)[] = [
      h("h2", {}, t("Details")),
      h("h3", { class: `tl-kind-${event.kind}` }, h("span", { class: "tl-swatch", "aria-hidden": "true" }), " ", event.label),
      h("dl", {}, ...rows.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])),
      event.detail ? h("p", { class: "tl-detail" }, event.detail) : null,
      event.parties.length
        ? h(
            "div",
            {},
            h("h4", {}, t("Involved")),
            h(
              "ul",
              { class: "tl-party-list" },
              ...event.parties.map((p) => {
                const href = link(p.url);
                return h("li", {}, `${t(p.role_label)}: `, href ? h("a", { href }, p.label) : p.label);
              }),
            ),
          )
        : null,
      links.length ? h("p", { class: "tl-links" }, ...links.flatMap((a, i) => (i ? [" · ", a] : [a]))) : null,
    ];
    this.details.replaceChildren(...parts.filter((p): p is Node => p !== null));
    if (fromTable) this.details.focus();
  }

  /** Number of items on the chart. */
  get count(): number {
    return this.items.length;
  }
}
