/** The contents of the popups of places and routes. */
import { el } from "./dom";
import type { Translate } from "./i18n";
import { entityList, networkLink } from "./links";
import type { MapData, Place, Route } from "./types";

export interface PopupContext {
  data: MapData;
  caseName: string;
  t: Translate;
  country: (code: string) => string;
  placeName: (place: Place) => string;
}

function section(title: string, body: HTMLElement | null): HTMLElement | null {
  return body ? el("div", { class: "map-popup-section" }, el("h4", {}, title), body) : null;
}

export function placePopup(place: Place, ctx: PopupContext): HTMLElement {
  const { t, data } = ctx;
  const people = new Set(place.person_ids);
  const others = place.entity_ids.filter((id) => !people.has(id));
  const kind = place.kind === "city" ? "" : ` (${t(place.kind === "point" ? "coordinates" : "country")})`;
  return el(
    "div",
    { class: "map-popup", "data-place": place.id },
    el("h3", {}, ctx.placeName(place) + kind),
    place.country && place.kind !== "country" ? el("p", { class: "country" }, ctx.country(place.country)) : null,
    el(
      "p",
      {},
      t("Trips: %(n)s", { n: place.trip_ids.length }),
      ` · ${t("Departures")}: ${place.departures} · ${t("Arrivals")}: ${place.arrivals}`,
    ),
    section(t("People"), entityList([...people], data.entities, t)),
    section(t("Entities"), entityList(others, data.entities, t, 8)),
    section(t("Trips"), entityList(place.trip_ids, data.entities, t, 8)),
    networkLink(ctx.caseName, [...place.person_ids, ...others], t),
  );
}

function findingList(ids: string[], data: MapData): HTMLElement | null {
  const items = ids.filter((id) => data.findings?.[id]);
  if (!items.length) return null;
  return el(
    "ul",
    {},
    ...items.map((id) => {
      const f = data.findings[id];
      return el("li", {}, el("a", { href: f.url }, f.title), ` (${f.score.toFixed(2)})`);
    }),
  );
}

export function routePopup(route: Route, ctx: PopupContext): HTMLElement {
  const { t, data } = ctx;
  const from = ctx.data.places.find((p) => p.id === route.source);
  const to = ctx.data.places.find((p) => p.id === route.target);
  const dates =
    route.first && route.last
      ? route.first === route.last
        ? route.first
        : `${route.first} – ${route.last}`
      : "";
  const heading = `${from ? ctx.placeName(from) : route.source} → ${to ? ctx.placeName(to) : route.target}`;
  if (route.kind === "finding") {
    return el(
      "div",
      { class: "map-popup", "data-route": `finding:${route.source}>${route.target}` },
      el("h3", {}, heading),
      el("p", {}, t("Moves of an operation: %(n)s", { n: route.moves }), dates ? ` · ${dates}` : ""),
      section(t("Findings"), findingList(route.finding_ids, data)),
    );
  }
  return el(
    "div",
    { class: "map-popup", "data-route": `${route.source}>${route.target}` },
    el("h3", {}, heading),
    el("p", {}, t("Trips: %(n)s", { n: route.trips }), dates ? ` · ${dates}` : ""),
    section(t("Passengers"), entityList(route.passenger_ids, data.entities, t)),
    section(t("Booked by"), entityList(route.organizer_ids, data.entities, t, 6)),
    section(t("Trips"), entityList(route.trip_ids, data.entities, t, 8)),
    networkLink(ctx.caseName, [...route.organizer_ids, ...route.passenger_ids], t),
  );
}
