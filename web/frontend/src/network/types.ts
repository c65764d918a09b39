/** Shapes of the case JSON API (see src/veriga/web, `/api/cases/{case}/…`). */

export type Role = "victim" | "suspect" | "witness" | "other";
export type Stage = "recruitment" | "transport" | "exploitation" | "proceeds";

export const ROLES: Role[] = ["victim", "suspect", "witness", "other"];
export const STAGES: Stage[] = ["recruitment", "transport", "exploitation", "proceeds"];

export interface ApiNode {
  id: string;
  label: string;
  schema: string;
  role: Role | null;
  stage: Stage | null;
  first: string | null;
  last: string | null;
  url: string;
}

export interface ApiEdge {
  id: string;
  source: string;
  target: string;
  schema: string;
  label: string;
  first: string | null;
  last: string | null;
  amount: number | null;
}

export interface GraphData {
  nodes: ApiNode[];
  edges: ApiEdge[];
}

export interface PathData extends GraphData {
  path: string[];
}

export interface SavedViewSummary {
  id: string;
  name: string;
  created_at: string;
}

export interface SavedView {
  id: string;
  name: string;
  state: ViewState;
}

export type SizeBy = "degree" | "betweenness";

export interface FilterState {
  /** Values whose checkbox is unchecked (new values that appear later are shown). */
  hiddenSchemas: string[];
  hiddenLinks: string[];
  hiddenRoles: string[];
  hiddenStages: string[];
  /** ISO dates (YYYY-MM-DD) or "" for open ends. */
  from: string;
  to: string;
  /** Entities without a link shown (hidden by default: the graph opens on what is linked). */
  showIsolated?: boolean;
}

/** What "save view" stores (POST {api}/views body `state`). */
export interface ViewState {
  version: 1;
  nodes: { id: string; x: number; y: number }[];
  /** Links that `GET graph` does not return (SharedIdentifier links found by pivots), kept verbatim. */
  extraEdges?: ApiEdge[];
  filters: FilterState;
  sizeBy: SizeBy;
  camera: { x: number; y: number; ratio: number; angle: number } | null;
  selected: string | null;
}

/** Attributes kept on graphology nodes. */
export interface NodeAttrs {
  label: string;
  x: number;
  y: number;
  size: number;
  color: string;
  fixed?: boolean;
  schema: string;
  role: Role | null;
  stage: Stage | null;
  first: string | null;
  last: string | null;
  url: string;
}

/** Attributes kept on graphology edges. */
export interface EdgeAttrs {
  label: string;
  size: number;
  color: string;
  type: string;
  schema: string;
  first: string | null;
  last: string | null;
  amount: number | null;
}
