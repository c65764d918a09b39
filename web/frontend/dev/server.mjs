// Dev server for the network explorer: serves the built modules and a fake case API from fixtures.
//
//   npm run build:dev && node dev/server.mjs [port]      (default port 8765)
//   open http://127.0.0.1:8765/dev/index.html            (demo case: node dev/make-fixture.mjs 40)
//        http://127.0.0.1:8765/dev/perf.html             (2,000-node graph: run `npm run fixture` first)
//        http://127.0.0.1:8765/dev/bare.html             (the same graph in bare sigma.js)
//
// Routes mirror the real API (src/veriga/web): /api/cases/{case}/graph|neighbours|path|pivots|views.
// Case "demo" reads dev/out/fixture-40.json (node dev/make-fixture.mjs 40); case "big" reads dev/out/fixture-2000.json. Dev-only extra:
// `graph?ids=*` returns the whole fixture. POSTs need `X-CSRF-Token: dev-csrf` (as on the real server).
import { createReadStream } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const frontend = path.resolve(here, "..");
const dist = path.resolve(frontend, "../../src/veriga/web/static/dist");
const port = Number(process.argv[2] ?? process.env.PORT ?? 8765);
const CSRF = "dev-csrf";
const DELAY = Number(process.env.API_DELAY_MS ?? 0);

const CASES = { demo: path.join(here, "out/fixture-40.json"), big: path.join(here, "out/fixture-2000.json") };
const cache = new Map();
const views = new Map(); // case -> [{id, name, created_at, state}]

async function loadCase(name) {
  if (!(name in CASES)) return null;
  if (!cache.has(name)) {
    const raw = JSON.parse(await readFile(CASES[name], "utf8"));
    const nodes = new Map([...(raw.nodes ?? []), ...(raw.pivot_nodes ?? [])].map((n) => [n.id, n]));
    const adj = new Map();
    const link = (map, a, e) => (map.get(a) ?? map.set(a, []).get(a)).push(e);
    for (const e of raw.edges ?? []) {
      link(adj, e.source, e);
      link(adj, e.target, e);
    }
    const pivotAdj = new Map();
    for (const e of raw.pivots ?? []) {
      link(pivotAdj, e.source, e);
      link(pivotAdj, e.target, e);
    }
    cache.set(name, { nodes, edges: raw.edges ?? [], adj, pivotAdj, mainIds: (raw.nodes ?? []).map((n) => n.id) });
  }
  return cache.get(name);
}

/** The given ids plus their direct neighbours, with every edge among the returned nodes. */
function neighbourhood(c, ids, adjacency = c.adj) {
  const keep = new Set(ids.filter((id) => c.nodes.has(id)));
  for (const id of [...keep]) for (const e of adjacency.get(id) ?? []) keep.add(e.source === id ? e.target : e.source);
  const edges = new Map();
  for (const id of keep)
    for (const e of adjacency.get(id) ?? []) if (keep.has(e.source) && keep.has(e.target)) edges.set(e.id, e);
  return { nodes: [...keep].map((id) => c.nodes.get(id)), edges: [...edges.values()] };
}

function shortestPath(c, from, to) {
  const prev = new Map([[from, null]]);
  const queue = [from];
  while (queue.length) {
    const id = queue.shift();
    if (id === to) break;
    for (const e of c.adj.get(id) ?? []) {
      const next = e.source === id ? e.target : e.source;
      if (!prev.has(next)) {
        prev.set(next, { id, e });
        queue.push(next);
      }
    }
  }
  if (!prev.has(to)) return null;
  const pathIds = [];
  const edges = [];
  for (let cur = to; cur !== null; ) {
    pathIds.unshift(cur);
    const p = prev.get(cur);
    if (p) edges.push(p.e);
    cur = p ? p.id : null;
  }
  return { nodes: pathIds.map((id) => c.nodes.get(id)), edges, path: pathIds };
}

function send(res, status, body, type = "application/json") {
  res.writeHead(status, { "Content-Type": type, "Cache-Control": "no-store" });
  res.end(type === "application/json" ? JSON.stringify(body) : body);
}

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
}

