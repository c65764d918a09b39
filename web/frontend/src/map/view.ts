/**
 * The map view: Leaflet without any tile layer, country outlines from world-atlas (bundled, served from
 * /static/dist), places as circles sized by activity, routes as arcs with arrows, a date-range filter,
 * and the tables of routes and places below for keyboard and screen-reader users.
 */
import * as L from "leaflet";
import { feature } from "topojson-client";
import world from "world-atlas/countries-50m.json";

import { LinkedViews, type Linked } from "../common/linked";
import { clear, el } from "./dom";
import { countryNamer, type Translate } from "./i18n";
import { curve, outlines, radius, weight } from "./geometry";
import { placePopup, routePopup, type PopupContext } from "./popups";
import { placeTable, routeTable, unplacedList } from "./tables";
import type { Filters, MapData, Place, Route } from "./types";

/** The key of a route's line: trips and an operation's moves between two places are apart. */
function routeKey(route: Route): string {
  return `${route.kind === "finding" ? "finding:" : ""}${route.source}>${route.target}`;
}

/** What the map shows when there is nothing to fit: Europe. */
const EUROPE = L.latLngBounds([34, -11], [71, 42]);

export interface MapOptions {
  api: string;
  caseName: string;
  filters: Filters;
  t: Translate;
}

/** Zoom from which every place is drawn alone. */
const CLUSTER_UNTIL = 9;
/** What the timeline or network of the case selected is drawn in this colour. */
const LINKED = "#e8a200";

function placeColor(place: Place): string {
  return place.kind === "country" ? "#5b6b84" : "#123c73";
}

function routeColor(route: Route): string {
  return route.kind === "finding" ? "#6a3d9a" : "#b3261e";
}

/** Does a place or route involve any of `ids` (its entities, people, trips)? */
function involves(ids: Set<string>, ...lists: string[][]): boolean {
  return lists.some((list) => list.some((id) => ids.has(id)));
}

export class MapView {
  readonly map: L.Map;
  data: MapData | null = null;
  /** Drawn layers by place id and by "source>target". */
  readonly markers = new Map<string, L.CircleMarker>();
  readonly lines = new Map<string, L.Polyline>();
  outlines = 0;
  private readonly routeLayer = L.layerGroup();
  private readonly placeLayer = L.layerGroup();
  private readonly clusterLayer = L.layerGroup();
  /** Places drawn as one circle with their number, at the zoom the map is at (tests read it). */
  clusters: Place[][] = [];
  private readonly status: HTMLElement;
  private readonly tables: HTMLElement;
  private readonly fromInput: HTMLInputElement;
  private readonly toInput: HTMLInputElement;
  private readonly country: (code: string) => string;
  private request = 0;
  /** The timeline, network and map of this case open side by side select together. */
  readonly linked: LinkedViews;
  /** Places and routes ("source>target") of what another view selected. */
  readonly linkedPlaces = new Set<string>();
  readonly linkedRoutes = new Set<string>();
  private linkedIds = new Set<string>();
  private readonly linkedNote: HTMLElement;

