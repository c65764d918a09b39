/** Marker sizes, line widths and the curved routes with their direction arrows. */
import * as L from "leaflet";

/** Circle radius in pixels for a place's activity (entities located there plus trips). */
export function radius(activity: number): number {
  return Math.min(28, 5 + 2.5 * Math.sqrt(Math.max(0, activity)));
}

/** Line width in pixels for a number of trips. */
export function weight(trips: number): number {
  return Math.min(12, 1.5 + 1.8 * Math.sqrt(Math.max(0, trips)));
}

const CRS = L.CRS.EPSG3857;
const ZOOM = 8; // any zoom: Web Mercator is conformal, shapes and angles do not depend on it

export interface Curve {
  points: L.LatLng[];
  /** Where the arrow sits, and its direction in screen degrees (0 = east, clockwise). */
  arrowAt: L.LatLng;
  arrowAngle: number;
}

/**
 * A quadratic Bézier from `a` to `b` bending to the right of the direction of travel, so that the
 * trips A→B and B→A show as two separate arcs. Computed in projected (screen) space.
 */
export function curve(a: L.LatLng, b: L.LatLng, bend = 0.18, steps = 32): Curve {
  const p0 = CRS.latLngToPoint(a, ZOOM);
  const p2 = CRS.latLngToPoint(b, ZOOM);
  const dx = p2.x - p0.x;
  const dy = p2.y - p0.y;
  // screen y points down: (-dy, dx) is the right-hand side of the direction (dx, dy)
  const p1 = L.point((p0.x + p2.x) / 2 - dy * bend, (p0.y + p2.y) / 2 + dx * bend);
  const at = (t: number) =>
    L.point(
      (1 - t) * (1 - t) * p0.x + 2 * (1 - t) * t * p1.x + t * t * p2.x,
      (1 - t) * (1 - t) * p0.y + 2 * (1 - t) * t * p1.y + t * t * p2.y,
    );
  const points: L.LatLng[] = [];
  for (let i = 0; i <= steps; i++) points.push(CRS.pointToLatLng(at(i / steps), ZOOM));
  const t = 0.6;
  const tx = 2 * (1 - t) * (p1.x - p0.x) + 2 * t * (p2.x - p1.x);
  const ty = 2 * (1 - t) * (p1.y - p0.y) + 2 * t * (p2.y - p1.y);
  return { points, arrowAt: CRS.pointToLatLng(at(t), ZOOM), arrowAngle: (Math.atan2(ty, tx) * 180) / Math.PI };
}

type Ring = GeoJSON.Position[];

/**
 * Country outlines ready for Leaflet: rings that cross the antimeridian (Russia's Chukotka, Fiji) are
 * moved east of 180° so that no edge runs across the whole map, and Antarctica (a ring round the pole)
 * is left out.
 */
export function outlines(countries: GeoJSON.FeatureCollection): GeoJSON.FeatureCollection {
  const unwrap = (ring: Ring): Ring => {
    const crosses = ring.some((p, i) => i > 0 && Math.abs(p[0] - ring[i - 1][0]) > 180);
    return crosses ? ring.map(([lon, lat]) => [lon < 0 ? lon + 360 : lon, lat]) : ring;
  };
  const features = countries.features
    .filter((f) => f.id !== "010" && f.properties?.name !== "Antarctica")
    .map((f) => {
      const g = f.geometry;
      if (g.type === "Polygon") return { ...f, geometry: { ...g, coordinates: g.coordinates.map(unwrap) } };
      if (g.type === "MultiPolygon")
        return { ...f, geometry: { ...g, coordinates: g.coordinates.map((poly) => poly.map(unwrap)) } };
      return f;
    });
  return { ...countries, features };
}
