/**
 * The chain diagram: mounts on `<div id="chain" data-api data-case data-i18n>`, fetches
 * `GET {data-api}` (the chain graph: nodes per stage and their links), lays it out left to right
 * with dagre (one band of columns per stage: recruitment → transport → exploitation → proceeds)
 * and draws it as SVG. Click a node (or focus it and press Enter) for its details and links to the
 * entity page, the network explorer, the timeline and the money flows; "Path to the proceeds"
 * highlights the shortest chain of links from that node to an account abroad or cash.
 *
 * Records a person merged are one node. A link of kind "same" is an unreviewed proposed match
 * ("possibly the same", with its match probability): drawn dashed, outside the layout and the
 * path to the proceeds, and a link to the finding to review. A node whose proposed matches are
 * not drawn carries a small dashed mark and lists them in its details.
 *
 * `window.verigaChain = { ready, nodes, edges, same, operations }` for tests (what is drawn).
 */
import dagre from "dagre";

import { makeTranslator, type Translate } from "./common/i18n";

interface ChainNode {
  id: string;
  label: string;
  sub: string;
  schema: string;
  role: string;
  stage: string;
  ids: string[];
  url: string | null;
  iban: string | null;
  count: number;
  merged: string[];
  subject_role: string | null;
  flagged: boolean;
  score: number;
  findings: string[];
  possibly: { finding: string; score: number; names: string[]; count: number }[];
}

interface ChainEdge {
  id: string;
  source: string;
  target: string;
  label: string;
  kind: string;
  records: string[];
  count: number;
  amount: number | null;
  probability: number | null;
  findings: string[];
}

interface ChainData {
  stages: string[];
  nodes: ChainNode[];
  edges: ChainEdge[];
  findings: { id: string; kind: string; title: string; score: number }[];
  sinks: string[];
}

export interface VerigaChain {
  ready: Promise<void>;
  nodes: number;
  edges: number; // links of the chain
  same: number; // "possibly the same" links (unreviewed proposed matches)
  operations: number; // operations offered to choose from (0 or 1: the chain is one)
}

declare global {
  interface Window {
    verigaChain?: VerigaChain;
  }
}

const SVG = "http://www.w3.org/2000/svg";
const NODE_W = 150;
const NODE_H = 46;
const TOP = 34; // room for the stage labels
/** The kind of link of a proposed match (possibly the same person or company). */
const SAME = "same";
/** Shared by every operation (one "cash" node): does not join operations into one. */
const HUBS = new Set(["cash"]);
/** From this many nodes on, a chain of several operations opens on the most flagged one. */
const OPEN_ON_ONE = 30;

interface Operation {
  nodes: Set<string>;
  label: string;
  score: number;
}

/**
 * The chain's operations: the groups of nodes linked to one another (a proposed match and a
 * shared cash node link none), largest first; a shared node belongs to each group it touches.
 */
export function operations(data: ChainData): Operation[] {
  const hub = new Set(data.nodes.filter((n) => HUBS.has(n.role)).map((n) => n.id));
  const parent = new Map(data.nodes.map((n) => [n.id, n.id]));
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r)!;
    parent.set(x, r);
    return r;
  };
  for (const e of data.edges) {
    if (e.kind === SAME || hub.has(e.source) || hub.has(e.target)) continue;
    parent.set(find(e.source), find(e.target));
  }
  const groups = new Map<string, Set<string>>();
  for (const n of data.nodes) {
    if (hub.has(n.id)) continue;
    const r = find(n.id);
    if (!groups.has(r)) groups.set(r, new Set());
    groups.get(r)!.add(n.id);
  }
  for (const e of data.edges) {
    if (e.kind === SAME) continue;
    for (const [h, other] of [[e.source, e.target], [e.target, e.source]]) {
      if (hub.has(h) && !hub.has(other)) groups.get(find(other))?.add(h);
    }
  }
  const byId = new Map(data.nodes.map((n) => [n.id, n]));
  const named = ["controller", "recruiter", "front_company", "employer"];
  return [...groups.values()]
    .filter((g) => g.size > 1)
    .map((g) => {
      const members = [...g].map((id) => byId.get(id)!).filter((n) => !HUBS.has(n.role));
      const lead =
        named.map((role) => members.filter((n) => n.role === role).sort((a, b) => b.score - a.score)[0]).find(Boolean) ??
        [...members].sort((a, b) => b.score - a.score)[0];
      return { nodes: g, label: lead?.label ?? "", score: members.reduce((sum, n) => sum + n.score, 0) };
    })
    .sort((a, b) => b.nodes.size - a.nodes.size);
}

