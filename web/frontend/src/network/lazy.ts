import type * as LayoutModule from "../network-layout";
import type * as ExportModule from "../network-export";

export type Layout = typeof LayoutModule;
export type Export = typeof ExportModule;

const cache = new Map<string, Promise<unknown>>();

/**
 * Import a sibling bundle of dist/network.js at run time (built as its own entry, so that network.js
 * does not statically import a shared chunk: one request fewer before the first render).
 */
function load<T>(file: string): Promise<T> {
  let p = cache.get(file);
  if (!p) {
    p = import(/* webpackIgnore: true */ new URL(file, import.meta.url).href);
    p.catch(() => cache.delete(file));
    cache.set(file, p);
  }
  return p as Promise<T>;
}

export const loadLayout = () => load<typeof LayoutModule>("./network-layout.js");
export const loadExport = () => load<typeof ExportModule>("./network-export.js");
