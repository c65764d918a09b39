import type { GraphData, PathData, SavedView, SavedViewSummary, ViewState } from "./types";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Client of the case JSON API rooted at `data-api` (e.g. `/api/cases/CASE`). */
export class Api {
  /** Number of requests in flight (used by `verigaNetwork.idle()`). */
  pending = 0;

  constructor(
    private readonly base: string,
    private readonly csrf: string,
  ) {}

  private async request<T>(path: string, init: RequestInit = {}): Promise<T> {
    const headers = new Headers(init.headers);
    headers.set("Accept", "application/json");
    if (init.method && init.method !== "GET") {
      headers.set("X-CSRF-Token", this.csrf);
      headers.set("Content-Type", "application/json");
    }
    this.pending++;
    try {
      const res = await fetch(this.base.replace(/\/$/, "") + path, { credentials: "same-origin", ...init, headers });
      if (!res.ok) {
        let detail = `${res.status} ${res.statusText}`;
        try {
          const body: unknown = await res.json();
          if (body && typeof body === "object" && "detail" in body) {
            const d = (body as { detail: unknown }).detail;
            detail = typeof d === "string" ? d : JSON.stringify(d);
          }
        } catch {
          /* not JSON */
        }
        throw new ApiError(res.status, detail);
      }
      return (await res.json()) as T;
    } finally {
      this.pending--;
    }
  }

  graph(ids: string[]): Promise<GraphData> {
    return this.request(`/graph?ids=${ids.map(encodeURIComponent).join(",")}`);
  }

  neighbours(id: string): Promise<GraphData> {
    return this.request(`/neighbours/${encodeURIComponent(id)}`);
  }

  path(from: string, to: string): Promise<PathData> {
    return this.request(`/path?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
  }

  pivots(id: string): Promise<GraphData> {
    return this.request(`/pivots/${encodeURIComponent(id)}`);
  }

  views(): Promise<SavedViewSummary[]> {
    return this.request("/views");
  }

  view(id: string): Promise<SavedView> {
    return this.request(`/views/${encodeURIComponent(id)}`);
  }

  /** The chart as laid out (entity ids and places) as an i2 Analyst's Notebook file. */
  async chartAnx(nodes: { id: string; x: number; y: number }[]): Promise<Blob> {
    this.pending++;
    try {
      const res = await fetch(`${this.base.replace(/\/$/, "")}/network/anx`, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": this.csrf },
        body: JSON.stringify({ nodes }),
      });
      if (!res.ok) throw new ApiError(res.status, `${res.status} ${res.statusText}`);
      return await res.blob();
    } finally {
      this.pending--;
    }
  }

  saveView(name: string, state: ViewState): Promise<{ id: string }> {
    return this.request("/views", { method: "POST", body: JSON.stringify({ name, state }) });
  }
}
