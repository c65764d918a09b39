/** Lists of entity links for popups and tables, and the "open in the network" link. */
import { el } from "./dom";
import type { Translate } from "./i18n";
import type { EntityRef } from "./types";

/** How many entity ids the network page takes as its starting point. */
export const NETWORK_SEED = 10;

export function entityList(
  ids: string[],
  entities: Record<string, EntityRef>,
  t: Translate,
  limit = 12,
): HTMLElement | null {
  const known = ids.filter((id) => entities[id]);
  if (!known.length) return null;
  const list = el("ul", { class: "map-entities" });
  for (const id of known.slice(0, limit)) {
    const ref = entities[id];
    list.append(
      el(
        "li",
        {},
        ref.date ? `${ref.date} ` : "",
        el("a", { href: ref.url, "data-entity": id }, ref.name),
        ref.schema !== "Person" && ref.schema !== "Trip" ? el("span", { class: "schema" }, ` (${t(ref.schema)})`) : "",
      ),
    );
  }
  if (known.length > limit) list.append(el("li", { class: "more" }, t("and %(n)s more", { n: known.length - limit })));
  return list;
}

export function networkLink(caseName: string, ids: string[], t: Translate): HTMLElement | null {
  const seed = [...new Set(ids)].slice(0, NETWORK_SEED);
  if (!seed.length) return null;
  const href = `/cases/${encodeURIComponent(caseName)}/network?ids=${seed.map(encodeURIComponent).join(",")}`;
  return el("a", { href, class: "map-network" }, t("Open in the network"));
}
