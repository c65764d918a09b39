/**
 * Timeline of a case: mounts on `<div id="timeline" data-api data-case data-ids data-lang data-i18n>`
 * (src/veriga/web/templates/timeline.html) and exposes `window.verigaTimeline = { ready, items }` for
 * tests: `ready` resolves after the first events are drawn, `items` is the number of items on the chart.
 * vis-timeline's peer build with vis-data; its axis speaks the user's language through moment's locales.
 */
import "moment/locale/bg";
import "moment/locale/et";
import "moment/locale/fi";
import "moment/locale/lv";

import { TimelineApp } from "./timeline/app";
import { makeTranslator } from "./timeline/strings";

export interface VerigaTimeline {
  ready: Promise<void>;
  readonly items: number;
  app: TimelineApp;
}

declare global {
  interface Window {
    verigaTimeline?: VerigaTimeline;
  }
}

function mount(root: HTMLElement): VerigaTimeline {
  const app = new TimelineApp(root, {
    api: root.dataset.api ?? "",
    caseName: root.dataset.case ?? "",
    ids: (root.dataset.ids ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
    lang: root.dataset.lang || document.documentElement.lang || "en",
    t: makeTranslator(root.dataset.i18n),
  });
  app.ready.catch(() => undefined);
  return {
    ready: app.ready,
    get items() {
      return app.count;
    },
    app,
  };
}

const root = document.getElementById("timeline");
if (root) window.verigaTimeline = mount(root);
