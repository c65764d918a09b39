/** The accessible fallback below the map: every route and place as a table, and what was not placed. */
import { el } from "./dom";
import { entityList } from "./links";
import type { PopupContext } from "./popups";
import type { Place, Route } from "./types";

export interface TableActions {
  showPlace: (place: Place) => void;
  showRoute: (route: Route) => void;
}

/** A column header; `hidden` ones are for screen readers only (the column of buttons). */
type Head = string | { hidden: string };

function table(caption: string, head: Head[], rows: HTMLTableRowElement[], testid: string): HTMLTableElement {
  const cell = (h: Head) =>
    el("th", { scope: "col" }, typeof h === "string" ? h : el("span", { class: "map-vh" }, h.hidden));
  return el(
    "table",
    { class: "map-table", "data-testid": testid },
    el("caption", {}, caption),
    el("thead", {}, el("tr", {}, ...head.map(cell))),
    el("tbody", {}, ...rows),
  );
}

function num(value: number): HTMLTableCellElement {
  return el("td", { class: "num" }, String(value));
}

function showButton(label: string, onClick: () => void): HTMLTableCellElement {
  const button = el("button", { type: "button", class: "map-show" }, label);
  button.addEventListener("click", onClick);
  return el("td", {}, button);
}

export function routeTable(ctx: PopupContext, actions: TableActions): HTMLTableElement {
  const { t, data } = ctx;
  const byId = new Map(data.places.map((p) => [p.id, p]));
  const name = (id: string) => {
    const place = byId.get(id);
    return place ? ctx.placeName(place) : id;
  };
  const rows = data.routes.map((route) =>
    el(
      "tr",
      { "data-route": `${route.kind === "finding" ? "finding:" : ""}${route.source}>${route.target}` },
      el("th", { scope: "row" }, name(route.source)),
      el("td", {}, name(route.target)),
      route.kind === "finding" ? el("td", {}, t("Moves of an operation: %(n)s", { n: route.moves })) : num(route.trips),
      el("td", {}, route.first ?? ""),
      el("td", {}, route.last ?? ""),
      num(route.passenger_ids.length),
      showButton(t("Show on map"), () => actions.showRoute(route)),
    ),
  );
  return table(
    t("Routes"),
    [t("From"), t("To"), t("Trips"), t("First trip"), t("Last trip"), t("Passengers"), { hidden: t("Show on map") }],
    rows,
    "map-routes",
  );
}

export function placeTable(ctx: PopupContext, actions: TableActions): HTMLTableElement {
  const { t, data } = ctx;
  const rows = data.places.map((place) =>
    el(
      "tr",
      { "data-place": place.id },
      el("th", { scope: "row" }, ctx.placeName(place)),
      el("td", {}, ctx.country(place.country)),
      num(place.entity_ids.length),
      num(place.trip_ids.length),
      num(place.person_ids.length),
      showButton(t("Show on map"), () => actions.showPlace(place)),
    ),
  );
  return table(
    t("Places"),
    [t("Place"), t("Country"), t("Entities"), t("Trips"), t("People"), { hidden: t("Show on map") }],
    rows,
    "map-places",
  );
}

export function unplacedList(ctx: PopupContext): HTMLElement | null {
  const { t, data } = ctx;
  if (!data.unplaced.length) return null;
  const rows = data.unplaced.map((u) =>
    el(
      "tr",
      {},
      el("th", { scope: "row" }, u.text),
      el("td", {}, t(u.reason)),
      el("td", {}, entityList(u.entity_ids, data.entities, t, 5) ?? u.entity_ids.slice(0, 5).join(", ")),
    ),
  );
  const details = el(
    "details",
    { class: "map-unplaced", "data-testid": "map-unplaced" },
    el("summary", {}, `${t("Not on the map")} (${data.unplaced.length})`),
    table(t("Not on the map"), [t("Place"), t("Why"), t("Mentioned by")], rows, "map-unplaced-table"),
  );
  return details;
}
