"""How many SMS parts a text costs, the way the network counts it.

A text whose every character is in the GSM 7-bit alphabet goes as GSM-7: 160 septets in one
part, 153 per part when split (the rest carries the joining header); the extension characters
(``^ { } \\ [ ~ ] | €`` and form feed) take two septets. Anything else, Persian included, goes
as UCS-2: 70 UTF-16 units in one part, 67 per part. One Persian letter in an English text makes
the whole message UCS-2, which is why the preview says which encoding it found.
"""

from dataclasses import dataclass

GSM7 = "gsm7"
UCS2 = "ucs2"

_GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENSION = frozenset("^{}\\[~]|€\f")

#: (single part, per part when split) for each encoding.
LIMITS = {GSM7: (160, 153), UCS2: (70, 67)}


@dataclass(frozen=True)
class SmsCount:
    """What a text costs: its encoding, the characters a person sees, the units the network
    counts (septets or UTF-16 units), the parts, and how many units are left in the last part."""

    encoding: str
    characters: int
    units: int
    parts: int
    per_part: int
    left_in_part: int


def encoding_of(text: str) -> str:
    if all(ch in _GSM_BASIC or ch in _GSM_EXTENSION for ch in text):
        return GSM7
    return UCS2


def sms_count(text: str) -> SmsCount:
    """Count ``text`` as an SMS (an empty text is one part with nothing in it)."""
    encoding = encoding_of(text)
    if encoding == GSM7:
        units = sum(2 if ch in _GSM_EXTENSION else 1 for ch in text)
    else:
        units = len(text.encode("utf-16-le")) // 2
    single, split = LIMITS[encoding]
    if units <= single:
        parts, per_part = 1, single
    else:
        parts, per_part = -(-units // split), split
    return SmsCount(
        encoding=encoding,
        characters=len(text),
        units=units,
        parts=parts,
        per_part=per_part,
        left_in_part=parts * per_part - units,
    )
