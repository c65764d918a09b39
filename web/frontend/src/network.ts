/**
 * Network explorer: mounts on `<div id="network" data-api data-seed data-csrf data-i18n>` and exposes
 * `window.verigaNetwork = { graph, sigma, ready, explorer, idle }` for tests.
 */
import css from "./network.css";

import { Api } from "./network/api";
import { Explorer, type NetworkGraph } from "./network/explorer";
import { makeTranslator } from "./network/i18n";
import type Sigma from "sigma";

export interface VerigaNetwork {
  graph: NetworkGraph;
  /** Set once the first render has happened (null before `ready` resolves). */
  sigma: Sigma | null;
  /** Resolves after the seed graph has been fetched and sigma has rendered it once. */
  ready: Promise<void>;
  /** Resolves when no request is in flight and the layout has stopped. */
  idle: () => Promise<void>;
  explorer: Explorer;
}

declare global {
  interface Window {
    verigaNetwork?: VerigaNetwork;
  }
}

/**
 * Make sure the explorer's CSS applies before sigma measures its container. If the page links
 * network.css (as src/veriga/web/templates/network.html does), wait for it; otherwise apply the copy
 * bundled into this module as a constructable stylesheet (no extra request, allowed by a strict CSP).
 */
function ensureStylesheet(): Promise<void> {
  const adopt = () => {
    try {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
    } catch {
      document.head.append(Object.assign(document.createElement("style"), { textContent: css }));
    }
  };
  const link = document.querySelector<HTMLLinkElement>('link[rel="stylesheet"][href$="network.css"]');
  if (!link) {
    adopt();
    return Promise.resolve();
  }
  if (link.sheet) return Promise.resolve();
  return new Promise((resolve) => {
    link.addEventListener("load", () => resolve(), { once: true });
    link.addEventListener("error", () => (adopt(), resolve()), { once: true });
  });
}

function mount(root: HTMLElement): VerigaNetwork {
  const api = new Api(root.dataset.api ?? "", root.dataset.csrf ?? "");
  const seed = (root.dataset.seed ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const explorer = new Explorer(root, {
    api,
    seed,
    t: makeTranslator(root.dataset.i18n),
    styled: ensureStylesheet(),
    caseName: root.dataset.case,
  });
  const handle: VerigaNetwork = {
    graph: explorer.graph,
    get sigma() {
      return explorer.sigma as unknown as Sigma | null;
    },
    ready: explorer.ready,
    idle: () => explorer.idle(),
    explorer,
  };
  explorer.ready.catch(() => undefined);
  return handle;
}

performance.mark("veriga-network-module");
const root = document.getElementById("network");
if (root) window.verigaNetwork = mount(root);
