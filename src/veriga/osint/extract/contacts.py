"""E-mail addresses (also ``name [at] host [dot] com``) and messenger handles (WhatsApp,
Telegram, Viber, Signal: links, ``@handle`` near the app's name, a phone after it)."""

from __future__ import annotations

import re

from veriga.osint.extract.types import Email, Handle, Phone

_AT = r"(?:\s*@\s*|\s*[\[({<]\s*(?:at|@|собака|kukk|miuku|malpa|małpa)\s*[\])}>]\s*|\s+at\s+)"
_DOT = r"(?:\s*[\[({<]\s*(?:dot|punkt|piste|точка|\.)\s*[\])}>]\s*|\s+dot\s+|\.)"
_EMAIL = re.compile(
    rf"(?<![\w.+-])(?P<user>[\w.+-]+){_AT}(?P<host>[a-z0-9-]+(?:{_DOT}[a-z0-9-]+)*?)"
    rf"{_DOT}(?P<tld>[a-z]{{2,12}})\b", re.I)
_PLAIN_DOT = re.compile(_DOT, re.I)

PLATFORMS = {
    "whatsapp": ("whatsapp", "whats app", "whatsap", "вотсап", "ватсап", "вацап", "wa"),
    "telegram": ("telegram", "tg", "телеграм", "телеграмм", "телеграма", "телега"),
    "viber": ("viber", "вайбер", "вайбър", "вібер"),
    "signal": ("signal", "сигнал"),
}
_NAME = re.compile(r"(?<![\w@])(" + "|".join(sorted(
    (re.escape(n) for names in PLATFORMS.values() for n in names), key=len, reverse=True))
    + r")(?!\w)", re.I)
_PLATFORM_OF = {n: p for p, names in PLATFORMS.items() for n in names}
_LINKS = [
    ("whatsapp", re.compile(r"(?:https?://)?(?:wa\.me/|(?:api|web)\.whatsapp\.com/send/?\?"
                            r"phone=)\+?(?P<v>\d{7,15})", re.I)),
    ("telegram", re.compile(r"(?:https?://)?(?:t|telegram)\.me/(?P<v>[a-z][\w]{3,31})", re.I)),
    ("viber", re.compile(r"viber://(?:chat|add)\?number=%?2?B?(?P<v>\d{7,15})", re.I)),
    ("signal", re.compile(r"(?:https?://)?signal\.me/#p/\+?(?P<v>\d{7,15})", re.I)),
]
# not the host of an e-mail address ("write lena.vip@example.com" names no handle "example")
_AT_HANDLE = re.compile(r"(?<![\w.+-])@(?P<v>[a-z][\w]{3,31})\b(?![.-]\w)", re.I)
NEAR = 40  # characters after an app's name in which its phone or handle is looked for


def find_emails(text: str) -> list[Email]:
    """E-mail addresses, plain or spelled out with [at] and [dot]."""
    found: list[Email] = []
    for m in _EMAIL.finditer(text):
        raw = m.group()
        spelled = "@" not in raw
        if spelled and not re.search(r"[\[({<]|\bdot\b", raw, re.I):
            continue  # "meet at home. com..." is no address
        host = _PLAIN_DOT.sub(".", m.group("host"))
        found.append(Email(f"{m.group('user')}@{host}.{m.group('tld')}".lower(), raw,
                           m.start(), m.end()))
    return found


def find_handles(text: str, phones: list[Phone]) -> list[Handle]:
    """Messenger contacts: links, and a phone or ``@handle`` within ``NEAR`` characters after
    an app's name ("Viber/Telegram +359...": both apps get the number)."""
    found: list[Handle] = []
    for platform, pattern in _LINKS:
        for m in pattern.finditer(text):
            value = m.group("v")
            if platform != "telegram":
                value = "+" + value
            found.append(Handle(platform, value, m.start(), m.end()))
    for m in _NAME.finditer(text):
        word = m.group(1).lower()
        platform = _PLATFORM_OF[word]
        if word in ("wa", "tg", "signal", "сигнал") and not _short_name_ok(text, m):
            continue
        window_end = m.end() + NEAR
        phone = next((p for p in phones if m.end() <= p.start < window_end), None)
        handle = _AT_HANDLE.search(text, m.end(), window_end)
        if handle and (phone is None or handle.start() < phone.start):
            found.append(Handle(platform, handle.group("v"), handle.start(), handle.end()))
        elif phone is not None:
            found.append(Handle(platform, phone.e164, phone.start, phone.end))
    unique: dict[tuple[str, str, int], Handle] = {}
    for h in found:
        unique.setdefault((h.platform, h.value.lower(), h.start), h)
    return sorted(unique.values(), key=lambda h: (h.start, h.platform))


def _short_name_ok(text: str, m: re.Match[str]) -> bool:
    """Short or common app names count only right before a contact ("TG: @x", "Signal +3...")."""
    rest = text[m.end():m.end() + 4]
    return bool(re.match(r"\s*[:\-]?\s*[@+0-9(]", rest))
