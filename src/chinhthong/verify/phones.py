"""Phone numbers: a registered hotline, a national emergency number, or neither. A resident who
pastes "113" or "0912 345 678" asks about a number, not a web address (the URL Standard would
read "113" as the IPv4 address 0.0.0.113)."""

import re

from chinhthong.verify import canonical
from chinhthong.verify.canonical import InvalidIdentifier

# The national emergency numbers of the telecommunications numbering plan, free from any phone:
# official, and named for the service that answers.
EMERGENCY = {
    "111": "Tổng đài quốc gia bảo vệ trẻ em",
    "112": "Tìm kiếm cứu nạn",
    "113": "Công an",
    "114": "Cứu hỏa, cứu nạn cứu hộ",
    "115": "Cấp cứu y tế",
}

_DOTTED_QUAD = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")
# In a message: a full Vietnamese number (+84 or 0 and nine or ten digits, spaced as people
# write them) or a 1800/1900 service number; bare short numbers would match years and amounts.
_IN_TEXT = re.compile(r"(?<![\w+])(?:(?:\+84|0)(?:[ .-]?\d){9,10}|1[89]00(?:[ .-]?\d){4,6})(?!\w)")


def phone_number(text: str) -> str | None:
    """The canonical number when ``text`` is a phone number and nothing else, else None."""
    text = text.strip()
    if not text or _DOTTED_QUAD.match(text):
        return None
    try:
        return canonical.phone(text)
    except InvalidIdentifier:
        return None


def numbers_in(text: str) -> list[tuple[int, int, str]]:
    """(start, end, number as written) of the phone numbers in a message."""
    return [(m.start(), m.end(), m.group()) for m in _IN_TEXT.finditer(text)]


def readable(number: str) -> str:
    """A canonical number as Vietnamese readers write it: 0203 3835 444 (a landline, its area
    code first), 024 3823 4567 (Hà Nội and Hồ Chí Minh City), 0912 345 678 (a mobile),
    1900 561 256 and 1900 1234; short numbers as they are."""
    if not number.startswith("+84"):
        if number.startswith(("1800", "1900")):
            tail = number[4:]
            return (
                f"{number[:4]} {tail[:3]} {tail[3:]}" if len(tail) == 6 else f"{number[:4]} {tail}"
            )
        return number
    national = "0" + number[3:]
    if len(national) == 11 and national.startswith("02"):
        if national.startswith(("024", "028")):
            return f"{national[:3]} {national[3:7]} {national[7:]}"
        return f"{national[:4]} {national[4:8]} {national[8:]}"
    if len(national) == 10:
        return f"{national[:4]} {national[4:7]} {national[7:]}"
    return national
