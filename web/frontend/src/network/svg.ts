import type Sigma from "sigma";

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function num(n: number): string {
  return Number.isFinite(n) ? n.toFixed(1) : "0";
}

/**
 * Serialise what sigma currently shows (visible nodes and edges, after filters and highlights, at the
 * current camera) as a standalone SVG document.
 */
export function toSvg(sigma: Sigma, title: string): string {
  const graph = sigma.getGraph();
  const { width, height } = sigma.getDimensions();
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${Math.round(width)}" height="${Math.round(height)}" viewBox="0 0 ${Math.round(width)} ${Math.round(height)}" font-family="system-ui, sans-serif">`,
    `<title>${esc(title)}</title>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="context-stroke"/></marker></defs>`,
    `<g class="edges" stroke-linecap="round">`,
  );
  const pos = new Map<string, { x: number; y: number; r: number }>();
  graph.forEachNode((node) => {
    const d = sigma.getNodeDisplayData(node);
    if (!d || d.hidden) return;
    const p = sigma.framedGraphToViewport(d);
    pos.set(node, { x: p.x, y: p.y, r: sigma.scaleSize(d.size) });
  });
  graph.forEachEdge((edge, _attrs, source, target) => {
    const d = sigma.getEdgeDisplayData(edge);
    const s = pos.get(source);
    const t = pos.get(target);
    if (!d || d.hidden || !s || !t) return;
    // Stop the line at the target's rim so the arrow head stays visible.
    const dx = t.x - s.x;
    const dy = t.y - s.y;
    const len = Math.hypot(dx, dy) || 1;
    const tx = t.x - (dx / len) * t.r;
    const ty = t.y - (dy / len) * t.r;
    const arrow = d.type === "arrow" ? ` marker-end="url(#arrow)"` : "";
    const label = d.label ?? (graph.getEdgeAttribute(edge, "label") as string | undefined) ?? "";
    out.push(
      `<line x1="${num(s.x)}" y1="${num(s.y)}" x2="${num(tx)}" y2="${num(ty)}" stroke="${esc(d.color)}" stroke-width="${num(Math.max(1, sigma.scaleSize(d.size)))}"${arrow}>` +
        (label ? `<title>${esc(label)}</title>` : "") +
        `</line>`,
    );
  });
  out.push(`</g>`, `<g class="nodes" stroke="#ffffff" stroke-width="1">`);
  const labels: string[] = [];
  graph.forEachNode((node) => {
    const d = sigma.getNodeDisplayData(node);
    const p = pos.get(node);
    if (!d || !p) return;
    const label = (graph.getNodeAttribute(node, "label") as string | undefined) ?? node;
    out.push(`<circle cx="${num(p.x)}" cy="${num(p.y)}" r="${num(p.r)}" fill="${esc(d.color)}"><title>${esc(label)}</title></circle>`);
    if (p.x >= 0 && p.y >= 0 && p.x <= width && p.y <= height) {
      labels.push(`<text x="${num(p.x + p.r + 3)}" y="${num(p.y + 4)}">${esc(label)}</text>`);
    }
  });
  out.push(`</g>`, `<g class="labels" font-size="11" fill="#1a1a1a" stroke="#ffffff" stroke-width="3" paint-order="stroke">`, ...labels, `</g>`, `</svg>`);
  return out.join("\n");
}