  constructor(
    readonly root: HTMLElement,
    readonly options: MapOptions,
  ) {
    const { t, filters } = options;
    this.country = countryNamer(document.documentElement.lang || "en");
    this.fromInput = el("input", { type: "date", id: "map-from", name: "from", value: filters.from });
    this.toInput = el("input", { type: "date", id: "map-to", name: "to", value: filters.to });
    const form = el(
      "form",
      { class: "map-filters", "data-testid": "map-filters" },
      el("label", { for: "map-from" }, t("From")),
      this.fromInput,
      el("label", { for: "map-to" }, t("To")),
      this.toInput,
      el("button", { type: "submit" }, t("Apply")),
      el("button", { type: "reset" }, t("Reset")),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.load({ ...this.options.filters, from: this.fromInput.value, to: this.toInput.value });
    });
    form.addEventListener("reset", (event) => {
      event.preventDefault();
      this.fromInput.value = this.toInput.value = "";
      void this.load({ ...this.options.filters, from: "", to: "" });
    });
    this.status = el("p", { class: "map-status", role: "status", "aria-live": "polite" }, t("Loading…"));
    const selection = filters.ids.length
      ? el(
          "p",
          { class: "map-selection" },
          t("Only the routes and places of the selected entities (%(n)s) are shown.", { n: filters.ids.length }),
          " ",
          el("a", { href: `/cases/${encodeURIComponent(options.caseName)}/map` }, t("Show everything")),
        )
      : null;
    const canvas = el("div", {
      class: "map-canvas",
      role: "region",
      "aria-label": t("Map of places and routes"),
      "aria-describedby": "map-note",
      "data-testid": "map-canvas",
    });
    const note = el(
      "p",
      { id: "map-note", class: "map-legend" },
      t("Circle size: entities and trips at the place. Line width: number of trips."),
      " ",
      t("Lines curve to the right of their direction; the arrow points to the destination."),
      " ",
      t("The map is drawn in the browser; every place and route is also listed in the tables below."),
    );
    this.tables = el("div", { class: "map-tables" });
    this.linkedNote = el("p", { class: "map-linked-note", "aria-live": "polite", "data-testid": "map-linked" });
    this.linkedNote.hidden = true;
    root.append(form, selection ?? "", this.status, this.linkedNote, canvas, note, this.tables);
    this.linked = new LinkedViews(options.caseName, "map", (selected) => this.showLinked(selected));

