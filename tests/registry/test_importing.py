"""The importer validates the whole file first and writes all or nothing."""

import copy
import re

import pytest
import yaml

from chinhthong.registry import files, importing
from chinhthong.registry.exporting import dumps, registry_document
from chinhthong.registry.models import Agency, Channel, SourceDocument

VIETNAMESE = re.compile(
    r"[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]", re.I
)


def _channel(**fields):
    entry = {
        "slug": "web-so-moi",
        "agency": "so-tttt-quang-ninh",
        "kind": "website",
        "name": "Trang mới",
        "host": "moi.quangninh.gov.vn",
        "status": "active",
    }
    entry.update(fields)
    return {k: v for k, v in entry.items() if v is not None}


def _state():
    """Everything an import could change, history included."""
    return (
        dumps(registry_document(), "json"),
        Channel.history.count(),
        Agency.history.count(),
    )


def _reject(document):
    with pytest.raises(importing.ImportRejected) as caught:
        importing.import_registry(document)
    return caught.value.result.problems


BAD_CHANNELS = [
    ("url with spaces", _channel(url="https://facebook.com/DDCI tinh Quang Ninh/"), "url"),
    (
        "facebook username with spaces",
        _channel(kind="facebook_page", host=None, facebook_username="DDCI tinh Quang Ninh"),
        "facebook_username",
    ),
    ("unknown kind", _channel(kind="telegram"), "kind"),
    ("missing agency", _channel(agency="so-khong-ton-tai"), "agency"),
    ("duplicate identifier with the registry", _channel(host="congchuc.quangninh.gov.vn"), "host"),
    ("unknown status", _channel(status="official"), "status"),
    ("identifier the kind does not use", _channel(phone="0203 3835 536"), "phone"),
    ("active channel without identifier", _channel(host=None), "host"),
    ("bad date", _channel(valid_from="31/07/2020"), "valid_from"),
    ("end before start", _channel(valid_from="2021-01-01", valid_to="2020-01-01"), "valid_to"),
    ("unknown field", {**_channel(), "colour": "red"}, "colour"),
    ("missing name", _channel(name=None), "name"),
    ("missing source document", _channel(source="999/XYZ"), "source"),
]


@pytest.mark.parametrize(("case", "entry", "field"), BAD_CHANNELS, ids=[c[0] for c in BAD_CHANNELS])
def test_bad_channel_is_rejected_with_entry_and_field_and_nothing_changes(
    default_registry, case, entry, field
):
    before = _state()
    good = _channel(slug="web-hop-le", host="hople.quangninh.gov.vn")
    problems = _reject({"channels": [good, entry]})
    assert _state() == before, "a rejected import must not change anything"
    assert any(p.field == field and p.section == "channels" and p.index == 1 for p in problems), (
        problems
    )
    text = "\n".join(str(p) for p in problems)
    assert "channels[2]" in text and field in text
    assert all(VIETNAMESE.search(p.message) for p in problems), [p.message for p in problems]


def test_duplicate_identifier_inside_the_file(default_registry):
    before = _state()
    problems = _reject(
        {
            "channels": [
                _channel(slug="mot", host="trung.quangninh.gov.vn"),
                _channel(slug="hai", host="TRUNG.quangninh.gov.vn."),
            ]
        }
    )
    assert _state() == before
    assert {p.key for p in problems} == {"mot", "hai"}
    assert all(p.field == "host" for p in problems)


def test_duplicate_facebook_page_ignoring_case_and_dots(default_registry):
    problems = _reject(
        {
            "channels": [
                _channel(
                    kind="facebook_page", host=None, facebook_username="KiemSoatBenhTatQuangNinh"
                )
            ]
        }
    )
    assert problems[0].field == "facebook_username"
    assert "facebook-kiem-soat-benh-tat-quang-ninh" in problems[0].message


def test_same_key_twice(default_registry):
    problems = _reject({"channels": [_channel(), _channel(host="khac.quangninh.gov.vn")]})
    assert problems[0].field == "slug"


def test_parent_loop_is_rejected(default_registry):
    problems = _reject(
        {
            "agencies": [
                {"code": "a-mot", "name": "A", "level": "province", "parent": "a-hai"},
                {"code": "a-hai", "name": "B", "level": "province", "parent": "a-mot"},
            ]
        }
    )
    assert {p.field for p in problems} == {"parent"}


def test_syntax_errors_name_the_line():
    with pytest.raises(importing.ImportRejected) as caught:
        files.parse("channels:\n  - slug: a\n   kind: [website\n", "yaml")
    message = str(caught.value)
    assert "YAML" in message and re.search(r"\d", message)
    with pytest.raises(importing.ImportRejected):
        files.parse('{"channels": [}', "json")
    with pytest.raises(importing.ImportRejected):
        files.parse("- just a list\n", "yaml")


def test_a_good_import_creates_and_updates_with_history(default_registry, editor):
    result = importing.import_registry(
        {
            "channels": [
                _channel(),
                _channel(
                    slug="web-who", agency="who", host="who.int", name="WHO", status="retired"
                ),
            ]
        },
        user=editor,
        reason="thử nghiệm",
    )
    assert result.counts() == {"create": 1, "update": 1}
    retired = Channel.objects.get(slug="web-who")
    assert retired.status == "retired"
    last = retired.history.first()
    assert last.history_user == editor and last.history_change_reason == "thử nghiệm"
    assert last.prev_record.status == "active"


def test_dry_run_reports_changes_and_writes_nothing(default_registry):
    before = _state()
    result = importing.import_registry({"channels": [_channel()]}, dry_run=True)
    assert not result.applied
    assert [(c.key, c.action) for c in result.changes] == [("web-so-moi", "create")]
    assert _state() == before


def test_round_trip_export_import_export(default_registry, db):
    for fmt in ("json", "yaml"):
        exported = dumps(registry_document(), fmt)
        document = files.parse(exported, fmt)
        # Into the same registry: nothing changes.
        result = importing.import_registry(copy.deepcopy(document))
        assert set(result.counts()) == {"unchanged"}
        # Into an empty registry: the same export comes out.
        Channel.objects.all().delete()
        from chinhthong.registry.models import ReportRecipient

        ReportRecipient.objects.all().delete()
        Agency.objects.update(parent=None, successor=None)
        Agency.objects.all().delete()
        SourceDocument.objects.all().delete()
        importing.import_registry(document)
        assert dumps(registry_document(), fmt) == exported


def test_yaml_dates_and_strings_are_equivalent(default_registry):
    text = yaml.safe_dump(
        {"documents": [{"number": "1/QĐ", "date": "2024-05-01", "issuer": "UBND"}]}
    )
    importing.import_registry(files.parse(text, "yaml"))
    assert str(SourceDocument.objects.get(number="1/QĐ").date) == "2024-05-01"
