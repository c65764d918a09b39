"""Online ads: a static website per site (listings, ad pages with photos, robots.txt,
sitemap; see :mod:`veriga.simulate.writers.sites`) and a FollowTheMoney JSON-lines export of
the same ads (overlay `Advertisement`)."""

from __future__ import annotations

import hashlib
import json
import random
from html import escape
from pathlib import Path

from veriga.simulate.names import local_phone, obfuscated_phone
from veriga.simulate.photos import Uploads, edits_for
from veriga.simulate.plan import AdPlan
from veriga.simulate.writers.sites import CSS, Site

ISO3 = {"en": "eng", "ru": "rus", "bg": "bul", "lv": "lav", "et": "est", "fi": "fin",
        "ro": "ron", "uk": "ukr", "pl": "pol"}
class AdWriter:
    """Writes every ad to its site and to ``ads/ads.ftm.jsonl``; returns what it wrote."""

    def __init__(self, out: Path, seed: int) -> None:
        self.out = out / "ads"
        self.seed = seed
        self.sites: dict[str, Site] = {}
        self.jsonl = (self.out / "ads.ftm.jsonl")
        self.out.mkdir(parents=True, exist_ok=True)
        self._fh = self.jsonl.open("w", encoding="utf-8")
        self._uploads = Uploads()
        self.count = 0

    def site(self, domain: str) -> Site:
        if domain not in self.sites:
            title = {"nightlist.example": "NightList - companions & massage",
                     "jobs-abroad.example": "Jobs Abroad - work in the Nordics and Baltics",
                     "baltic-dates.example": "Baltic Dates - meet in Riga, Tallinn, Helsinki",
                     "work-nordic.example": "Work Nordic - jobs with housing"
                     }.get(domain, domain)
            self.sites[domain] = Site(self.out / "sites" / domain, domain, title)
        return self.sites[domain]

    def write(self, ad: AdPlan) -> tuple[str, str, str, list[dict[str, object]]]:
        """Write one ad; returns (ad id, relative page path, FtM entity id, its photo files
        with their picture and edits)."""
        site = self.site(ad.site)
        site.count += 1
        self.count += 1
        ad_id = f"{site.prefix}{site.count:07d}"
        rng = random.Random(f"{self.seed}:adw:{ad.site}:{site.count}")
        shown = (obfuscated_phone(rng, ad.phone, ad.country) if ad.kind == "operation"
                 and ad.category != "job" else local_phone(rng, ad.phone, ad.country))
        # A text shouted in capitals by ``noisy`` has its slot in capitals too.
        body = ad.body.replace("{phone}", shown).replace("{PHONE}", shown)
        title = ad.title.replace("{phone}", shown).replace("{PHONE}", shown)
        imgs, hashes = [], []
        files: list[dict[str, object]] = []
        for k, key in enumerate(ad.photos):
            prng = random.Random(f"{self.seed}:photo:{ad.site}:{ad_id}:{k}")
            upload = self._uploads.upload(key, edits_for(ad.kind, prng), prng, ad.site)
            name = f"{ad_id}-{k + 1}.jpg"
            (site.root / "img" / name).write_bytes(upload.data)
            imgs.append(name)
            hashes.append(upload.phash)
            files.append({"file": f"ads/sites/{ad.site}/img/{name}", "picture": key,
                          "edits": list(upload.edits)})
        posted = ad.when.isoformat(timespec="seconds")
        page_rel = f"ad/{ad_id}.html"
        photos_html = "".join(f'<img src="../img/{n}" height="150" alt="photo">'
                              for n in imgs)
        site.write_page(
            page_rel,
            f"<!DOCTYPE html>\n<html lang=\"{ad.lang}\"><head>{site.meta}"
            f"<title>{escape(title)}</title><style>{CSS}</style></head><body>\n"
            f'<article class="ad" data-ad-id="{ad_id}">\n<h1>{escape(title)}</h1>\n'
            f'<p class="meta">Ad {ad_id} · <span class="city">{escape(ad.city)}</span> · '
            f'posted <time datetime="{posted}">{ad.when:%d.%m.%Y %H:%M}</time></p>\n'
            f'<div class="photos">{photos_html}</div>\n<p class="text">{escape(body)}</p>\n'
            f'<p class="contact">{escape(ad.contact)} · <span class="phone">{escape(shown)}'
            f'</span></p>\n<p class="price">{ad.price} EUR</p>\n</article>\n'
            '<p><a href="../index.html">back to listings</a></p>\n</body></html>\n')
        site.add(ad_id, title, ad.city, ad.when.date().isoformat())
        props: dict[str, list] = {
            "title": [title], "bodyText": [body], "site": [ad.site], "adId": [ad_id],
            "category": [ad.category], "phone": [ad.phone], "contactName": [ad.contact],
            "city": [ad.city], "country": [ad.country.lower()],
            "price": [f"{ad.price} EUR"], "priceAmount": [str(ad.price)],
            "priceCurrency": ["EUR"], "postedAt": [posted],
            "sourceUrl": [site.url(page_rel)], "language": [ISO3[ad.lang]],
            "imageHash": sorted(set(hashes))}
        if ad.age:
            props["statedAge"] = [str(ad.age)]
        if ad.nationality:
            props["statedNationality"] = [ad.nationality.lower()]
        ent_id = "ad-" + hashlib.sha1(f"{ad.site}:{ad_id}".encode()).hexdigest()[:20]
        self._fh.write(json.dumps({"id": ent_id, "schema": "Advertisement",
                                   "properties": props}, ensure_ascii=False) + "\n")
        return ad_id, f"ads/sites/{ad.site}/{page_rel}", ent_id, files

    def close(self) -> None:
        self._fh.close()
        for site in self.sites.values():
            site.close()