/** Role → [msgid of its name, colour]. */
const ROLES: Record<string, [string, string]> = {
  recruiter: ["Recruiter", "#c2410c"],
  job_ads: ["Job ads", "#ea580c"],
  agency: ["Recruitment agency", "#b45309"],
  fee_account: ["Account receiving fees", "#d97706"],
  victim: ["Victim", "#7c3aed"],
  organiser: ["Organiser of trips", "#0f766e"],
  route: ["Route", "#0d9488"],
  sex_ads: ["Ads", "#db2777"],
  employer: ["Employer", "#92400e"],
  employer_account: ["Employer's account", "#a16207"],
  earnings: ["Account receiving earnings", "#2563eb"],
  controller: ["Controller", "#b91c1c"],
  flat: ["Flat (rent)", "#64748b"],
  front: ["Front company", "#9f1239"],
  director: ["Director", "#be123c"],
  controller_account: ["Controller's account", "#1d4ed8"],
  proceeds_account: ["Account passing proceeds on", "#1e40af"],
  mule: ["Money mule", "#9333ea"],
  mule_account: ["Mule account", "#4338ca"],
  abroad: ["Account abroad", "#dc2626"],
  cash: ["Cash", "#ca8a04"],
};

const translator = (raw: string | undefined): Translate => makeTranslator(raw, "chain");

