"""Fill the interface's catalogs from JSON files of translations.

    python scripts/merge-translations.py FILE.json...

Each file maps an English msgid to its translations: {"msgid": {"bg": "...", "lv": "..."}}.
Run `make messages` first so the catalogs list the msgids; a msgid missing from them is
reported, a translation replaces the catalog's and clears its fuzzy flag.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

LOCALE = Path(__file__).resolve().parents[1] / "src" / "veriga" / "web" / "locale"


def merge(files: list[Path]) -> int:
    wanted: dict[str, dict[str, str]] = {}
    for path in files:
        for msgid, by_lang in json.loads(path.read_text(encoding="utf-8")).items():
            wanted.setdefault(msgid, {}).update(by_lang)
    missing = 0
    for po in sorted(LOCALE.glob("*/LC_MESSAGES/messages.po")):
        lang = po.parts[-3]
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        for msgid, by_lang in wanted.items():
            if lang not in by_lang:
                continue
            message = catalog.get(msgid)
            if message is None:
                print(f"{lang}: not in the catalog (run `make messages`?): {msgid[:70]!r}")
                missing += 1
                continue
            message.string = by_lang[lang]
            message.flags.discard("fuzzy")
        with po.open("wb") as fh:
            write_po(fh, catalog, width=0)
    return missing


if __name__ == "__main__":
    sys.exit(1 if merge([Path(a) for a in sys.argv[1:]]) else 0)
