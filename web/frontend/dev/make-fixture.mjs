// Generate a random case graph for the render-time measurement: dev/out/fixture-<n>.json.
//   node dev/make-fixture.mjs [nodes=2000] [edgesPerNode=2]
// Deterministic (seeded), preferential attachment so that degrees look like a real case (a few hubs).
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const n = Number(process.argv[2] ?? 2000);
const m = Number(process.argv[3] ?? 2);

let seed = 42;
const rand = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32);
const pick = (arr) => arr[Math.floor(rand() * arr.length)];

const SCHEMAS = ["Person", "Person", "Person", "Company", "BankAccount", "Advertisement", "Address", "Trip"];
const ROLES = ["victim", "suspect", "witness", "other", null, null];
const STAGES = ["recruitment", "transport", "exploitation", "proceeds", null];
const LINKS = ["Ownership", "Payment", "Employment", "Directorship", "UnknownLink", "Trip"];
const FIRST = ["Anna", "Jānis", "Olena", "Mārtiņš", "Daria", "Inga", "Robert", "Līga", "Ivan", "Kristīne"];
const LAST = ["Ozols", "Kalniņa", "Bērziņš", "Petrenko", "Hale", "Rudzītis", "Smith", "Novak"];
const date = () => `2023-${String(1 + Math.floor(rand() * 12)).padStart(2, "0")}-${String(1 + Math.floor(rand() * 28)).padStart(2, "0")}`;

const nodes = [];
for (let i = 0; i < n; i++) {
  const schema = pick(SCHEMAS);
  const label = schema === "Person" ? `${pick(FIRST)} ${pick(LAST)} ${i}` : `${schema} ${i}`;
  const d1 = rand() < 0.6 ? date() : null;
  nodes.push({
    id: `n${i}`, label, schema,
    role: schema === "Person" ? pick(ROLES) : null,
    stage: pick(STAGES),
    first: d1, last: d1 && rand() < 0.5 ? date() : d1,
    url: `/cases/big/entities/n${i}`,
  });
}
const edges = [];
const targets = []; // one entry per edge end: preferential attachment
for (let i = 1; i < n; i++) {
  const k = Math.min(i, m);
  const chosen = new Set();
  while (chosen.size < k) chosen.add(targets.length && rand() < 0.8 ? pick(targets) : Math.floor(rand() * i));
  for (const j of chosen) {
    const schema = pick(LINKS);
    edges.push({
      id: `e${edges.length}`, source: `n${i}`, target: `n${j}`, schema, label: schema.toLowerCase(),
      first: rand() < 0.5 ? date() : null, last: null, amount: schema === "Payment" ? Math.round(rand() * 5000) : null,
    });
    targets.push(i, j);
  }
}
const out = path.join(here, "out", `fixture-${n}.json`);
await mkdir(path.dirname(out), { recursive: true });
await writeFile(out, JSON.stringify({ nodes, edges }));
console.log(`wrote ${out}: ${nodes.length} nodes, ${edges.length} edges`);