    this.map = L.map(canvas, {
      zoomControl: false, // added below, its buttons named in the reader's language
      zoomSnap: 0.25,
      minZoom: 2,
      maxZoom: 11,
      worldCopyJump: false,
      attributionControl: true,
      maxBounds: L.latLngBounds([-85, -240], [85, 240]),
    });
    L.control.zoom({ zoomInTitle: t("Zoom in"), zoomOutTitle: t("Zoom out") }).addTo(this.map);
    this.map.attributionControl.setPrefix(false).addAttribution("Natural Earth");
    this.map.createPane("outlines").style.zIndex = "250";
    this.drawOutlines();
    this.routeLayer.addTo(this.map);
    this.placeLayer.addTo(this.map);
    this.clusterLayer.addTo(this.map);
    this.map.fitBounds(EUROPE);
    this.map.on("zoomend", () => this.drawPlaces());
  }

  private drawOutlines(): void {
    const countries = outlines(feature(world, world.objects.countries));
    const layer = L.geoJSON(countries, {
      pane: "outlines",
      interactive: false,
      style: { color: "#8a94a6", weight: 0.7, fillColor: "#f4f1e8", fillOpacity: 1 },
    });
    layer.addTo(this.map);
    this.outlines = layer.getLayers().length;
  }

  private placeName(place: Place): string {
    return place.kind === "country" ? this.country(place.country) || place.name : place.name;
  }

  private context(data: MapData): PopupContext {
    return {
      data,
      caseName: this.options.caseName,
      t: this.options.t,
      country: this.country,
      placeName: (p) => this.placeName(p),
    };
  }

  /** Fetch the places and routes for `filters` and draw them; resolves when drawn. */
  async load(filters: Filters): Promise<void> {
    const { t } = this.options;
    this.options.filters = filters;
    const request = ++this.request;
    const query = new URLSearchParams();
    if (filters.ids.length) query.set("ids", filters.ids.join(","));
    if (filters.from) query.set("from", filters.from);
    if (filters.to) query.set("to", filters.to);
    const search = query.toString() ? `?${query}` : "";
    history.replaceState(null, "", `${location.pathname}${search}`);
    this.status.textContent = t("Loading…");
    this.root.setAttribute("aria-busy", "true");
    try {
      const res = await fetch(`${this.options.api}${search}`, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (!res.ok) {
        let detail = `${res.status} ${res.statusText}`;
        try {
          const body = (await res.json()) as { detail?: unknown };
          if (body.detail) detail = typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail);
        } catch {
          /* not JSON */
        }
        throw new Error(detail);
      }
      const data = (await res.json()) as MapData;
      if (request !== this.request) return; // a newer request is on its way
      this.render(data);
    } catch (error) {
      if (request === this.request) {
        this.status.textContent = t("Error: %(message)s", { message: (error as Error).message });
      }
      throw error;
    } finally {
      if (request === this.request) this.root.removeAttribute("aria-busy");
    }
  }

  render(data: MapData): void {
    const { t } = this.options;
    this.data = data;
    const ctx = this.context(data);
    this.routeLayer.clearLayers();
    this.placeLayer.clearLayers();
    this.clusterLayer.clearLayers();
    this.markers.clear();
    this.lines.clear();
    const byId = new Map(data.places.map((p) => [p.id, p]));

    for (const route of data.routes) {
      const a = byId.get(route.source);
      const b = byId.get(route.target);
      if (!a || !b || a.id === b.id) continue; // trips within one place are in the table
      const arc = curve(L.latLng(a.lat, a.lon), L.latLng(b.lat, b.lon));
      const followed = route.kind === "finding"; // an operation's ads moving on
      const count = followed ? route.moves : route.trips;
      const line = L.polyline(arc.points, {
        color: routeColor(route),
        opacity: 0.75,
        weight: weight(count),
        dashArray: followed ? "6 5" : undefined,
        className: followed ? "map-route map-route-finding" : "map-route",
        lineCap: "round",
      });
      line.bindPopup(() => routePopup(route, ctx), { maxWidth: 340 });
      line.on("click", () => this.tell(route));
      const what = followed ? t("Moves of an operation: %(n)s", { n: count }) : t("Trips: %(n)s", { n: count });
      line.bindTooltip(`${this.placeName(a)} → ${this.placeName(b)}: ${what}`, {
        sticky: true,
      });
      line.addTo(this.routeLayer);
      this.lines.set(routeKey(route), line);
      const size = 8 + weight(count);
      const arrow = el("span", { class: "map-arrow" });
      arrow.style.transform = `rotate(${arc.arrowAngle.toFixed(1)}deg)`;
      arrow.style.borderLeftWidth = `${size}px`;
      arrow.style.borderTopWidth = arrow.style.borderBottomWidth = `${size * 0.55}px`;
      L.marker(arc.arrowAt, {
        icon: L.divIcon({ html: arrow, className: "map-arrow-icon", iconSize: [0, 0] }),
        interactive: false,
        keyboard: false,
      }).addTo(this.routeLayer);
    }

    for (const place of data.places) {
      const marker = L.circleMarker([place.lat, place.lon], {
        radius: radius(place.activity),
        color: placeColor(place),
        weight: 1.5,
        dashArray: place.kind === "country" ? "3 3" : undefined,
        fillColor: place.trip_ids.length ? "#2f6fbd" : "#7f9cc4",
        fillOpacity: 0.75,
        className: `map-place map-place-${place.kind}`,
      });
      marker.bindPopup(() => placePopup(place, ctx), { maxWidth: 340 });
      marker.on("click", () => this.tell(place));
      marker.bindTooltip(this.placeName(place), { direction: "top", offset: [0, -radius(place.activity)] });
      this.markers.set(place.id, marker);
    }

    this.fit();
    this.restyle();
    this.drawPlaces();
    this.renderTables(ctx);
    const parts = [
      t("Places: %(places)s, routes: %(routes)s.", { places: data.places.length, routes: data.routes.length }),
    ];
    if (data.trips_total)
      parts.push(t("Trips with both ends on the map: %(placed)s of %(total)s.", {
        placed: data.trips_placed,
        total: data.trips_total,
      }));
    if (data.first && data.last) parts.push(t("Trips from %(first)s to %(last)s.", { first: data.first, last: data.last }));
    if (!data.places.length) parts.push(t("Nothing to show for these filters."));
    this.status.textContent = parts.join(" ");
    if (data.first) this.fromInput.min = this.toInput.min = data.first;
    if (data.last) this.fromInput.max = this.toInput.max = data.last;
  }

  /**
   * The places at this zoom: those whose circles would overlap are gathered into one circle
   * with their number (the busiest place's circle seeds each group); a click zooms in on them.
   * From CLUSTER_UNTIL on every place is drawn alone.
   */
  private drawPlaces(): void {
    this.placeLayer.clearLayers();
    this.clusterLayer.clearLayers();
    const places = this.data?.places ?? [];
    const zoom = this.map.getZoom();
    const groups: { at: L.Point; reach: number; places: Place[] }[] = [];
    const busiest = [...places].sort((a, b) => b.activity - a.activity);
    for (const place of busiest) {
      const at = this.map.project([place.lat, place.lon], zoom);
      const r = radius(place.activity);
      const near = zoom < CLUSTER_UNTIL ? groups.find((g) => g.at.distanceTo(at) < g.reach + r) : undefined;
      if (near) near.places.push(place);
      else groups.push({ at, reach: r, places: [place] });
    }
    this.clusters = [];
    const { t } = this.options;
    for (const g of groups) {
      if (g.places.length === 1) {
        this.markers.get(g.places[0].id)?.addTo(this.placeLayer);
        continue;
      }
      this.clusters.push(g.places);
      const bounds = L.latLngBounds(g.places.map((p) => L.latLng(p.lat, p.lon)));
      const size = Math.round(2 * Math.max(14, radius(g.places.reduce((n, p) => n + p.activity, 0))));
      const label = t("%(n)s places: %(names)s", { n: g.places.length, names: g.places.slice(0, 6).map((p) => this.placeName(p)).join(", ") + (g.places.length > 6 ? " …" : "") });
      const linked = g.places.some((p) => this.linkedPlaces.has(p.id));
      const marker = L.marker(bounds.getCenter(), {
        icon: L.divIcon({ html: el("span", {}, String(g.places.length)), className: linked ? "map-cluster map-cluster-linked" : "map-cluster", iconSize: [size, size] }),
        title: label,
        alt: label,
        keyboard: true,
        riseOnHover: true,
      });
      marker.bindTooltip(label, { direction: "top" });
      // closer: to where its places fit, and at least one step in (however far apart they are)
      marker.on("click", () => {
        const zoom = Math.max(this.map.getZoom() + 1, this.map.getBoundsZoom(bounds.pad(0.5)));
        this.map.setView(bounds.getCenter(), Math.min(CLUSTER_UNTIL, zoom));
      });
      marker.addTo(this.clusterLayer);
    }
  }

  private fit(): void {
    const data = this.data;
    if (!data || !data.places.length) {
      this.map.fitBounds(EUROPE);
      return;
    }
    const bounds = L.latLngBounds(data.places.map((p) => L.latLng(p.lat, p.lon)));
    this.map.fitBounds(bounds.pad(0.2), { maxZoom: 7, animate: false }); // settled at once: its places drawn for this zoom
  }

  private renderTables(ctx: PopupContext): void {
    clear(this.tables);
    const actions = { showPlace: (p: Place) => this.showPlace(p), showRoute: (r: Route) => this.showRoute(r) };
    const { t } = this.options;
    this.tables.append(
      el("h2", {}, t("Routes")),
      routeTable(ctx, actions),
      el("h2", {}, t("Places")),
      placeTable(ctx, actions),
      unplacedList(ctx) ?? "",
    );
  }

  /** Tell the timeline and network of the case beside what was selected here. */
  private tell(what: Place | Route): void {
    this.linkedNote.hidden = true;
    if ("lat" in what) this.linked.publish([...what.trip_ids, ...what.person_ids, ...what.entity_ids]);
    else this.linked.publish([...what.trip_ids, ...what.passenger_ids, ...what.organizer_ids], what.first, what.last);
  }

  /** What the timeline or network selected: its places and routes drawn apart and fitted into view. */
  showLinked(selection: Linked): void {
    const { t } = this.options;
    this.linkedIds = new Set(selection.ids);
    this.restyle();
    this.drawPlaces();
    if (!selection.ids.length) {
      this.linkedNote.hidden = true;
      return;
    }
    const where = selection.from === "timeline" ? t("Selected in the timeline") : t("Selected in the network");
    this.linkedNote.textContent = `${where}: ${t("%(places)s places and %(routes)s routes here.", {
      places: this.linkedPlaces.size,
      routes: this.linkedRoutes.size,
    })}`;
    this.linkedNote.hidden = false;
    const points = [...this.linkedPlaces].map((id) => this.markers.get(id)?.getLatLng()).filter((p): p is L.LatLng => Boolean(p));
    for (const key of this.linkedRoutes) points.push(...(this.lines.get(key)?.getLatLngs() as L.LatLng[] | undefined ?? []));
    if (points.length) this.map.fitBounds(L.latLngBounds(points).pad(0.3), { maxZoom: 7, animate: false });
  }

  /** Colour what another view selected; everything else as drawn. */
  private restyle(): void {
    this.linkedPlaces.clear();
    this.linkedRoutes.clear();
    const ids = this.linkedIds;
    for (const place of this.data?.places ?? []) {
      const on = ids.size > 0 && involves(ids, place.entity_ids, place.person_ids, place.trip_ids);
      if (on) this.linkedPlaces.add(place.id);
      this.markers.get(place.id)?.setStyle({ color: on ? LINKED : placeColor(place), weight: on ? 4 : 1.5 });
    }
    for (const route of this.data?.routes ?? []) {
      const on = ids.size > 0 && involves(ids, route.trip_ids, route.passenger_ids, route.organizer_ids);
      const line = this.lines.get(routeKey(route));
      if (!line) continue;
      if (on) {
        this.linkedRoutes.add(routeKey(route));
        for (const end of [route.source, route.target]) this.linkedPlaces.add(end);
      }
      line.setStyle({ color: on ? LINKED : routeColor(route), opacity: on ? 1 : 0.75 });
      if (on) line.bringToFront();
    }
    for (const id of this.linkedPlaces) this.markers.get(id)?.setStyle({ color: LINKED, weight: 4 });
  }

  /** Centre the map on a place and open its popup (from the table). */
  showPlace(place: Place): void {
    this.tell(place);
    const marker = this.markers.get(place.id);
    if (!marker) return;
    this.map.setView(marker.getLatLng(), Math.max(this.map.getZoom(), 6), { animate: false });
    // gathered with others at this zoom: closer, until it stands alone
    while (!this.placeLayer.hasLayer(marker) && this.map.getZoom() < CLUSTER_UNTIL)
      this.map.setView(marker.getLatLng(), Math.min(CLUSTER_UNTIL, this.map.getZoom() + 1), { animate: false });
    marker.openPopup();
    this.focusMap();
  }

  showRoute(route: Route): void {
    this.tell(route);
    const line = this.lines.get(routeKey(route));
    if (!line) return;
    this.map.fitBounds(line.getBounds().pad(0.3), { maxZoom: 8 });
    line.openPopup(line.getCenter());
    this.focusMap();
  }

  private focusMap(): void {
    this.map.getContainer().scrollIntoView({ block: "nearest" });
    const popup = this.map.getContainer().querySelector<HTMLElement>(".leaflet-popup-content a, .leaflet-popup-close-button");
    popup?.focus({ preventScroll: true });
  }
}
