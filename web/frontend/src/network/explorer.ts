import Graph, { UndirectedGraph } from "graphology";
import type Sigma from "sigma";
import type { EdgeDisplayData, NodeDisplayData } from "sigma/types";

import { LinkedViews, type Linked } from "../common/linked";
import { Api, ApiError } from "./api";
import { DIM_EDGE, DIM_NODE, PATH_COLOR, edgeColor, schemaColor } from "./colors";
import { download, h, safeUrl, uid } from "./dom";
import { type Translate, schemaName } from "./i18n";
import { toSvg } from "./svg";
import { type Layout, loadExport, loadLayout } from "./lazy";
import { sigmaWithFirstRenderMark } from "./timing";
import {
  ROLES,
  STAGES,
  type ApiEdge,
  type ApiNode,
  type EdgeAttrs,
  type FilterState,
  type GraphData,
  type NodeAttrs,
  type SizeBy,
  type ViewState,
} from "./types";

export type NetworkGraph = Graph<NodeAttrs, EdgeAttrs>;

export const FIRST_RENDER_MARK = "veriga-network-first-render";

/** ids per `GET graph?ids=` request when reopening a saved view (keeps URLs short). */
const IDS_PER_REQUEST = 100;
/** At most this many entities another view selected are added to the graph at once. */
const LINKED_ADDED = 30;

const emptyFilters = (): FilterState => ({
  hiddenSchemas: [],
  hiddenLinks: [],
  hiddenRoles: [],
  hiddenStages: [],
  from: "",
  to: "",
  showIsolated: false,
});

/** Inclusive overlap of [first, last] with [from, to]; missing ends are open. Dates compare as ISO text. */
function inRange(first: string | null, last: string | null, from: string, to: string): boolean {
  if (!from && !to) return true;
  const start = first ? first.slice(0, 10) : last ? last.slice(0, 10) : null;
  const end = last ? last.slice(0, 10) : start;
  if (start === null || end === null) return true; // undated entities are never hidden by time
  if (to && start > to) return false;
  if (from && end < from) return false;
  return true;
}

interface Controls {
  search: HTMLInputElement;
  datalist: HTMLDataListElement;
  sizeBy: HTMLSelectElement;
  layout: HTMLButtonElement;
  views: HTMLSelectElement;
  openView: HTMLButtonElement;
  schemaList: HTMLElement;
  linkList: HTMLElement;
  from: HTMLInputElement;
  to: HTMLInputElement;
  isolated: HTMLInputElement;
  isolatedCount: HTMLElement;
  panelBody: HTMLElement;
  panelHeading: HTMLElement;
  expand: HTMLButtonElement;
  pivots: HTMLButtonElement;
  pathFrom: HTMLButtonElement;
  findPath: HTMLButtonElement;
  clear: HTMLButtonElement;
  pathStart: HTMLElement;
  status: HTMLElement;
  stage: HTMLElement;
  centrality: HTMLDetailsElement;
  centralityMeasure: HTMLSelectElement;
  centralityList: HTMLOListElement;
}

/** Measures listed in the centrality panel. */
export type Centrality = "degree" | "betweenness" | "closeness" | "pagerank";
const CENTRALITIES: Centrality[] = ["degree", "betweenness", "closeness", "pagerank"];

export interface ExplorerOptions {
  api: Api;
  seed: string[];
  t: Translate;
  /** Resolves when network.css has been applied (the sigma container needs its size). */
  styled: Promise<void>;
  /** The case: its timeline and map open beside select together with this graph. */
  caseName?: string;
}

export class Explorer {
  readonly graph: NetworkGraph = new Graph<NodeAttrs, EdgeAttrs>({ type: "directed", multi: true, allowSelfLoops: true });
  sigma: Sigma<NodeAttrs, EdgeAttrs> | null = null;
  readonly ready: Promise<void>;

  private readonly api: Api;
  private readonly t: Translate;
  private readonly c: Controls;

  private filters: FilterState = emptyFilters();
  private hiddenNodes = new Set<string>();
  private hiddenEdges = new Set<string>();
  private sizeBy: SizeBy = "degree";
  private betweenness: Record<string, number> | null = null;

  private selected: string | null = null;
  private hovered: string | null = null;
  private hoveredNeighbours = new Set<string>();
  private pathStart: string | null = null;
  private pathNodes: Set<string> | null = null;
  private pathEdges = new Set<string>();

  private layout: InstanceType<Layout["FA2Layout"]> | null = null;
  /** Bumped by every start/stop so that a start waiting for the layout module can tell it is stale. */
  private layoutRun = 0;
  private layoutTimer: number | undefined;
  private dragged: string | null = null;
  private searchIndex = new Map<string, string>();
  private searchDirty = true;
  private knownSchemas = new Set<string>();
  private knownLinks = new Set<string>();
  private idleWaiters: (() => void)[] = [];
  /** Centrality of the nodes shown, per measure; emptied when the graph or the filters change. */
  private centrality = new Map<Centrality, Record<string, number>>();
  private centralityTimer: number | undefined;
  private busy = 0;
  readonly linked: LinkedViews | null;
  /** What another view selected, said while it is highlighted (the layout's news beside it). */
  private linkedStatus: string | null = null;

  constructor(
    private readonly root: HTMLElement,
    opts: ExplorerOptions,
  ) {
    this.api = opts.api;
    this.t = opts.t;
    // Start the request first, then build the controls while it is in flight.
    const first = opts.seed.length ? this.api.graph(opts.seed) : Promise.resolve<GraphData>({ nodes: [], edges: [] });
    first.catch(() => undefined);
    this.c = this.buildUi();
    this.linked = opts.caseName
      ? new LinkedViews(opts.caseName, "network", (selection) => void this.track(this.showLinked(selection)))
      : null;
    this.ready = this.init(first, opts.styled);
  }

  // ---------------------------------------------------------------- start-up