/** The page's language (numbers are formatted in it, never in the browser's). */
function pageLanguage(): string {
  return document.documentElement.lang || "en";
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

function shorten(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function percent(p: number | null): string {
  return `${Math.round((p ?? 0) * 100)}%`;
}

/** Layout edges: forward in the stage order, or within a stage without closing a cycle. */
function layoutEdges(data: ChainData, stageOf: Map<string, number>): ChainEdge[] {
  const forward: ChainEdge[] = [];
  const within = new Map<string, ChainEdge[]>();
  for (const e of data.edges) {
    if (e.kind === SAME) continue; // a proposed match: drawn over the layout, never placing a node
    const a = stageOf.get(e.source)!;
    const b = stageOf.get(e.target)!;
    if (a < b) forward.push(e);
    else if (a === b) within.set(e.source, [...(within.get(e.source) ?? []), e]);
  }
  // depth-first search over the within-stage edges; back edges are left out of the layout
  const state = new Map<string, number>(); // 1 on the stack, 2 done
  const kept: ChainEdge[] = [];
  const visit = (n: string) => {
    state.set(n, 1);
    for (const e of within.get(n) ?? []) {
      const s = state.get(e.target);
      if (s === 1) continue;
      kept.push(e);
      if (!s) visit(e.target);
    }
    state.set(n, 2);
  };
  for (const n of data.nodes) if (!state.has(n.id)) visit(n.id);
  return [...forward, ...kept];
}

class ChainDiagram {
  private readonly t: Translate;
  private readonly caseName: string;
  private data: ChainData = { stages: [], nodes: [], edges: [], findings: [], sinks: [] };
  private whole: ChainData = this.data;
  private ops: Operation[] = [];
  private readonly opSelect: HTMLSelectElement;
  private readonly opLabel: HTMLElement;
  private byId = new Map<string, ChainNode>();
  private nodeEls = new Map<string, SVGGElement>();
  private edgeEls = new Map<string, SVGGElement>();
  private readonly panel: HTMLElement;
  private readonly canvas: HTMLElement;
  private readonly status: HTMLElement;
  private selected: string | null = null;

  constructor(
    root: HTMLElement,
    private readonly handle: VerigaChain,
  ) {
    this.t = translator(root.dataset.i18n);
    this.caseName = root.dataset.case ?? "";
    root.classList.add("vc");
    this.status = el("p", { class: "vc-status", role: "status", "data-testid": "chain-status" }, this.t("Loading…"));
    this.canvas = el("div", { class: "vc-canvas" });
    this.panel = el("aside", { class: "vc-panel", "aria-live": "polite", "data-testid": "chain-panel" });
    this.panel.append(el("p", { class: "vc-hint" }, this.t("Select a node to see its details.")));
    // the whole chain at once, scaled to the window; unticked, it keeps its size and scrolls
    this.canvas.classList.add("vc-fit");
    const fit = el("input", { type: "checkbox", id: "vc-fit", "data-testid": "chain-fit" }) as HTMLInputElement;
    fit.checked = true;
    fit.addEventListener("change", () => this.canvas.classList.toggle("vc-fit", fit.checked));
    const fitLabel = el("label", { class: "vc-fit-toggle", for: "vc-fit" }, fit, " ", this.t("Fit to the window"));
    this.opSelect = el("select", { id: "vc-operation", "data-testid": "chain-operation" }) as HTMLSelectElement;
    this.opSelect.addEventListener("change", () => this.show(this.opSelect.value));
    this.opLabel = el("label", { class: "vc-operation", for: "vc-operation", hidden: "" }, this.t("Operation"), " ", this.opSelect);
    root.replaceChildren(this.status, this.opLabel, fitLabel, el("div", { class: "vc-body" }, this.canvas, this.panel), this.legend());
  }

  async load(url: string): Promise<void> {
    try {
      const res = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!res.ok) throw new Error(`${res.status} ${res.statusText}`);
      this.data = (await res.json()) as ChainData;
    } catch (err) {
      this.status.textContent = this.t("Error: %(message)s", { message: err instanceof Error ? err.message : String(err) });
      this.status.classList.add("vc-error");
      return;
    }
    const byId = new Map(this.data.nodes.map((n) => [n.id, n]));
    this.data.edges = this.data.edges.filter((e) => byId.has(e.source) && byId.has(e.target));
    this.whole = this.data;
    if (!this.data.nodes.length) {
      this.status.textContent = this.t("No chain could be drawn from this case's findings yet.");
      return;
    }
    this.ops = operations(this.whole);
    let start = "all";
    if (this.ops.length > 1) {
      const { t } = this;
      this.opSelect.replaceChildren(
        el("option", { value: "all" }, t("All operations (%(n)s entities)", { n: this.whole.nodes.length })),
        ...this.ops.map((op, k) => el("option", { value: String(k) }, t("%(name)s and %(n)s more", { name: op.label, n: op.nodes.size - 1 }))),
      );
      this.opLabel.hidden = false;
      if (this.whole.nodes.length >= OPEN_ON_ONE) {
        // the operation the findings weigh most on
        const best = this.ops.reduce((b, op, k) => (op.score > this.ops[b].score ? k : b), 0);
        start = String(best);
      }
      this.opSelect.value = start;
    }
    this.show(start);
  }

  /** Draw one operation (its index in the list) or the whole chain ("all"). */
  private show(which: string): void {
    const op = which === "all" ? undefined : this.ops[Number(which)];
    const w = this.whole;
    this.data = op
      ? { ...w, nodes: w.nodes.filter((n) => op.nodes.has(n.id)), edges: w.edges.filter((e) => op.nodes.has(e.source) && op.nodes.has(e.target)) }
      : w;
    this.byId = new Map(this.data.nodes.map((n) => [n.id, n]));
    const links = this.data.edges.filter((e) => e.kind !== SAME).length;
    this.handle.nodes = this.data.nodes.length;
    this.handle.edges = links;
    this.handle.same = this.data.edges.length - links;
    this.handle.operations = this.ops.length;
    this.selected = null;
    this.renderPanel();
    this.draw();
    this.status.textContent = this.t("%(nodes)s entities and %(edges)s links in the chain.", { nodes: this.data.nodes.length, edges: links });
  }

  private legend(): HTMLElement {
    const list = el("ul", { class: "vc-legend" });
    for (const [, [name, color]] of Object.entries(ROLES)) {
      const swatch = el("span", { class: "vc-swatch", "aria-hidden": "true" });
      swatch.style.setProperty("--vc-color", color);
      list.append(el("li", {}, swatch, this.t(name)));
    }
    const flag = el("span", { class: "vc-swatch vc-swatch-flag", "aria-hidden": "true" });
    list.append(el("li", {}, flag, this.t("flagged by a finding")));
    const same = el("span", { class: "vc-swatch vc-swatch-same", "aria-hidden": "true" });
    list.append(el("li", { "data-testid": "chain-legend-same" }, same, this.t("possibly the same (a proposed match, not yet reviewed)")));
    return list;
  }

  // ------------------------------------------------------------------ drawing

  private draw(): void {
    const { data, t } = this;
    this.nodeEls.clear();
    this.edgeEls.clear();
    const stages = data.stages.length ? data.stages : ["recruitment", "transport", "exploitation", "proceeds"];
    const stageOf = new Map(data.nodes.map((n) => [n.id, Math.max(0, stages.indexOf(n.stage))]));
    const g = new dagre.graphlib.Graph({ multigraph: true });
    g.setGraph({ rankdir: "LR", nodesep: 14, ranksep: 34, edgesep: 6, marginx: 16, marginy: 16 });
    g.setDefaultEdgeLabel(() => ({}));
    // invisible anchors between the stages keep every node inside its stage's band of columns
    for (let s = 0; s <= stages.length; s++) g.setNode(`__stage${s}`, { width: 1, height: 1 });
    // …in their order, also where a stage has no node (an operation may lack one)
    for (let s = 0; s < stages.length; s++) g.setEdge(`__stage${s}`, `__stage${s + 1}`, { minlen: 1, weight: 0 }, `s${s}`);
    for (const n of data.nodes) {
      g.setNode(n.id, { width: NODE_W, height: NODE_H });
      const s = stageOf.get(n.id)!;
      g.setEdge(`__stage${s}`, n.id, { minlen: 1, weight: 0 }, `a${n.id}`);
      g.setEdge(n.id, `__stage${s + 1}`, { minlen: 1, weight: 0 }, `b${n.id}`);
    }
    const laid = new Set<string>();
    for (const e of layoutEdges(data, stageOf)) {
      g.setEdge(e.source, e.target, { minlen: 1, weight: 2 }, e.id);
      laid.add(e.id);
    }
    dagre.layout(g);
    const size = g.graph();
    const width = Math.max(400, (size.width ?? 0) + 20);
    const height = (size.height ?? 0) + TOP + 10;

    const root = svg("svg", { width, height, viewBox: `0 0 ${width} ${height}`, class: "vc-svg", role: "group", "aria-label": t("Chain diagram"), "data-testid": "chain-svg" });
    root.style.maxWidth = `${width}px`; // fitted to the window, never drawn larger than it is
    const defs = svg("defs");
    for (const [id, color] of [["vc-arrow", "#64748b"], ["vc-arrow-hi", "#dc2626"]] as const) {
      const marker = svg("marker", { id, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" });
      marker.append(Object.assign(svg("path", { d: "M0,0 L10,5 L0,10 z", fill: color })));
      defs.append(marker);
    }
    root.append(defs);

    // stage bands with their labels
    const bands = svg("g", { class: "vc-bands" });
    stages.forEach((stage, i) => {
      const xs = data.nodes.filter((n) => stageOf.get(n.id) === i).map((n) => g.node(n.id).x);
      if (!xs.length) return; // a stage with nothing in it (in this operation) takes no room
      const left = Math.min(...xs) - NODE_W / 2 - 10;
      const right = Math.max(...xs) + NODE_W / 2 + 10;
      const band = svg("g", { class: `vc-band vc-band-${stage}`, "data-testid": `chain-stage-${stage}` });
      band.append(svg("rect", { x: left, y: 2, width: right - left, height: height - 4, rx: 8 }));
      const label = svg("text", { x: (left + right) / 2, y: 22, "text-anchor": "middle", class: "vc-band-label" });
      label.textContent = `${i + 1}. ${t(stage)}`;
      band.append(label);
      bands.append(band);
    });
    root.append(bands);

    const edges = svg("g", { class: "vc-edges" });
    for (const e of data.edges) {
      if (e.kind === SAME) continue; // drawn above the boxes, so that no box hides a label
      const pts = laid.has(e.id) ? (g.edge({ v: e.source, w: e.target, name: e.id })?.points ?? []) : [];
      const a = g.node(e.source);
      const b = g.node(e.target);
      const points = pts.length ? pts : [{ x: a.x + NODE_W / 2, y: a.y }, { x: b.x - NODE_W / 2, y: b.y }];
      const d = points.map((p, i) => `${i ? "L" : "M"}${p.x.toFixed(1)},${(p.y + TOP).toFixed(1)}`).join(" ");
      const group = svg("g", { class: `vc-edge vc-edge-${e.kind}`, "data-id": e.id });
      const path = svg("path", { d, "marker-end": "url(#vc-arrow)" });
      const title = svg("title");
      const amount = e.amount ? ` ${e.amount.toLocaleString(pageLanguage(), { maximumFractionDigits: 0 })} EUR` : "";
      title.textContent = `${this.byId.get(e.source)!.label} → ${this.byId.get(e.target)!.label}: ${t(e.label)}${amount}`;
      path.append(title);
      const mid = points[Math.floor(points.length / 2)]!;
      const text = svg("text", { x: mid.x, y: mid.y + TOP - 3, class: "vc-edge-label", "text-anchor": "middle" });
      text.textContent = `${t(e.label)}${amount}`;
      group.append(path, text);
      edges.append(group);
      this.edgeEls.set(e.id, group);
    }
    root.append(edges);

    const nodes = svg("g", { class: "vc-nodes" });
    for (const n of data.nodes) {
      const p = g.node(n.id);
      const [roleName, color] = ROLES[n.role] ?? [n.role, "#475569"];
      const group = svg("g", {
        class: `vc-node${n.flagged ? " vc-flagged" : ""}`,
        transform: `translate(${(p.x - NODE_W / 2).toFixed(1)},${(p.y - NODE_H / 2 + TOP).toFixed(1)})`,
        tabindex: 0,
        role: "button",
        "data-id": n.id,
        "data-role": n.role,
        "data-stage": n.stage,
        "data-testid": "chain-node",
      });
      group.style.setProperty("--vc-color", color);
      group.append(svg("rect", { width: NODE_W, height: NODE_H, rx: 7, class: "vc-box" }));
      group.append(svg("rect", { width: 6, height: NODE_H, rx: 3, class: "vc-stripe" }));
      const l1 = svg("text", { x: 12, y: 18, class: "vc-label" });
      l1.textContent = shorten(n.label, 21);
      const l2 = svg("text", { x: 12, y: 35, class: "vc-sub" });
      // a leading space (not drawn) so that the two lines read as words, not one run of text
      l2.textContent = ` ${shorten([t(roleName), n.sub].filter(Boolean).join(" · "), 27)}`;
      // the accessible name starts with the visible (shortened) text, then says it in full
      const full = `${n.label}, ${[t(roleName), n.sub].filter(Boolean).join(", ")}`;
      const maybe = n.possibly.length ? `, ${t("possibly the same as records not drawn")}` : "";
      group.setAttribute("aria-label", `${l1.textContent}${l2.textContent}. ${full}${maybe}`);
      group.append(l1, l2);
      if (n.possibly.length) {
        // two dashed rings at the lower right: proposed matches with records not drawn
        const mark = svg("g", { class: "vc-maybe", "aria-hidden": "true", "data-testid": "chain-possibly-mark" });
        mark.append(svg("circle", { cx: NODE_W - 16, cy: NODE_H - 11, r: 4.5 }), svg("circle", { cx: NODE_W - 10, cy: NODE_H - 11, r: 4.5 }));
        group.append(mark);
      }
      if (n.flagged) {
        const flag = svg("text", { x: NODE_W - 16, y: 17, class: "vc-flag", "aria-hidden": "true" });
        flag.textContent = "⚑";
        group.append(flag);
      }
      const title = svg("title");
      title.textContent = `${n.label}${n.sub ? ` (${n.sub})` : ""} — ${t(roleName)}`;
      group.append(title);
      group.addEventListener("click", () => this.select(n.id));
      group.addEventListener("keydown", (ev) => {
        if (ev.key === "Enter" || ev.key === " ") {
          ev.preventDefault();
          this.select(n.id);
        }
      });
      nodes.append(group);
      this.nodeEls.set(n.id, group);
    }
    root.append(nodes, this.drawSame(g));
    this.canvas.replaceChildren(root);
  }

  /** The proposed matches between drawn nodes: dashed curves, each a link to its finding. */
  private drawSame(g: dagre.graphlib.Graph): SVGGElement {
    const { t } = this;
    const layer = svg("g", { class: "vc-same-layer" });
    for (const e of this.data.edges) {
      if (e.kind !== SAME) continue;
      const a = g.node(e.source);
      const b = g.node(e.target);
      // boxes in one column: from right edge to right edge, bowed to the right; else from
      // lower edge to lower edge, bowed downwards
      const column = Math.abs(a.x - b.x) < NODE_W;
      const [x1, y1, x2, y2] = column
        ? [a.x + NODE_W / 2, a.y + TOP, b.x + NODE_W / 2, b.y + TOP]
        : [a.x, a.y + NODE_H / 2 + TOP, b.x, b.y + NODE_H / 2 + TOP];
      const bow = Math.min(90, 24 + Math.hypot(x2 - x1, y2 - y1) / 5);
      const [cx, cy] = column ? [Math.max(x1, x2) + bow, (y1 + y2) / 2] : [(x1 + x2) / 2, Math.max(y1, y2) + bow];
      const finding = this.data.findings.find((f) => e.findings.includes(f.id));
      const visible = `${t("possibly the same")} ${percent(e.probability)}`;
      const names = `${this.byId.get(e.source)!.label} — ${this.byId.get(e.target)!.label}`;
      const href = finding ? this.findingUrl(finding.kind, finding.id) : null;
      const group = svg(href ? "a" : "g", { class: `vc-edge vc-edge-${SAME}`, "data-id": e.id, "data-testid": "chain-same" });
      if (href) {
        group.setAttribute("href", href);
        group.setAttribute("aria-label", `${visible}. ${names}: ${finding!.title}`);
      }
      const path = svg("path", { d: `M${x1.toFixed(1)},${y1.toFixed(1)} Q${cx.toFixed(1)},${cy.toFixed(1)} ${x2.toFixed(1)},${y2.toFixed(1)}` });
      const title = svg("title");
      title.textContent = `${names}: ${t("possibly the same")}, ${t("match probability %(p)s", { p: percent(e.probability) })}`;
      path.append(title);
      // the label at the curve's lowest point (the middle of a quadratic Bézier)
      const text = svg("text", { x: (x1 + 2 * cx + x2) / 4 + (column ? 4 : 0), y: (y1 + 2 * cy + y2) / 4 + (column ? 3 : 11), class: "vc-edge-label vc-same-label", "text-anchor": column ? "start" : "middle" });
      text.textContent = visible;
      group.append(path, text);
      layer.append(group);
      this.edgeEls.set(e.id, group as SVGGElement);
    }
    return layer;
  }

  private findingUrl(kind: string, id: string): string {
    return `/cases/${encodeURIComponent(this.caseName)}/findings?kind=${encodeURIComponent(kind)}&state=#${encodeURIComponent(id)}`;
  }

  // ------------------------------------------------------------------ interaction

  select(id: string | null): void {
    this.selected = id;
    // a narrow screen has the details below the diagram: bring them into sight
    if (id !== null) requestAnimationFrame(() => this.panel.scrollIntoView({ block: "nearest" }));
    for (const [nid, e] of this.nodeEls) e.classList.toggle("vc-selected", nid === id);
    for (const [eid, e] of this.edgeEls) {
      const edge = this.data.edges.find((x) => x.id === eid)!;
      e.classList.toggle("vc-near", id !== null && (edge.source === id || edge.target === id));
    }
    this.renderPanel();
  }

  private renderPanel(): void {
    const { t } = this;
    const n = this.selected ? this.byId.get(this.selected) : undefined;
    if (!n) {
      this.panel.replaceChildren(el("p", { class: "vc-hint" }, t("Select a node to see its details.")));
      return;
    }
    const [roleName] = ROLES[n.role] ?? [n.role];
    const base = `/cases/${encodeURIComponent(this.caseName)}`;
    const ids = n.ids.map(encodeURIComponent).join(",");
    const links = el("ul", { class: "vc-links" });
    const link = (href: string, text: string, testid: string) => links.append(el("li", {}, el("a", { href, "data-testid": testid }, text)));
    if (n.url && n.url.startsWith("/")) link(n.url, t("Open entity page"), "chain-entity-link");
    if (ids) {
      link(`${base}/network?ids=${ids}`, t("Network"), "chain-network-link");
      link(`${base}/timeline?ids=${ids}`, t("Timeline"), "chain-timeline-link");
    }
    // the money through an account: its trace both ways (who paid in, where it went)
    const trace = (iban: string) => `${base}/money?mode=trace&direction=both&account=${encodeURIComponent(iban)}`;
    if (n.iban) link(trace(n.iban), t("Money flows"), "chain-money-link");
    // a person's or company's accounts: a victim's wages, and where they went
    for (const e of this.data.edges) {
      const held = e.kind === "holds" && e.source === n.id ? this.byId.get(e.target) : undefined;
      if (held?.iban) link(trace(held.iban), t("Money through %(account)s", { account: held.iban }), "chain-held-money-link");
    }
    const dl = el("dl", { class: "vc-props" });
    const row = (k: string, v: string) => dl.append(el("dt", {}, k), el("dd", {}, v));
    row(t(n.stage), t(roleName));
    if (n.sub) row("", n.sub);
    if (n.merged.length) row(t("Records"), t("%(n)s records merged by a person", { n: n.merged.length + 1 }));
    const found = this.data.findings.filter((f) => n.findings.includes(f.id));
    const findings = el("ul", { class: "vc-findings" });
    for (const f of found) {
      findings.append(el("li", {}, el("a", { href: this.findingUrl(f.kind, f.id) }, `${f.kind} ${f.title}`), ` ${f.score.toFixed(2)}`));
    }
    // proposed matches: with nodes drawn (the dashed links) and with records not drawn
    const maybe = el("ul", { class: "vc-findings", "data-testid": "chain-possibly" });
    const kindOf = new Map(this.data.findings.map((f) => [f.id, f.kind]));
    const item = (fid: string, text: string, p: number) =>
      maybe.append(el("li", {}, el("a", { href: this.findingUrl(kindOf.get(fid) ?? "", fid) }, text), ` ${t("match probability %(p)s", { p: percent(p) })}`));
    for (const e of this.data.edges) {
      if (e.kind !== SAME || (e.source !== n.id && e.target !== n.id)) continue;
      const other = this.byId.get(e.source === n.id ? e.target : e.source)!;
      for (const fid of e.findings) item(fid, other.label, e.probability ?? 0);
    }
    for (const m of n.possibly) {
      const more = m.count > m.names.length ? ` (+${m.count - m.names.length})` : "";
      item(m.finding, `${m.names.join(", ")}${more} (${t("not drawn")})`, m.score);
    }
    const pathBtn = el("button", { type: "button", class: "vc-btn", "data-testid": "chain-path" }, t("Path to the proceeds"));
    pathBtn.addEventListener("click", () => this.highlightPath(n.id));
    const clearBtn = el("button", { type: "button", class: "vc-btn", "data-testid": "chain-clear" }, t("Clear path"));
    clearBtn.addEventListener("click", () => this.clearPath());
    this.panel.replaceChildren(el("h3", { class: "vc-h" }, n.label), dl, links);
    if (found.length) this.panel.append(el("h4", {}, t("Findings")), findings);
    if (maybe.childElementCount) this.panel.append(el("h4", {}, t("Possibly the same as")), maybe);
    this.panel.append(el("div", { class: "vc-actions" }, pathBtn, clearBtn));
  }

  /** Shortest path (links taken both ways) from `start` to the nearest sink of the proceeds. */
  pathToProceeds(start: string): string[] | null {
    const sinks = new Set(this.data.sinks);
    const adj = new Map<string, string[]>();
    for (const e of this.data.edges) {
      if (e.kind === SAME) continue; // a proposed match is not a link of the chain
      adj.set(e.source, [...(adj.get(e.source) ?? []), e.target]);
      adj.set(e.target, [...(adj.get(e.target) ?? []), e.source]);
    }
    const parent = new Map<string, string | null>([[start, null]]);
    const queue = [start];
    for (let i = 0; i < queue.length; i++) {
      const node = queue[i]!;
      if (sinks.has(node)) {
        const path: string[] = [];
        for (let s: string | null = node; s !== null; s = parent.get(s) ?? null) path.unshift(s);
        return path;
      }
      for (const nb of adj.get(node) ?? []) {
        if (!parent.has(nb)) {
          parent.set(nb, node);
          queue.push(nb);
        }
      }
    }
    return null;
  }

  highlightPath(start: string): string[] | null {
    const path = this.pathToProceeds(start);
    this.clearPath();
    if (!path) {
      this.status.textContent = this.t("No path to the proceeds from here.");
      return null;
    }
    const on = new Set(path);
    const steps = new Set(path.slice(1).map((b, i) => `${path[i]}|${b}`));
    this.canvas.classList.add("vc-has-path");
    for (const id of path) this.nodeEls.get(id)?.classList.add("vc-on-path");
    for (const e of this.data.edges) {
      if (e.kind === SAME) continue;
      if (on.has(e.source) && on.has(e.target) && (steps.has(`${e.source}|${e.target}`) || steps.has(`${e.target}|${e.source}`))) {
        const g = this.edgeEls.get(e.id);
        g?.classList.add("vc-on-path");
        g?.querySelector("path")?.setAttribute("marker-end", "url(#vc-arrow-hi)");
      }
    }
    return path;
  }

  clearPath(): void {
    this.canvas.classList.remove("vc-has-path");
    for (const e of this.canvas.querySelectorAll(".vc-on-path")) {
      e.classList.remove("vc-on-path");
      e.querySelector("path")?.setAttribute("marker-end", "url(#vc-arrow)");
    }
  }
}

const mountPoint = document.getElementById("chain");
if (mountPoint) {
  const handle: VerigaChain = { ready: Promise.resolve(), nodes: 0, edges: 0, same: 0, operations: 0 };
  const diagram = new ChainDiagram(mountPoint, handle);
  handle.ready = diagram.load(mountPoint.dataset.api ?? "");
  window.verigaChain = handle;
}
