from datetime import date

import pytest
from followthemoney.util import make_entity_id

from veriga.model.ids import make_id


@pytest.mark.parametrize("parts", [
    ("account", "LV80BANK0000435195001"), ("holder", " LV80 ", "Jānis  Bērziņš\t"),
    ("payment", "A", "B", "2026-03", ""), ("x", None, "Мария", "\u00a0y\u00a0"),
    ("ownership", "e" * 40, "f" * 40), ("account", "", None, "z"),
])
def test_ids_are_those_of_followthemoney(parts):
    assert make_id(*parts) == make_entity_id(*parts)


def test_other_types_are_hashed_as_followthemoney_does():
    assert make_id("trip", date(2026, 3, 1)) == make_entity_id("trip", date(2026, 3, 1))  # type: ignore[arg-type]


def test_an_all_empty_key_is_refused():
    with pytest.raises(ValueError, match="non-empty part"):
        make_id(None, " ", "")