  private async init(first: Promise<GraphData>, styled: Promise<void>): Promise<void> {
    const { t } = this;
    this.setStatus(t("loading"));
    let data: GraphData = { nodes: [], edges: [] };
    try {
      [data] = await this.track(Promise.all([first, styled]));
    } catch (err) {
      this.fail(err);
    }
    performance.mark("veriga-network-data");
    this.merge(data, null);
    performance.mark("veriga-network-merged");
    const TimedSigma = sigmaWithFirstRenderMark(FIRST_RENDER_MARK);
    this.sigma = new TimedSigma(this.graph, this.c.stage, {
      allowInvalidContainer: true,
      doubleClickTimeout: 500,
      defaultEdgeType: "arrow",
      // Edge labels and z-ordering only matter once something is hovered, selected or highlighted:
      // they are switched on right after the first render, which they would otherwise slow down.
      renderEdgeLabels: false,
      labelDensity: 0.35,
      labelGridCellSize: 120,
      labelRenderedSizeThreshold: 5,
      labelFont: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
      labelColor: { color: "#1a1a1a" },
      edgeLabelColor: { color: "#333333" },
      edgeLabelSize: 11,
      zIndex: false,
      nodeReducer: (node, data) => this.nodeReducer(node, data),
      edgeReducer: (edge, data) => this.edgeReducer(edge, data),
    }) as unknown as Sigma<NodeAttrs, EdgeAttrs>;
    this.bindSigma(this.sigma);
    this.setStatus(
      this.graph.order ? t("{nodes} entities and {edges} links shown.", { nodes: this.graph.order, edges: this.graph.size }) : t("nothing to show"),
    );
    // Everything not needed for the first picture happens after it has been painted.
    requestAnimationFrame(() => {
      this.renderPanel();
      this.syncFilterControls();
      this.sigma?.setSetting("zIndex", true);
      this.sigma?.setSetting("renderEdgeLabels", true);
      this.startLayout();
      void this.refreshViews();
    });
  }

  /**
   * Count an async operation for `idle()` (whole operations, not single requests, so that `idle()` does
   * not resolve between two steps); errors are shown in the status line by the caller.
   */
  private async track<T>(p: Promise<T>): Promise<T> {
    this.busy++;
    try {
      return await p;
    } finally {
      this.busy--;
      this.checkIdle();
    }
  }

