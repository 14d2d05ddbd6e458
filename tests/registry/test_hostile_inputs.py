"""Hostile inputs to the registry, each replaying an attack that crashed or hung it: YAML alias
bombs, nesting deep enough to exhaust Python's stack, oversized files, byte-order marks, links
on ports that do not exist, control characters in stored text, out-of-range API parameters.
Each is refused with a message that says what is wrong and where, and nothing is written."""

import codecs
import json

import pytest
from django.db import models
from django.utils import translation
from typer.testing import CliRunner

from chinhthong.config import cli
from chinhthong.registry import files, importing, schema
from chinhthong.registry.exporting import MODELS, dumps, registry_document
from chinhthong.registry.models import Agency, SourceDocument
from chinhthong.verify import canonical

cli._mount()
runner = CliRunner()


@pytest.fixture
def english(monkeypatch):
    """Messages in English (msgids), whatever the catalogue says: the CLI reads the variable,
    the rest runs in the active language."""
    monkeypatch.setenv("CHINHTHONG_LANGUAGE", "en")
    with translation.override("en"):
        yield


def import_cli(*args, **kwargs):
    return runner.invoke(cli.app, ["registry", "import", *args], catch_exceptions=False, **kwargs)


def refusal(text: str, fmt: str) -> str:
    with pytest.raises(importing.ImportRejected) as caught:
        files.parse(text, fmt)
    return str(caught.value)


def rejected_problems(document: dict) -> list[importing.Problem]:
    before = dumps(registry_document(), "json")
    with pytest.raises(importing.ImportRejected) as caught:
        importing.import_registry(document)
    assert dumps(registry_document(), "json") == before, "a rejected import must change nothing"
    return caught.value.result.problems


def channel(**fields) -> dict:
    return {
        "slug": "web-thu-nghiem",
        "agency": "so-tttt-quang-ninh",
        "kind": "website",
        "name": "Trang thử nghiệm",
        "host": "thunghiem.quangninh.gov.vn",
        "status": "active",
        **fields,
    }


# --- 1. YAML aliases ("billion laughs") -------------------------------------------------------
def billion_laughs() -> str:
    """408 bytes or so that expand to 9**9 strings wherever the value is read."""
    lines = ['lol: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    lines.append("channels: [{slug: *i, agency: x, kind: website, name: x, status: active}]")
    return "\n".join(lines) + "\n"


def test_a_yaml_alias_bomb_is_refused_at_its_first_anchor_without_expanding(db, english, tmp_path):
    bomb = billion_laughs()
    assert len(bomb.encode()) < 500
    # Refused while composing, before any value exists: nothing is ever expanded. (On the old
    # code this parse succeeded and the import then spent minutes and gigabytes in str().)
    message = refusal(bomb, "yaml")
    assert message.startswith("Line 1: anchors (&name) and aliases (*name) are not allowed")
    path = tmp_path / "bomb.yaml"
    path.write_text(bomb, encoding="utf-8")
    result = import_cli("--dry-run", str(path))
    assert result.exit_code == 1
    assert "Line 1: anchors (&name) and aliases (*name)" in result.output


def test_a_lone_anchor_or_alias_is_refused_with_its_line(english):
    anchor = "documents:\n- number: '1/A'\n  issuer: X\n- number: '2/A'\n  issuer: &i Y\n"
    assert refusal(anchor, "yaml").startswith("Line 5: anchors")
    alias = "documents:\n- {number: '1/A', issuer: X}\n- {number: '2/A', issuer: *x}\n"
    assert refusal(alias, "yaml").startswith("Line 3: anchors")


# --- 2. Nesting and size ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("fmt", "text", "line"),
    [
        ("yaml", "channels: " + "[" * 50_000 + "]" * 50_000 + "\n", 1),
        ("json", "[" * 100_000 + "]" * 100_000, 1),
        ("json", '{"format": "chinhthong-registry",\n "channels":\n' + "[" * 100_000, 3),
        ("yaml", "channels:\n" + "".join(f"{' ' * n}- \n" for n in range(0, 60, 2)), 21),
    ],
    ids=["yaml-flow-50000", "json-100000", "json-unclosed-line-3", "yaml-block-30"],
)
def test_nesting_deeper_than_a_registry_needs_is_refused_with_its_line(english, fmt, text, line):
    message = refusal(text, fmt)  # not RecursionError
    assert message == (
        f"Line {line}: the data is nested more than {schema.MAX_DEPTH} levels deep, "
        "far deeper than a registry file needs."
    )


