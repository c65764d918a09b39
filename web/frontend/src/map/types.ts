/** The JSON of `GET /api/cases/{case}/map` (src/veriga/web/views/places.py, MapOut). */

export type PlaceKind = "city" | "country" | "point";

export interface Place {
  id: string;
  name: string;
  /** ISO 3166-1 alpha-2, lower case; "" if unknown. */
  country: string;
  lat: number;
  lon: number;
  kind: PlaceKind;
  activity: number;
  entity_ids: string[];
  trip_ids: string[];
  person_ids: string[];
  departures: number;
  arrivals: number;
  /** Findings whose route stops here (an operation's ads). */
  finding_ids: string[];
}

export interface Route {
  source: string;
  target: string;
  trips: number;
  first: string | null;
  last: string | null;
  passenger_ids: string[];
  organizer_ids: string[];
  trip_ids: string[];
  /** trip: trips travelled; finding: an operation's ads moving on from city to city. */
  kind: "trip" | "finding";
  moves: number;
  finding_ids: string[];
}

export interface FindingRef {
  title: string;
  url: string;
  score: number;
}

export interface Unplaced {
  text: string;
  reason: string;
  entity_ids: string[];
}

export interface EntityRef {
  name: string;
  schema: string;
  url: string;
  /** The departure date of a trip. */
  date: string | null;
}

export interface MapData {
  places: Place[];
  routes: Route[];
  unplaced: Unplaced[];
  entities: Record<string, EntityRef>;
  trips_total: number;
  trips_placed: number;
  first: string | null;
  last: string | null;
  findings: Record<string, FindingRef>;
}

export interface Filters {
  ids: string[];
  from: string;
  to: string;
}
