"""How long a text message is, in SMS segments: pure functions.

An SMS is written in the GSM 03.38 7-bit alphabet when every character is in it (160
septets in one message, 153 a part when split, the 7 others holding the part's header), and in
UCS-2 otherwise (70 UTF-16 units, 67 a part). Characters of the extension table (``€ [ ] { }``
and a few more) cost two septets, an escape and the character. Welsh letters with a
circumflex (â, ê, î, ô, û, ŵ, ŷ) are not in GSM-7, so a Welsh text with them is UCS-2: we
measure it and never rewrite it.
"""

# GSM 03.38 basic character set, in code order (0x1B, the escape to the extension, left out).
BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNO"
    "PQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmno"
    "pqrstuvwxyzäöñüà"
)
# The extension table: each costs two septets (form feed is its page break).
EXTENSION = frozenset("\f^{}\\[~]|€")

GSM7_SINGLE = 160
GSM7_PART = 153
UCS2_SINGLE = 70
UCS2_PART = 67


def is_gsm7(text: str) -> bool:
    """Whether every character is in the GSM-7 basic set or its extension table."""
    return all(char in BASIC or char in EXTENSION for char in text)


def _costs(text: str) -> tuple[list[int], int, int]:
    """The cost of each character, and the single-message and per-part capacities."""
    if is_gsm7(text):
        return [2 if char in EXTENSION else 1 for char in text], GSM7_SINGLE, GSM7_PART
    # UTF-16 units: a character beyond the Basic Multilingual Plane (most emoji) takes two.
    return [2 if ord(char) > 0xFFFF else 1 for char in text], UCS2_SINGLE, UCS2_PART


def _parts(costs: list[int], part: int) -> list[int]:
    """The fill of each part; a two-unit character is never split across parts."""
    fills = [0]
    for cost in costs:
        if fills[-1] + cost > part:
            fills.append(0)
        fills[-1] += cost
    return fills


def sms_segments(text: str) -> int:
    """How many SMS the text is sent as (an empty text is still one message)."""
    costs, single, part = _costs(text)
    if sum(costs) <= single:
        return 1
    return len(_parts(costs, part))


def characters_left(text: str) -> int:
    """How many more one-unit characters fit before the text needs another segment.

    Counted in the text's own encoding: one character outside GSM-7 added to a GSM-7 text
    turns the whole text into UCS-2, which this cannot foresee.
    """
    costs, single, part = _costs(text)
    used = sum(costs)
    if used <= single:
        return single - used
    return part - _parts(costs, part)[-1]