def test_nesting_up_to_the_limit_is_read():
    deepest = "[" * (schema.MAX_DEPTH - 1) + "]" * (schema.MAX_DEPTH - 1)
    assert files.parse(f'{{"notes": {deepest}}}', "json") == {"notes": json.loads(deepest)}
    assert files.parse(f"notes: {deepest}\n", "yaml") == {"notes": json.loads(deepest)}


@pytest.mark.parametrize("name", ["deep.json", "deep.yaml"])
def test_the_cli_refuses_deep_nesting_without_a_traceback(db, english, tmp_path, name):
    path = tmp_path / name
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    result = import_cli("--dry-run", str(path))
    assert result.exit_code == 1
    assert "nested more than 20 levels deep" in result.output


def test_a_file_larger_than_a_registry_can_be_is_refused_unread(db, english, tmp_path):
    path = tmp_path / "large.yaml"
    padding = "# " + "x" * 1000 + "\n"
    path.write_text(
        "channels: []\n" + padding * (schema.MAX_FILE_BYTES // len(padding) + 1), encoding="utf-8"
    )
    result = import_cli("--dry-run", str(path))
    assert result.exit_code == 1
    assert "The file is larger than 10 MB, the most a registry file may hold." in result.output
    piped = import_cli("--dry-run", "-", input=path.read_bytes())
    assert piped.exit_code == 1 and "larger than 10 MB" in piped.output


def test_numbers_too_long_to_convert_and_odd_keys_are_problems_not_tracebacks(
    default_registry, english
):
    # Python refuses to convert integers of more than 4300 digits (ValueError).
    assert "not valid YAML" in refusal("documents: [{number: " + "1" * 5000 + "}]\n", "yaml")
    assert "not valid JSON" in refusal('{"documents": [{"number": ' + "1" * 5000 + "}]}", "json")
    # Keys that are not text cannot be sorted with text (TypeError).
    document = files.parse("1: x\n~: y\nchannels: [{slug: a, 2: b, ~: c}]\n", "yaml")
    problems = rejected_problems(document)
    assert {p.message for p in problems if not p.section} >= {
        "Unknown section “1”.",
        "Unknown section “None”.",
    }
    assert {p.field for p in problems if p.message == "Unknown field."} == {"2", "None"}


# --- 3. Ports that do not exist ---------------------------------------------------------------
@pytest.mark.parametrize("url", ["https://quangninh.gov.vn:99999/", "http://quangninh.gov.vn:0/"])
def test_canonical_links_refuse_ports_outside_1_to_65535(url):
    with pytest.raises(canonical.InvalidIdentifier) as caught:
        canonical.canonical_url(url)
    assert caught.value.code == "url_port_invalid"
    with pytest.raises(canonical.InvalidIdentifier):
        canonical.host_of_url(url)
    assert canonical.canonical_url("https://QuangNinh.gov.vn:8443/a") == (
        "https://quangninh.gov.vn:8443/a"
    )


def test_other_links_urlsplit_cannot_read_are_refused_not_raised():
    with pytest.raises(canonical.InvalidIdentifier) as caught:
        canonical.canonical_url("http://[quangninh.gov.vn/")
    assert caught.value.code == "url_invalid"
    with pytest.raises(canonical.InvalidIdentifier) as caught:
        canonical.facebook_username("facebook.com:99999/trang")
    assert caught.value.code == "facebook_url_invalid"


def test_import_refuses_a_port_out_of_range_in_every_kind_of_link(default_registry, english):
    bad = "https://quangninh.gov.vn:99999/van-ban"
    problems = rejected_problems(
        {
            "documents": [{"number": "9/TEST", "issuer": "UBND", "url": bad}],
            "agencies": [{"code": "so-thu", "name": "Sở thử", "level": "province", "website": bad}],
            "channels": [channel(url=bad)],
        }
    )
    message = f"“{bad}” has a port that is not a number from 1 to 65535."
    assert {(p.section, p.field, p.message) for p in problems} == {
        ("documents", "url", message),
        ("agencies", "website", message),
        ("channels", "url", message),
    }
    assert str(problems[0]).startswith("documents[1] «9/TEST», field “url”: “https://")


@pytest.mark.parametrize(
    ("path", "form", "field"),
    [
        (
            "/quan-tri/registry/channel/add/",
            {"slug": "web-cong", "kind": "website", "name": "Cổng", "status": "pending_review"},
            "url",
        ),
        (
            "/quan-tri/registry/agency/add/",
            {"code": "so-cong", "name": "Sở", "level": "province"},
            "website",
        ),
        ("/quan-tri/registry/sourcedocument/add/", {"number": "9/TEST", "issuer": "UBND"}, "url"),
    ],
    ids=["channel", "agency", "document"],
)
def test_back_office_forms_refuse_a_port_out_of_range(
    client, administrator, default_registry, path, form, field
):
    client.force_login(administrator)
    agency = Agency.objects.get(code="so-tttt-quang-ninh")
    data = {**form, "agency": agency.pk, field: "https://quangninh.gov.vn:99999/"}
    response = client.post(path, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200  # the form again, with the error; not a 500
    errors = response.context["adminform"].form.errors
    assert errors[field] == [
        "“https://quangninh.gov.vn:99999/” has a port that is not a number from 1 to 65535."
    ]


# --- 4. Control characters in stored text -----------------------------------------------------
HOSTILE_CHARACTERS = {
    "NUL": ("\x00", "U+0000"),
    "ESC": ("\x1b", "U+001B"),
    "DEL": ("\x7f", "U+007F"),
    "C1 CSI": ("\x9b", "U+009B"),
    "RLO": ("\u202e", "U+202E"),
    "LRE": ("\u202a", "U+202A"),
    "RLI": ("\u2067", "U+2067"),
    "PDI": ("\u2069", "U+2069"),
}


@pytest.mark.parametrize("character", HOSTILE_CHARACTERS.values(), ids=HOSTILE_CHARACTERS.keys())
def test_import_refuses_control_characters_naming_entry_field_and_position(
    default_registry, english, character
):
    char, code = character
    problems = rejected_problems(
        {
            "agencies": [
                {"code": "so-moi", "name": f"Sở{char}mới", "level": "province", "notes": char}
            ],
            "channels": [channel(identifier_as_printed=f"ab{char}", host=f"a{char}b.gov.vn")],
        }
    )
    found = {(p.section, p.key, p.field): p.message for p in problems}
    expected = (
        "Contains the invisible character {code} at position {position}; control and "
        "text-direction characters are not allowed."
    )
    assert found == {
        ("agencies", "so-moi", "name"): expected.format(code=code, position=3),
        ("agencies", "so-moi", "notes"): expected.format(code=code, position=1),
        ("channels", "web-thu-nghiem", "identifier_as_printed"): expected.format(
            code=code, position=3
        ),
        ("channels", "web-thu-nghiem", "host"): expected.format(code=code, position=2),
    }
    assert "agencies[1] «so-moi», field “name”: Contains the invisible character" in "\n".join(
        str(p) for p in problems
    )


def test_line_breaks_only_in_text_of_several_lines(default_registry, english):
    problems = rejected_problems(
        {"agencies": [{"code": "so-moi", "name": "Sở\tmới", "level": "province"}]}
    )
    assert [(p.field, p.message[:42]) for p in problems] == [
        ("name", "Contains the invisible character U+0009 at")
    ]
    problems = rejected_problems(
        {"agencies": [{"code": "so-moi", "name": "Sở\u2028mới", "level": "province"}]}
    )
    assert [p.field for p in problems] == ["name"]
    notes = "Dòng một\r\nDòng hai\n\tthụt lề"
    importing.import_registry(
        {"agencies": [{"code": "so-moi", "name": "Sở mới", "level": "province", "notes": notes}]}
    )
    assert Agency.objects.get(code="so-moi").notes == notes


def test_back_office_forms_refuse_control_characters(client, administrator, default_registry):
    client.force_login(administrator)
    count = Agency.objects.count()
    response = client.post(
        "/quan-tri/registry/agency/add/",
        {"code": "so-gia", "name": "Sở\u202eTTTT", "level": "province", "notes": "a\x1bb"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["name"] == [
        "Contains the invisible character U+202E at position 3; control and text-direction "
        "characters are not allowed."
    ]
    assert errors["notes"][0].startswith("Contains the invisible character U+001B at position 2")
    assert Agency.objects.count() == count


def _text_fields(model):
    return [
        f
        for f in model._meta.get_fields()
        if isinstance(f, models.CharField | models.TextField) and f.editable
    ]


@pytest.mark.parametrize("model", list(MODELS.values()), ids=list(MODELS))
def test_every_text_field_of_the_registry_refuses_control_characters(model):
    """Fields added later get the validator too, or this test names them. Slugs and choices
    admit only their own few characters already."""
    from chinhthong.config import validators  # here: the other tests run without it

    for field in _text_fields(model):
        if isinstance(field, models.SlugField) or field.choices:
            continue
        wanted = (
            validators.validate_multi_line
            if isinstance(field, models.TextField)
            else validators.validate_one_line
        )
        assert wanted in field.validators, f"{model.__name__}.{field.name}"


# --- 5. Byte-order marks ----------------------------------------------------------------------
def _document_bytes(fmt: str) -> bytes:
    if fmt == "json":
        return json.dumps({"documents": [{"number": "9/BOM", "issuer": "UBND"}]}).encode()
    return b"documents:\n- {number: 9/BOM, issuer: UBND}\n"


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_a_utf8_byte_order_mark_is_accepted_in_every_format(db, english, tmp_path, fmt):
    path = tmp_path / f"bom.{fmt}"
    path.write_bytes(codecs.BOM_UTF8 + _document_bytes(fmt))
    result = import_cli(str(path))
    assert result.exit_code == 0, result.output
    assert SourceDocument.objects.filter(number="9/BOM").exists()
    piped = import_cli("--format", fmt, "--dry-run", "-", input=path.read_bytes())
    assert piped.exit_code == 0, piped.output


@pytest.mark.parametrize("fmt", ["json", "yaml"])
@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32", "utf-32-be"])
def test_utf16_and_utf32_files_are_refused_as_not_utf8(db, english, tmp_path, fmt, encoding):
    text = _document_bytes(fmt).decode()
    data = text.encode(encoding)
    if not encoding.endswith("-be"):
        assert data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF32_LE))
    else:  # the -be codecs write no mark: add it
        bom = codecs.BOM_UTF16_BE if "16" in encoding else codecs.BOM_UTF32_BE
        data = bom + data
    path = tmp_path / f"wide.{fmt}"
    path.write_bytes(data)
    result = import_cli(str(path))
    assert result.exit_code == 1
    name = "UTF-16" if "16" in encoding else "UTF-32"
    assert f"The file is {name} text, not UTF-8; save it as UTF-8." in result.output
    assert not SourceDocument.objects.filter(number="9/BOM").exists()


def test_bytes_that_are_not_utf8_are_refused_with_their_offset(db, english, tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("documents: [{number: '1', issuer: UBND Hà Giang}]\n".encode("latin-1"))
    result = import_cli(str(path))
    assert result.exit_code == 1
    assert "The file is not UTF-8 text: byte 41 (counting from 1) is not valid." in result.output


# --- 6. API parameters ------------------------------------------------------------------------
@pytest.mark.parametrize("endpoint", ["/api/v1/channels", "/api/v1/agencies"])
@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("offset", "9223372036854775808", "“offset” must be a whole number from 0 to 1000000."),
        ("offset", "-1", "“offset” must be a whole number from 0 to 1000000."),
        ("offset", "1" * 400, "“offset” must be a whole number from 0 to 1000000."),
        ("limit", "9223372036854775808", "“limit” must be a whole number from 1 to 1000."),
        ("limit", "0", "“limit” must be a whole number from 1 to 1000."),
        ("q", "x" * 201, "“q” must be at most 200 characters long."),
        (
            "q",
            "kiem\x00soat",
            "“q” contains the invisible character U+0000 at position 5; control and "
            "text-direction characters are not allowed.",
        ),
    ],
)
def test_out_of_range_parameters_are_a_422_naming_them(
    client, default_registry, endpoint, name, value, message
):
    response = client.get(endpoint, {name: value}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422, response.content[:300]
    (error,) = response.json()["detail"]
    assert error["loc"] == ["query", name] and error["msg"] == message


def test_parameters_within_range_still_page(client, default_registry):
    total = client.get("/api/v1/channels").json()["count"]
    page = client.get("/api/v1/channels", {"limit": 1000, "offset": total - 1}).json()
    assert len(page["items"]) == 1
    assert client.get("/api/v1/agencies", {"offset": 1_000_000}).json()["items"] == []
    bad_agency = client.get(
        "/api/v1/channels", {"agency": "so\u202etttt"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert bad_agency.status_code == 422
    assert bad_agency.json()["detail"][0]["msg"].startswith("“agency” contains the invisible")


@pytest.mark.parametrize("path", ["/api/v1/channels/", "/api/v1/agencies/"])
def test_a_code_no_object_can_have_is_a_404(client, default_registry, path):
    assert client.get(path + "a%00b").status_code == 404
    assert client.get(path + "x" * 5000).status_code == 404
    assert client.get("/api/v1/channels/web-cong-ttdt-quang-ninh").status_code == 200


def test_limits_are_described_in_the_openapi_schema(client, db):
    schema_ = client.get("/api/v1/openapi.json").json()
    parameters = {p["name"]: p for p in schema_["paths"]["/api/v1/channels"]["get"]["parameters"]}
    assert "1 to 1000" in parameters["limit"]["description"]
    assert "0 to 1000000" in parameters["offset"]["description"]