async function api(req, res, url, caseName, rest) {
  const c = await loadCase(caseName);
  if (!c) return send(res, 404, { detail: `no case ${caseName}` });
  if (DELAY) await new Promise((r) => setTimeout(r, DELAY));
  const [what, id] = rest;
  if (req.method === "GET" && what === "graph") {
    const ids = (url.searchParams.get("ids") ?? "").split(",").filter(Boolean);
    if (ids.length === 1 && ids[0] === "*") return send(res, 200, neighbourhood(c, c.mainIds));
    return send(res, 200, neighbourhood(c, ids));
  }
  if (req.method === "GET" && what === "neighbours" && id) return send(res, 200, neighbourhood(c, [id]));
  if (req.method === "GET" && what === "pivots" && id) {
    const { nodes, edges } = neighbourhood(c, [id], c.pivotAdj);
    return send(res, 200, { nodes, edges: edges.filter((e) => e.source === id || e.target === id) });
  }
  if (req.method === "GET" && what === "path") {
    const found = shortestPath(c, url.searchParams.get("from"), url.searchParams.get("to"));
    return found ? send(res, 200, found) : send(res, 404, { detail: "No path between these entities." });
  }
  if (what === "views") {
    const list = views.get(caseName) ?? views.set(caseName, []).get(caseName);
    if (req.method === "GET" && !id) return send(res, 200, list.map(({ id, name, created_at }) => ({ id, name, created_at })));
    if (req.method === "GET") {
      const v = list.find((x) => x.id === id);
      return v ? send(res, 200, { id: v.id, name: v.name, state: v.state }) : send(res, 404, { detail: "No such view." });
    }
    if (req.method === "POST" && !id) {
      if (req.headers["x-csrf-token"] !== CSRF) return send(res, 403, { detail: "CSRF token missing or wrong." });
      const body = await readBody(req);
      if (typeof body.name !== "string" || typeof body.state !== "object") return send(res, 422, { detail: "name and state needed" });
      const v = { id: `v${list.length + 1}`, name: body.name, created_at: new Date().toISOString(), state: body.state };
      list.push(v);
      return send(res, 201, { id: v.id });
    }
  }
  return send(res, 404, { detail: "Not found" });
}

// The production Content-Security-Policy (veriga.coop.auth.SECURITY_HEADERS), so that the dev pages
// fail the same way the real ones would (e.g. the layout worker needs `worker-src blob:`).
const CSP =
  "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; script-src 'self'; " +
  "worker-src 'self' blob:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".json": "application/json", ".map": "application/json", ".svg": "image/svg+xml" };

async function file(res, base, rel) {
  const full = path.resolve(base, "." + path.posix.normalize("/" + rel));
  if (!full.startsWith(base)) return send(res, 403, "forbidden", "text/plain");
  try {
    if (!(await stat(full)).isFile()) throw new Error("not a file");
  } catch {
    return send(res, 404, "not found", "text/plain");
  }
  res.writeHead(200, {
    "Content-Type": TYPES[path.extname(full)] ?? "application/octet-stream",
    "Cache-Control": "no-store",
    "Content-Security-Policy": CSP,
  });
  createReadStream(full).pipe(res);
}

const server = http.createServer(async (req, res) => {
  try {
    const url = new URL(req.url, `http://${req.headers.host}`);
    const parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    if (url.pathname === "/") {
      res.writeHead(302, { Location: "/dev/index.html" });
      return res.end();
    }
    if (parts[0] === "api" && parts[1] === "cases" && parts[2]) return await api(req, res, url, parts[2], parts.slice(3));
    if (parts[0] === "static" && parts[1] === "dist") return await file(res, dist, parts.slice(2).join("/"));
    if (parts[0] === "dev") return await file(res, here, parts.slice(1).join("/"));
    if (parts[0] === "cases") return send(res, 200, `<p>Entity page ${parts.at(-1)} (dev stub)</p>`, "text/html; charset=utf-8");
    return send(res, 404, "not found", "text/plain");
  } catch (err) {
    console.error(err);
    send(res, 500, { detail: String(err) });
  }
});

server.listen(port, "127.0.0.1", () => console.log(`veriga network dev server on http://127.0.0.1:${port}/dev/index.html`));
