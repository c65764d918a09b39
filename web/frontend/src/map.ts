/**
 * The map of places and routes: mounts on `<div id="map-view" data-api data-case data-ids data-from
 * data-to data-i18n>` (src/veriga/web/templates/map.html) and exposes
 * `window.verigaMap = { ready, places, routes, view }` for tests.
 */
import { makeTranslator } from "./map/i18n";
import { MapView } from "./map/view";

export interface VerigaMap {
  /** Resolves once the outlines, places and routes have been drawn the first time. */
  ready: Promise<void>;
  /** Places and routes currently drawn (updated on every filter change). */
  readonly places: number;
  readonly routes: number;
  readonly outlines: number;
  view: MapView;
}

declare global {
  interface Window {
    verigaMap?: VerigaMap;
  }
}

function mount(root: HTMLElement): VerigaMap {
  const ids = (root.dataset.ids ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const view = new MapView(root, {
    api: root.dataset.api ?? "",
    caseName: root.dataset.case ?? "",
    filters: { ids, from: root.dataset.from ?? "", to: root.dataset.to ?? "" },
    t: makeTranslator(root.dataset.i18n),
  });
  const ready = view.load(view.options.filters);
  ready.catch((error: unknown) => console.error("veriga map:", error));
  return {
    ready,
    get places() {
      return view.markers.size;
    },
    get routes() {
      return view.lines.size;
    },
    get outlines() {
      return view.outlines;
    },
    view,
  };
}

const root = document.getElementById("map-view");
if (root) window.verigaMap = mount(root);