  /** Resolves when no request is in flight and the layout is not running. */
  idle(): Promise<void> {
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.checkIdle();
    });
  }

  private checkIdle(): void {
    if (this.busy || this.layout) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private fail(err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    console.error("veriga network:", err);
    this.setStatus(this.t("error: {message}", { message }), true);
  }

  private setStatus(text: string, isError = false): void {
    this.c.status.textContent = text;
    this.c.status.classList.toggle("vn-error", isError);
  }

  // ---------------------------------------------------------------- graph data

  private nodeAttrs(n: ApiNode): Omit<NodeAttrs, "x" | "y" | "size"> {
    const schema = n.schema || "Thing";
    return {
      label: n.label || n.id,
      color: schemaColor(schema),
      schema,
      role: n.role ?? null,
      stage: n.stage ?? null,
      first: n.first ?? null,
      last: n.last ?? null,
      url: n.url ?? "",
    };
  }

  private edgeAttrs(e: ApiEdge): EdgeAttrs {
    const schema = e.schema || "UnknownLink";
    return {
      label: e.label || schema,
      size: schema === "Payment" && e.amount ? Math.min(6, 1 + Math.log10(Math.max(1, e.amount)) / 2) : 1.5,
      color: edgeColor(schema),
      type: schema === "SharedIdentifier" || schema === "UnknownLink" ? "line" : "arrow",
      schema,
      first: e.first ?? null,
      last: e.last ?? null,
      amount: e.amount ?? null,
    };
  }

  /**
   * Merge API data into the graph. New nodes start near `anchor` (the expanded node) or at random.
   * `only`, when given, restricts the merge to those node ids (used to reopen saved views).
   */
  private merge(data: GraphData, anchor: string | null, only?: Set<string>): { nodes: number; edges: number } {
    const g = this.graph;
    let addedNodes = 0;
    let addedEdges = 0;
    const origin = anchor && g.hasNode(anchor) ? g.getNodeAttributes(anchor) : null;
    const spread = origin ? 1 + Math.sqrt(g.order) / 10 : Math.max(10, Math.sqrt(data.nodes.length) * 10);
    for (const n of data.nodes ?? []) {
      if (!n || typeof n.id !== "string" || (only && !only.has(n.id))) continue;
      const attrs = this.nodeAttrs(n);
      if (g.hasNode(n.id)) {
        g.mergeNodeAttributes(n.id, attrs);
      } else {
        const angle = Math.random() * 2 * Math.PI;
        const r = spread * Math.sqrt(Math.random());
        g.addNode(n.id, {
          ...attrs,
          x: (origin ? origin.x : 0) + r * Math.cos(angle),
          y: (origin ? origin.y : 0) + r * Math.sin(angle),
          size: 4,
        });
        addedNodes++;
      }
    }
    for (const e of data.edges ?? []) {
      if (!e || !g.hasNode(e.source) || !g.hasNode(e.target)) continue;
      const key = e.id || `${e.source}->${e.target}:${e.schema}`;
      if (g.hasEdge(key)) g.mergeEdgeAttributes(key, this.edgeAttrs(e));
      else {
        g.addDirectedEdgeWithKey(key, e.source, e.target, this.edgeAttrs(e));
        addedEdges++;
      }
    }
    if (addedNodes || addedEdges) {
      this.betweenness = null;
      this.centralityChanged();
      this.searchDirty = true;
      this.applySizes();
      // Before the first render the checkboxes can wait (they are built right after it).
      if (this.sigma) this.syncFilterControls();
      this.computeHidden();
    }
    return { nodes: addedNodes, edges: addedEdges };
  }

  private applySizes(): void {
    const g = this.graph;
    if (this.sizeBy === "betweenness") {
      if (!this.betweenness) return void this.computeBetweenness();
      const values = this.betweenness;
      let max = 0;
      for (const v of Object.values(values)) max = Math.max(max, v);
      const scale = g.order > 1000 ? 0.55 : g.order > 300 ? 0.75 : 1;
      g.forEachNode((n) => g.setNodeAttribute(n, "size", scale * (4 + 18 * Math.sqrt(max > 0 ? (values[n] ?? 0) / max : 0))));
    } else {
      // Smaller discs when there are many, so that a 2,000-node case is not one solid blob.
      const scale = g.order > 1000 ? 0.55 : g.order > 300 ? 0.75 : 1;
      g.forEachNode((n) => g.setNodeAttribute(n, "size", scale * Math.min(24, 4 + 2.5 * Math.sqrt(g.neighbors(n).length))));
    }
  }

  /** The graph as a simple undirected graph (links count both ways when looking for brokers and paths). */
  private undirected(): UndirectedGraph {
    const simple = new UndirectedGraph();
    this.graph.forEachNode((n) => simple.addNode(n));
    this.graph.forEachEdge((_e, _a, s, t) => {
      if (s !== t) simple.mergeEdge(s, t);
    });
    return simple;
  }

  /** Betweenness on the undirected simple version of the graph, loaded on demand (own chunk). */
  private computeBetweenness(): Promise<void> {
    return this.track(this.computeBetweennessNow());
  }

  private async computeBetweennessNow(): Promise<void> {
    const { betweenness } = await loadLayout();
    this.betweenness = betweenness(this.undirected(), { normalized: true });
    if (this.sizeBy === "betweenness") {
      this.applySizes();
      this.sigma?.refresh();
    }
  }

  // ---------------------------------------------------------------- centrality panel

  /** The graph or the filters changed: recompute (shortly, once) if the panel is open. */
  private centralityChanged(): void {
    this.centrality.clear();
    if (!this.c?.centrality.open) return;
    window.clearTimeout(this.centralityTimer);
    this.centralityTimer = window.setTimeout(() => void this.refreshCentrality(), 300);
  }

  /**
   * Top 10 nodes of the current view (the nodes the filters leave visible) by the chosen measure.
   * Computed only while the panel is open, with the lazily loaded metrics module, so that the
   * first render does no extra work.
   */
  refreshCentrality(): Promise<void> {
    return this.track(this.refreshCentralityNow());
  }

  private async refreshCentralityNow(): Promise<void> {
    const { t, c } = this;
    const measure = c.centralityMeasure.value as Centrality;
    let values = this.centrality.get(measure);
    if (!values) {
      c.centralityList.replaceChildren(h("li", { class: "vn-hint" }, t("computing")));
      try {
        values = await this.computeCentrality(measure);
      } catch (err) {
        this.fail(err);
        return;
      }
      this.centrality.set(measure, values);
    }
    if (c.centralityMeasure.value !== measure) return; // changed while computing
    const top = Object.entries(values)
      .filter(([n]) => this.graph.hasNode(n) && !this.hiddenNodes.has(n))
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, 10);
    const shown = (v: number) => (measure === "degree" ? String(v) : v.toFixed(3));
    c.centralityList.replaceChildren(
      ...top.map(([n, v]) =>
        h(
          "li",
          {},
          h(
            "button",
            { type: "button", class: "vn-centrality-item", "data-testid": "centrality-item", "data-node": n, onclick: () => this.focus(n) },
            h("span", { class: "vn-centrality-label" }, this.graph.getNodeAttribute(n, "label")),
            " ",
            h("span", { class: "vn-count" }, shown(v)),
          ),
        ),
      ),
    );
    if (!top.length) c.centralityList.replaceChildren(h("li", { class: "vn-hint" }, t("nothing to show")));
  }

  private async computeCentrality(measure: Centrality): Promise<Record<string, number>> {
    const visible = new UndirectedGraph();
    this.graph.forEachNode((n) => {
      if (!this.hiddenNodes.has(n)) visible.addNode(n);
    });
    this.graph.forEachEdge((e, _a, s, tg) => {
      if (s !== tg && !this.hiddenEdges.has(e) && visible.hasNode(s) && visible.hasNode(tg)) visible.mergeEdge(s, tg);
    });
    if (measure === "degree") {
      const out: Record<string, number> = {};
      visible.forEachNode((n) => (out[n] = visible.degree(n)));
      return out;
    }
    const metrics = await loadLayout();
    if (measure === "betweenness") return metrics.betweenness(visible, { normalized: true });
    if (measure === "closeness") return metrics.closeness(visible, { wassermanFaust: true });
    if (visible.size === 0) {
      const out: Record<string, number> = {};
      visible.forEachNode((n) => (out[n] = 1 / visible.order));
      return out;
    }
    return metrics.pagerank(visible, { getEdgeWeight: null });
  }

  // ---------------------------------------------------------------- filters

  private computeHidden(): void {
    const g = this.graph;
    const f = this.filters;
    const schemas = new Set(f.hiddenSchemas);
    const links = new Set(f.hiddenLinks);
    const roles = new Set(f.hiddenRoles);
    const stages = new Set(f.hiddenStages);
    const attributes = f.hiddenSchemas.length || f.hiddenRoles.length || f.hiddenStages.length || f.from || f.to;
    const hiddenNodes = new Set<string>();
    if (attributes)
      g.forEachNode((n, a) => {
        if (
          schemas.has(a.schema) ||
          roles.has(a.role ?? "none") ||
          stages.has(a.stage ?? "none") ||
          !inRange(a.first, a.last, f.from, f.to)
        )
          hiddenNodes.add(n);
      });
    const hiddenEdges = new Set<string>();
    const linked = new Set<string>();
    g.forEachEdge((e, a, s, t) => {
      if (hiddenNodes.has(s) || hiddenNodes.has(t) || links.has(a.schema) || !inRange(a.first, a.last, f.from, f.to))
        hiddenEdges.add(e);
      else if (s !== t) linked.add(s).add(t);
    });
    // entities left without a shown link: hidden unless asked for (or selected, or highlighted)
    let isolated = 0;
    g.forEachNode((n) => {
      if (hiddenNodes.has(n) || linked.has(n)) return;
      isolated++;
      if (!f.showIsolated && n !== this.selected && !this.pathNodes?.has(n)) hiddenNodes.add(n);
    });
    this.hiddenNodes = hiddenNodes;
    this.hiddenEdges = hiddenEdges;
    if (this.c) this.c.isolatedCount.textContent = `(${isolated})`;
  }

  private applyFilters(): void {
    this.computeHidden();
    this.centralityChanged();
    this.sigma?.refresh();
  }

  private readFilters(): void {
    const unchecked = (prefix: string) =>
      [...this.root.querySelectorAll<HTMLInputElement>(`input[data-filter="${prefix}"]`)].filter((i) => !i.checked).map((i) => i.value);
    this.filters = {
      hiddenSchemas: unchecked("schema"),
      hiddenLinks: unchecked("link"),
      hiddenRoles: unchecked("role"),
      hiddenStages: unchecked("stage"),
      from: this.c.from.value,
      to: this.c.to.value,
      showIsolated: this.c.isolated.checked,
    };
    this.applyFilters();
  }

  private writeFilters(f: FilterState): void {
    this.filters = { ...emptyFilters(), ...f };
    const sets: Record<string, Set<string>> = {
      schema: new Set(this.filters.hiddenSchemas),
      link: new Set(this.filters.hiddenLinks),
      role: new Set(this.filters.hiddenRoles),
      stage: new Set(this.filters.hiddenStages),
    };
    for (const input of this.root.querySelectorAll<HTMLInputElement>("input[data-filter]")) {
      input.checked = !sets[input.dataset.filter!]?.has(input.value);
    }
    this.c.from.value = this.filters.from;
    this.c.to.value = this.filters.to;
    this.c.isolated.checked = Boolean(this.filters.showIsolated);
    this.applyFilters();
  }

  /** Add a checkbox for every schema / link type that has appeared; update counts and the date bounds. */
  private syncFilterControls(): void {
    const g = this.graph;
    const nodeCounts = new Map<string, number>();
    const linkCounts = new Map<string, number>();
    let min = "";
    let max = "";
    const seeDate = (d: string | null) => {
      if (!d) return;
      const day = d.slice(0, 10);
      if (!min || day < min) min = day;
      if (!max || day > max) max = day;
    };
    g.forEachNode((_n, a) => {
      nodeCounts.set(a.schema, (nodeCounts.get(a.schema) ?? 0) + 1);
      seeDate(a.first);
      seeDate(a.last);
    });
    g.forEachEdge((_e, a) => {
      linkCounts.set(a.schema, (linkCounts.get(a.schema) ?? 0) + 1);
      seeDate(a.first);
      seeDate(a.last);
    });
    this.syncCheckboxes(this.c.schemaList, "schema", nodeCounts, this.knownSchemas, schemaColor);
    this.syncCheckboxes(this.c.linkList, "link", linkCounts, this.knownLinks, edgeColor);
    for (const input of [this.c.from, this.c.to]) {
      input.min = min;
      input.max = max;
    }
  }

  private syncCheckboxes(
    list: HTMLElement,
    kind: "schema" | "link",
    counts: Map<string, number>,
    known: Set<string>,
    color: (s: string) => string,
  ): void {
    const hidden = new Set(kind === "schema" ? this.filters.hiddenSchemas : this.filters.hiddenLinks);
    const added = [...counts.keys()].filter((s) => !known.has(s));
    for (const schema of added) {
      known.add(schema);
      const id = uid(`vn-${kind}`);
      const item = h(
        "li",
        { "data-value": schema },
        h("input", {
          type: "checkbox",
          id,
          value: schema,
          "data-filter": kind,
          "data-testid": `filter-${kind}-${schema}`,
          checked: !hidden.has(schema),
          onchange: () => this.readFilters(),
        }),
        h(
          "label",
          { for: id },
          h("span", { class: kind === "schema" ? "vn-swatch" : "vn-swatch vn-swatch-line", style: `--vn-swatch:${color(schema)}`, "aria-hidden": "true" }),
          schemaName(this.t, schema),
          " ",
          h("span", { class: "vn-count" }),
        ),
      );
      const before = [...list.children].find((li) => (li as HTMLElement).dataset.value! > schema);
      list.insertBefore(item, before ?? null);
    }
    for (const li of list.children) {
      const value = (li as HTMLElement).dataset.value!;
      const count = li.querySelector(".vn-count");
      if (count) count.textContent = `(${counts.get(value) ?? 0})`;
    }
  }

  // ---------------------------------------------------------------- rendering

  private nodeReducer(node: string, data: NodeAttrs): Partial<NodeDisplayData> {
    if (!this.hiddenNodes.size && !this.pathNodes && !this.hovered && !this.selected && !this.dragged) return data;
    const res: Partial<NodeDisplayData> & NodeAttrs = { ...data };
    if (this.hiddenNodes.has(node)) {
      res.hidden = true;
      return res;
    }
    if (this.pathNodes) {
      if (this.pathNodes.has(node)) {
        res.highlighted = true;
        res.forceLabel = true;
        res.zIndex = 2;
      } else {
        res.color = DIM_NODE;
        res.label = "";
        res.zIndex = 0;
      }
    } else if (this.hovered) {
      if (node === this.hovered || this.hoveredNeighbours.has(node)) {
        res.forceLabel = true;
        res.zIndex = 2;
      } else {
        res.color = DIM_NODE;
        res.label = "";
      }
    }
    if (node === this.selected) {
      res.highlighted = true;
      res.forceLabel = true;
      res.zIndex = 3;
    }
    if (node === this.dragged) res.highlighted = true;
    return res;
  }

  private edgeReducer(edge: string, data: EdgeAttrs): Partial<EdgeDisplayData> {
    if (!this.hiddenEdges.size && !this.pathNodes && !this.hovered && !this.selected) return { ...data, label: "" };
    const res: Partial<EdgeDisplayData> & EdgeAttrs = { ...data };
    if (this.hiddenEdges.has(edge)) {
      res.hidden = true;
      return res;
    }
    const g = this.graph;
    let showLabel = false;
    if (this.pathNodes) {
      if (this.pathEdges.has(edge)) {
        res.color = PATH_COLOR;
        res.size = Math.max(3, data.size);
        res.zIndex = 2;
        showLabel = true;
      } else {
        res.color = DIM_EDGE;
        res.zIndex = 0;
      }
    } else if (this.hovered) {
      if (g.hasExtremity(edge, this.hovered)) {
        showLabel = true;
        res.zIndex = 2;
      } else res.color = DIM_EDGE;
    }
    if (this.selected && g.hasExtremity(edge, this.selected)) showLabel = true;
    if (!showLabel) res.label = "";
    return res;
  }

  private bindSigma(sigma: Sigma<NodeAttrs, EdgeAttrs>): void {
    const g = this.graph;
    sigma.on("clickNode", ({ node }) => {
      this.select(node);
      this.linked?.publish([node]);
    });
    sigma.on("clickStage", () => {
      this.select(null);
      this.linked?.publish([]);
    });
    sigma.on("doubleClickNode", (e) => {
      e.preventSigmaDefault(); // no zoom on double click
      this.select(e.node);
      void this.expand(e.node);
    });
    sigma.on("enterNode", ({ node }) => {
      this.hovered = node;
      this.hoveredNeighbours = new Set(g.neighbors(node));
      this.c.stage.style.cursor = "pointer";
      sigma.refresh({ skipIndexation: true });
    });
    sigma.on("leaveNode", () => {
      this.hovered = null;
      this.hoveredNeighbours.clear();
      this.c.stage.style.cursor = "";
      sigma.refresh({ skipIndexation: true });
    });
    // Drag a node to move it (it stays where it is dropped while the layout runs).
    sigma.on("downNode", ({ node }) => {
      this.dragged = node;
      g.setNodeAttribute(node, "fixed", true);
      if (!sigma.getCustomBBox()) sigma.setCustomBBox(sigma.getBBox());
    });
    sigma.on("moveBody", ({ event }) => {
      if (!this.dragged) return;
      const pos = sigma.viewportToGraph(event);
      g.mergeNodeAttributes(this.dragged, { x: pos.x, y: pos.y });
      event.preventSigmaDefault();
      event.original.preventDefault();
      event.original.stopPropagation();
    });
    const release = () => {
      if (!this.dragged) return;
      this.dragged = null;
    };
    sigma.on("upNode", release);
    sigma.on("upStage", release);
  }

  // ---------------------------------------------------------------- layout

  /** Run ForceAtlas2 in a web worker for `ms` milliseconds (default: 2–6 s depending on the size). */
  startLayout(ms?: number): Promise<void> {
    this.stopLayout();
    const run = this.layoutRun;
    if (this.graph.order < 2) return Promise.resolve();
    return this.track(
      loadLayout().then(({ FA2Layout, inferSettings }) => {
        if (run !== this.layoutRun) return; // stopped or restarted while the module was loading
        const g = this.graph;
        const settings = inferSettings(g);
        settings.adjustSizes = false;
        settings.barnesHutOptimize = g.order > 300;
        this.layout = new FA2Layout(g, { settings, getEdgeWeight: null });
        this.layout.start();
        this.c.layout.textContent = this.t("stop layout");
        this.c.layout.setAttribute("aria-pressed", "true");
        this.setStatusIfIdle(this.t("laying out"));
        const duration = ms ?? Math.min(6000, 2000 + g.order * 1.5);
        this.layoutTimer = window.setTimeout(() => {
          this.stopLayout();
          this.setStatusIfIdle(this.t("layout finished"));
        }, duration);
      }, (err: unknown) => this.fail(err)),
    );
  }

  stopLayout(): void {
    this.layoutRun++;
    window.clearTimeout(this.layoutTimer);
    if (this.layout) {
      this.layout.kill();
      this.layout = null;
    }
    this.graph.forEachNode((n, a) => {
      if (a.fixed && n !== this.dragged) this.graph.removeNodeAttribute(n, "fixed");
    });
    this.sigma?.setCustomBBox(null);
    this.c.layout.textContent = this.t("run layout");
    this.c.layout.setAttribute("aria-pressed", "false");
    this.checkIdle();
  }

  private setStatusIfIdle(text: string): void {
    if (!this.c.status.classList.contains("vn-error") || !this.c.status.textContent)
      this.setStatus(this.linkedStatus ? `${text} ${this.linkedStatus}` : text);
  }

  // ---------------------------------------------------------------- selection and actions

  select(node: string | null): void {
    if (node !== null && !this.graph.hasNode(node)) node = null;
    this.selected = node;
    this.renderPanel();
    this.sigma?.refresh({ skipIndexation: true });
  }

  focus(node: string): void {
    if (!this.sigma || !this.graph.hasNode(node)) return;
    this.select(node);
    if (this.hiddenNodes.has(node)) this.applyFilters(); // an entity without links, asked for
    const d = this.sigma.getNodeDisplayData(node);
    if (d) void this.sigma.getCamera().animate({ x: d.x, y: d.y, ratio: 0.4 }, { duration: 400 });
  }

  private renderPanel(): void {
    const { t, c } = this;
    const node = this.selected;
    const has = node !== null;
    for (const b of [c.expand, c.pivots, c.pathFrom]) b.disabled = !has;
    c.findPath.disabled = !has || !this.pathStart || this.pathStart === node || !this.graph.hasNode(this.pathStart);
    c.clear.disabled = !this.pathNodes;
    c.pathStart.textContent =
      this.pathStart && this.graph.hasNode(this.pathStart)
        ? t("path start: {label}", { label: this.graph.getNodeAttribute(this.pathStart, "label") })
        : "";
    c.panelBody.replaceChildren();
    if (!has) {
      c.panelHeading.textContent = t("selected");
      c.panelBody.append(h("p", { class: "vn-hint" }, t("no selection")));
      return;
    }
    const a = this.graph.getNodeAttributes(node);
    c.panelHeading.textContent = a.label;
    const dates = a.first || a.last ? `${a.first ?? "…"} – ${a.last ?? "…"}` : t("unknown");
    const rows: [string, string][] = [
      [t("schema"), schemaName(t, a.schema)],
      [t("role"), a.role ? t(a.role) : t("none")],
      [t("stage"), a.stage ? t(a.stage) : t("none")],
      [t("dates"), dates],
      [t("connections"), String(this.graph.neighbors(node).length)],
    ];
    const dl = h("dl", { class: "vn-props" });
    for (const [k, v] of rows) dl.append(h("dt", {}, k), h("dd", {}, v));
    c.panelBody.append(dl);
    const href = safeUrl(a.url);
    if (href) c.panelBody.append(h("p", {}, h("a", { href, "data-testid": "node-link", class: "vn-link" }, t("open page"))));
  }

  async expand(node: string): Promise<void> {
    await this.fetchAndMerge(node, () => this.api.neighbours(node));
  }

  async pivots(node: string): Promise<void> {
    await this.fetchAndMerge(node, () => this.api.pivots(node));
  }

  private fetchAndMerge(anchor: string, get: () => Promise<GraphData>): Promise<void> {
    return this.track(this.fetchAndMergeNow(anchor, get));
  }

  private async fetchAndMergeNow(anchor: string, get: () => Promise<GraphData>): Promise<void> {
    this.setStatus(this.t("loading"));
    try {
      const data = await this.track(get());
      const added = this.merge(data, anchor);
      this.sigma?.refresh();
      this.renderPanel();
      if (added.nodes || added.edges) {
        this.setStatus(this.t("{nodes} entities and {edges} links added.", added));
        if (added.nodes) await this.startLayout(Math.min(4000, 1500 + this.graph.order));
      } else this.setStatus(this.t("nothing new"));
    } catch (err) {
      this.fail(err);
    }
  }

  findPath(from: string, to: string): Promise<boolean> {
    return this.track(this.findPathNow(from, to));
  }

  private async findPathNow(from: string, to: string): Promise<boolean> {
    this.setStatus(this.t("loading"));
    let path: string[] | null = null;
    try {
      const data = await this.track(this.api.path(from, to));
      const added = this.merge(data, from);
      if (added.nodes) await this.startLayout(2000);
      path = Array.isArray(data.path) ? data.path.filter((id) => this.graph.hasNode(id)) : null;
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) path = null;
      else if (err instanceof ApiError) return this.fail(err), false;
      else {
        // Server unreachable: search the graph already loaded.
        const { bidirectional } = await loadLayout();
        path = bidirectional(this.undirected(), from, to) ?? null;
      }
    }
    if (!path || path.length < 2) {
      this.clearHighlight();
      this.setStatus(this.t("no path"));
      return false;
    }
    this.highlightPath(path);
    this.setStatus(this.t("path of {steps} steps found.", { steps: path.length - 1 }));
    return true;
  }

  highlightPath(path: string[]): void {
    const g = this.graph;
    this.linkedStatus = null;
    this.pathNodes = new Set(path);
    this.pathEdges = new Set();
    for (let i = 0; i + 1 < path.length; i++) {
      const a = path[i]!;
      const b = path[i + 1]!;
      for (const e of g.edges(a, b)) this.pathEdges.add(e);
      for (const e of g.edges(b, a)) this.pathEdges.add(e);
    }
    this.renderPanel();
    this.sigma?.refresh({ skipIndexation: true });
  }

  /** What the timeline or the map selected: its entities (added if not drawn yet, up to
   * LINKED_ADDED) and links highlighted, the view centred on them. */
  async showLinked(selection: Linked): Promise<void> {
    await this.ready;
    const g = this.graph;
    if (!selection.ids.length) {
      this.clearHighlight();
      return;
    }
    const missing = selection.ids.filter((id) => !g.hasNode(id) && !g.hasEdge(id)).slice(0, LINKED_ADDED);
    if (missing.length) {
      try {
        const added = this.merge(await this.track(this.api.graph(missing)), null, new Set(missing));
        if (added.nodes) await this.startLayout(1500);
      } catch (err) {
        this.fail(err);
      }
    }
    const nodes = new Set<string>();
    const edges = new Set<string>();
    for (const id of selection.ids) {
      if (g.hasNode(id)) nodes.add(id);
      else if (g.hasEdge(id)) {
        edges.add(id);
        nodes.add(g.source(id));
        nodes.add(g.target(id));
      }
    }
    for (const n of nodes) for (const e of g.outEdges(n)) if (nodes.has(g.target(e))) edges.add(e);
    if (!nodes.size) {
      this.clearHighlight();
      this.setStatus(this.t("nothing new"));
      return;
    }
    this.pathNodes = nodes;
    this.pathEdges = edges;
    if ([...nodes].some((n) => this.hiddenNodes.has(n))) this.applyFilters();
    this.renderPanel();
    this.sigma?.refresh({ skipIndexation: true });
    this.linkedStatus = this.t(selection.from === "map" ? "linked map" : "linked timeline", { n: nodes.size });
    this.setStatus(this.linkedStatus);
    const first = [...nodes][0]!;
    const d = this.sigma?.getNodeDisplayData(first);
    if (d && nodes.size === 1) void this.sigma?.getCamera().animate({ x: d.x, y: d.y, ratio: 0.5 }, { duration: 300 });
  }

  clearHighlight(): void {
    this.linkedStatus = null;
    this.pathNodes = null;
    this.pathEdges = new Set();
    this.renderPanel();
    this.sigma?.refresh({ skipIndexation: true });
  }

  setSizeBy(value: SizeBy): void {
    this.sizeBy = value;
    this.c.sizeBy.value = value;
    this.applySizes();
    this.sigma?.refresh();
  }

  // ---------------------------------------------------------------- views

  viewState(): ViewState {
    const nodes: ViewState["nodes"] = [];
    this.graph.forEachNode((id, a) => nodes.push({ id, x: Math.round(a.x * 100) / 100, y: Math.round(a.y * 100) / 100 }));
    const extraEdges: ApiEdge[] = [];
    this.graph.forEachEdge((id, a, source, target) => {
      if (a.schema === "SharedIdentifier") extraEdges.push({ id, source, target, schema: a.schema, label: a.label, first: a.first, last: a.last, amount: a.amount });
    });
    const cam = this.sigma?.getCamera().getState();
    return {
      version: 1,
      nodes,
      extraEdges,
      filters: { ...this.filters },
      sizeBy: this.sizeBy,
      camera: cam ? { x: cam.x, y: cam.y, ratio: cam.ratio, angle: cam.angle } : null,
      selected: this.selected,
    };
  }

  saveView(name: string): Promise<string | null> {
    return this.track(this.saveViewNow(name));
  }

  private async saveViewNow(name: string): Promise<string | null> {
    try {
      const { id } = await this.track(this.api.saveView(name, this.viewState()));
      this.setStatus(this.t("view saved: {name}", { name }));
      await this.refreshViews(id);
      return id;
    } catch (err) {
      this.fail(err);
      return null;
    }
  }

  private async refreshViews(selectId?: string): Promise<void> {
    try {
      const views = await this.track(this.api.views());
      const select = this.c.views;
      select.replaceChildren(h("option", { value: "" }, this.t("choose a saved view")));
      // a view saved again under its name is a new version: every version is kept, newest
      // first, numbered from the oldest
      const list = Array.isArray(views) ? views : [];
      const versions = new Map<string, number>();
      for (const v of list) versions.set(v.name, (versions.get(v.name) ?? 0) + 1);
      const seen = new Map<string, number>();
      for (const v of list) {
        const n = (versions.get(v.name) ?? 1) - (seen.get(v.name) ?? 0);
        seen.set(v.name, (seen.get(v.name) ?? 0) + 1);
        const version = (versions.get(v.name) ?? 1) > 1 ? ` · v${n}` : "";
        const date = v.created_at ? ` (${v.created_at.slice(0, 16).replace("T", " ")})` : "";
        select.append(h("option", { value: v.id, "data-version": String(n) }, `${v.name}${version}${date}`));
      }
      if (selectId) select.value = selectId;
      this.c.openView.disabled = !select.value;
    } catch (err) {
      // A missing views endpoint must not break the explorer.
      console.warn("veriga network: cannot list saved views", err);
    }
  }

  openView(id: string): Promise<void> {
    return this.track(this.openViewNow(id));
  }

  private async openViewNow(id: string): Promise<void> {
    this.setStatus(this.t("loading"));
    try {
      const view = await this.track(this.api.view(id));
      const state = view.state;
      const ids = (state?.nodes ?? []).map((n) => n.id);
      const chunks: string[][] = [];
      for (let i = 0; i < ids.length; i += IDS_PER_REQUEST) chunks.push(ids.slice(i, i + IDS_PER_REQUEST));
      const parts = await this.track(Promise.all(chunks.map((c) => this.api.graph(c))));
      this.stopLayout();
      this.graph.clear();
      this.pathNodes = null;
      this.pathStart = null;
      this.selected = null;
      const only = new Set(ids);
      for (const part of parts) this.merge(part, null, only);
      this.merge({ nodes: [], edges: Array.isArray(state.extraEdges) ? state.extraEdges : [] }, null, only);
      for (const n of state.nodes) if (this.graph.hasNode(n.id)) this.graph.mergeNodeAttributes(n.id, { x: n.x, y: n.y });
      this.sizeBy = state.sizeBy === "betweenness" ? "betweenness" : "degree";
      this.c.sizeBy.value = this.sizeBy;
      this.applySizes();
      this.writeFilters(state.filters ?? emptyFilters());
      if (state.camera && this.sigma) this.sigma.getCamera().setState(state.camera);
      this.select(state.selected && this.graph.hasNode(state.selected) ? state.selected : null);
      this.setStatus(this.t("view opened: {name}", { name: view.name }));
    } catch (err) {
      this.fail(err);
    }
  }

  // ---------------------------------------------------------------- export

  exportPng(): Promise<void> {
    return this.track(this.exportPngNow());
  }

  private async exportPngNow(): Promise<void> {
    if (!this.sigma) return;
    try {
      const { toBlob } = await loadExport();
      const blob = await (toBlob(this.sigma as unknown as Sigma, { format: "png", backgroundColor: "#ffffff" }));
      download(blob, "network.png");
    } catch (err) {
      this.fail(err);
    }
  }

  exportSvg(): void {
    if (!this.sigma) return;
    const svg = toSvg(this.sigma as unknown as Sigma, this.t("network graph"));
    download(new Blob([svg], { type: "image/svg+xml" }), "network.svg");
  }

  /** The entities shown, where they are, as an ANX chart the server writes (an export). */
  exportAnx(): Promise<void> {
    return this.track(this.exportAnxNow());
  }

  private async exportAnxNow(): Promise<void> {
    const nodes: { id: string; x: number; y: number }[] = [];
    // the graph's y grows upwards, ANB's downwards
    this.graph.forEachNode((id, a) => {
      if (!this.hiddenNodes.has(id)) nodes.push({ id, x: a.x, y: -a.y });
    });
    if (!nodes.length) return;
    try {
      download(await this.track(this.api.chartAnx(nodes)), "network.anx");
    } catch (err) {
      this.fail(err);
    }
  }

  // ---------------------------------------------------------------- search

  private refreshSearch(): void {
    if (!this.searchDirty) return;
    this.searchDirty = false;
    const index = new Map<string, string>();
    const seen = new Map<string, number>();
    this.graph.forEachNode((_n, a) => seen.set(`${a.label} (${a.schema})`, (seen.get(`${a.label} (${a.schema})`) ?? 0) + 1));
    const options: HTMLOptionElement[] = [];
    this.graph.forEachNode((n, a) => {
      let text = `${a.label} (${schemaName(this.t, a.schema)})`;
      if ((seen.get(`${a.label} (${a.schema})`) ?? 0) > 1) text += ` [${n}]`;
      index.set(text.toLowerCase(), n);
      options.push(h("option", { value: text }));
    });
    this.searchIndex = index;
    this.c.datalist.replaceChildren(...options);
  }

  private runSearch(): void {
    this.refreshSearch();
    const q = this.c.search.value.trim().toLowerCase();
    if (!q) return;
    let node = this.searchIndex.get(q) ?? (this.graph.hasNode(this.c.search.value.trim()) ? this.c.search.value.trim() : undefined);
    if (!node) {
      for (const [text, id] of this.searchIndex) {
        if (text.includes(q)) {
          node = id;
          break;
        }
      }
    }
    if (node) this.focus(node);
    else this.setStatus(this.t("not found"));
  }

  // ---------------------------------------------------------------- UI

  private buildUi(): Controls {
    const { t } = this;
    const root = this.root;
    root.classList.add("vn");
    const button = (key: string, testid: string, onclick: () => void, extra: Record<string, string | boolean> = {}) =>
      h("button", { type: "button", class: "vn-btn", "data-testid": testid, onclick, ...extra }, t(key));

    const searchId = uid("vn-search");
    const listId = uid("vn-list");
    const sizeId = uid("vn-size");
    const viewsId = uid("vn-views");
    const fromId = uid("vn-from");
    const toId = uid("vn-to");
    const panelHeadingId = uid("vn-panel-h");

    const search = h("input", {
      id: searchId,
      type: "search",
      list: listId,
      autocomplete: "off",
      "data-testid": "node-search",
      onfocus: () => this.refreshSearch(),
      onkeydown: ((e: KeyboardEvent) => {
        if (e.key === "Enter") {
          e.preventDefault();
          this.runSearch();
        }
      }) as EventListener,
    });
    const datalist = h("datalist", { id: listId });
    const sizeBy = h(
      "select",
      { id: sizeId, "data-testid": "size-by", onchange: () => this.setSizeBy(sizeBy.value as SizeBy) },
      h("option", { value: "degree" }, t("degree")),
      h("option", { value: "betweenness" }, t("betweenness")),
    );
    const layout = button("run layout", "layout", () => (this.layout ? this.stopLayout() : void this.startLayout()), { "aria-pressed": "false" });
    const views = h("select", { id: viewsId, "data-testid": "views-select", onchange: () => (openView.disabled = !views.value) }, h("option", { value: "" }, t("choose a saved view")));
    const openView = button("open view", "open-view", () => views.value && void this.openView(views.value), { disabled: true });

    const zoom = (f: (cam: ReturnType<Sigma["getCamera"]>) => unknown) => () => this.sigma && f(this.sigma.getCamera());
    const toolbar = h(
      "div",
      { class: "vn-toolbar", role: "group", "aria-label": t("graph tools") },
      h(
        "div",
        { class: "vn-field vn-search" },
        h("label", { for: searchId }, t("find entity")),
        h("span", { class: "vn-inline" }, search, datalist, button("show", "node-search-go", () => this.runSearch())),
      ),
      h("div", { class: "vn-field" }, h("label", { for: sizeId }, t("size by")), sizeBy),
      h(
        "div",
        { class: "vn-group" },
        layout,
        button("zoom in", "zoom-in", zoom((c) => c.animatedZoom({ duration: 200 }))),
        button("zoom out", "zoom-out", zoom((c) => c.animatedUnzoom({ duration: 200 }))),
        button("fit graph", "zoom-reset", zoom((c) => c.animatedReset({ duration: 300 }))),
      ),
      h(
        "div",
        { class: "vn-group" },
        button("export PNG", "export-png", () => void this.exportPng()),
        button("export SVG", "export-svg", () => this.exportSvg()),
        button("export ANX", "export-anx-chart", () => void this.exportAnx()),
      ),
      h(
        "div",
        { class: "vn-group" },
        button("save view", "save-view", () => {
          const name = window.prompt(t("name of the view"), "");
          if (name && name.trim()) void this.saveView(name.trim());
        }),
        h("div", { class: "vn-field" }, h("label", { for: viewsId }, t("saved views")), h("span", { class: "vn-inline" }, views, openView)),
      ),
    );

    // Filters
    const schemaList = h("ul", { class: "vn-checks" });
    const linkList = h("ul", { class: "vn-checks" });
    const fixedChecks = (kind: "role" | "stage", values: string[]) =>
      h(
        "ul",
        { class: "vn-checks" },
        ...[...values, "none"].map((v) => {
          const id = uid(`vn-${kind}`);
          return h(
            "li",
            {},
            h("input", { type: "checkbox", id, value: v, checked: true, "data-filter": kind, "data-testid": `filter-${kind}-${v}`, onchange: () => this.readFilters() }),
            h("label", { for: id }, t(v === "none" ? `no ${kind}` : v)),
          );
        }),
      );
    const from = h("input", { type: "date", id: fromId, "data-testid": "date-from", onchange: () => this.readFilters() });
    const to = h("input", { type: "date", id: toId, "data-testid": "date-to", onchange: () => this.readFilters() });
    const isolatedId = uid("vn-isolated");
    const isolated = h("input", { type: "checkbox", id: isolatedId, "data-testid": "filter-isolated", onchange: () => this.readFilters() });
    const isolatedCount = h("span", { class: "vn-count", "data-testid": "isolated-count" });
    const filters = h(
      "section",
      { class: "vn-filters", "aria-label": t("filters") },
      h("h2", { class: "vn-h" }, t("filters")),
      h("fieldset", {}, h("legend", {}, t("entity types")), schemaList,
        h("div", { class: "vn-check" }, isolated, h("label", { for: isolatedId }, t("show unlinked entities"), " ", isolatedCount))),
      h("fieldset", {}, h("legend", {}, t("link types")), linkList),
      h("fieldset", {}, h("legend", {}, t("roles")), fixedChecks("role", ROLES)),
      h("fieldset", {}, h("legend", {}, t("stages")), fixedChecks("stage", STAGES)),
      h(
        "fieldset",
        {},
        h("legend", {}, t("time range")),
        h("div", { class: "vn-field" }, h("label", { for: fromId }, t("from")), from),
        h("div", { class: "vn-field" }, h("label", { for: toId }, t("to")), to),
      ),
      button("reset", "reset-filters", () => this.writeFilters(emptyFilters())),
    );

    // The canvas
    const stage = h("div", { class: "vn-stage", role: "img", "aria-label": t("network graph"), "data-testid": "graph" });

    // Selected-node panel
    const panelHeading = h("h2", { class: "vn-h", id: panelHeadingId }, t("selected"));
    const panelBody = h("div", { class: "vn-panel-body", "aria-live": "polite" }, h("p", { class: "vn-hint" }, t("no selection")));
    const expand = button("expand", "expand", () => this.selected && void this.expand(this.selected), { disabled: true });
    const pivots = button("pivot", "pivots", () => this.selected && void this.pivots(this.selected), { disabled: true });
    const pathFrom = button(
      "path start",
      "path-from",
      () => {
        this.pathStart = this.selected;
        this.renderPanel();
      },
      { disabled: true },
    );
    const findPath = button("find path", "find-path", () => this.pathStart && this.selected && void this.findPath(this.pathStart, this.selected), {
      disabled: true,
    });
    const clear = button("clear highlight", "clear-highlight", () => this.clearHighlight(), { disabled: true });
    const pathStart = h("p", { class: "vn-path-start", "data-testid": "path-start" });
    const panel = h(
      "section",
      { class: "vn-panel", "aria-labelledby": panelHeadingId, "data-testid": "node-panel" },
      panelHeading,
      panelBody,
      h("div", { class: "vn-actions" }, expand, pivots),
      h("div", { class: "vn-actions" }, pathFrom, findPath, pathStart, clear),
    );

    // Centrality: computed when opened (not during the first render)
    const measureId = uid("vn-measure");
    const centralityMeasure = h(
      "select",
      { id: measureId, "data-testid": "centrality-measure", onchange: () => void this.refreshCentrality() },
      ...CENTRALITIES.map((m) => h("option", { value: m }, t(m))),
    );
    const centralityList = h("ol", { class: "vn-centrality-list", "aria-live": "polite" });
    const centrality = h(
      "details",
      { class: "vn-centrality", "data-testid": "centrality" },
      h("summary", {}, t("centrality")),
      h("div", { class: "vn-field" }, h("label", { for: measureId }, t("top 10 by")), centralityMeasure),
      centralityList,
    );
    centrality.addEventListener("toggle", () => {
      if (centrality.open) void this.refreshCentrality();
    });
    panel.append(centrality);

    const status = h("p", { class: "vn-status", role: "status", "aria-live": "polite", "data-testid": "status" });
    root.replaceChildren(toolbar, h("div", { class: "vn-body" }, filters, stage, panel), status);
    const c: Controls = {
      search,
      datalist,
      sizeBy,
      layout,
      views,
      openView,
      schemaList,
      linkList,
      from,
      to,
      isolated,
      isolatedCount,
      panelBody,
      panelHeading,
      expand,
      pivots,
      pathFrom,
      findPath,
      clear,
      pathStart,
      status,
      stage,
      centrality,
      centralityMeasure,
      centralityList,
    };
    return c;
  }
}
