/**
 * Money flows: mounts on `<div id="money" data-api data-case data-lang data-i18n>` (templates/money.html)
 * and draws the case's money as an ECharts Sankey. Modes: overview, trace from an account, proceeds.
 * Click a flow → the transactions behind it; click a node → its accounts, profile, "trace from here",
 * links to the entity page and the network. The flows are also listed in a table (keyboard and screen
 * readers). Exposes `window.verigaMoney = { ready, links, ... }` for tests.
 */
import * as echarts from "echarts/core";
import { SankeyChart } from "echarts/charts";
import { TooltipComponent } from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";

import { makeTranslator, type Translate } from "./common/i18n";

echarts.use([SankeyChart, TooltipComponent, CanvasRenderer]);

// -- the API's shapes (src/veriga/web/views/money.py) -------------------------------------------

interface MoneyNode {
  id: string;
  label: string;
  kind: string;
  accounts: string[];
  countries: string[];
  abroad: boolean;
  held: boolean;
  flagged: string[];
  entity_id: string | null;
  url: string | null;
  network_url: string | null;
  role: string | null;
  depth: number | null;
  returning: boolean;
}

interface MoneyLink {
  source: string;
  target: string;
  value: number;
  count: number;
  first: string | null;
  last: string | null;
}

interface MoneyFlows {
  mode: string;
  home: string | null;
  total: number;
  estimate?: number | null;
  internal: number;
  without_eur: number;
  traced: boolean;
  note: string | null;
  nodes: MoneyNode[];
  links: MoneyLink[];
}

interface MoneyTransaction {
  record_id: string;
  date: string;
  amount: number;
  currency: string | null;
  eur: number | null;
  value: number;
  reference: string | null;
  account: string;
  payer: string | null;
  payee: string | null;
  counterparty: string | null;
  description: string | null;
  method: string;
  source_id: string;
  source_file: string | null;
  line: string | null;
}

interface MoneyTransactions {
  total: number;
  value: number;
  offset: number;
  limit: number;
  rows: MoneyTransaction[];
}

interface MoneyProfile {
  account: string;
  label: string;
  url: string | null;
  flagged: string[];
  country: string | null;
  abroad: boolean;
  transactions: number;
  first: string | null;
  last: string | null;
  credits: number;
  debits: number;
  cash_in: number;
  cash_out: number;
  cash_share: number;
  months: { month: string; credits: number; debits: number; cash: number; balance: number }[];
  counterparties: { name: string | null; account: string | null; country: string | null; received: number; paid: number; count: number }[];
}

export interface VerigaMoney {
  /** Resolves once the first Sankey has been drawn (rejects if it could not be loaded). */
  ready: Promise<void>;
  /** Links drawn now. */
  readonly links: number;
  readonly data: MoneyFlows | null;
  /** Resolves when nothing is loading. */
  idle: () => Promise<void>;
  /** Viewport coordinates of the middle of link `i` (for tests that click it). */
  linkPoint: (i: number) => { x: number; y: number } | null;
  chart: echarts.ECharts;
}

declare global {
  interface Window {
    verigaMoney?: VerigaMoney;
  }
}

// -- small helpers -----------------------------------------------------------------------------

const translator = (raw: string | undefined): Translate => makeTranslator(raw, "money");

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: (Node | string | null)[]): HTMLElementTagNameMap[K] {
  const node = Object.assign(document.createElement(tag), props);
  for (const child of children) if (child !== null) node.append(child);
  return node;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);
}

const COLORS = {
  flagged: "#c0392b",
  abroad: "#d68910",
  held: "#2e6da4",
  other: "#8c96a3",
  source: "#7d3c98",
  method: "#148f77",
  bucket: "#c3c9d1",
};

function colorOf(n: MoneyNode): string {
  if (n.kind === "source") return COLORS.source;
  if (n.kind === "method") return COLORS.method;
  if (n.kind === "bucket") return COLORS.bucket;
  if (n.flagged.length) return COLORS.flagged;
  if (n.abroad) return COLORS.abroad;
  if (n.held || n.kind === "start") return COLORS.held;
  return COLORS.other;
}

// -- the module ------------------------------------------------------------------------------------

