// Build the browser modules of the Veriga web application.
//
//   node build.mjs              production build into src/veriga/web/static/dist/ (minified)
//   node build.mjs --dev        same, plus the dev-only pages (dev/bare.ts) into dev/out/, built the same way
//   node build.mjs --no-minify  readable output (for debugging)
//   node build.mjs --clean      empty dist/ first
//   node build.mjs --watch      rebuild on change (implies --dev --no-minify)
//
// Everything comes from node_modules (installed by `npm ci` from package-lock.json); nothing is vendored.
import * as esbuild from "esbuild";
import { copyFile, mkdir, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const outdir = path.resolve(here, "../../src/veriga/web/static/dist");
const devOutdir = path.resolve(here, "dev/out");
const args = new Set(process.argv.slice(2));
const watch = args.has("--watch");
const dev = watch || args.has("--dev");
const minify = !watch && !args.has("--no-minify");
const require = createRequire(import.meta.url);

const common = {
  bundle: true,
  format: "esm",
  target: ["es2020", "chrome100", "firefox100", "safari15"],
  minify,
  sourcemap: "linked",
  legalComments: "linked",
  logLevel: "info",
  // sigma and graphology import Node's "events"; the npm package "events" is a dependency of theirs.
  platform: "browser",
  define: { "process.env.NODE_ENV": minify ? '"production"' : '"development"' },
};

const started = Date.now();
// --clean empties dist/ first; without it, files are overwritten in place, so that a page being
// served (or a browser test running) never sees a half-empty dist/.
if (args.has("--clean")) await rm(outdir, { recursive: true, force: true });
await mkdir(outdir, { recursive: true });

/**
 * Production modules: self-contained files, no shared chunks (with esbuild's code splitting, network.js
 * would statically import a shared chunk: one more round trip before the first render). Code not needed
 * for the first render lives in separate entries that network.js imports by URL after it.
 */
const appOptions = {
  ...common,
  // network-layout.js and network-export.js are loaded by network.js at run time (src/network/lazy.ts).
  entryPoints: {
    network: "src/network.ts",
    "network-layout": "src/network-layout.ts",
    "network-export": "src/network-export.ts",
    timeline: "src/timeline.ts", // vis-timeline: events, trips, payments and ads
    map: "src/map.ts", // Leaflet with world-atlas outlines: places and routes
    money: "src/money.ts", // ECharts Sankey: money flows with drill-down
    chain: "src/chain.ts", // dagre: the chain laid out in stages
    keys: "src/keys.ts", // keyboard navigation, on every page
  },
  outdir,
  // network.css is also bundled as text: network.ts applies it itself when the page does not link
  // dist/network.css (built below).
  loader: { ".css": "text" },
  absWorkingDir: here,
};

/** dist/network.css, for pages that link it in <head> (no flash of unstyled controls). */
const cssOptions = {
  ...common,
  entryPoints: {
    network: "src/network.css",
    timeline: "src/timeline.css",
    map: "src/map.css",
    money: "src/money.css",
    chain: "src/chain.css",
  },
  loader: { ".png": "file", ".svg": "file" },
  outdir,
  absWorkingDir: here,
};

/** Dev-only pages (the bare sigma.js baseline for the render-time comparison). */
const devOptions = {
  ...common,
  entryPoints: { bare: "dev/bare.ts" },
  outdir: devOutdir,
  absWorkingDir: here,
};

async function copyStatic() {
  // htmx is served to every page as /static/dist/htmx.min.js, copied from the installed package.
  const htmxDir = path.dirname(require.resolve("htmx.org/package.json"));
  await copyFile(path.join(htmxDir, "dist/htmx.min.js"), path.join(outdir, "htmx.min.js"));
}

if (watch) {
  const ctx = await esbuild.context(appOptions);
  const cssCtx = await esbuild.context(cssOptions);
  const devCtx = await esbuild.context(devOptions);
  await copyStatic();
  await Promise.all([ctx.watch(), cssCtx.watch(), devCtx.watch()]);
  console.log("watching for changes…");
} else {
  const builds = [esbuild.build(appOptions), esbuild.build(cssOptions)];
  if (dev) builds.push(esbuild.build(devOptions));
  await Promise.all(builds);
  await copyStatic();
  console.log(`built ${path.relative(process.cwd(), outdir)} in ${Date.now() - started} ms${dev ? " (dev)" : ""}`);
}
