// Baseline for the render-time comparison: the same graph, fetched from the same URL, drawn by sigma with
// the minimum of code (random positions, size by degree, colour by schema, default settings).
import Graph from "graphology";
import { sigmaWithFirstRenderMark } from "../src/network/timing";

const MARK = "veriga-network-first-render";
const COLORS: Record<string, string> = { Person: "#1f6fb4", Company: "#c75000", BankAccount: "#11845b", Advertisement: "#7b52ae", Address: "#8a6d0b", Trip: "#c2247a" };

interface Data {
  nodes: { id: string; label: string; schema: string }[];
  edges: { id: string; source: string; target: string }[];
}

async function main(): Promise<void> {
  performance.mark("veriga-network-module");
  const res = await fetch("/api/cases/big/graph?ids=*");
  const data = (await res.json()) as Data;
  performance.mark("veriga-network-data");
  const graph = new Graph({ type: "directed", multi: true });
  for (const n of data.nodes) graph.addNode(n.id, { label: n.label, x: Math.random(), y: Math.random(), size: 4, color: COLORS[n.schema] ?? "#666" });
  for (const e of data.edges) if (graph.hasNode(e.source) && graph.hasNode(e.target)) graph.addDirectedEdgeWithKey(e.id, e.source, e.target, { size: 1.5 });
  graph.forEachNode((n) => graph.setNodeAttribute(n, "size", 0.55 * Math.min(24, 4 + 2.5 * Math.sqrt(graph.neighbors(n).length))));
  performance.mark("veriga-network-merged");
  const Sigma = sigmaWithFirstRenderMark(MARK);
  const sigma = new Sigma(graph, document.getElementById("sigma")!);
  (window as unknown as { bare: unknown }).bare = { graph, sigma };
}

void main();