class Money {
  readonly t: Translate;
  readonly chart: echarts.ECharts;
  data: MoneyFlows | null = null;
  private byId = new Map<string, MoneyNode>();
  private pending = 0;
  private waiters: (() => void)[] = [];
  private readonly money: Intl.NumberFormat;
  private readonly dates: Intl.DateTimeFormat;
  private readonly form: HTMLFormElement;
  private readonly status: HTMLElement;
  private readonly panel: HTMLElement;
  private readonly table: HTMLElement;
  private readonly chartBox: HTMLElement;
  readonly ready: Promise<void>;

  constructor(private readonly root: HTMLElement) {
    this.t = translator(root.dataset.i18n);
    const lang = root.dataset.lang || document.documentElement.lang || "en";
    this.money = new Intl.NumberFormat(lang, { style: "currency", currency: "EUR" });
    this.dates = new Intl.DateTimeFormat(lang, { year: "numeric", month: "short", day: "numeric" });
    this.form = root.querySelector("form.money-controls") as HTMLFormElement;
    this.status = root.querySelector(".money-status") as HTMLElement;
    this.panel = root.querySelector(".money-panel") as HTMLElement;
    this.table = root.querySelector(".money-table-body") as HTMLElement;
    this.chartBox = root.querySelector(".money-chart") as HTMLElement;
    this.chart = echarts.init(this.chartBox, undefined, { renderer: "canvas" });
    this.chart.on("click", (params) => this.clicked(params as unknown as ClickParams));
    window.addEventListener("resize", () => this.chart.resize());
    this.readUrl();
    this.syncControls();
    this.form.addEventListener("change", () => this.syncControls());
    // the flagged accounts or the whole case: one click
    this.form.querySelector<HTMLInputElement>('input[name="flagged"]')?.addEventListener("change", () => this.form.requestSubmit());
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.writeUrl();
      void this.load().catch(() => undefined);
    });
    this.ready = this.load();
  }

  // -- parameters: the form is the state, mirrored in the URL --------------------------------

  private params(): URLSearchParams {
    const out = new URLSearchParams();
    const data = new FormData(this.form);
    const mode = String(data.get("mode") || "overview");
    out.set("mode", mode);
    for (const key of ["from", "to", "top", "by"]) {
      const value = String(data.get(key) ?? "").trim();
      if (value) out.set(key, value);
    }
    if (mode === "trace") {
      for (const key of ["account", "direction", "hops"]) {
        const value = String(data.get(key) ?? "").trim();
        if (value) out.set(key, value);
      }
    }
    if (mode === "overview") out.set("flagged", data.get("flagged") ? "true" : "false");
    return out;
  }

  private readUrl(): void {
    const query = new URLSearchParams(window.location.search);
    for (const [key, value] of query) {
      const fields = this.form.querySelectorAll<HTMLInputElement | HTMLSelectElement>(`[name="${CSS.escape(key)}"]`);
      fields.forEach((field) => {
        if (field instanceof HTMLInputElement && (field.type === "radio" || field.type === "checkbox")) {
          field.checked = field.type === "radio" ? field.value === value : value === "true";
        } else {
          field.value = value;
        }
      });
    }
  }

  private writeUrl(): void {
    history.replaceState(null, "", `${window.location.pathname}?${this.params().toString()}`);
  }

  private syncControls(): void {
    const mode = this.params().get("mode");
    (this.form.querySelector(".money-trace") as HTMLElement).hidden = mode !== "trace";
    (this.form.querySelector(".money-flagged") as HTMLElement).hidden = mode !== "overview";
  }

  // -- loading ---------------------------------------------------------------------------------------

  private async get<T>(path: string, query: URLSearchParams): Promise<T> {
    this.pending++;
    try {
      const res = await fetch(`${this.root.dataset.api}${path}?${query.toString()}`, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (!res.ok) {
        let detail = `${res.status} ${res.statusText}`;
        try {
          const body = (await res.json()) as { detail?: unknown };
          if (typeof body.detail === "string") detail = body.detail;
        } catch {
          /* not JSON */
        }
        throw new Error(detail);
      }
      return (await res.json()) as T;
    } finally {
      this.pending--;
      if (!this.pending) this.waiters.splice(0).forEach((w) => w());
    }
  }

  idle(): Promise<void> {
    return this.pending ? new Promise((resolve) => this.waiters.push(resolve)) : Promise.resolve();
  }

  async load(): Promise<void> {
    this.status.textContent = this.t("Loading…");
    this.panel.hidden = true;
    try {
      const data = await this.get<MoneyFlows>("", this.params());
      this.data = data;
      this.byId = new Map(data.nodes.map((n) => [n.id, n]));
      this.draw(data);
      this.flowsTable(data);
      this.summary(data);
    } catch (err) {
      this.status.textContent = (err as Error).message;
      this.data = null;
      this.chart.clear();
      this.table.replaceChildren();
      throw err;
    }
  }

  // -- the Sankey ------------------------------------------------------------------------------------

  label(n: MoneyNode | undefined, id = ""): string {
    if (!n) return id;
    const special = n.kind === "method" || n.kind === "source" || n.kind === "bucket";
    let text = special ? this.t(n.label) : n.label;
    if ((n.kind === "holder" || n.kind === "account") && n.countries.length) text += ` [${n.countries.join(", ")}]`;
    if (n.returning) text += " ↺";
    return text;
  }

  private draw(data: MoneyFlows): void {
    const count = data.nodes.length;
    const height = Math.max(420, Math.min(2400, count * 26));
    this.chartBox.style.height = `${height}px`;
    this.chart.resize();
    if (!data.links.length) {
      this.chart.clear();
      return;
    }
    const layered = data.nodes.some((n) => n.depth !== null);
    this.chart.setOption(
      {
        animation: false,
        tooltip: {
          trigger: "item",
          confine: true,
          formatter: (p: unknown) => this.tooltip(p as ClickParams),
        },
        series: [
          {
            type: "sankey",
            left: 8,
            right: 180,
            top: 12,
            bottom: 12,
            nodeGap: 10,
            nodeWidth: 14,
            draggable: true,
            nodeAlign: layered ? "left" : "justify",
            layoutIterations: 48,
            emphasis: { focus: "adjacency" },
            // small nodes stacked close: a label that would cover another is left out (its
            // node keeps its tooltip, and the table below lists every flow)
            labelLayout: { hideOverlap: true },
            label: {
              formatter: (p: { name: string }) => this.label(this.byId.get(p.name), p.name),
              fontSize: 12,
              overflow: "truncate",
              width: 170,
            },
            lineStyle: { color: "gradient", opacity: 0.35, curveness: 0.5 },
            data: data.nodes.map((n) => ({
              name: n.id,
              ...(n.depth !== null ? { depth: n.depth } : {}),
              itemStyle: { color: colorOf(n), borderColor: n.abroad ? COLORS.abroad : colorOf(n), borderWidth: n.abroad ? 2 : 0 },
            })),
            links: data.links.map((k) => ({ source: k.source, target: k.target, value: k.value })),
          },
        ],
      },
      { notMerge: true },
    );
  }

  private tooltip(p: ClickParams): string {
    if (p.dataType === "edge") {
      const k = this.data?.links[p.dataIndex];
      if (!k) return "";
      const from = escapeHtml(this.label(this.byId.get(k.source), k.source));
      const to = escapeHtml(this.label(this.byId.get(k.target), k.target));
      const dates = k.first ? `${this.day(k.first)} – ${this.day(k.last)}` : "";
      return `${from} → ${to}<br><b>${escapeHtml(this.money.format(k.value))}</b> · ${escapeHtml(this.t("Count"))}: ${k.count}<br>${escapeHtml(dates)}`;
    }
    const n = this.byId.get(p.name);
    if (!n) return "";
    const lines = [`<b>${escapeHtml(this.label(n))}</b>`];
    if (n.accounts.length) lines.push(escapeHtml(n.accounts.slice(0, 4).join(", ") + (n.accounts.length > 4 ? " …" : "")));
    if (n.flagged.length) lines.push(`${escapeHtml(this.t("Flagged by"))}: ${escapeHtml(n.flagged.join(", "))}`);
    if (n.abroad) lines.push(escapeHtml(this.t("abroad")));
    if (n.returning) lines.push(escapeHtml(this.t("Money coming back")));
    return lines.join("<br>");
  }

  private day(iso: string | null): string {
    if (!iso) return "";
    const d = new Date(`${iso}T00:00:00`);
    return Number.isNaN(d.getTime()) ? iso : this.dates.format(d);
  }

  private summary(data: MoneyFlows): void {
    const parts: string[] = [];
    if (data.note) parts.push(this.t(data.note));
    else if (!data.links.length) parts.push(this.t("No money flows"));
    else if (data.estimate !== null && data.estimate !== undefined) {
      // one figure of the proceeds: the estimate; the flows drawn count money at each step
      parts.push(`${this.t("Estimated proceeds (the proceeds finding)")}: ${this.money.format(data.estimate)}`);
      parts.push(`${this.t("All flows drawn")}: ${this.money.format(data.total)} (${this.t("money passing several accounts is counted at each of them")})`);
    } else parts.push(`${this.t("Total")}: ${this.money.format(data.total)}`);
    if (data.traced) parts.push(this.t("The amounts are the traced money each transaction carried."));
    if (data.internal) parts.push(`${this.t("Between accounts of one holder (not drawn)")}: ${this.money.format(data.internal)}`);
    if (data.without_eur) parts.push(`${this.t("Without an EUR amount (not drawn)")}: ${data.without_eur}`);
    if (data.home) parts.push(`${this.t("Accounts in the case's country are not marked; others are marked abroad.")} (${data.home})`);
    this.status.textContent = parts.join(" · ");
  }

  // -- the accessible table of flows ------------------------------------------------------------------

  private flowsTable(data: MoneyFlows): void {
    const head = el("tr", {}, ...["Source", "Target", "Total", "Count", "First", "Last", "Transactions"].map((h) => el("th", { scope: "col", textContent: this.t(h) })));
    const rows = data.links.map((k) => {
      const button = el("button", { type: "button", textContent: this.t("Transactions") });
      button.addEventListener("click", () => void this.drill(k, 0));
      return el(
        "tr",
        {},
        el("td", { textContent: this.label(this.byId.get(k.source), k.source) }),
        el("td", { textContent: this.label(this.byId.get(k.target), k.target) }),
        el("td", { className: "num", textContent: this.money.format(k.value) }),
        el("td", { className: "num", textContent: String(k.count) }),
        el("td", { textContent: this.day(k.first) }),
        el("td", { textContent: this.day(k.last) }),
        el("td", {}, button),
      );
    });
    this.table.replaceChildren(el("table", {}, el("thead", {}, head), el("tbody", {}, ...rows)));
  }

  // -- clicks: a flow → its transactions; a node → its accounts ---------------------------------------

  private clicked(p: ClickParams): void {
    if (!this.data) return;
    if (p.dataType === "edge") {
      const k = this.data.links[p.dataIndex];
      if (k) void this.drill(k, 0);
    } else if (p.dataType === "node") {
      const n = this.byId.get(p.name);
      if (n) this.showNode(n);
    }
  }

  private openPanel(title: string, ...content: Node[]): void {
    const close = el("button", { type: "button", className: "money-close", textContent: this.t("Close") });
    close.addEventListener("click", () => (this.panel.hidden = true));
    this.panel.replaceChildren(el("div", { className: "money-panel-head" }, el("h2", { textContent: title }), close), ...content);
    this.panel.hidden = false;
  }

  async drill(k: MoneyLink, offset: number): Promise<void> {
    const query = this.params();
    query.set("from_node", k.source);
    query.set("to_node", k.target);
    query.set("offset", String(offset));
    query.set("limit", "50");
    const title = `${this.label(this.byId.get(k.source), k.source)} → ${this.label(this.byId.get(k.target), k.target)}`;
    let page: MoneyTransactions;
    try {
      page = await this.get<MoneyTransactions>("/transactions", query);
    } catch (err) {
      this.openPanel(title, el("p", { textContent: (err as Error).message }));
      return;
    }
    const cols = ["Date", "Amount", "EUR", "Part of the flow", "Reference", "Payer", "Payee", "Counterparty", "Description", "Method", "Source file", "Line"];
    const head = el("tr", {}, ...cols.map((c) => el("th", { scope: "col", textContent: this.t(c) })));
    const body = page.rows.map((r) =>
      el(
        "tr",
        {},
        el("td", { textContent: this.day(r.date) }),
        el("td", { className: "num", textContent: this.amount(r.amount, r.currency) }),
        el("td", { className: "num", textContent: r.eur === null ? "" : this.money.format(r.eur) }),
        el("td", { className: "num", textContent: this.money.format(r.value) }),
        el("td", { textContent: r.reference ?? "" }),
        el("td", { className: "iban", textContent: r.payer ?? "" }),
        el("td", { className: "iban", textContent: r.payee ?? "" }),
        el("td", { textContent: r.counterparty ?? "" }),
        el("td", { textContent: r.description ?? "" }),
        el("td", { textContent: this.t(r.method) }),
        el("td", { textContent: r.source_file ?? r.source_id }),
        el("td", { textContent: r.line ?? "" }),
      ),
    );
    const first = page.total ? page.offset + 1 : 0;
    const last = page.offset + page.rows.length;
    const info = el("p", { className: "money-rows" }, `${this.t("rows %(first)s–%(last)s of %(total)s", { first, last, total: page.total })} · ${this.t("Total")}: ${this.money.format(page.value)}`);
    const nav = el("div", { className: "money-pager" });
    if (page.offset > 0) {
      const prev = el("button", { type: "button", textContent: this.t("Previous") });
      prev.addEventListener("click", () => void this.drill(k, Math.max(0, page.offset - page.limit)));
      nav.append(prev);
    }
    if (last < page.total) {
      const next = el("button", { type: "button", textContent: this.t("Next") });
      next.addEventListener("click", () => void this.drill(k, page.offset + page.limit));
      nav.append(next);
    }
    const table = el("table", { className: "money-transactions" }, el("caption", { textContent: this.t("Transactions") }), el("thead", {}, head), el("tbody", {}, ...body));
    table.dataset.testid = "money-transactions";
    this.openPanel(title, info, el("div", { className: "money-scroll" }, table), nav);
  }

  private amount(value: number, currency: string | null): string {
    try {
      return new Intl.NumberFormat(this.money.resolvedOptions().locale, { style: "currency", currency: currency || "EUR" }).format(value);
    } catch {
      return `${value.toFixed(2)} ${currency ?? ""}`;
    }
  }

  private showNode(n: MoneyNode): void {
    const items: Node[] = [];
    const facts = el("p", {});
    if (n.countries.length) facts.append(`${n.countries.join(", ")}${n.abroad ? ` (${this.t("abroad")})` : ""}`);
    if (n.flagged.length) facts.append(el("br"), `${this.t("Flagged by")}: ${n.flagged.join(", ")}`);
    if (n.role) facts.append(el("br"), this.t(n.role));
    items.push(facts);
    const links = el("p", { className: "money-links" });
    if (n.url) links.append(el("a", { href: n.url, textContent: this.t("Open page") }), " ");
    if (n.network_url) links.append(el("a", { href: n.network_url, textContent: this.t("Network") }), " ");
    const held = n.accounts;
    if (held.length && n.kind !== "start") {
      const trace = el("button", { type: "button", textContent: this.t("Trace from here") });
      trace.addEventListener("click", () => this.traceFrom(held));
      links.append(trace);
    }
    items.push(links);
    if (n.accounts.length) {
      const list = el("ul", { className: "money-accounts" });
      for (const account of n.accounts.slice(0, 20)) {
        const button = el("button", { type: "button", textContent: this.t("Account profile") });
        button.addEventListener("click", () => void this.profile(account, list));
        list.append(el("li", {}, el("span", { className: "iban", textContent: account }), " ", button));
      }
      items.push(list);
    }
    this.openPanel(this.label(n), ...items);
    if (n.accounts.length === 1 && n.held) void this.profile(n.accounts[0], null);
  }

  traceFrom(accounts: string[]): void {
    (this.form.querySelector('input[name="mode"][value="trace"]') as HTMLInputElement).checked = true;
    (this.form.querySelector('input[name="account"]') as HTMLInputElement).value = accounts.join(",");
    this.syncControls();
    this.writeUrl();
    void this.load().catch(() => undefined);
  }

  private async profile(account: string, after: HTMLElement | null): Promise<void> {
    let p: MoneyProfile;
    const box = el("div", { className: "money-profile" });
    try {
      p = await this.get<MoneyProfile>(`/account/${encodeURIComponent(account)}`, new URLSearchParams());
    } catch (err) {
      box.append(el("p", { textContent: `${account}: ${(err as Error).message}` }));
      (after ?? this.panel).append(box);
      return;
    }
    this.panel.querySelectorAll(".money-profile").forEach((old) => old.remove());
    const f = (v: number) => this.money.format(v);
    box.append(
      el("h3", { textContent: `${this.t("Account profile")}: ${p.account}` }),
      el(
        "p",
        {},
        `${this.t("Credits")}: ${f(p.credits)} · ${this.t("Debits")}: ${f(p.debits)} · ${this.t("Cash in")}: ${f(p.cash_in)} · ${this.t("Cash out")}: ${f(p.cash_out)} · ${this.t("Cash share")}: ${Math.round(p.cash_share * 100)} % · ${this.day(p.first)} – ${this.day(p.last)}`,
      ),
    );
    const months = el("table", {}, el("caption", { textContent: this.t("Months") }), el("thead", {}, el("tr", {}, ...["Month", "Credits", "Debits", "Cash", "Balance"].map((h) => el("th", { scope: "col", textContent: this.t(h) })))));
    months.append(el("tbody", {}, ...p.months.map((m) => el("tr", {}, el("td", { textContent: m.month }), ...[m.credits, m.debits, m.cash, m.balance].map((v) => el("td", { className: "num", textContent: f(v) }))))));
    const cps = el("table", {}, el("caption", { textContent: this.t("Top counterparties") }), el("thead", {}, el("tr", {}, ...["Counterparty", "Received", "Paid", "Count"].map((h) => el("th", { scope: "col", textContent: this.t(h) })))));
    cps.append(
      el(
        "tbody",
        {},
        ...p.counterparties.map((c) =>
          el(
            "tr",
            {},
            el("td", { textContent: [c.name, c.account, c.country ? `[${c.country}]` : null].filter(Boolean).join(" · ") }),
            el("td", { className: "num", textContent: f(c.received) }),
            el("td", { className: "num", textContent: f(c.paid) }),
            el("td", { className: "num", textContent: String(c.count) }),
          ),
        ),
      ),
    );
    box.append(el("div", { className: "money-scroll" }, months), el("div", { className: "money-scroll" }, cps));
    this.panel.append(box);
  }

  /** The middle of link i on the page (from the Sankey's layout), for tests. */
  linkPoint(i: number): { x: number; y: number } | null {
    const model = (this.chart as unknown as { getModel(): { getSeriesByIndex(i: number): SeriesLike | undefined } }).getModel();
    const series = model.getSeriesByIndex(0);
    const edge = series?.getGraph?.().getEdgeByIndex(i);
    if (!edge) return null;
    const e = edge.getLayout() as EdgeLayout;
    const a = edge.node1.getLayout() as NodeLayout;
    const b = edge.node2.getLayout() as NodeLayout;
    const x = (a.x + a.dx + b.x) / 2;
    const y = (a.y + e.sy + b.y + e.ty + e.dy) / 2;
    const box = this.chartBox.getBoundingClientRect();
    const grid = series?.layoutInfo ?? { x: 0, y: 0 };
    return { x: box.left + grid.x + x, y: box.top + grid.y + y };
  }
}

interface ClickParams {
  dataType?: "node" | "edge";
  dataIndex: number;
  name: string;
}

interface EdgeLayout {
  sy: number;
  ty: number;
  dy: number;
}

interface NodeLayout {
  x: number;
  y: number;
  dx: number;
  dy: number;
}

interface LaidOut {
  getLayout(): unknown;
}

interface SeriesLike {
  getGraph?: () => { getEdgeByIndex(i: number): (LaidOut & { node1: LaidOut; node2: LaidOut }) | undefined };
  layoutInfo?: { x: number; y: number };
}

const root = document.getElementById("money");
if (root) {
  const money = new Money(root);
  money.ready.catch(() => undefined);
  window.verigaMoney = {
    ready: money.ready,
    get links() {
      return money.data?.links.length ?? 0;
    },
    get data() {
      return money.data;
    },
    idle: () => money.idle(),
    linkPoint: (i) => money.linkPoint(i),
    chart: money.chart,
  };
}
