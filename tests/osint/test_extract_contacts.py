import pytest

from veriga.osint.extract import extract, find_emails


@pytest.mark.parametrize(("text", "address"), [
    ("write anna@mail.ru", "anna@mail.ru"),
    ("anna.k [at] gmail [dot] com", "anna.k@gmail.com"),
    ("x(at)inbox(dot)lv", "x@inbox.lv"),
    ("ANNA @ Mail.EE", "anna@mail.ee"),
])
def test_emails(text: str, address: str) -> None:
    found = find_emails(text)
    assert [e.address for e in found] == [address]
    assert text[found[0].start:found[0].end] == found[0].raw


def test_at_in_a_sentence_is_no_email() -> None:
    assert find_emails("meet at home. com") == []


def test_messengers() -> None:
    text = ("Viber/Telegram +359 88 123 4567. TG @sweet_anna, wa.me/37120000000, "
            "Signal: +372 5123 4567, t.me/annaRiga")
    got = {(h.platform, h.value) for h in extract(text).handles}
    assert got == {("viber", "+359881234567"), ("telegram", "+359881234567"),
                   ("telegram", "sweet_anna"), ("whatsapp", "+37120000000"),
                   ("signal", "+37251234567"), ("telegram", "annaRiga")}


def test_whatsapp_after_word() -> None:
    found = extract("Call or WhatsApp 040 123 4567", country_hint="FI").handles
    assert [(h.platform, h.value) for h in found] == [("whatsapp", "+358401234567")]


@pytest.mark.parametrize("text", [
    "WhatsApp, write lena.vip@example.com",
    "Telegram or mail: anna@gmail.com",
    "Viber? No, e-mail me @example.com",
])
def test_the_host_of_an_email_is_no_handle(text: str) -> None:
    assert [h.value for h in extract(text).handles] == []


def test_a_handle_ends_a_sentence() -> None:
    found = extract("Telegram @lena_vip. Call anytime").handles
    assert [(h.platform, h.value) for h in found] == [("telegram", "lena_vip")]
