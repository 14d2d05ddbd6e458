"""Stored text refuses every invisible format character (Unicode category Cf: zero-width space
and joiners, word joiner, byte-order mark, soft hyphen, tag characters …) as it refuses control
and text-direction characters, naming the field and the character's code point; Vietnamese,
precomposed or written with combining marks (category Mn), still passes."""

import sys
import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from chinhthong.config.validators import (
    CONTROL_CHARACTER,
    field_problems,
    forbidden_character,
    validate_multi_line,
    validate_one_line,
    without_control_characters,
)
from chinhthong.registry import importing
from chinhthong.registry.models import Agency

# The characters the intruder stored, each invisible where a name is shown.
SEEN = {
    "ZWSP": "\u200b",
    "ZWNJ": "\u200c",
    "ZWJ": "\u200d",
    "WJ": "\u2060",
    "BOM": "\ufeff",
    "SHY": "\u00ad",
    "TAG LATIN SMALL A": "\U000e0061",
    "CANCEL TAG": "\U000e007f",
    "LANGUAGE TAG": "\U000e0001",
}
FORMAT = [chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf"]
TAGS = [chr(c) for c in range(0xE0000, 0xE0080)]  # the whole block, assigned or not

VIETNAMESE = (
    "Sở Thông tin và Truyền thông tỉnh Quảng Ninh — Cổng thông tin điện tử; "
    "Ủy ban nhân dân phường Hồng Gai, đường Nguyễn Văn Cừ, số điện thoại 0203.3835.567"
)


def _code(char: str) -> str:
    return f"U+{ord(char):04X}"


@pytest.mark.parametrize("char", SEEN.values(), ids=SEEN.keys())
@pytest.mark.parametrize("validate", [validate_one_line, validate_multi_line])
def test_the_characters_seen_are_refused_with_their_code_point_and_position(char, validate):
    with pytest.raises(ValidationError) as caught:
        validate(f"Sở{char}TTTT")
    error = caught.value
    assert error.code == "control_character"
    assert error.params == {"position": 3, "character": _code(char)}
    assert error.message == CONTROL_CHARACTER


def test_every_format_character_and_every_tag_is_refused_on_one_line_and_several():
    """Every Cf of the running Python's Unicode: the module writes the ranges out (Python's re
    has no \\p{Cf}), so a newer Unicode with new format characters fails here."""
    for char in sorted(set(FORMAT) | set(TAGS)):
        for multi_line in (False, True):
            found = forbidden_character(f"a{char}", multi_line=multi_line)
            assert found == (2, _code(char)), (_code(char), multi_line)
            assert without_control_characters(f"a{char}b", multi_line=multi_line) == "a\ufffdb"


def test_vietnamese_passes_precomposed_and_with_combining_marks():
    decomposed = unicodedata.normalize("NFD", VIETNAMESE)
    assert decomposed != VIETNAMESE
    assert any(unicodedata.category(c) == "Mn" for c in decomposed)
    for text in (VIETNAMESE, decomposed, unicodedata.normalize("NFKC", VIETNAMESE)):
        for validate in (validate_one_line, validate_multi_line):
            validate(text)
            validate(text.upper())
    validate_multi_line(f"{decomposed}\r\n\t{VIETNAMESE}\n")


# Marks that show as nothing: refused like format characters (the test of 2026-12-05 stored
# "UBND tỉnh Quảng\u034fNinh" and variation selectors as names).
BLANK_MARKS = {0x034F, 0x17B4, 0x17B5, *range(0x180B, 0x1810), *range(0xFE00, 0xFE10)}
BLANK_MARKS |= set(range(0xE0100, 0xE01F0))


def test_every_combining_mark_that_shows_passes():
    marks = "".join(
        chr(c)
        for c in range(sys.maxunicode + 1)
        if unicodedata.category(chr(c)) == "Mn" and c not in BLANK_MARKS
    )
    assert forbidden_character("a" + marks) is None
    assert forbidden_character("a" + marks, multi_line=True) is None


@pytest.mark.parametrize(
    "blank",
    [
        0x3164,
        0x115F,
        0x1160,
        0xFFA0,
        0x034F,
        0x2800,
        0xFE0F,
        0xFE00,
        0xE0100,
        0x180B,
        0x17B4,
        0xE000,
        0xFFFF,
        0x0378,
    ],
)
def test_characters_that_show_as_nothing_are_refused(blank):
    """The finding: Hangul fillers, the combining grapheme joiner, the blank braille pattern,
    variation selectors, private use, noncharacters and unassigned code points were stored in
    an agency's name."""
    text = f"Quảng{chr(blank)}Ninh"
    assert forbidden_character(text) == (6, f"U+{blank:04X}")
    assert forbidden_character(text, multi_line=True) == (6, f"U+{blank:04X}")


def test_the_error_names_the_field_in_the_model_and_in_the_registry_import(default_registry):
    agency = Agency(code="so-moi", name="Sở\u200bmới", level="province", notes="a\ufeffb")
    with pytest.raises(ValidationError) as caught:
        agency.full_clean()
    with translation.override("en"):
        line = field_problems(caught.value, Agency)
    assert "field “name (Vietnamese)”: Contains the invisible character U+200B at position 3" in (
        line
    )
    assert "field “notes”: Contains the invisible character U+FEFF at position 2" in line
    with pytest.raises(importing.ImportRejected) as caught:
        importing.import_registry(
            {"agencies": [{"code": "so-moi", "name": "Sở\u00admới", "level": "province"}]}
        )
    problems = caught.value.result.problems
    assert [(p.section, p.key, p.field) for p in problems] == [("agencies", "so-moi", "name")]
    expected = str(CONTROL_CHARACTER) % {"character": "U+00AD", "position": 3}
    assert problems[0].message == expected
    assert not Agency.objects.filter(code="so-moi").exists()


def test_the_back_office_form_names_the_field(client, default_registry, django_user_model):
    boss = django_user_model.objects.create_superuser("sep", password="mat-khau-42-dai")
    client.force_login(boss)
    response = client.post(
        "/quan-tri/registry/agency/add/",
        {"code": "so-gia", "name": "Sở\u2060TTTT", "level": "province", "notes": "\U000e0041"},
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["name"] == [str(CONTROL_CHARACTER) % {"character": "U+2060", "position": 3}]
    assert errors["notes"] == [str(CONTROL_CHARACTER) % {"character": "U+E0041", "position": 1}]
    assert not Agency.objects.filter(code="so-gia").exists()
